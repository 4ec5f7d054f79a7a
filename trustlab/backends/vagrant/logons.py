"""Signing in at the Windows lab's client: LogonUser with the logon type Winlogon uses (interactive, unlock), the
local administrator, and deleting a user's profile."""
from __future__ import annotations

from trustlab.backends.state import Signed
from trustlab.backends.vagrant.guests import LOCAL_ADMIN, Guests
from trustlab.backends.vagrant.machines import VagrantLab
from trustlab.backends.vagrant.state import VagrantState
from trustlab.backends.vagrant.status import logon_outcome
from trustlab.engine.backend import StepResult
from trustlab.specs.lab import LabSpec


class LogonSteps:
    """Mixed into VagrantBackend: the sign-in steps, on the client."""

    state: VagrantState
    lab: LabSpec
    machines: VagrantLab
    guests: Guests

    def do_local_admin_logon(self, computer: str) -> StepResult:
        answer = self.client.script("logon", {"User": LOCAL_ADMIN[0], "Domain": ".", "Password": LOCAL_ADMIN[1]})
        if answer.get("win32") != 0:
            return StepResult.failed(f"the local administrator could not sign in (win32 {answer.get('win32')})")
        self.state.session = Signed(LOCAL_ADMIN[0], True)
        return StepResult()

    def do_logon(self, computer: str, user: str, password: str) -> StepResult:
        return self._logon(user, password, "interactive")

    def do_lock_unlock(self, computer: str, user: str, password: str) -> StepResult:
        """An unlock is LogonUser with LOGON32_LOGON_UNLOCK, the logon type Winlogon uses for it (LG-4)."""
        return self._logon(user, password, "unlock")

    def _logon(self, user: str, password: str, kind: str) -> StepResult:
        answer = self.client.script("logon", {"User": user, "Domain": self.machines.settings.domain,
                                              "Password": self._password(user, password), "Kind": kind})
        outcome = logon_outcome(answer)
        if outcome is None:
            return StepResult(raw=f"win32 {answer.get('win32')}",
                              output=[f"LogonUser returned {answer.get('win32')}, which no outcome names"])
        if outcome.usable:
            self.state.session = Signed(user, user == self.lab.admin)
        notes = ([f"the profile could not be loaded (win32 {answer['profile_error']})"]
                 if answer.get("profile_error") else [])
        return StepResult.of(outcome, raw=f"win32 {answer.get('win32')}, logon type {answer.get('logon_type')}",
                             output=notes)

    def do_delete_profile(self, computer: str, user: str) -> StepResult:
        answer = self.client.script("delete_profile", {"User": user})
        return StepResult(output=[f"removed {answer.get('removed', 0)} profile(s)"])
