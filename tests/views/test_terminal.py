from __future__ import annotations

from rich.console import Console

from trustlab.engine.matrix import run_matrix
from trustlab.engine.runner import run
from trustlab.views.terminal import print_journal, print_matrix
from trustlab.backends.sim import SimBackend


def render(fn, *args) -> str:
    console = Console(record=True, width=200, color_system=None)
    fn(*args, console)
    return console.export_text()


def test_journal_view_shows_phases_messages_and_background(catalogue):
    journal = run(catalogue.scenario("stale-snapshot-one-rotation"), catalogue.remediation("rejoin-domain"), SimBackend)
    text = render(print_journal, journal)
    assert "break" in text and "~ LOANER01: scavenger changed the machine password (MP-1)" in text
    assert "-> TRUST_FAILURE (1789, 0xC000018D)" in text
    assert "symptom gone" in text and "verdict: FIXED" in text


def test_matrix_view_marks_claims_and_worse(catalogue):
    text = render(print_matrix, run_matrix(catalogue, SimBackend))
    row = next(line for line in text.splitlines() if line.strip().startswith("hidden-adapter"))
    assert "✔" in row and "✘" in row
    assert "made worse" in text and "claims hold" in text
