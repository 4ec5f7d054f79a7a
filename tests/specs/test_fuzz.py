"""A fast slice of the fuzz campaign (the long one is benchmarks/fuzz_specs.py): whatever a file holds, reading it
ends in a spec or in positioned problems, never in another exception, and within a memory bound."""
from __future__ import annotations

import tracemalloc

from hypothesis import HealthCheck, given, settings

from tests.specs.hostile import documents, judge, mutated

MEMORY = 32 << 20          # bytes at most to judge one file (the bound the loader keeps is far lower)
FUZZ = settings(max_examples=150, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def _bounded(text: str, name: str) -> None:
    tracemalloc.start()
    try:
        judge(text, name)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < MEMORY, f"{peak:,} bytes to judge {len(text):,} characters"


@FUZZ
@given(mutated())
def test_mutated_catalogue_files_are_judged_cleanly(case):
    name, text = case
    _bounded(text, name)


@FUZZ
@given(documents())
def test_documents_from_the_grammar_are_judged_cleanly(text):
    _bounded(text, "generated")
