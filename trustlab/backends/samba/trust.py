"""The Samba lab's steps about membership and the secure channel: `net ads join`, winbind's secret change,
`wbinfo -t` for nltest, and the resets and rejoin an administrator does at the member (SC-1..SC-7, MP-9)."""
from __future__ import annotations

from typing import Optional

from trustlab.backends.channel import channel_repaired
from trustlab.backends.samba import member as member_mod
from trustlab.backends.samba.node import Node
from trustlab.backends.samba.state import SambaState
from trustlab.backends.samba.status import channel_status
from trustlab.engine.backend import StepResult
from trustlab.specs import tools as texts
from trustlab.specs.lab import LabSpec
from trustlab.specs.outcomes import ChannelStatus


class TrustSteps:
    """Mixed into SambaBackend: the membership and secure-channel steps, on its member's node."""

    state: SambaState
    lab: LabSpec
    member_node: Node

    def do_join(self, computer: str) -> StepResult:
        if self.state.member.joined:
            return StepResult.failed(texts.ALREADY_JOINED.format(computer=computer, domain=self.lab.domain))
        user, password = self._admin_credential()
        result = member_mod.join(self.member_node, user, password)
        if result.failed:
            return StepResult.failed(*self._said(self.member_node, result.output))
        self.state.member.joined = True
        self._start_member()
        return StepResult(output=[line for line in result.output.splitlines() if line.startswith("Joined")])

    def do_rotate_machine_password(self, computer: str) -> StepResult:
        result = self.member_node.run("wbinfo", "--change-secret")
        if result.failed:
            return StepResult.failed(*self._said(self.member_node, result.output))
        return StepResult(output=result.output.splitlines()[-1:])

    def _channel(self) -> StepResult:
        if not self.state.member.on:
            status, out, raw = ChannelStatus.NO_LOGON_SERVERS, "", None
        elif not self.state.member.joined:
            status, out, raw = ChannelStatus.NOT_JOINED, "", None
        else:
            result = self.member_node.run("wbinfo", "-t")
            out = self.member_node.redact(result.output)
            raw, _ = member_mod.status_of(out)
            status = ChannelStatus.OK if result.succeeded else channel_status(raw, not self._dc_reachable())
            if status is None:
                return StepResult.failed(f"unmapped status {raw}: {out}", raw=raw)
        return StepResult(outcome=status.value, win32=status.win32[0], raw=raw,
                          output=[line for line in out.splitlines() if line.strip()][-3:])

    def do_verify_secure_channel(self, computer: str) -> StepResult:
        return self._channel()

    def _reset(self, tool: str, credential: str) -> Optional[StepResult]:
        """The reset behind SC-4 and SC-5 on a winbind member: `net ads join` with domain credentials re-keys the
        existing account (samba-lab.md: changetrustpw cannot after a DC-side reset)."""
        domain = self.lab.domain
        if not self.state.member.joined:
            return StepResult.failed(texts.NOT_IN_DOMAIN.format(tool=tool))
        if not self.state.reachable:
            return StepResult.failed(texts.DC_UNREACHABLE.format(tool=tool, domain=domain))
        if credential == "none" and self.state.session.user != self.lab.admin:
            result = member_mod.changetrustpw(self.member_node)   # the machine's own rights, no domain user's
            if result.succeeded:
                return None
            return StepResult.failed(texts.RESET_DENIED.format(domain=domain),
                                     raw=member_mod.status_of(result.output)[0])
        if not self._account_exists():
            return StepResult.failed(texts.ACCOUNT_NOT_FOUND.format(tool=tool, computer=self.state.member.name,
                                                                    domain=domain))
        if credential == "user":                    # a plain user's credential (SC-4): as the DC answers it
            user = self.lab.users[0]
            result = member_mod.join(self.member_node, user, self._password(user, "current"))
            if result.succeeded:
                return None
            return StepResult.failed(texts.RESET_DENIED.format(domain=domain),
                                     *self._said(self.member_node, result.output),
                                     raw=member_mod.status_of(result.output)[0])
        user, password = self._admin_credential()
        result = member_mod.join(self.member_node, user, password)
        if result.failed:
            return StepResult.failed(*self._said(self.member_node, result.output))
        return None

    def do_repair_secure_channel(self, computer: str, credential: str) -> StepResult:
        failure = self._reset("Test-ComputerSecureChannel", credential)
        if failure:
            return StepResult(status=failure.status, raw=failure.raw, output=failure.output + ["False"])
        session = self.state.session
        self._start_member()                          # rediscover: winbindd sets the channel up anew
        self.state.session = session
        return channel_repaired(self.lab.domain, self._channel().outcome == ChannelStatus.OK.value)

    def do_reset_machine_password(self, computer: str, credential: str, tool: str) -> StepResult:
        failure = self._reset("netdom" if tool == "netdom" else "Reset-ComputerMachinePassword", credential)
        if failure:
            return failure
        return StepResult(output=list(texts.NETDOM_RESET) if tool == "netdom" else [])

    def do_rejoin_domain(self, computer: str, credential: str, new_name: Optional[str]) -> StepResult:
        user, password = self._admin_credential()
        node = self.member_node
        if self.state.reachable:
            member_mod.leave(node, user, password)
        node.stop_all()
        (node.dir / "private" / "secrets.tdb").unlink(missing_ok=True)   # Remove-Computer: the trust is gone
        self.state.member.joined = False
        self._start_member()
        if not self.state.reachable:
            return StepResult.failed(texts.LEFT, texts.DOMAIN_UNAVAILABLE)
        if credential != "domain_admin":
            return StepResult.failed(texts.LEFT, texts.JOIN_DENIED)
        self.state.member.name = new_name or self.state.member.name
        member_mod.configure(node, self.lab.domain, self.lab.realm, self.state.member.name,
                             self.state.machine_password_timeout)
        result = member_mod.join(node, user, password)
        if result.failed:
            return StepResult.failed(texts.LEFT, *self._said(node, result.output))
        self.state.member.joined = True
        self._start_member()
        return StepResult(output=[texts.LEFT, texts.JOINED.format(domain=self.lab.domain,
                                                                  computer=self.state.member.name)])

    def do_reset_secure_channel(self, computer: str) -> StepResult:
        """`nltest /sc_reset` (SC-6): winbindd is restarted, so the channel is set up anew, the session kept."""
        session = self.state.session
        self._start_member()
        self.state.session = session
        return self._channel()

    def do_secure_channel(self, computer: str) -> StepResult:
        return self._channel()
