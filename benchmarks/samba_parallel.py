"""Labs side by side: N real labs up at once, each running its share of the catalogue's runs in its own process,
compared with the same runs one after another on one lab. The labs must not interfere: every run's outcome (the
verdict and every observation, as in samba_repeat.py) is the same either way. Prints both wall times.

Usage (root, packages installed): python benchmarks/samba_parallel.py [--labs 4] [--only SUBSTRING]
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

from trustlab.backends.samba import SambaBackend
from trustlab.backends.samba.doctor import require
from trustlab.backends.samba.domain import SambaLab
from trustlab.engine.runner import run
from trustlab.specs.catalogue import load_default
from trustlab.specs.profiles import SAMBA

sys.path.insert(0, str(Path(__file__).resolve().parent))
from samba_repeat import outcome, runs  # noqa: E402  (one definition of the runs and of a run's outcome)

ROOT = Path(__file__).resolve().parent.parent


def worker(lab: str, items: list[list]) -> None:
    """In its own process: the runs on one lab, their outcomes as JSON lines on stdout."""
    os.environ["TRUSTLAB_SAMBA_LAB"] = lab
    catalogue = load_default()
    for sid, rid in items:
        journal = run(catalogue.scenarios[sid], catalogue.remediations[rid] if rid else None, SambaBackend, SAMBA)
        print(json.dumps([sid, rid, list(outcome(journal))]), flush=True)


def spawn(*args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, __file__, *args], stdout=subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONPATH": str(ROOT)})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--labs", type=int, default=4)
    parser.add_argument("--only", default="")
    parser.add_argument("--worker", nargs=2, metavar=("LAB", "ITEMS"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        return worker(args.worker[0], json.loads(args.worker[1]))
    require()
    items = runs(load_default(), args.only)
    labs = [SambaLab.named(f"par{os.getpid()}-{i}") for i in range(args.labs)]   # names of its own
    results: dict[str, dict] = {"side by side": {}, "one lab": {}}
    try:
        t0 = time.monotonic()
        builders = [subprocess.Popen([sys.executable, "-m", "trustlab", "lab", "up", "--backend", "samba", "--name",
                                      lab.name], env={**os.environ, "PYTHONPATH": str(ROOT)},
                                     stdout=subprocess.DEVNULL) for lab in labs]
        if any(b.wait() for b in builders):
            sys.exit("a lab did not come up")
        up = time.monotonic() - t0
        t0 = time.monotonic()
        procs = [spawn("--worker", lab.name, json.dumps(items[i::len(labs)])) for i, lab in enumerate(labs)]
        for proc in procs:
            for line in proc.stdout:
                sid, rid, out = json.loads(line)
                results["side by side"][(sid, rid)] = out
            proc.wait()
        parallel = time.monotonic() - t0
        for lab in labs[1:]:
            lab.down()
        t0 = time.monotonic()
        alone = spawn("--worker", labs[0].name, json.dumps(items))
        for line in alone.stdout:
            sid, rid, out = json.loads(line)
            results["one lab"][(sid, rid)] = out
        alone.wait()
        sequential = time.monotonic() - t0
    finally:
        for lab in labs:
            if lab.exists:
                lab.down()
    differ = [k for k in results["one lab"] if results["one lab"][k] != results["side by side"].get(k)]
    print(f"{len(items)} runs: {args.labs} labs up at once in {up:.1f} s; side by side {parallel:.1f} s, "
          f"one lab {sequential:.1f} s ({sequential / parallel:.2f}x); {len(differ)} run(s) differ")
    for sid, rid in differ:
        print(f"  {sid}--{rid or 'reproduce'}:\n    side by side: {' '.join(results['side by side'].get((sid, rid), []))}"
              f"\n    one lab:      {' '.join(results['one lab'][(sid, rid)])}")
    sys.exit(1 if differ or len(results["side by side"]) != len(items) else 0)


if __name__ == "__main__":
    main()
