"""Conformance's comparison, without a real lab: two sim runs under different profiles, and journals built by hand
(agreement, divergence, steps one side never reached, and a real lab that differs once and then agrees)."""
from __future__ import annotations

from dataclasses import replace

from trustlab.backends.sim import SimBackend
from trustlab.engine.journal import Journal, StepEntry
from trustlab.engine.judgement import Judgement, Verdict
from trustlab.engine.runner import run
from trustlab.runs.conformance import compare, conformance, observations, summary
from trustlab.specs.catalogue import Catalogue
from trustlab.specs.profiles import SAMBA, WINDOWS


def journal(*probes: tuple[str, str, str], verdict: Verdict = Verdict.REPRODUCED, **extra) -> Journal:
    """A journal of probes (phase, verb, outcome), as a backend would have recorded them."""
    entries = [StepEntry(phase, i, f"{verb}: {{}}", verb, "probe", {}, 0.0, "ok", outcome=outcome, **extra)
               for i, (phase, verb, outcome) in enumerate(probes)]
    return Journal("s", None, "x", "p", 0, entries, Judgement(verdict))


def test_the_same_observations_agree():
    a = journal(("symptoms", "logon", "TRUST_FAILURE"), ("symptoms", "secure_channel", "BROKEN"))
    c = compare(a, journal(("symptoms", "logon", "TRUST_FAILURE"), ("symptoms", "secure_channel", "BROKEN")), "s", None)
    assert (c.agreements, c.divergences) == (2, [])


def test_a_different_outcome_is_a_divergence_with_what_the_real_lab_said():
    sim = journal(("symptoms", "logon", "TRUST_FAILURE"))
    real = journal(("symptoms", "logon", "SUCCESS_CACHED"), raw="NT_STATUS_LOGON_FAILURE")
    c = compare(sim, real, "s", None)
    assert c.agreements == 0
    assert [(d.step, d.sim, d.real, d.raw) for d in c.divergences] == [
        ("symptoms[0] logon: {}", "TRUST_FAILURE", "SUCCESS_CACHED", "NT_STATUS_LOGON_FAILURE")]


def test_steps_one_side_never_reached_are_divergences():
    sim = journal(("symptoms", "logon", "TRUST_FAILURE"), ("verify", "secure_channel", "OK"), verdict=Verdict.FIXED)
    real = journal(("symptoms", "logon", "TRUST_FAILURE"), verdict=Verdict.SYMPTOMS_NOT_REPRODUCED)
    c = compare(sim, real, "s", "r")
    assert [(d.sim, d.real) for d in c.divergences] == [("OK", "not reached (SYMPTOMS_NOT_REPRODUCED)")]
    c = compare(real, sim, "s", "r")
    assert [(d.sim, d.real) for d in c.divergences] == [("not reached (SYMPTOMS_NOT_REPRODUCED)", "OK")]


def test_an_unsupported_real_run_is_not_compared():
    real = Journal("s", None, "x", "p", 0, [], Judgement(Verdict.UNSUPPORTED, "lab: no such thing"))
    c = compare(journal(("symptoms", "logon", "SUCCESS")), real, "s", None)
    assert c.unsupported == "lab: no such thing" and c.agreements == 0 and not c.divergences


def test_checks_that_stop_if_fixed_ran_are_not_compared():
    entries = journal(("remediation", "logon", "SUCCESS"), ("remediation", "network", "UP")).entries
    entries[0] = replace(entries[0], within=3)
    assert [step for step, _ in observations(Journal("s", "r", "x", "p", 0, entries))] == ["remediation[1] network: {}"]


def test_two_profiles_of_the_sim_diverge_where_their_switches_differ(catalogue):
    scenario = catalogue.scenario("computer-account-deleted")
    c = compare(run(scenario, None, SimBackend, WINDOWS), run(scenario, None, SimBackend, SAMBA), scenario.id, None)
    assert [(d.sim, d.real) for d in c.divergences] == [
        ("NO_TRUST_ACCOUNT", "SUCCESS_CACHED"),        # cached_logon_when_channel_refused: account_missing
        ("NO_TRUST_ACCOUNT", "BROKEN")]                # channel_reports_missing_account


class FlakyOnce(SimBackend):
    """A 'real lab' that shows a skewed clock the first time a logon is probed, and is right after that."""

    name = "flaky"
    logons = 0

    def do_logon(self, computer, user, password):
        FlakyOnce.logons += 1
        result = super().do_logon(computer, user=user, password=password)
        if FlakyOnce.logons == 2:
            result.outcome = "CLOCK_SKEW"
        return result


def test_a_pair_that_agrees_on_the_re_run_is_flaky_not_hidden(catalogue):
    cat = Catalogue({"machine-account-reset": catalogue.scenario("machine-account-reset")}, {})
    FlakyOnce.logons = 0
    results = conformance(cat, FlakyOnce, SimBackend, WINDOWS)
    assert [c.label for c in results] == ["machine-account-reset"]
    assert results[0].divergences == [] and [d.real for d in results[0].flaky] == ["CLOCK_SKEW"]
    assert summary(results)["flaky"] == 1 and summary(results)["divergences"] == 0


def test_a_stable_divergence_stays_a_divergence(catalogue):
    class AlwaysSkewed(SimBackend):
        name = "skewed"

        def do_logon(self, computer, user, password):
            result = super().do_logon(computer, user=user, password=password)
            result.outcome = "CLOCK_SKEW"
            return result

    cat = Catalogue({"machine-account-reset": catalogue.scenario("machine-account-reset")}, {})
    results = conformance(cat, AlwaysSkewed, SimBackend, WINDOWS)
    assert summary(results)["divergences"] >= 1 and results[0].flaky == []


def test_the_same_outcome_for_another_reason_is_a_divergence_on_the_dcs_side():
    """Both members show SUCCESS_CACHED; the model's DC accepted the NTLM session (inside its window), the real one
    refused it: agreement for the wrong reason shows."""
    from trustlab.engine.dc_answer import DcAnswer

    sim = journal(("symptoms", "logon", "SUCCESS_CACHED"), dc=DcAnswer(True, netlogon="NT_STATUS_ACCESS_DENIED",
                                                                        session="NT_STATUS_OK"))
    real = journal(("symptoms", "logon", "SUCCESS_CACHED"), dc=DcAnswer(True, netlogon="NT_STATUS_ACCESS_DENIED",
                                                                         session="NT_STATUS_LOGON_FAILURE"))
    c = compare(sim, real, "s", None)
    assert c.agreements == 0
    assert [(d.step, d.sim, d.real) for d in c.divergences] == [
        ("symptoms[0] logon: {} (the DC)", "session NT_STATUS_OK", "session NT_STATUS_LOGON_FAILURE")]
    assert compare(real, real, "s", None).agreements == 1
    assert compare(journal(("symptoms", "logon", "SUCCESS_CACHED")), real, "s", None).agreements == 1   # not asked


def test_conformance_asks_the_models_dc(catalogue):
    """The model runs with `asks_the_dc`, so its probes carry its DC's answer to compare."""
    from trustlab.runs.conformance import asking_the_dc

    journal_ = run(catalogue.scenario("machine-account-reset"), None, asking_the_dc(SimBackend), SAMBA)
    assert all(e.dc is not None for e in journal_.steps if e.family == "probe")
    assert all(e.dc is None for e in run(catalogue.scenario("machine-account-reset"), None, SimBackend,
                                          SAMBA).steps)
