"""Scenario+remediation runs per second on the sim, one core: the whole matrix, repeated.

Usage: python benchmarks/sim_throughput.py [--seconds 10]
Target (issue: trustlab core): at least 2,000 runs per second on one core.
"""
from __future__ import annotations

import argparse
import statistics
import time

from trustlab.backends.sim import SimBackend
from trustlab.engine.runner import run
from trustlab.specs.catalogue import load_default


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=10.0)
    args = parser.parse_args()
    catalogue = load_default()
    pairs = [(s, r) for s in catalogue.scenarios.values() for r in catalogue.remediations.values()]
    rates, cpu_rates, total, start = [], [], 0, time.perf_counter()
    while time.perf_counter() - start < args.seconds:
        t0, c0 = time.perf_counter(), time.process_time()
        for scenario, remediation in pairs:
            run(scenario, remediation, SimBackend)
        rates.append(len(pairs) / (time.perf_counter() - t0))
        cpu_rates.append(len(pairs) / (time.process_time() - c0))
        total += len(pairs)
    print(f"matrix: {len(catalogue.scenarios)} scenarios x {len(catalogue.remediations)} remediations "
          f"= {len(pairs)} runs per pass, {len(rates)} passes, {total} runs")
    print(f"runs per second (one core): median {statistics.median(rates):,.0f}, "
          f"min {min(rates):,.0f}, max {max(rates):,.0f}")
    print(f"per run: {1e6 / statistics.median(rates):,.0f} us (target: >= 2,000 runs/s, i.e. <= 500 us)")
    print(f"runs per CPU second (steadier on a shared host): median {statistics.median(cpu_rates):,.0f}")


if __name__ == "__main__":
    main()
