"""The Windows lab's steps about membership and the secure channel: Add-Computer and Remove-Computer, nltest,
Test-ComputerSecureChannel, Reset-ComputerMachinePassword and netdom, with the credentials they take (SC-1..SC-7)."""
from __future__ import annotations

from typing import Optional

from trustlab.backends.vagrant.guests import Guests
from trustlab.backends.vagrant.machines import VagrantLab
from trustlab.backends.vagrant.state import VagrantState
from trustlab.backends.vagrant.status import channel_status
from trustlab.engine.backend import StepResult
from trustlab.specs import tools as texts
from trustlab.specs.lab import LabSpec
from trustlab.specs.outcomes import ChannelStatus

SECOND_HOP = ("over WinRM the session has no credentials to pass on to the DC (a second hop), so without "
              "-Credential this is refused whoever is signed in; at the console a local administrator's bind has "
              "no domain rights (SC-4)")

LEAVE_AS_ADMIN = ("Remove-Computer left with the domain admin's credentials: it needs explicit ones to disable the "
                  "computer account, and over WinRM the session's own would not reach the DC (a second hop)")


class TrustSteps:
    """Mixed into VagrantBackend: the membership and secure-channel steps, on the client."""

    state: VagrantState
    lab: LabSpec
    machines: VagrantLab
    guests: Guests

    def do_join(self, computer: str) -> StepResult:
        """The golden snapshot is joined by the domain admin; a lab whose computers the delegated joiner joins has
        the join done again by it, so that it is the account's creator (SC-7)."""
        if self.state.member.joined and self.lab.joiner and self.state.member.joined_by != "joiner":
            return self._rejoin_as_joiner(computer)
        if self.state.member.joined:
            return StepResult(output=[f"{computer} was joined when the lab was built (golden snapshot)"])
        return self._join(None, "joiner" if self.lab.joiner else "domain_admin")

    def _rejoin_as_joiner(self, computer: str) -> StepResult:
        left = self.client.script("leave_domain", self._credential())
        if not left.get("ok"):
            return self._done(left, "Remove-Computer")
        self.state.member.joined = False
        self._restart()
        gone = self.dc.script("dc_computer", {"Computer": computer, "Action": "delete",
                                              "Domain": self.machines.settings.realm})
        if not gone.get("ok"):
            return self._done(gone, "deleting the admin's computer account")
        result = self._join(None, "joiner")
        result.output.insert(0, f"the golden {computer} was joined by the domain admin: left, its account deleted, "
                                f"joined again by {self.lab.joiner} (so that account created it, SC-7)")
        return result

    def _join(self, new_name: Optional[str], credential: str) -> StepResult:
        s = self.machines.settings
        answer = self.client.script("join_domain", {"Domain": s.realm, "NewName": new_name or "",
                                                    **self._credential(credential)})
        if not answer.get("ok"):
            return self._done(answer, "Add-Computer")
        self._restart()
        self.state.member.joined, self.state.member.joined_by = True, credential
        self.state.member.password_set_at = self.now()
        return StepResult(output=[f"joined {s.realm}" + (f" as {new_name}" if new_name else "")])

    def do_rotate_machine_password(self, computer: str) -> StepResult:
        answer = self.client.script("rotate_machine_password", {"Domain": self.machines.settings.domain})
        if answer.get("ok"):
            self.state.member.password_set_at = self.now()
        return self._done(answer, "nltest /sc_change_pwd")

    def do_verify_secure_channel(self, computer: str) -> StepResult:
        return self.do_secure_channel(computer)

    def _own_credential(self, credential: str) -> tuple[str, list[str]]:
        """`credential: none` means the signed-in user's own credentials. At the console they reach the DC; over
        WinRM they cannot (a second hop), so a domain admin's session passes them explicitly, and any other
        session's refusal is journaled with the reason it has here."""
        if credential != "none":
            return credential, []
        if self.state.session and self.state.session.user == self.lab.admin:
            return "domain_admin", ["the signed-in domain admin's own credentials, passed explicitly: over WinRM "
                                    "they would not reach the DC (a second hop)"]
        return "none", [SECOND_HOP]

    def do_repair_secure_channel(self, computer: str, credential: str) -> StepResult:
        used, notes = self._own_credential(credential)
        answer = self.client.script("repair_secure_channel", {"Server": self._dc_fqdn(), **self._credential(used)})
        if answer.get("ok"):
            self.state.member.password_set_at = self.now()
        return self._done(answer, "Test-ComputerSecureChannel -Repair", *notes)

    def do_reset_machine_password(self, computer: str, credential: str, tool: str) -> StepResult:
        used, notes = self._own_credential(credential)
        answer = self.client.script("reset_machine_password",
                                    {"Tool": tool, "Server": self._dc_fqdn(), **self._credential(used)})
        if answer.get("ok"):
            self.state.member.password_set_at = self.now()
        return self._done(answer, "netdom resetpwd" if tool == "netdom" else "Reset-ComputerMachinePassword", *notes)

    def do_rejoin_domain(self, computer: str, credential: str, new_name: Optional[str]) -> StepResult:
        """The leave always passes the domain admin's credentials: Remove-Computer disables the computer account and
        needs explicit credentials for it (PowerShell-Docs reference/5.0/.../Remove-Computer.md), which the WinRM
        session's own could not be (a second hop); the step's credential is the join's (SC-7), as in the sim. A
        lab without a joiner has no `credential: joiner`: left, then refused."""
        left = self.client.script("leave_domain", self._credential("domain_admin"))
        if not left.get("ok"):
            return self._done(left, "Remove-Computer")
        self.state.member.joined = False
        self._restart()
        if credential == "joiner" and not self.lab.joiner:
            return StepResult.failed(texts.LEFT, texts.NO_JOINER)
        result = self._join(new_name, credential)
        if credential != "domain_admin":
            result.output.append(LEAVE_AS_ADMIN)
        return result

    def do_secure_channel(self, computer: str) -> StepResult:
        if not self.state.member.on:
            status = ChannelStatus.NO_LOGON_SERVERS
            return StepResult(outcome=status.value, win32=status.win32[0], output=["the client is powered off"])
        answer = self.client.script("secure_channel", {"Domain": self.machines.settings.domain})
        status = channel_status(answer, self.state.member.joined)
        lines = [line for line in answer.get("lines") or [] if line.strip()]
        if status is None:
            return StepResult(raw=f"nltest status {answer.get('status')}", output=lines[-6:])
        return StepResult(outcome=status.value, win32=status.win32[0], output=lines[-6:],
                          raw=f"nltest status {answer.get('status')}; Test-ComputerSecureChannel {answer.get('test')}",
                          details={"test_computer_secure_channel": answer.get("test")})
