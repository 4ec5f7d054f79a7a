"""A coverage-guided fuzz campaign over the spec loader with atheris (libFuzzer for Python): it mutates the
catalogue's own files towards new branches of the loader, the validators and the error texts, and stops at the first
input from which anything but the project's SpecError escapes (or a problem without a position).

Usage: pip install atheris; python benchmarks/fuzz_atheris.py [-runs=100000] [-max_total_time=600] [CORPUS_DIR]
With no CORPUS_DIR it starts from a temporary copy of scenarios/ and remediations/. libFuzzer prints its own
figures (executions, coverage); a crash is written as `crash-*` in the working folder and printed.
"""
from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

import atheris

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

with atheris.instrument_imports():
    import yaml  # noqa: F401  (instrumented too: the loader's behaviour is PyYAML's as much as ours)

    from tests.specs.hostile import judge
    from trustlab.specs import errors, remediation, scenario, source, steps  # noqa: F401  # noqa: F401


def one(data: bytes) -> None:
    text = data.decode("utf-8", errors="replace")
    name = "fuzzed" if not text.startswith("id: ") else text[4:].split("\n", 1)[0].strip()[:40] or "fuzzed"
    judge(text, "".join(c for c in name if c.isalnum() or c == "-") or "fuzzed")


def main() -> None:
    corpus = [a for a in sys.argv[1:] if not a.startswith("-")]
    flags = [a for a in sys.argv[1:] if a.startswith("-")]
    if not corpus:
        seed = Path(tempfile.mkdtemp(prefix="trustlab-fuzz-"))
        for path in [*(ROOT / "scenarios").rglob("*.yaml"), *(ROOT / "remediations").glob("*.yaml")]:
            shutil.copy(path, seed / path.name)
        corpus = [str(seed)]
    atheris.Setup([sys.argv[0], *flags, *corpus], one)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
