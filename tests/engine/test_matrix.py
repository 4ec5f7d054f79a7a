from __future__ import annotations

from trustlab.engine.matrix import run_matrix
from trustlab.engine.judgement import Verdict
from trustlab.backends.sim import SimBackend


def test_every_scenario_reproduces_and_every_claim_holds(catalogue):
    m = run_matrix(catalogue, SimBackend)
    assert m.unreproduced == []
    assert m.broken_claims == []
    assert m.ok


def test_the_matrix_shows_what_does_not_fix(catalogue):
    m = run_matrix(catalogue, SimBackend)
    assert m.verdict("seed-loaner-story", "unplug-cached-logon-wait-reboot") is Verdict.NOT_FIXED
    assert m.verdict("seed-loaner-story", "reinstall-adapter") is Verdict.NOT_FIXED
    assert m.verdict("computer-account-deleted", "repair-secure-channel-with-credential") is Verdict.NOT_FIXED
    assert m.verdict("hidden-adapter", "rejoin-domain") is Verdict.MADE_WORSE
    for folk in ("delete-user-profile", "repair-secure-channel-local-admin"):
        fixed = [sid for sid in m.scenarios if m.verdict(sid, folk) is Verdict.FIXED]
        assert fixed == ["clock-months-off"], folk          # only through the reboot that takes the DC's time


def test_a_broken_claim_makes_the_matrix_fail(catalogue):
    import copy
    cat = copy.copy(catalogue)
    cat.remediations = dict(catalogue.remediations)
    bogus = catalogue.remediations["delete-user-profile"].model_copy(update={"fixes": ["machine-account-reset"]})
    cat.remediations["delete-user-profile"] = bogus
    m = run_matrix(cat, SimBackend)
    assert not m.ok
    assert m.broken_claims == [("machine-account-reset", "delete-user-profile", Verdict.NOT_FIXED)]
