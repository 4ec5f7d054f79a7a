"""Signing in at the Samba lab's member: an interactive-style logon through winbind's PAM path, an unlock, the
local administrator (root on the member), signing out."""
from __future__ import annotations

from typing import Optional

from trustlab.backends.samba import member as member_mod
from trustlab.backends.samba.node import Node
from trustlab.backends.samba.state import SambaState
from trustlab.backends.samba.status import logon_outcome
from trustlab.backends.state import Signed
from trustlab.engine.backend import StepResult
from trustlab.specs import tools as texts
from trustlab.specs.lab import LabSpec
from trustlab.specs.outcomes import Outcome, usable


class LogonSteps:
    """Mixed into SambaBackend: the sign-in steps, on its member's node."""

    state: SambaState
    lab: LabSpec
    member_node: Node

    def do_local_admin_logon(self, computer: str) -> StepResult:
        self.state.session = Signed("Administrator", True)
        return StepResult(output=[f"{computer}\\Administrator signed in (root on the member)"])

    def do_logon(self, computer: str, user: str, password: str) -> StepResult:
        result = self._pam(user, password)
        if usable(result.outcome):
            self.state.session = Signed(user, user == self.lab.admin)
        return result

    def do_lock_unlock(self, computer: str, user: str, password: str) -> StepResult:
        if self.state.session is None or self.state.session.user != user:
            return StepResult.failed(texts.NOT_SIGNED_IN.format(user=user, computer=computer))
        return self._pam(user, password)

    def do_sign_out(self, computer: str) -> StepResult:
        session, self.state.session = self.state.session, None
        return StepResult(output=[f"{session.user} signed out" if session else "nobody was signed in"])

    def _pam(self, user: str, password: str) -> StepResult:
        """An interactive-style logon through winbind's PAM path; a success while winbind is offline is a cached
        logon (winbind's own online status says so)."""
        if not self.state.member.joined:
            return StepResult.of(Outcome.NOT_JOINED)
        node = self.member_node
        result = node.run("wbinfo", f"--pam-logon={self.lab.domain}\\{user}%{self._password(user, password)}")
        offline = not self._online()
        raw, code = member_mod.status_of(result.output)
        if result.succeeded:
            outcome = Outcome.SUCCESS_CACHED if offline else Outcome.SUCCESS
        else:
            outcome = logon_outcome(raw, user in self.state.versions, offline)
            if outcome is None:
                return StepResult.failed(f"unmapped status {raw}", *self._said(node, result.output), raw=raw)
        return self._result(outcome, f"{raw} ({code:#010x})" if raw and code is not None else raw, result.output)

    def _online(self) -> bool:
        """Is the member working online? Not when it cannot reach the DC, and not when winbind holds no connection
        to a DC: it then answers from its cache, as it does when the DC refuses the secure channel."""
        state = self.member_node.run("wbinfo", "--online-status", "--domain", self.lab.domain, timeout=10).output
        if "offline" in state or "no active connection" in state:
            return False
        return self._dc_reachable()

    def _result(self, outcome: Outcome, raw: Optional[str], out: str) -> StepResult:
        return StepResult.of(outcome, raw=raw, output=[line for line in self.member_node.redact(out).splitlines()
                                                       if line.strip()][-4:])
