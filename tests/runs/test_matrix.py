from __future__ import annotations

from trustlab.backends.sim import SimBackend
from trustlab.engine.judgement import Verdict
from trustlab.runs.matrix import run_matrix


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
    assert [(c.scenario, c.remediation, c.journal.verdict) for c in m.broken_claims] == [
        ("machine-account-reset", "delete-user-profile", Verdict.NOT_FIXED)]


FOUND = "clock-months-off--unplug-cached-logon-wait-reboot--c9a83ab7"


def _with(catalogue, **remediations):
    import copy
    cat = copy.copy(catalogue)
    cat.remediations = {**catalogue.remediations, **remediations}
    return cat


def test_the_shipped_counterexample_is_outside_the_narrowed_claim(catalogue):
    m = run_matrix(catalogue, SimBackend)
    replayed = m.regressions[FOUND]
    assert (replayed.state, replayed.within, replayed.contradicts) == ("fails as recorded", False, False)
    assert ("clock-months-off", "unplug-cached-logon-wait-reboot") in m.claims and m.ok


def test_a_known_counterexample_within_a_claim_breaks_it(catalogue):
    ritual = catalogue.remediations["unplug-cached-logon-wait-reboot"]
    m = run_matrix(_with(catalogue, **{ritual.id: ritual.model_copy(update={"provided": {}})}), SimBackend)
    assert m.verdict("clock-months-off", ritual.id) is Verdict.FIXED            # the plain run alone would flatter
    assert [r.found for r in m.contradicted("clock-months-off", ritual.id)] == [FOUND]
    assert [(c.scenario, c.remediation, c.journal.verdict, c.state) for c in m.broken_claims] == [
        ("clock-months-off", ritual.id, Verdict.FIXED, "does not hold")] and not m.ok


def test_a_counterexample_that_passes_now_or_fails_differently_is_reported(catalogue):
    import copy
    found = catalogue.scenarios[FOUND]
    plain = found.regression.model_copy(update={"steps": catalogue.remediations[
        "unplug-cached-logon-wait-reboot"].steps})
    cat = copy.copy(catalogue)
    cat.scenarios = {**catalogue.scenarios, FOUND: found.model_copy(update={"regression": plain})}
    m = run_matrix(cat, SimBackend)
    assert m.regressions[FOUND].state == "passes now" and m.promotable == [FOUND] and not m.ok
    other = found.regression.model_copy(update={"verdict": "MADE_WORSE"})
    cat.scenarios = {**catalogue.scenarios, FOUND: found.model_copy(update={"regression": other})}
    m = run_matrix(cat, SimBackend)
    assert m.changed_regressions == [FOUND] and not m.ok
