"""The catalogue's report (`trustlab run --report`): how long it takes to render and how large the file is, as
written and gzipped (a CI artifact store or a mail client usually compresses it).

Usage: python benchmarks/report_size.py [--repeat 5]
No target was set; the figures are for judging changes to the report.
"""
from __future__ import annotations

import argparse
import gzip
import statistics
import time

from trustlab.backends.sim import SimBackend
from trustlab.runs.guide import run_guide
from trustlab.runs.matrix import run_matrix
from trustlab.specs.catalogue import load_default
from trustlab.views.report import render


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    catalogue = load_default()
    matrix = run_matrix(catalogue, SimBackend)
    guide = run_guide(catalogue, SimBackend, matrix=matrix)
    seconds, html = [], ""
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        html = render([matrix, guide], catalogue)
        seconds.append(time.perf_counter() - t0)
    raw = html.encode("utf-8")
    runs = html.count('<details class="run')
    print(f"runs drawn: {runs}")
    print(f"render: median {statistics.median(seconds):.2f} s (of {args.repeat}; {min(seconds):.2f} to "
          f"{max(seconds):.2f})")
    print(f"size: {len(raw) / 1e6:.2f} MB, gzipped {len(gzip.compress(raw)) / 1e3:.0f} kB")


if __name__ == "__main__":
    main()
