"""Repetition on the real lab: every shipped scenario (reproduced alone) and every claim run many times on the samba
backend; prints the flaky ones (the same input, a different outcome) with their rate, and the known ones
(docs/conformance.md, "Flaky cases") are named as such. Never a retry: every run counts.

An outcome is the verdict and every observation the run made (the symptoms, the checks, the probes before and
after), so a flake that the verdict hides still shows. Runs the real lab refuses before any observation (unsupported) are
run once; one that observes before it ends unsupported is repeated like the rest.

Usage (root, packages installed):
  python benchmarks/samba_repeat.py [--times 20] [--only SUBSTRING] [--name LAB]
"""
from __future__ import annotations

import argparse
import collections
import os
import sys
import time
from typing import Optional

from trustlab.backends.samba import SambaBackend
from trustlab.backends.samba.doctor import require
from trustlab.backends.samba.domain import SambaLab
from trustlab.engine.journal import Journal
from trustlab.engine.runner import run
from trustlab.runs.conformance import pairs
from trustlab.specs.catalogue import load_default
from trustlab.specs.profiles import SAMBA

OBSERVED = ("symptoms", "before", "verify", "recheck", "after")


def runs(catalogue, only: str = "") -> list[tuple[str, Optional[str]]]:
    """Every scenario alone and every claim, as conformance makes them (the found files are the explorer's)."""
    return [(s, r) for s, r in pairs(catalogue) if s not in catalogue.regressions
            and only in f"{s}--{r or 'reproduce'}"]


def outcome(journal: Journal) -> tuple:
    seen = tuple(f"{e.phase}:{e.verb}={e.outcome or e.status}" for e in journal.steps
                 if e.phase in OBSERVED or e.status == "failed")
    return (journal.verdict.value, *seen)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--times", type=int, default=20)
    parser.add_argument("--only", default="", help="only runs whose SCENARIO--REMEDIATION contains this")
    parser.add_argument("--name", "--lab", dest="lab", default=f"repeat-{os.getpid()}",
                        help="the lab's name (one of your own)")
    args = parser.parse_args()
    require()
    catalogue = load_default()
    items = runs(catalogue, args.only)
    lab = SambaLab.named(args.lab)
    if not lab.exists:
        lab.up()
    os.environ["TRUSTLAB_SAMBA_LAB"] = args.lab
    seen: dict[tuple, collections.Counter] = {item: collections.Counter() for item in items}
    started, count = time.monotonic(), 0
    try:
        for n in range(args.times):
            for sid, rid in items:
                if n and seen[(sid, rid)].keys() == {("UNSUPPORTED",)}:
                    continue
                remediation = catalogue.remediations[rid] if rid else None
                seen[(sid, rid)][outcome(run(catalogue.scenarios[sid], remediation, SambaBackend, SAMBA))] += 1
                count += 1
            print(f"pass {n + 1}/{args.times}: {count} runs, {time.monotonic() - started:.0f} s", file=sys.stderr,
                  flush=True)
    finally:
        lab.down()
    known = open(os.path.join(os.path.dirname(__file__), "..", "docs", "conformance.md"), encoding="utf-8").read()
    known = known.split("## Flaky cases", 1)[1] if "## Flaky cases" in known else ""
    compared = {item: c for item, c in seen.items() if c.keys() != {("UNSUPPORTED",)}}
    flaky = {item: c for item, c in compared.items() if len(c) > 1}
    total = sum(sum(c.values()) for c in compared.values())
    odd = sum(sum(c.values()) - max(c.values()) for c in flaky.values())
    print(f"{len(compared)} runs on the real lab x {args.times} ({total} runs, {len(seen) - len(compared)} "
          f"unsupported) in {time.monotonic() - started:.0f} s: {len(flaky)} flaky, "
          f"{odd} of {total} runs ({100 * odd / total if total else 0:.1f}%) away from their usual outcome")
    for (sid, rid), counts in sorted(flaky.items()):
        name = f"{sid}--{rid or 'reproduce'}"
        print(f"  {name}{' (known: docs/conformance.md)' if name in known else ' (NOT KNOWN)'}:")
        for out, count in counts.most_common():
            print(f"    {count:3d}x {' '.join(out)}")
    sys.exit(1 if any(f"{s}--{r or 'reproduce'}" not in known for s, r in flaky) else 0)


if __name__ == "__main__":
    main()
