"""The real Samba lab's figures: cold `up`, `reset`, and one scenario+remediation run, as median seconds.

Usage (root, packages installed): python benchmarks/samba_lab.py [--repeat 3] [--name LAB]
Each figure also in CPU seconds: of the benchmark and every process it starts, daemons included (benchmarks/cpu.py).
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

from cpu import CpuMeter


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--name", default=f"bench-{os.getpid()}", help="the lab's name (one of your own)")
    args = parser.parse_args()
    require()
    lab = SambaLab.named(args.name)
    meter = CpuMeter("trustlab-bench")
    figures: dict[str, tuple[list[float], list[float]]] = {"cold up": ([], []), "reset": ([], []), "run": ([], [])}

    def timed(label: str, action):
        t0, c0 = time.monotonic(), meter.seconds()
        result = action()
        figures[label][0].append(time.monotonic() - t0)
        figures[label][1].append(meter.seconds() - c0)
        return result

    try:
        for _ in range(args.repeat):
            if lab.exists:
                lab.down()
            timed("cold up", lab.up)
        for _ in range(args.repeat * 2):
            timed("reset", lab.reset)
        os.environ["TRUSTLAB_SAMBA_LAB"] = args.name
        catalogue = load_default()
        scenario, fix = catalogue.scenario("machine-account-reset"), catalogue.remediation("reset-machine-password")
        for _ in range(args.repeat):
            verdict = timed("run", lambda: run(scenario, fix, SambaBackend, SAMBA).verdict.value)
            assert verdict == "FIXED", verdict
    finally:
        lab.down()
        meter.close()
    for label, target in (("cold up", "< 10 s"), ("reset", "< 2 s"), ("run", "")):
        wall, cpu = figures[label]
        name = "machine-account-reset + reset-machine-password run" if label == "run" else label
        print(f"{name}: median {statistics.median(wall):.2f} s (min {min(wall):.2f}, max {max(wall):.2f}, "
              f"n={len(wall)}); CPU median {statistics.median(cpu):.2f} s ({meter.kind})"
              f"{'  target ' + target if target else ''}")


if __name__ == "__main__":
    main()
