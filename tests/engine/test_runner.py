"""Verdicts, and what a run records."""
from __future__ import annotations

import json

import pytest

from trustlab.backends.sim import SimBackend
from trustlab.engine.backend import AtConsole, Backend, StepResult
from trustlab.engine.plan import plan
from trustlab.engine.runner import execute, run
from trustlab.specs.profiles import WINDOWS
from trustlab.specs.remediation import Remediation
from trustlab.specs.scenario import Scenario

RESET = {"id": "reset", "title": "t", "models": ["MP-7"],
         "setup": [{"join": {}}, {"logon": {"expect": "SUCCESS"}}],
         "break": [{"reset_computer_account": {}}, {"reboot": {}}],
         "symptoms": [{"logon": {"expect": "TRUST_FAILURE"}}]}


def scenario(**changes) -> Scenario:
    return Scenario.model_validate({**RESET, **changes})


def remediation(steps, **extra) -> Remediation:
    return Remediation.model_validate({"id": "r", "title": "t", "steps": steps, **extra})


def verdict(s, r=None) -> dict:
    return run(s, r, SimBackend).judgement.to_dict()


def test_reproduced_fixed_not_fixed():
    assert verdict(scenario()) == {"verdict": "REPRODUCED"}
    fixed = remediation([{"local_admin_logon": {}}, {"repair_secure_channel": {}}])
    assert verdict(scenario(), fixed) == {"verdict": "FIXED"}
    v = verdict(scenario(), remediation([{"reboot": {}}]))
    assert v["verdict"] == "NOT_FIXED"
    assert v["unmet"][0] == "verify[0] logon: {expect: SUCCESS}: expected SUCCESS, got TRUST_FAILURE"


def test_symptoms_not_reproduced_names_the_probe():
    v = verdict(scenario(symptoms=[{"logon": {"expect": "SUCCESS_CACHED"}}]))
    assert v == {"verdict": "SYMPTOMS_NOT_REPRODUCED",
                 "reason": "symptoms[0] logon: {expect: SUCCESS_CACHED}: expected SUCCESS_CACHED, got TRUST_FAILURE"}


def test_a_failing_break_step_means_the_scenario_is_wrong():
    v = verdict(scenario(**{"break": [{"restore_snapshot": {"name": "none"}}]}))
    assert v["verdict"] == "SYMPTOMS_NOT_REPRODUCED" and "has no snapshot 'none'" in v["reason"]


def test_baseline_failed_when_setup_is_not_healthy():
    v = verdict(scenario(setup=[{"logon": {"expect": "SUCCESS"}}]))
    assert v["verdict"] == "BASELINE_FAILED"
    assert v["reason"] == "setup[0] logon: {expect: SUCCESS}: expected SUCCESS, got NOT_JOINED"


def test_made_worse_when_a_usable_logon_is_lost():
    offline = scenario(**{"break": [{"replace_nic": {}}, {"reboot": {}}]},
                       symptoms=[{"logon": {"expect": "SUCCESS_CACHED"}}])
    v = verdict(offline, remediation([{"local_admin_logon": {}}, {"rejoin_domain": {}}]))
    assert v["verdict"] == "MADE_WORSE"
    assert v["worse"] == ["logon: {expect: SUCCESS_CACHED} -> SUCCESS_CACHED before; NOT_JOINED after"]


def test_a_lost_symptom_is_not_worse_when_verify_shows_the_thing_works():
    offline = scenario(**{"break": [{"unplug": {}}, {"change_password": {}}]},
                       symptoms=[{"logon": {"password": "previous", "expect": "SUCCESS_CACHED"}}])
    v = verdict(offline, remediation([{"plug": {}}]))
    assert v == {"verdict": "FIXED"}


def test_stop_if_fixed_skips_the_rest_of_the_procedure():
    steps = [{"local_admin_logon": {}}, {"repair_secure_channel": {}}, {"reboot": {}}, {"stop_if_fixed": {}},
             {"local_admin_logon": {}}, {"rejoin_domain": {}}]
    journal = run(scenario(lab={"policies": {"block_account_reuse": True}}), remediation(steps), SimBackend)
    assert journal.judgement.to_dict() == {"verdict": "FIXED"}
    verbs = [e.verb for e in journal.steps if e.phase == "remediation"]
    assert "rejoin_domain" not in verbs
    stop = next(e for e in journal.steps if e.verb == "stop_if_fixed")
    assert stop.outcome == "FIXED"


def test_stop_if_fixed_goes_on_when_still_broken():
    steps = [{"stop_if_fixed": {}}, {"local_admin_logon": {}}, {"repair_secure_channel": {}}]
    journal = run(scenario(), remediation(steps), SimBackend)
    assert journal.judgement.to_dict() == {"verdict": "FIXED"}
    stop = next(e for e in journal.steps if e.verb == "stop_if_fixed")
    assert stop.outcome == "NOT_FIXED"


class Partial(Backend):
    """A backend that can do only some verbs, to show unsupported steps skip the run."""

    name = "partial"

    def console(self, computer):
        return AtConsole(powered=True, admin=False)

    def do_join(self, computer):
        return StepResult()

    def do_logon(self, computer, user, password):
        return StepResult(outcome="SUCCESS")

    def now(self):
        return 0.0


def test_unsupported_step_skips_the_run_and_says_why():
    journal = execute(Partial(scenario().lab, WINDOWS), "reset", None, plan(scenario()))
    assert journal.judgement.to_dict() == {"verdict": "UNSUPPORTED",
                               "reason": "break[0] reset_computer_account: {}: the partial backend cannot do "
                                         "`reset_computer_account`"}


def test_journal_records_virtual_time_codes_and_messages():
    s = scenario(**{"break": [{"advance_time": {"by": "2d"}}, {"reset_computer_account": {}}, {"reboot": {}}]})
    journal = run(s, None, SimBackend)
    probe = journal.steps[-1]
    assert probe.clock == "+2d" and probe.t == 2 * 86400
    assert (probe.win32, probe.ntstatus) == (1789, "0xC000018D")
    assert probe.message["ja"] == "このワークステーションとプライマリ ドメインとの信頼関係に失敗しました。"
    assert probe.expect == {"outcome": "TRUST_FAILURE"} and probe.matched is True
    assert probe.wall is None                                   # sim journals are deterministic


def test_background_events_are_in_the_timeline():
    s = scenario(**{"break": [{"advance_time": {"by": "31d"}}]}, symptoms=[{"logon": {"expect": "SUCCESS"}}])
    journal = run(s, None, SimBackend)
    events = [e for e in journal.entries if e.phase == "background"]
    assert events and events[0].event == "scavenger changed the machine password (MP-1)"
    assert events[0].computer == "LOANER01"


def test_no_credential_values_in_the_journal(catalogue):
    for rid, r in catalogue.remediations.items():
        for sid in r.fixes:
            text = run(catalogue.scenarios[sid], r, SimBackend).to_json()
            data = json.loads(text)
            for entry in data["entries"]:
                args = entry.get("args", {})
                assert args.get("password", "current") in ("current", "previous")
                assert args.get("credential", "none") in ("domain_admin", "joiner", "none")


@pytest.mark.parametrize("seed", [0, 7])
def test_determinism_byte_for_byte(catalogue, seed):
    for sid, s in catalogue.scenarios.items():
        for rid, r in catalogue.remediations.items():
            assert run(s, r, SimBackend, seed=seed).to_json() == run(s, r, SimBackend, seed=seed).to_json(), (sid, rid)


def test_every_probe_before_and_after_counts_not_only_the_symptoms():
    """A procedure that leaves the laptop with no address made things worse, although no symptom probed the network."""
    reinstall = remediation([{"local_admin_logon": {}}, {"reinstall_adapter": {}}, {"reboot": {}}])
    journal = run(scenario(), reinstall, SimBackend)
    assert journal.verdict.value == "MADE_WORSE"
    assert "network: {} -> UP before; NO_ADDRESS after" in journal.judgement.worse
    before = [e.step for e in journal.steps if e.phase == "before"]
    assert before == ["secure_channel: {}", "network: {}", "logon: {user: bob}"]   # what the symptoms did not probe
    assert not [e for e in journal.steps if e.phase == "after"]     # bob could not log on before: nothing to lose


def test_each_users_logon_is_compared():
    s = scenario(setup=[{"join": {}}, {"logon": {"expect": "SUCCESS"}}, {"logon": {"user": "bob", "expect": "SUCCESS"}}],
                 **{"break": [{"force_password_change": {}}]}, symptoms=[{"logon": {"expect": "PASSWORD_MUST_CHANGE"}}],
                 models=["LG-6"])
    careless = remediation([{"change_password": {"where": "this_computer"}}, {"force_password_change": {"user": "bob"}}])
    journal = run(s, careless, SimBackend)
    assert journal.judgement.to_dict()["verdict"] == "MADE_WORSE"
    assert journal.judgement.worse == ("logon: {user: bob} -> SUCCESS before; PASSWORD_MUST_CHANGE after",)
    assert [e.step for e in journal.steps if e.phase == "after"] == ["logon: {user: bob}"]


def test_an_expectation_that_held_before_and_fails_after_is_worse():
    strict = remediation([{"local_admin_logon": {}}, {"replace_nic": {}}, {"configure_ip": {"on_conflict": "apply"}},
                          {"repair_secure_channel": {}}, {"reboot": {}}],
                         verify=[{"network": {"expect": "UP", "hidden_adapters": 0}}])
    v = verdict(scenario(), strict)
    assert v["verdict"] == "MADE_WORSE"
    assert v["worse"] == ["verify[0] network: {expect: UP, hidden_adapters: 0}: held before the procedure, not after "
                          "(UP, hidden_adapters 1)"]


def test_a_rejoin_under_a_new_name_is_followed_by_the_journal_and_the_probes():
    renamed = remediation([{"local_admin_logon": {}}, {"rejoin_domain": {"new_name": "LOANER01-R"}}])
    journal = run(scenario(), renamed, SimBackend)
    assert journal.judgement.to_dict() == {"verdict": "FIXED"}
    after = [e for e in journal.steps if e.phase in ("verify", "recheck", "after")]
    assert after and {e.args["computer"] for e in after} == {"LOANER01-R"}
    rejoin = next(e for e in journal.steps if e.verb == "rejoin_domain")
    assert rejoin.args["computer"] == "LOANER01" and rejoin.renamed == {"LOANER01": "LOANER01-R"}
