"""Records read back: every invalid file is a named fixture with its exact error text; folders are searched; the
matrices a set of journals makes carry the catalogue's claims and the regressions' recorded verdicts."""
from __future__ import annotations

import json

import pytest

from tests.conftest import FIXTURES
from trustlab.backends.sim import SimBackend
from trustlab.engine.backend import LabOptions
from trustlab.runs.matrix import run_matrix
from trustlab.runs.records import RecordError, found_from, matrices, read, read_file
from trustlab.training.record import Record
from trustlab.training.session import Session

INVALID = FIXTURES / "invalid" / "records"
ALLOWED_SESSION = ("a training-session record has format, kind, backend, checks, entries, hints, hints_released, lab, "
                   "lang, profile, scenario, score, seed, solution, title")
ALLOWED_JOURNAL = ("a journal has format, scenario, remediation, backend, profile, seed, affected, verdict, entries; a "
                   "training-session record has kind: training-session")

EXPECTED = {
    "not-json.json": "2:13: not JSON: Expecting value",
    "not-an-object.json": "1: expected a JSON object (a journal or a training-session record)",
    "unknown-key.json": f"2: verdikt: unknown key 'verdikt'; {ALLOWED_JOURNAL}",
    "missing-verdict.json": f"1: missing key 'verdict'; {ALLOWED_JOURNAL}",
    "unknown-verdict.json": "2: verdict.verdict: 'GREAT' is not a verdict; allowed: REPRODUCED, BASELINE_FAILED, "
                            "SYMPTOMS_NOT_REPRODUCED, UNSUPPORTED, FIXED, NOT_FIXED, MADE_WORSE",
    "session-unknown-event-kind.json": "4: entries[0].kind: 'typing' is not a moment of a session; allowed: break, "
                                       "broken_exercise, check, hint, solve, command",
    "session-unknown-key.json": f"2: trainee: unknown key 'trainee'; {ALLOWED_SESSION}",
    "entry-without-time.json": "3: entries[0]: missing key 't'; a step entry has phase, index, step, verb, t, status",
}


def test_every_invalid_record_has_a_fixture():
    assert sorted(p.name for p in INVALID.glob("*.json")) == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_an_invalid_record_names_the_file_line_and_key(name):
    with pytest.raises(RecordError) as caught:
        read_file(INVALID / name)
    assert str(caught.value) == f"{INVALID / name}:{EXPECTED[name]}"


def test_folders_are_searched_and_an_empty_one_says_so(tmp_path):
    with pytest.raises(RecordError, match="no journals"):
        read([tmp_path])
    with pytest.raises(RecordError, match="no such file or folder"):
        read([tmp_path / "missing"])


def test_a_session_record_reads_back(catalogue, tmp_path, monkeypatch):
    monkeypatch.setenv("TRUSTLAB_TRAINING", str(tmp_path / "home"))
    session = Session.start(catalogue, "hidden-adapter", SimBackend, LabOptions())
    session.check()
    (tmp_path / "s.json").write_text(json.dumps(session.record.to_dict()))
    [record] = read([tmp_path / "s.json"])
    assert isinstance(record, Record) and record.to_dict() == session.record.to_dict()


def test_journals_read_back_make_the_matrix_they_came_from(catalogue, tmp_path):
    m = run_matrix(catalogue, SimBackend)
    for j in m.journals():
        j.write(tmp_path / f"{j.scenario}--{j.remediation}.json")
    [again] = matrices(read([tmp_path]), catalogue)
    assert (again.scenarios, again.remediations, again.claims) == (m.scenarios, m.remediations, m.claims)
    assert {k: j.verdict for k, j in again.cells.items()} == {k: j.verdict for k, j in m.cells.items()}
    assert {k: (r.recorded, r.state, r.within) for k, r in again.regressions.items()} == \
        {k: (r.recorded, r.state, r.within) for k, r in m.regressions.items()}
    assert again.ok == m.ok


def test_a_found_scenario_names_the_scenario_it_was_found_on(catalogue):
    m = run_matrix(catalogue, SimBackend)
    [found] = m.regressions.values()
    assert found_from(found.journal) == "clock-months-off"
    assert found_from(m.cells[("clock-months-off", "resync-time")]) is None
