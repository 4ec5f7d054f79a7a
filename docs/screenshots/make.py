"""Regenerate the README's screenshot of a timeline: the seed story with everything the seed article did, on the
sim, opened in headless Chromium (Debian's `chromium`; Playwright from the test extras), one mark clicked so the
panel shows the Windows message in English and Japanese.

    python docs/screenshots/make.py            # writes docs/screenshots/timeline.png
"""
from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from trustlab.backends.sim import SimBackend
from trustlab.specs.catalogue import load_default
from trustlab.engine.runner import run
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
            run_ = seen.page.locator("details.run")
            run_.locator("summary").click()
            run_.locator(".mark.probe", has=seen.page.locator("title", has_text="-> WRONG_PASSWORD")).first.click()
            out = HERE / "timeline.png"
            run_.screenshot(path=str(out))
            if seen.errors or seen.console:
                print("the page logged:", *seen.errors, *seen.console, sep="\n  ", file=sys.stderr)
                return 1
    print(f"wrote {out.relative_to(HERE.parent.parent)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
