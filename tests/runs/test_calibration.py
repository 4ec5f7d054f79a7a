"""Calibration: the experiments are sensitive to the switches they settle (on the sim, calibration reads back any
profile it is given), and the written profile loads and records what was observed."""
from __future__ import annotations

import itertools

from click.testing import CliRunner

from trustlab.backends.sim import SimBackend
from trustlab.cli import main
from trustlab.runs.calibration import EXPERIMENTS, calibrate
from trustlab.specs.profiles import SAMBA, WINDOWS, load_profile

SWITCHES = [e.switch for e in EXPERIMENTS if e.switch]


def test_every_experiment_is_a_valid_scenario_citing_known_behaviour():
    for experiment in EXPERIMENTS:
        assert experiment.spec.models
    assert SWITCHES == ["dc_accepts_previous_machine_password", "offline_logon_after_expiry",
                        "expired_password_reports_trust_failure"]


def test_calibration_reads_back_every_combination_of_switches():
    for combo in itertools.product([False, True], repeat=len(SWITCHES)):
        profile = WINDOWS.model_copy(update=dict(zip(SWITCHES, combo)))
        observed = calibrate(SimBackend, profile).profile("observed")
        assert tuple(getattr(observed, s) for s in SWITCHES) == combo


def test_the_failing_nltest_lines_are_recorded():
    finding = next(f for f in calibrate(SimBackend, WINDOWS).findings if f.experiment.switch is None)
    assert finding.value[-3:] == ["Trusted DC Connection Status Status = 5 0x5 ERROR_ACCESS_DENIED",
                                  "Trust Verification Status = 5 0x5 ERROR_ACCESS_DENIED",
                                  "The command completed successfully"]


def test_cli_writes_a_profile_that_loads(tmp_path):
    out = tmp_path / "observed.yaml"
    r = CliRunner().invoke(main, ["calibrate", "--backend", "sim", "--base", "samba", "--out", str(out),
                                  "--name", "observed-sim"])
    assert r.exit_code == 0, r.output
    assert "-> offline_logon_after_expiry: True" in r.output
    text = out.read_text()
    assert text.startswith("# Written by `trustlab calibrate --backend sim` from the samba profile.")
    assert "#       | Trust Verification Status = 5 0x5 ERROR_ACCESS_DENIED" in text
    profile = load_profile(str(out))
    assert profile.name == "observed-sim"
    assert profile.model_dump(exclude={"name"}) == SAMBA.model_dump(exclude={"name"})


def test_calibrating_without_the_windows_lab_says_why(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    r = CliRunner().invoke(main, ["calibrate", "--backend", "vagrant", "--out", str(tmp_path / "x.yaml")])
    assert r.exit_code == 2
    assert "vagrant is not installed; build it once with `trustlab lab up --backend vagrant`" in r.output
    assert not (tmp_path / "x.yaml").exists()
