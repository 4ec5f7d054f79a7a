"""What every real backend shares: a tool's refusal or a timeout is a failed step with the reason, never a
traceback out of the run."""
from __future__ import annotations

import subprocess

from trustlab.backends.real import RealBackend
from trustlab.engine.backend import StepResult
from trustlab.engine.runner import run
from trustlab.specs.lab import LabSpec
from trustlab.specs.profiles import WINDOWS
from trustlab.specs.scenario import Scenario


class Refused(RuntimeError):
    pass


class Stubborn(RealBackend):
    name = "stubborn"
    refusals = (Refused, subprocess.TimeoutExpired)

    def do_join(self, computer):
        return StepResult()

    def do_logon(self, computer, user, password):
        return StepResult(outcome="SUCCESS")

    def do_reset_computer_account(self, computer):
        raise Refused("samba-tool user setpassword failed (rc 255): ERROR: no such user")

    def do_reboot(self, computer):
        raise subprocess.TimeoutExpired(["winbindd"], 20)


SCENARIO = Scenario.model_validate({
    "id": "s", "title": "t", "models": ["MP-7"], "setup": [{"join": {}}, {"logon": {"expect": "SUCCESS"}}],
    "break": [{"reset_computer_account": {}}], "symptoms": [{"logon": {"expect": "TRUST_FAILURE"}}]})


def test_a_refusal_is_a_failed_step_with_the_reason():
    b = Stubborn(LabSpec(), WINDOWS)
    result = b.do("reset_computer_account", {"computer": "LOANER01"})
    assert (result.status, result.output) == ("failed", [
        "reset_computer_account: Refused: samba-tool user setpassword failed (rc 255): ERROR: no such user"])
    result = b.do("reboot", {"computer": "LOANER01"})
    assert result.status == "failed" and "TimeoutExpired" in result.output[0]


def test_the_run_goes_on_and_the_journal_keeps_it():
    journal = run(SCENARIO, None, lambda lab, profile, seed: Stubborn(lab, profile, seed), WINDOWS)
    assert journal.verdict.value == "SYMPTOMS_NOT_REPRODUCED"
    assert "failed: reset_computer_account: Refused" in journal.judgement.reason
    failed = [e for e in journal.steps if e.status == "failed"]
    assert [e.verb for e in failed] == ["reset_computer_account"]


def test_other_errors_are_not_swallowed():
    class Broken(Stubborn):
        def do_join(self, computer):
            raise KeyError("a bug in trustlab itself")

    b = Broken(LabSpec(), WINDOWS)
    try:
        b.do("join", {"computer": "LOANER01"})
    except KeyError:
        return
    raise AssertionError("a programming error must not pass for the lab's refusal")


def test_one_command_result_for_every_transport():
    """A namespace's shell (samba), WinRM and the hypervisors' tools (vagrant) all answer with the one Result."""
    import inspect

    from trustlab.backends.command import Result
    from trustlab.backends.samba.node import Node
    from trustlab.backends.vagrant import providers, winrm

    for command in (Node.run, winrm.Client.run, providers.run):
        assert inspect.signature(command).return_annotation in (Result, "Result")
    done, refused = Result(0, "Joined 'LOANER01'\n", ""), Result(255, "", "ERROR: no such user\n")
    assert (done.succeeded, done.failed, refused.succeeded, refused.failed) == (True, False, False, True)
    assert (done.output, refused.output) == ("Joined 'LOANER01'", "ERROR: no such user")
