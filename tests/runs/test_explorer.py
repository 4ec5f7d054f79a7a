"""The explorer: claims checked, counterexamples shrunk, written out, and replayed exactly."""
from __future__ import annotations

import yaml
from click.testing import CliRunner

from tests.conftest import ROOT
from trustlab.backends.sim import SimBackend
from trustlab.cli import main
from trustlab.engine.runner import run
from trustlab.runs.explorer import explore, write_regression
from trustlab.specs.catalogue import load
from trustlab.specs.profiles import WINDOWS
from trustlab.specs.remediation import from_regression

REMEDIATION = ROOT / "remediations" / "unplug-cached-logon-wait-reboot.yaml"


def unnarrowed(fix):
    """The seed ritual with its claim on the clock as it was before the explorer narrowed it."""
    return fix.model_copy(update={"provided": {}})


def as_told(root):
    """A catalogue folder whose ritual claims the clock with no condition, for the command line."""
    for sub in ("scenarios", "remediations"):
        (root / sub).mkdir(parents=True)
    for sid in ("clock-months-off", "password-changed-elsewhere"):
        (root / "scenarios" / f"{sid}.yaml").write_text((ROOT / "scenarios" / f"{sid}.yaml").read_text())
    text = REMEDIATION.read_text()
    start = text.index("provided:")
    (root / "remediations" / REMEDIATION.name).write_text(text[:start] + text[text.index("steps:"):])
    return root


def test_a_holding_claim_has_no_counterexample(catalogue):
    result = explore(catalogue.scenario("password-changed-elsewhere"),
                     catalogue.remediation("unplug-cached-logon-wait-reboot"), SimBackend, WINDOWS, examples=60, seed=3)
    assert result.failure is None and result.claimed
    assert result.examples == 60
    assert list(result.classes) == [("FIXED", "SUCCESS", "OK", "UP")]


def test_the_clock_counterexample_is_shrunk_to_reboot_before_plug(catalogue):
    result = explore(catalogue.scenario("clock-months-off"),
                     unnarrowed(catalogue.remediation("unplug-cached-logon-wait-reboot")), SimBackend, WINDOWS,
                     examples=200, seed=1)
    assert result.failure is not None
    steps = [line.split("] ", 1)[1] for line in result.failure.schedule.describe() if line.startswith("steps")]
    assert steps == ["unplug: {}", "logon: {password: previous}", "reboot: {}", "plug: {}"]    # no `wait: 0s`
    assert "got CLOCK_SKEW" in result.failure.problem


def test_the_narrowed_claim_has_no_counterexample_and_the_explorer_says_what_it_left_out(catalogue):
    scenario, fix = catalogue.scenario("clock-months-off"), catalogue.remediation("unplug-cached-logon-wait-reboot")
    assert [str(c) for c in fix.provided["clock-months-off"]] == ["plug before the last reboot"]
    for seed in (1, 2, 3):
        result = explore(scenario, fix, SimBackend, WINDOWS, examples=1000, seed=seed)
        assert result.failure is None and result.claimed
        assert 0 < result.outside < result.examples      # reboots before plugging in: only reproduction checked


def test_counterexample_round_trip(tmp_path, catalogue):
    scenario = catalogue.scenario("clock-months-off")
    fix = unnarrowed(catalogue.remediation("unplug-cached-logon-wait-reboot"))
    result = explore(scenario, fix, SimBackend, WINDOWS, examples=200, seed=1)
    path = write_regression(result.failure, scenario, fix, tmp_path / "scenarios", seed=1)
    written = yaml.safe_load(path.read_text())
    assert written["regression"]["verdict"] == "NOT_FIXED" and written["regression"]["seed"] == 1
    assert written["regression"]["scenario"] == "clock-months-off"
    loaded = load([tmp_path], context=catalogue)            # a valid scenario file
    spec = loaded.scenario(path.stem)
    again = run(spec, from_regression(spec), SimBackend)
    assert again.to_json() == run(spec, from_regression(spec), SimBackend).to_json()            # deterministic
    assert again.judgement == result.failure.journal.judgement                          # exactly the failure


def test_the_shipped_regression_replays_as_recorded(catalogue):
    found = [s for s in catalogue.scenarios.values() if s.regression]
    assert found, "the seed exploration ships its counterexample"
    for spec in found:
        assert run(spec, from_regression(spec), SimBackend).verdict.value == spec.regression.verdict


def test_cli_explore_writes_the_counterexample(tmp_path):
    r = CliRunner().invoke(main, ["--catalogue", str(as_told(tmp_path / "told")), "explore", "clock-months-off", "-r",
                                  "unplug-cached-logon-wait-reboot", "--seed", "1", "--examples", "200", "--out",
                                  str(tmp_path / "found")])
    assert r.exit_code == 1
    assert "counterexample (shrunk): claimed to fix it, got NOT_FIXED" in r.output
    assert "steps[2] reboot: {}" in r.output and "outcome classes" in r.output
    assert len(list((tmp_path / "found").glob("*.yaml"))) == 1


def test_unseeded_runs_keep_failures_in_the_database_and_try_them_first(tmp_path):
    args = ["--catalogue", str(as_told(tmp_path / "told")), "explore", "clock-months-off", "-r", "unplug-cached-logon-wait-reboot", "--examples", "300",
            "--no-derandomize",
            "--out", str(tmp_path / "found"), "--database", str(tmp_path / "db")]
    def schedules_run(output: str) -> int:
        return int(output.split(" schedules in")[0].rsplit(": ", 1)[1])

    first = CliRunner().invoke(main, args)
    assert first.exit_code == 1 and any((tmp_path / "db").rglob("*"))
    second = CliRunner().invoke(main, args)
    assert second.exit_code == 1
    assert schedules_run(second.output) < schedules_run(first.output)     # the known failure came first
    assert first.output.split("counterexample")[1] == second.output.split("counterexample")[1]   # the same one
    assert "reboot: {}" in second.output


def test_derandomized_ci_runs_also_try_known_failures_first(tmp_path):
    args = ["--catalogue", str(as_told(tmp_path / "told")), "explore", "clock-months-off", "-r", "unplug-cached-logon-wait-reboot", "--examples", "300",
            "--derandomize", "--out", str(tmp_path / "found"), "--database", str(tmp_path / "db")]

    def schedules_run(output: str) -> int:
        return int(output.split(" schedules in")[0].rsplit(": ", 1)[1])

    first = CliRunner().invoke(main, args)
    second = CliRunner().invoke(main, args)
    assert first.exit_code == second.exit_code == 1
    assert schedules_run(second.output) < schedules_run(first.output)
    assert first.output.split("counterexample")[1] == second.output.split("counterexample")[1]   # the same one


def test_cli_explore_without_counterexample_exits_0(tmp_path):
    r = CliRunner().invoke(main, ["explore", "password-changed-elsewhere", "-r", "unplug-cached-logon-wait-reboot",
                                  "--examples", "30", "--derandomize", "--out", str(tmp_path), "--database",
                                  str(tmp_path / "db")])
    assert r.exit_code == 0 and "no counterexample" in r.output


def test_run_replays_a_regression_file():
    sid = next(p.stem for p in (ROOT / "scenarios" / "found").glob("*.yaml"))
    r = CliRunner().invoke(main, ["run", sid])
    assert r.exit_code == 0 and "regression: recorded NOT_FIXED, replayed NOT_FIXED" in r.output


def test_files_that_declare_nothing_to_vary_are_run_once_and_say_so(catalogue, tmp_path):
    result = explore(catalogue.scenario("machine-account-reset"), catalogue.remediation("reset-machine-password"),
                     SimBackend, WINDOWS, examples=200, seed=1)
    assert result.nothing_varies and result.examples == 1 and result.failure is None
    r = CliRunner().invoke(main, ["explore", "machine-account-reset", "-r", "reset-machine-password", "--seed", "1",
                                  "--out", str(tmp_path)])
    assert r.exit_code == 0
    assert "nothing in machine-account-reset or reset-machine-password varies, so every schedule is the plain run: " \
           "it ran once" in r.output
    assert "--vary-timing" in r.output and "1 schedules in" in r.output


def test_vary_timing_varies_the_gaps_and_adds_background_events(catalogue, tmp_path):
    result = explore(catalogue.scenario("machine-account-reset"), catalogue.remediation("reset-machine-password"),
                     SimBackend, WINDOWS, examples=300, seed=1, vary_timing=True)
    assert not result.nothing_varies
    assert result.failure is not None                  # a reboot between signing in and the reset ends the session
    steps = [line.split("] ", 1)[1] for line in result.failure.schedule.describe() if line.startswith("steps")]
    assert steps[:2] == ["local_admin_logon: {}", "reboot: {}"] and "reset_machine_password: {}" in steps
    assert "needs an administrator session" in "\n".join(
        out for e in result.failure.journal.steps for out in e.output)


def test_examples_below_one_are_a_usage_error_not_a_pass(tmp_path):
    for value in ("0", "-5"):
        r = CliRunner().invoke(main, ["explore", "clock-months-off", "-r", "unplug-cached-logon-wait-reboot",
                                      "--examples", value, "--out", str(tmp_path)])
        assert r.exit_code == 2 and f"Invalid value for '--examples': {value} is not in the range x>=1" in r.output


def test_the_printed_replay_command_works_as_printed_and_the_schedule_has_no_waits_of_nothing(tmp_path, monkeypatch):
    """The counterexample is written under the working folder (the default --out), outside every catalogue folder
    given: the command printed to replay it must work as printed, from there; a gap the shrinker took to 0 s is not
    in it."""
    import shlex
    import subprocess
    import sys

    told = as_told(tmp_path / "told")
    monkeypatch.chdir(tmp_path)
    r = CliRunner().invoke(main, ["--catalogue", str(told), "explore", "clock-months-off", "-r",
                                  "unplug-cached-logon-wait-reboot", "--seed", "1", "--examples", "200",
                                  "--vary-timing", "--format", "plain"])
    assert r.exit_code == 1, r.output
    said = next(line for line in r.output.splitlines() if line.startswith("written to "))
    command = said.split("`")[1]
    assert command.startswith(f"trustlab --catalogue {told} run scenarios/found/clock-months-off--")
    written = yaml.safe_load(next((tmp_path / "scenarios" / "found").glob("*.yaml")).read_text())
    assert not [s for s in written["regression"]["steps"] if s.get("wait", {}).get("for") in ("0s", 0)]
    replayed = subprocess.run([sys.executable, "-m", *shlex.split(command)], cwd=tmp_path, capture_output=True,
                              text=True, timeout=120)
    assert replayed.returncode == 0, replayed.stdout + replayed.stderr
    assert "regression: recorded NOT_FIXED, replayed NOT_FIXED" in replayed.stdout


def test_explore_has_formats_and_draws_no_table_into_a_pipe(tmp_path):
    import json
    import subprocess
    import sys

    args = ["explore", "password-changed-elsewhere", "-r", "unplug-cached-logon-wait-reboot", "--examples", "20",
            "--seed", "1", "--out", str(tmp_path / "scenarios" / "found")]
    piped = subprocess.run([sys.executable, "-m", "trustlab", *args], capture_output=True, text=True, timeout=120)
    assert piped.returncode == 0 and "schedule(s): FIXED, verify SUCCESS, OK, UP" in piped.stdout
    assert not set("┃━│─┏┡└") & set(piped.stdout)
    data = json.loads(CliRunner().invoke(main, [*args, "--format", "json"]).stdout)
    assert data["examples"] == 20 and data["counterexample"] is None and data["classes"][0]["verdict"] == "FIXED"
    assert "┃" in CliRunner().invoke(main, [*args, "--format", "rich"]).stdout
