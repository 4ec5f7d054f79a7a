"""Regenerate the README's screenshots, in headless Chromium (Debian's `chromium`; Playwright from the test extras):

- timeline.png: the seed story with everything the seed article did, on the sim, one mark clicked so the panel
  shows the Windows message in English and Japanese;
- classroom-seat.png and classroom-trainer.png: `trustlab classroom seed-loaner-story --seats 3` with a seat
  part-way through the exercise, one that solved it, one that reset, and the trainer's page of the three.

    python docs/screenshots/make.py            # writes the three PNGs beside this file
"""
from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

from trustlab.backends.sim import SimBackend
from trustlab.engine.runner import run
from trustlab.specs.catalogue import load_default
from trustlab.views import browser
from trustlab.views.report import write_report

HERE = Path(__file__).resolve().parent
SCENARIO, REMEDIATION = "seed-loaner-story", "seed-article-as-told"


def main() -> int:
    catalogue = load_default()
    journal = run(catalogue.scenario(SCENARIO), catalogue.remediation(REMEDIATION), SimBackend)
    with tempfile.TemporaryDirectory() as folder, browser.browser(width=1240, height=900) as context:
        path = write_report([journal], Path(folder) / "report.html", catalogue, f"{SCENARIO} + {REMEDIATION}")
        with browser.opened(context, path) as seen:
            run_ = seen.page.locator("details.run")                 # a one-run report opens with its run open
            run_.locator(".mark.probe", has=seen.page.locator("title", has_text="-> WRONG_PASSWORD")).first.click()
            out = HERE / "timeline.png"
            run_.screenshot(path=str(out))
            if seen.errors or seen.console:
                print("the page logged:", *seen.errors, *seen.console, sep="\n  ", file=sys.stderr)
                return 1
    print(f"wrote {out.relative_to(HERE.parent.parent)}")
    return classroom(catalogue)


def classroom(catalogue) -> int:
    """Three seats, typed at through the server's own API as a trainee's page does, then both pages drawn."""
    from tests.training.scripts import RIGHT
    from trustlab.views.classroom import Classroom, Serving

    with tempfile.TemporaryDirectory() as home, browser.browser(width=1240, height=860) as context:
        os.environ["TRUSTLAB_TRAINING"] = home
        room = Classroom.open(catalogue, SimBackend, SCENARIO, 3)
        for line in RIGHT:
            room.type(room.seats[2], line)
        for line in (".\\Administrator", "x", "ipconfig"):
            room.type(room.seats[3], line)
        room.reset(room.seats[3])
        with Serving(room) as served:
            page = context.new_page()
            page.goto(f"{served.url}/seat/1?t={room.seats[1].token}")
            page.locator("#terminal").click()
            for line in (".\\Administrator", "x", "ipconfig", 'netsh interface ipv4 set address name="Ethernet 2" '
                         'static 10.0.0.11 255.255.255.0', "Yes"):
                page.keyboard.type(line)
                page.keyboard.press("Enter")
                time.sleep(0.4)
            page.click("#hint")
            time.sleep(0.6)
            page.screenshot(path=str(HERE / "classroom-seat.png"))
            trainer = context.new_page()
            trainer.goto(f"{served.url}/trainer?t={room.trainer_token}")
            time.sleep(1.5)
            trainer.screenshot(path=str(HERE / "classroom-trainer.png"))
    print("wrote docs/screenshots/classroom-seat.png, docs/screenshots/classroom-trainer.png")
    return 0


if __name__ == "__main__":
    sys.exit(main())
