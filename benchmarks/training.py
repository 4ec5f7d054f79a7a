"""How long a trainee waits on the sim: `lab break`, one console step and one `lab check` for the seed story, each
from a fresh process's point of view (the session is replayed from its record every time), with 0 and with 200
trainee steps already in the record.

Usage: python benchmarks/training.py [--repeat 20]
No target in the issue; a console step should feel immediate (well under 100 ms).
"""
from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time

from trustlab.backends.sim import SimBackend
from trustlab.engine.backend import LabOptions
from trustlab.specs.catalogue import load_default
from trustlab.training.session import Session


def _ms(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    os.environ["TRUSTLAB_TRAINING"] = tempfile.mkdtemp(prefix="trustlab-bench-")
    catalogue = load_default()
    options = LabOptions("bench")
    start = lambda: Session.start(catalogue, "seed-loaner-story", SimBackend, options).close()   # noqa: E731
    print(f"lab break (seed-loaner-story): {_ms(start, args.repeat):.1f} ms")
    for steps in (0, 200):
        start()
        session = Session.open(catalogue, SimBackend, options)
        for _ in range(steps):
            session.do("network", {})
        session.close()

        def step() -> None:                        # a new process: open, replay, one step
            s = Session.open(catalogue, SimBackend, options)
            s.do("network", {})
            s.close()

        def check() -> None:
            s = Session.open(catalogue, SimBackend, options)
            s.grade()
            s.close()
        print(f"with {steps} trainee steps recorded: a step {_ms(step, args.repeat):.1f} ms, "
              f"a check {_ms(check, args.repeat):.1f} ms (medians of {args.repeat})")


if __name__ == "__main__":
    main()
