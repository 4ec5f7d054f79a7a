"""The differential search's rate: generated scenarios compared per minute, and the distinct divergences found.

Usage: python benchmarks/differential_rate.py [--examples 200] [--seed 1] [--samba N] [--out DIR]
On the sim against itself (the model must agree with itself: 0 divergences), and with --samba N, N scenarios on the
real Samba lab (root; the lab is built once, outside the timing) against the sim with the samba profile.
"""
from __future__ import annotations

import argparse
from pathlib import Path

from trustlab.backends.sim import SimBackend
from trustlab.runs.differential import search
from trustlab.specs.profiles import SAMBA


def report(label: str, result) -> None:
    print(f"{label}: {result.examples} scenarios in {result.seconds:.1f} s = {result.per_minute:,.1f} per minute "
          f"({result.seconds / max(result.examples, 1):.2f} s each), {result.compared} compared to the end, "
          f"{len(result.findings)} distinct divergence(s), {len(result.unexplained)} not explained by a limitation "
          f"of the backend")
    for finding in result.findings:
        print(f"  {finding.scenario.id}{' (shrunk)' if finding.shrunk else ''}"
              f"{' (explained: the backend restarts on time travel)' if finding.limitation else ''}: "
              + "; ".join(str(s) for s in finding.scenario.break_))
        for d in finding.comparison.divergences:
            print(f"    {d.step}: sim {d.sim}, real {d.real}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--examples", type=int, default=200)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--samba", type=int, default=0, help="scenarios on the real Samba lab; 0 skips")
    parser.add_argument("--out", type=Path, help="where divergences are written")
    args = parser.parse_args()
    report("sim against itself", search(SimBackend, SimBackend, SAMBA, args.examples, args.seed))
    if args.samba:
        from trustlab.backends.samba import SambaBackend
        from trustlab.backends.samba.backend import acquire

        acquire()
        report("samba against the sim (samba profile)",
               search(SambaBackend, SimBackend, SAMBA, args.samba, args.seed, out=args.out))


if __name__ == "__main__":
    main()
