"""Scenarios on the real lab: outcomes, repeatability, credentials, unsupported steps, conformance."""
from __future__ import annotations

import json

from trustlab.backends.samba import SambaBackend
from trustlab.backends.sim import SimBackend
from trustlab.engine.runner import run
from trustlab.runs.conformance import conformance, summary
from trustlab.specs.profiles import SAMBA


def test_machine_account_reset_reproduces_and_the_credentialed_repair_fixes_it(real_lab, catalogue):
    scenario = catalogue.scenario("machine-account-reset")
    journal = run(scenario, catalogue.remediation("repair-secure-channel-with-credential"), SambaBackend, SAMBA)
    assert journal.judgement.to_dict() == {"verdict": "FIXED"}
    trust = next(e for e in journal.steps if e.phase == "symptoms" and e.verb == "logon")
    assert trust.outcome == "TRUST_FAILURE" and trust.raw.startswith("NT_STATUS_ACCESS_DENIED")
    assert trust.wall is not None                                    # real labs keep wall-clock time too


def test_offline_logon_uses_the_cache(real_lab, catalogue):
    journal = run(catalogue.scenario("password-changed-elsewhere"), None, SambaBackend, SAMBA)
    assert journal.judgement.to_dict() == {"verdict": "REPRODUCED"}
    outcomes = [e.outcome for e in journal.steps if e.phase == "symptoms"]
    assert outcomes == ["WRONG_PASSWORD", "SUCCESS_CACHED"]


def test_unsupported_steps_skip_with_the_reason(real_lab, catalogue):
    journal = run(catalogue.scenario("hidden-adapter"), None, SambaBackend, SAMBA)
    assert journal.verdict.value == "UNSUPPORTED"
    assert "no PnP network adapters" in journal.judgement.reason
    blocked = run(catalogue.scenario("machine-account-reset-reuse-blocked"), None, SambaBackend, SAMBA)
    assert blocked.judgement.to_dict() == {"verdict": "UNSUPPORTED", "reason": "lab: Samba has no KB5020276 account-reuse "
                                                                     "block (SC-7)"}


def _normalised(journal) -> str:
    """The journal without its times: lab time, real time, and the DC's answer's cost and password age."""
    data = journal.to_dict()
    for entry in data["entries"]:
        for key in ("t", "clock", "wall"):
            entry.pop(key, None)
        entry.get("dc", {}).pop("seconds", None)
        entry.get("dc", {}).get("account", {}).pop("password_age", None)
    return json.dumps(data, sort_keys=True)


def test_repeated_runs_give_identical_journals(real_lab, catalogue):
    scenario, fix = catalogue.scenario("duplicate-computer-name"), catalogue.remediation("reset-machine-password")
    journals = [_normalised(run(scenario, fix, SambaBackend, SAMBA)) for _ in range(3)]
    assert journals[0] == journals[1] == journals[2]


def test_no_lab_password_in_journals(real_lab, catalogue):
    texts = [run(catalogue.scenario(s), catalogue.remediation(r), SambaBackend, SAMBA).to_json()
             for s, r in (("password-changed-elsewhere", "lock-unlock-new-password"),
                          ("machine-account-reset", "rejoin-domain"))]
    for secret in real_lab.passwords():
        assert all(secret not in text for text in texts)
    assert any("%***" in text for text in texts)                     # wbinfo echoes it; we redact it


OPEN = {"stale-snapshot-one-rotation", "stale-snapshot-two-rotations"}
"""Scenarios whose divergence is open and declared (docs/conformance.md, "Open: the stale-snapshot family"): still run
and reported by conformance, left out of this test's zero until it is resolved."""


def test_conformance_with_the_sim_is_total(real_lab, catalogue):
    results = conformance(catalogue, SambaBackend, SimBackend, SAMBA)
    totals = summary(results)
    settled = [c for c in results if c.scenario not in OPEN]
    divergences = [(c.label, d) for c in settled for d in c.divergences]
    assert divergences == []                                  # stable ones; a run that agrees on a re-run is flaky
    assert totals["compared"] >= 25 and totals["agreements"] >= 150
    assert sum(1 for c in settled if c.flaky) <= 3, [(c.label, c.flaky) for c in settled if c.flaky]


def test_a_tool_that_refuses_or_times_out_is_a_failed_step(real_lab, catalogue, monkeypatch):
    """samba-tool stuck past its deadline in the middle of a break (the DC's samba-tool worker stopped with SIGSTOP
    as it is asked, the deadline cut to 2 s): the step fails with the reason, the run ends with a verdict, and the lab
    is left usable (a new worker)."""
    import os
    import signal

    from trustlab.backends.samba import dc as dc_mod

    real_ask = dc_mod.ToolWorker.ask

    def stuck(self, request):
        argv = request.get("argv", [])
        if "setpassword" in argv and "alice" in argv:
            os.kill(self.proc.pid, signal.SIGSTOP)
        return real_ask(self, request)

    monkeypatch.setattr(dc_mod.ToolWorker, "ask", stuck)
    monkeypatch.setattr(dc_mod, "TOOL_TIMEOUT", 2.0)
    journal = run(catalogue.scenario("password-changed-elsewhere"), None, SambaBackend, SAMBA)
    assert journal.verdict.value == "SYMPTOMS_NOT_REPRODUCED"
    step = next(e for e in journal.steps if e.verb == "change_password")
    assert step.status == "failed"
    assert step.output[0].startswith("change_password: CommandFailed: dc: samba-tool user setpassword alice")
    assert "timed out after 2 s" in step.output[0] and "--newpassword=***" in step.output[0]
    monkeypatch.undo()
    again = run(catalogue.scenario("password-changed-elsewhere"), None, SambaBackend, SAMBA)
    assert again.verdict.value == "REPRODUCED"


def test_a_daemon_that_dies_during_a_step_is_a_failed_step(real_lab, catalogue, monkeypatch):
    """The DC's samba, then the member's winbindd, killed in the middle of a step: that step fails naming the
    daemon, the run ends at once with a verdict, and the next run on the same lab is whole again."""
    import os
    import signal

    from trustlab.backends.samba import netns, processes

    def kill(ns: str, daemon: str) -> None:
        for pid in netns.pids(ns):
            if processes.program(pid) == daemon:
                os.kill(pid, signal.SIGKILL)

    real_reset, real_pam = SambaBackend.do_reset_computer_account, SambaBackend._pam

    def reset_and_kill_samba(self, computer):
        kill(self.dc_node.ns, "samba")
        return real_reset(self, computer)

    monkeypatch.setattr(SambaBackend, "do_reset_computer_account", reset_and_kill_samba)
    journal = run(catalogue.scenario("machine-account-reset"), None, SambaBackend, SAMBA)
    step = next(e for e in journal.steps if e.verb == "reset_computer_account")
    assert step.status == "failed" and step.output[0].startswith(
        "reset_computer_account: DC01's samba is not running: it died during the step"), step
    assert journal.verdict.value == "SYMPTOMS_NOT_REPRODUCED"
    assert not [e for e in journal.steps if e.phase == "symptoms"]            # nothing probed on a dead DC

    def logon_and_kill_winbindd(self, user, password):
        if self.state.member.joined:
            kill(self.member_node.ns, "winbindd")
        return real_pam(self, user, password)

    monkeypatch.setattr(SambaBackend, "do_reset_computer_account", real_reset)
    monkeypatch.setattr(SambaBackend, "_pam", logon_and_kill_winbindd)
    journal = run(catalogue.scenario("machine-account-reset"), None, SambaBackend, SAMBA)
    failed = [e for e in journal.steps if e.status == "failed"]
    assert failed and failed[0].verb == "logon" and "LOANER01's winbindd is not running" in failed[0].output[0]
    monkeypatch.setattr(SambaBackend, "_pam", real_pam)
    assert run(catalogue.scenario("machine-account-reset"), None, SambaBackend, SAMBA).verdict.value == "REPRODUCED"


def test_a_plain_users_credential_is_refused_by_the_real_dc(real_lab, catalogue):
    """`credential: user` (`-Credential CORP\\bob`): the member re-keys its account with a plain user's credential,
    and the Samba DC refuses it, as Windows refuses the repair (SC-4): the claim would not hold."""
    from trustlab.specs.remediation import Remediation

    fix = Remediation.model_validate({"id": "as-a-user", "title": "t", "steps": [
        {"local_admin_logon": {}}, {"repair_secure_channel": {"credential": "user"}}, {"reboot": {}}]})
    journal = run(catalogue.scenario("machine-account-reset"), fix, SambaBackend, SAMBA)
    step = next(e for e in journal.steps if e.verb == "repair_secure_channel")
    assert step.status == "failed" and "Access is denied." in step.output[0], step.output
    assert journal.verdict.value == "NOT_FIXED"


def test_the_console_guard_follows_the_verbs_facts_and_runs_nothing(real_lab, monkeypatch):
    """Every admin operation the Samba lab can do is refused with nobody signed in, every step at the console is
    refused while the member is off; no tool runs in a lab namespace for them."""
    import subprocess

    from tests.backends import guard
    from trustlab.specs.lab import LabSpec

    b = SambaBackend(LabSpec(), SAMBA)
    try:
        ran, real_run = [], subprocess.run

        def counted(argv, *args, **kwargs):
            if list(argv[:3]) == ["ip", "netns", "exec"]:
                ran.append(argv)
            return real_run(argv, *args, **kwargs)

        monkeypatch.setattr(subprocess, "run", counted)
        assert guard.refuses_admin_operations(b, lambda: len(ran)) == [
            "rejoin_domain", "repair_secure_channel", "reset_machine_password", "reset_secure_channel",
            "verify_secure_channel"]
        assert b.do("power_off", guard.args("power_off")).status == "ok"
        assert guard.refuses_at_a_computer_that_is_off(b, lambda: len(ran))
    finally:
        monkeypatch.undo()
        b.close()
