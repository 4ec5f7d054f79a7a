from __future__ import annotations

from rich.console import Console

from trustlab.backends.sim import SimBackend
from trustlab.engine.runner import run
from trustlab.runs.matrix import run_matrix
from trustlab.views.terminal import print_journal, print_matrix


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


def test_the_matrix_never_cuts_an_id_on_a_narrow_terminal_or_when_piped(catalogue):
    m = run_matrix(catalogue, SimBackend)
    for console in (Console(record=True, width=80, force_terminal=True, color_system=None),
                    Console(record=True, width=60, color_system=None)):
        print_matrix(m, console)
        lines = console.export_text().splitlines()
        assert any(line.strip().startswith("machine-account-reset-reuse-blocked ") for line in lines)
        row = next(line for line in lines if line.strip().startswith("hidden-adapter"))
        assert "✔" in row and "✘" in row                     # one row, not wrapped in two
    wide = Console(record=True, width=120, force_terminal=True, color_system=None)
    print_matrix(m, wide)
    text = wide.export_text()
    assert "─────" in text and "remediation × scenario" in text             # the table, when it fits


def test_progress_shows_the_total_and_time_left_on_a_terminal_and_nothing_when_piped():
    import io

    from trustlab.cli.base import progress

    for terminal in (True, False):
        out = io.StringIO()
        shown = Console(file=out, force_terminal=terminal, width=100, color_system=None)
        with progress(40, "running the catalogue", shown) as advance:
            for i in range(3):
                advance(f"run-{i}")
            if terminal:
                shown.get_time = shown.get_time        # the bar renders on refresh; force one now
        text = out.getvalue()
        if terminal:
            assert "/40" in text and "left" in text
        else:
            assert text == ""


def test_the_recheck_says_gone_only_when_what_shows_now_is_healthy(catalogue):
    from trustlab.specs.remediation import Remediation

    reinstall = Remediation.model_validate({"id": "r", "title": "t", "steps": [
        {"local_admin_logon": {}}, {"reinstall_adapter": {}}, {"reboot": {}}]})
    text = render(print_journal, run(catalogue.scenario("machine-account-reset"), reinstall, SimBackend))
    recheck = text.split("recheck (the symptoms again)")[1]
    assert "symptom gone" not in recheck
    assert "logon: {password: current, expect: TRUST_FAILURE}  -> SUCCESS_CACHED  no longer TRUST_FAILURE, not " \
           "healthy either" in recheck
    assert "verdict: MADE_WORSE" in text and "worse: network: {} -> UP before; NO_ADDRESS after" in text
    assert "before the procedure (the engine's own probes)" in text
