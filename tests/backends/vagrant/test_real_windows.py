"""On real Windows: the Windows lab built by the Vagrantfile (`trustlab lab up --backend vagrant`). These run only
when TRUSTLAB_VAGRANT=1; nothing here passes without Windows having answered."""
from __future__ import annotations

import os

import pytest

from trustlab.backends.vagrant import VagrantBackend
from trustlab.engine.runner import run
from trustlab.runs.calibration import calibrate
from trustlab.runs.conformance import conformance, summary
from trustlab.specs.profiles import WINDOWS

pytestmark = [pytest.mark.vagrant,
              pytest.mark.skipif(os.environ.get("TRUSTLAB_VAGRANT") != "1",
                                 reason="needs the Windows lab: `trustlab lab up --backend vagrant`, then "
                                        "TRUSTLAB_VAGRANT=1")]


def test_lab_verify_passes_on_windows():
    """The first-run smoke test: every preflight check, the logons, the cable, the NIC and the clocks."""
    from trustlab.backends.vagrant.machines import VagrantLab

    checks = VagrantLab().verify()
    assert [c for c in checks if not c.ok] == []


def test_the_seed_scenarios_reproduce_on_windows(catalogue):
    """Every catalogue lab is the Windows lab's own, so nothing may come back UNSUPPORTED."""
    for sid in ("machine-account-reset", "password-changed-elsewhere", "seed-loaner-story"):
        journal = run(catalogue.scenario(sid), None, VagrantBackend, WINDOWS)
        assert journal.verdict.value == "REPRODUCED", (sid, journal.verdict)


def test_every_claim_holds_on_windows(catalogue):
    for fix in catalogue.remediations.values():
        for sid in fix.fixes:
            journal = run(catalogue.scenario(sid), fix, VagrantBackend, WINDOWS)
            assert journal.verdict.value == "FIXED", (sid, fix.id, journal.judgement)


def test_the_sim_agrees_with_windows_probe_by_probe(catalogue):
    results = conformance(catalogue, "vagrant", WINDOWS, ())
    assert summary(results)["divergences"] == 0


def test_calibration_settles_every_question():
    result = calibrate(VagrantBackend, WINDOWS)
    assert all(f.settled for f in result.findings), [(f.experiment.question, f.journal.verdict) for f in result.findings]
