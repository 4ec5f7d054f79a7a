"""Not collected by the suite (its name is not test_*.py): one run of the suite that test_suites.py starts in a
process of its own, to see what a run does beside another run, and when it is stopped. The run writes its lab's name
to HELD_READY once the lab is up; then, with HELD_THEN=wait, it waits to be stopped; with HELD_THEN=run, it waits
for the file HELD_OTHER (the other run's lab is up too), runs a scenario and checks that its lab is still the one it
built."""
from __future__ import annotations

import json
import os
import time
from pathlib import Path

from trustlab.backends.samba import SambaBackend
from trustlab.engine.runner import run
from trustlab.specs.profiles import SAMBA


def _secret(lab) -> str:
    return json.loads((lab.dir / "secrets.json").read_text())["seed"]


def test_a_run_with_its_lab(real_lab, catalogue):
    built = _secret(real_lab)
    Path(os.environ["HELD_READY"]).write_text(real_lab.name)
    if os.environ["HELD_THEN"] == "wait":
        time.sleep(900)
        return
    other, deadline = Path(os.environ["HELD_OTHER"]), time.monotonic() + 300
    while not other.exists() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert other.exists(), "the other run never got its lab up"
    journal = run(catalogue.scenario("machine-account-reset"), catalogue.remediation("reset-machine-password"),
                  SambaBackend, SAMBA)
    assert journal.verdict.value == "FIXED", journal.judgement.why
    assert real_lab.exists and _secret(real_lab) == built            # nobody took this lab down or rebuilt it
