"""Explorer throughput: schedules (examples) per second on the sim, and seconds per example on samba.

Usage: python benchmarks/explorer_rate.py [--examples 1000] [--samba 3]
Target (issue: explorer): at least 500 examples per second on sim. The figure includes Hypothesis's own work
(drawing each schedule through its strategy); `run only` is the same runs without Hypothesis. The median of five
passes is printed, since this machine's rate varies from pass to pass.
"""
from __future__ import annotations

import argparse
import statistics
import time

from trustlab.backends.sim import SimBackend
from trustlab.engine.runner import run
from trustlab.runs.explorer import explore
from trustlab.runs.strategies import schedules
from trustlab.specs.catalogue import load_default
from trustlab.specs.profiles import SAMBA, WINDOWS


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--examples", type=int, default=1000)
    parser.add_argument("--samba", type=int, default=0, help="examples on the samba backend (root); 0 skips")
    args = parser.parse_args()
    cat = load_default()
    scenario, remediation = cat.scenario("password-changed-elsewhere"), cat.remediation("unplug-cached-logon-wait-reboot")
    rates = []
    for seed in range(1, 6):
        result = explore(scenario, remediation, SimBackend, WINDOWS, examples=args.examples, seed=seed)
        rates.append(result.rate)
    print(f"sim: median {statistics.median(rates):,.0f} examples/s over 5 passes of {args.examples} "
          f"({min(rates):,.0f} to {max(rates):,.0f}; target >= 500/s)")
    sample = schedules(scenario, remediation).example()
    t0 = time.perf_counter()
    for _ in range(300):
        run(sample.scenario, sample.remediation, SimBackend)
    print(f"run only (no Hypothesis): {300 / (time.perf_counter() - t0):,.0f} runs/s")
    if args.samba:
        from trustlab.backends.samba import SambaBackend
        from trustlab.backends.samba.backend import acquire

        acquire()                                   # the lab is built once, outside the timing
        result = explore(scenario, remediation, SambaBackend, SAMBA, examples=args.samba, seed=1)
        print(f"samba: {result.examples} examples in {result.seconds:.1f} s = "
              f"{result.seconds / max(result.examples, 1):.1f} s per example")


if __name__ == "__main__":
    main()
