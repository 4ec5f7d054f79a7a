"""The real Samba lab's figures: cold `up`, `reset`, and one scenario+remediation run, as median seconds.

Usage (root, packages installed): python benchmarks/samba_lab.py [--repeat 3]
Targets (issue: samba backend): cold up under 10 s, reset under 2 s, on the project's 2-core machine.
"""
from __future__ import annotations

import argparse
import os
import statistics
import time

from trustlab.backends.samba import SambaBackend
from trustlab.backends.samba.doctor import require
from trustlab.backends.samba.domain import SambaLab
from trustlab.engine.runner import run
from trustlab.specs.catalogue import load_default
from trustlab.specs.profiles import SAMBA


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    require()
    lab = SambaLab.named("bench")
    ups, resets, runs = [], [], []
    try:
        for _ in range(args.repeat):
            if lab.exists:
                lab.down()
            t0 = time.monotonic()
            lab.up()
            ups.append(time.monotonic() - t0)
        for _ in range(args.repeat * 2):
            resets.append(lab.reset())
        os.environ["TRUSTLAB_SAMBA_LAB"] = "bench"
        catalogue = load_default()
        scenario, fix = catalogue.scenario("machine-account-reset"), catalogue.remediation("reset-machine-password")
        for _ in range(args.repeat):
            t0 = time.monotonic()
            verdict = run(scenario, fix, SambaBackend, SAMBA).verdict.value
            runs.append(time.monotonic() - t0)
            assert verdict == "FIXED", verdict
    finally:
        lab.down()
    for label, values, target in (("cold up", ups, "< 10 s"), ("reset", resets, "< 2 s"),
                                  ("machine-account-reset + reset-machine-password run", runs, "")):
        print(f"{label}: median {statistics.median(values):.2f} s (min {min(values):.2f}, max {max(values):.2f}, "
              f"n={len(values)}){'  target ' + target if target else ''}")


if __name__ == "__main__":
    main()
