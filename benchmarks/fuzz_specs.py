"""The spec-reading fuzz campaign: at least 10,000 hostile and careless files, each judged the way every command
reads one. Prints how many were tried, rejected cleanly, accepted and crashed (goal: 0), and the slowest ones.

Usage: python benchmarks/fuzz_specs.py [--inputs 10000] [--seed 1]
Half the inputs are valid catalogue files mutated, half YAML documents from the language's grammar
(tests/specs/hostile.py); Hypothesis's strategies draw them from random bytes (`fuzz_one_input`). A crash is any
exception but the project's own SpecError, or a problem without a position inside the file; each is printed with
the input that caused it.
"""
from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
import traceback
import tracemalloc
from pathlib import Path

from hypothesis import HealthCheck, given, settings

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.specs.hostile import documents, judge, mutated  # noqa: E402

MEASURED = 10               # the memory of one input in ten (and of every one slower than the slowest so far)


def memory(name: str, text: str) -> int:
    tracemalloc.start()
    try:
        judge(text, name)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--inputs", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    counts = {"rejected": 0, "accepted": 0, "crashed": 0}
    slowest: list[tuple[float, int, str]] = []          # (seconds, characters, the input)
    peak_memory = [0]
    crashes: list[str] = []

    def record(name: str, text: str) -> None:
        t0 = time.perf_counter()
        try:
            outcome, _ = judge(text, name)
            counts[outcome] += 1
        except Exception:                      # what the campaign is looking for: anything that escapes
            counts["crashed"] += 1
            crashes.append(f"{traceback.format_exc(limit=3)}input {text[:300]!r}")
            return
        seconds = time.perf_counter() - t0
        if sum(counts.values()) % MEASURED == 0 or not slowest or seconds > slowest[-1][0]:
            peak_memory[0] = max(peak_memory[0], memory(name, text))     # tracemalloc slows what it watches
        slowest.append((seconds, len(text), text))
        slowest.sort(reverse=True)
        del slowest[5:]

    quiet = settings(database=None, deadline=None, suppress_health_check=list(HealthCheck))

    @quiet
    @given(mutated())
    def mutations(case):
        record(*case)

    @quiet
    @given(documents())
    def grammar(text):
        record("generated", text)

    rng = random.Random(args.seed)
    started = time.perf_counter()
    for i in range(args.inputs):
        target = mutations if i % 2 == 0 else grammar
        target.hypothesis.fuzz_one_input(rng.randbytes(2048))
    elapsed = time.perf_counter() - started
    tried = sum(counts.values())
    print(f"tried {tried:,} inputs in {elapsed:.1f} s ({tried / elapsed:,.0f}/s): rejected cleanly "
          f"{counts['rejected']:,}, accepted {counts['accepted']:,}, crashed {counts['crashed']:,} (goal: 0)")
    print(f"peak memory to judge one input (one in {MEASURED}, and the slowest): {peak_memory[0] / 1e6:.1f} MB")
    print("slowest (as first seen, and the median of 5 re-runs, which tells a slow input from a busy machine):")
    for seconds, size, text in slowest:
        again = []
        for _ in range(5):
            t0 = time.perf_counter()
            judge(text, "again")
            again.append(time.perf_counter() - t0)
        print(f"  {seconds * 1000:8.1f} ms, again {statistics.median(again) * 1000:7.1f} ms  {size:>8,} characters  "
              f"{text[:50]!r}")
    for crash in crashes[:5]:
        print("CRASH:", crash)
    sys.exit(1 if counts["crashed"] else 0)


if __name__ == "__main__":
    main()
