"""Training sessions on the sim: a check that is right by construction (it agrees with the engine's verdict for
every scenario and remediation of the catalogue), the record, hints, reset, and the commands' bad input."""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from trustlab.backends.sim import SimBackend
from trustlab.cli import main
from trustlab.engine.backend import LabOptions
from trustlab.engine.judgement import Verdict
from trustlab.engine.plan import REMEDIATION, plan
from trustlab.engine.runner import run
from trustlab.specs.catalogue import load_default
from trustlab.training.record import FORMAT, Began, Checked, Hinted, Moment, TrainingError
from trustlab.training.record import read as read_record
from trustlab.training.session import Session, official
from trustlab.views.training import lines as record_lines


@pytest.fixture(autouse=True)
def training_home(tmp_path, monkeypatch):
    monkeypatch.setenv("TRUSTLAB_TRAINING", str(tmp_path / "training"))
    return tmp_path / "training"


def _exercises(catalogue) -> list[str]:
    """Every shipped scenario a trainee can be given (an explorer's regression replays a schedule instead)."""
    return sorted(sid for sid, s in catalogue.scenarios.items() if s.regression is None)


def _apply(session: Session, remediation) -> None:
    """A remediation's steps done by the trainee, its `stop_if_fixed` as a trainee checking."""
    for action in plan(session.scenario, remediation):
        if action.phase != REMEDIATION:
            continue
        if action.facts.runs_checks:
            if session.grade().fixed:
                return
            continue
        session.perform([action])


def test_every_shipped_scenario_is_an_exercise(catalogue):
    for sid in _exercises(catalogue):
        scenario = catalogue.scenario(sid)
        assert scenario.briefing and scenario.briefing.ja, sid
        assert len(scenario.hints) >= 2, sid
        assert sid in official(catalogue, scenario).fixes


@pytest.mark.parametrize("scenario", _exercises(load_default()))
def test_check_fails_broken_passes_after_solve_through_the_cli(scenario):
    cli = CliRunner()
    broke = cli.invoke(main, ["lab", "break", scenario])
    assert broke.exit_code == 0, broke.output
    first = cli.invoke(main, ["lab", "check"])
    assert first.exit_code == 1 and "[not yet]" in first.output, first.output
    solved = cli.invoke(main, ["lab", "solve"])
    assert solved.exit_code == 0 and "all conditions hold: fixed" in solved.output, solved.output
    again = cli.invoke(main, ["lab", "check"])
    assert again.exit_code == 0 and "[not yet]" not in again.output


def test_a_check_never_disagrees_with_the_engine(catalogue):
    """For every scenario and every remediation: after the trainee does the remediation's steps, `lab check` gives
    the verdict the engine's run gives, so what the catalogue says does not fix a scenario still fails the check,
    and what fixes it passes."""
    pairs = 0
    for sid in _exercises(catalogue):
        scenario = catalogue.scenario(sid)
        for remediation in catalogue.remediations.values():
            session = Session.start(catalogue, sid, SimBackend, LabOptions("pairs"))
            _apply(session, remediation)
            grade = session.grade()
            engine = run(scenario, remediation, SimBackend).verdict
            assert grade.judgement.verdict is engine, (sid, remediation.id, grade.judgement.why)
            assert grade.fixed == (engine is Verdict.FIXED)
            if sid in remediation.fixes:
                assert grade.fixed, (sid, remediation.id)
            session.close()
            pairs += 1
    assert pairs == len(_exercises(catalogue)) * len(catalogue.remediations)


def test_break_prints_the_briefing_and_never_the_break(catalogue):
    out = CliRunner().invoke(main, ["lab", "break", "seed-loaner-story", "--lang", "ja"]).output
    assert catalogue.scenario("seed-loaner-story").briefing.ja in out
    for word in ("replace_nic", "change_password", "advance_time", "power_off"):
        assert word not in out


def test_the_record_keeps_steps_checks_hints_and_the_score(catalogue, training_home):
    session = Session.start(catalogue, "seed-loaner-story", SimBackend, LabOptions())
    session.do("local_admin_logon", {}, command=".\\Administrator")
    first = session.check()
    assert not first.fixed and first.hint["n"] == 1 and first.hint["of"] == 4
    assert session.hint()["n"] == 2
    session.do("show_hidden_devices", {})
    session.do("remove_ghost_adapters", {})
    session.do("configure_ip", {}, command='netsh interface ipv4 set address name="Ethernet 2" static 10.0.0.11 '
                                          '255.255.255.0')
    assert session.check().fixed
    path = training_home / "sim-default" / "record.json"
    record = read_record(path)
    assert json.loads(path.read_text())["format"] == FORMAT and record.solution == "remove-ghost-adapter"
    assert isinstance(record.entries[0], Began)
    assert len(record.moments(Checked)) == 2 and len(record.moments(Hinted)) == 2
    assert record.score == {"passed": 4, "total": 4, "percent": 100, "verdict": "FIXED",
                            "seconds": record.score["seconds"], "solved_by": "trainee"}
    trainee = [e for e in record.steps if e.by == "trainee"]
    assert [e.verb for e in trainee] == ["local_admin_logon", "show_hidden_devices", "remove_ghost_adapters",
                                         "configure_ip"]
    assert trainee[0].command == ".\\Administrator" and all(e.wall and e.t is not None for e in trainee)
    assert [h.why for h in record.moments(Hinted)] == ["check", "asked"]
    view = "\n".join(record_lines(record))
    assert "score: 4/4 (100%) FIXED, solved by trainee" in view
    assert "replace_nic" not in view and "replace_nic" in "\n".join(record_lines(record, every=True))
    assert "trainee: '.\\Administrator' -> local_admin_logon: {} [ok]" in view


def test_the_record_holds_no_password(catalogue, training_home):
    session = Session.start(catalogue, "password-changed-elsewhere", SimBackend, LabOptions())
    session.do("logon", {"password": "previous"})
    session.solve()
    text = (training_home / "sim-default" / "record.json").read_text()
    passwords = {e["args"]["password"] for e in json.loads(text)["entries"] if "password" in e.get("args", {})}
    assert passwords <= {"current", "previous"}


def test_solve_is_marked_in_the_score(catalogue):
    session = Session.start(catalogue, "machine-account-reset", SimBackend, LabOptions())
    assert session.solve().fixed
    assert session.record.score["solved_by"] == "solution"


def test_no_more_hints(catalogue):
    session = Session.start(catalogue, "hidden-adapter", SimBackend, LabOptions())
    assert [session.hint()["n"] for _ in range(2)] == [1, 2]
    assert session.hint() is None
    out = CliRunner().invoke(main, ["lab", "hint"]).output
    assert out.strip() == "[trustlab] no more hints; the trainer's `trustlab lab solve` shows the official way"


def test_reset_gives_the_same_broken_state_and_archives_the_record(catalogue, training_home):
    session = Session.start(catalogue, "seed-loaner-story", SimBackend, LabOptions())
    session.solve()
    out = CliRunner().invoke(main, ["lab", "reset", "--backend", "sim"])
    assert out.exit_code == 0 and "a fresh copy of the exercise" in out.output
    again = Session.open(catalogue, SimBackend, LabOptions())
    assert not again.grade().fixed
    assert [type(e) for e in again.record.entries if isinstance(e, Moment)] == [Began]
    archived = list((training_home / "sim-default" / "sessions").glob("*--seed-loaner-story.json"))
    assert len(archived) == 1 and read_record(archived[0]).score["solved_by"] == "solution"


def test_a_session_is_replayed_in_another_process_exactly(catalogue):
    session = Session.start(catalogue, "seed-loaner-story", SimBackend, LabOptions())
    session.do("local_admin_logon", {})
    session.close()
    later = Session.open(catalogue, SimBackend, LabOptions())
    result = later.do("show_hidden_devices", {})
    assert result.output == ["Ethernet (not present) 10.0.0.11"]


def test_a_replay_that_diverges_says_so(catalogue, training_home):
    Session.start(catalogue, "seed-loaner-story", SimBackend, LabOptions()).close()
    path = training_home / "sim-default" / "record.json"
    record = json.loads(path.read_text())
    step = next(e for e in record["entries"] if e.get("outcome") == "WRONG_PASSWORD")
    step["outcome"] = "SUCCESS"
    path.write_text(json.dumps(record))
    with pytest.raises(TrainingError, match="the replay of this session diverged at 'logon: {expect: "
                                            "WRONG_PASSWORD}' .recorded ok SUCCESS, now ok WRONG_PASSWORD."):
        Session.open(catalogue, SimBackend, LabOptions()).grade()


def test_sessions_with_names_run_side_by_side(catalogue):
    a = Session.start(catalogue, "hidden-adapter", SimBackend, LabOptions("alice-trainee"))
    b = Session.start(catalogue, "machine-account-reset", SimBackend, LabOptions("bob-trainee"))
    assert a.folder != b.folder
    assert Session.open(catalogue, SimBackend, LabOptions("bob-trainee")).scenario.id == "machine-account-reset"


def test_bad_input_gets_exit_2_and_a_reason():
    cli = CliRunner()
    none = cli.invoke(main, ["lab", "check"])
    assert none.exit_code == 2
    assert "error: no training session for the sim lab; `trustlab lab break SCENARIO --backend sim` starts one" \
        in none.output
    unknown = cli.invoke(main, ["lab", "break", "no-such-thing"])
    assert unknown.exit_code == 2 and "no scenario 'no-such-thing'" in unknown.output
    provider = cli.invoke(main, ["lab", "break", "hidden-adapter", "--provider", "virtualbox"])
    assert provider.exit_code == 2 and "the sim lab takes no --provider (it takes --name)" in provider.output
    shell = cli.invoke(main, ["lab", "shell", "--backend", "sim"])
    assert shell.exit_code == 2 and "the sim is in-process: `trustlab lab console`" in shell.output


def test_the_vagrant_lab_is_reached_by_hand_and_not_kept_yet():
    cli = CliRunner()
    login = cli.invoke(main, ["lab", "login"])
    assert login.exit_code == 0 and "vagrant rdp client` opens a remote desktop" in login.output
    refused = cli.invoke(main, ["lab", "break", "machine-account-reset", "--backend", "vagrant"])
    assert refused.exit_code == 2
    assert "the vagrant backend cannot keep a live lab between commands yet" in refused.output


def test_docs_list_the_command_table():
    from tests.conftest import ROOT
    from trustlab.specs.commands import markdown

    assert markdown() in (ROOT / "docs" / "training.md").read_text(encoding="utf-8")
