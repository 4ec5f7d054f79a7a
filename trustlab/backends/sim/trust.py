"""The sim's steps about domain membership and the secure channel: joining, the machine password's change and reset,
repairing, rejoining, and what `nltest` shows (SC-1..SC-7, MP-1, MP-4, MP-9)."""
from __future__ import annotations

from typing import Optional

from trustlab.backends.channel import channel_repaired
from trustlab.backends.sim import netlogon
from trustlab.backends.sim.directory import ComputerAccount
from trustlab.backends.sim.world import Workstation, World
from trustlab.engine.backend import StepResult
from trustlab.specs import tools as texts
from trustlab.specs.lab import LabSpec
from trustlab.specs.outcomes import ChannelStatus


def nltest_lines(status: ChannelStatus, domain: str, dc: str, realm: str) -> list[str]:
    """`nltest /sc_verify:DOMAIN` as SC-1 (healthy) and SC-2 (broken, NetLogon answering) describe it."""
    code, name = status.win32
    if status is ChannelStatus.NOT_JOINED:
        return [f"I_NetLogonControl failed: Status = {code} {code:#x} {name}"]
    healthy = status is ChannelStatus.OK
    dc_name = "\\\\" + dc + "." + realm if healthy else ""
    return [f"Flags: {'b0 HAS_IP  HAS_TIMESERV' if healthy else '0'}",
            f"Trusted DC Name {dc_name}".rstrip(),
            f"Trusted DC Connection Status Status = {code} {code:#x} {name}",
            f"Trust Verification Status = {code} {code:#x} {name}",
            "The command completed successfully"]


class TrustSteps:
    """Mixed into SimBackend: the membership and secure-channel steps, on its `world`."""

    world: World
    lab: LabSpec

    def _joining_user(self, credential: str) -> Optional[str]:
        """Who a join authenticates as: the domain admin, the lab's delegated joining account, or nobody."""
        if credential == "domain_admin":
            return self.lab.admin
        return self.lab.joiner if credential == "joiner" else None

    def _domain_join(self, ws: Workstation, name: str, credential: str) -> Optional[StepResult]:
        """Add-Computer: an account created or taken over, secrets written; a StepResult when it fails."""
        world = self.world
        if not world.reachable(ws):
            return StepResult.failed(texts.DOMAIN_UNAVAILABLE)
        user = self._joining_user(credential)
        if user is None:
            return StepResult.failed(texts.NO_JOINER if credential == "joiner" else texts.JOIN_DENIED)
        account = world.directory.computers.get(name)
        if account is not None and not world.directory.reuse_allowed(account, user):
            return StepResult.failed(texts.REUSE_BLOCKED, raw="2732")         # SC-7, KB5020276
        secret = world.new_secret()
        if account is not None:                         # taken over: password set, creator and owner left as found
            world.directory.set_machine_password(name, secret, world.dc_time())
        else:
            world.directory.computers[name] = ComputerAccount(name, secret, creator=user,   # SC-7
                                                              created_by_admin=user == self.lab.admin,
                                                              password_set=world.dc_time())
        ws.netlogon.domain, ws.netlogon.account = self.lab.domain, name
        ws.netlogon.store(secret, ws.local_time())
        return None

    def do_join(self, computer: str) -> StepResult:
        ws = self.world.workstations[computer]
        if ws.netlogon.joined:
            return StepResult.failed(texts.ALREADY_JOINED.format(computer=ws.name, domain=ws.netlogon.domain))
        failure = self._domain_join(ws, ws.name, "joiner" if self.lab.joiner else "domain_admin")   # SC-7
        if failure:
            return failure
        ws.shutdown()
        ws.boot()
        return StepResult(output=[f"Welcome to the {self.lab.domain} domain."])

    def do_rotate_machine_password(self, computer: str) -> StepResult:
        ws = self.world.workstations[computer]
        if not netlogon.change_password(ws):                                # MP-1, MP-9
            return StepResult.failed("the machine password change needs a working secure channel")
        return StepResult()

    def do_verify_secure_channel(self, computer: str) -> StepResult:
        ws = self.world.workstations[computer]
        status = netlogon.establish(ws)                                     # SC-1, SC-2
        return StepResult(outcome=status.value, win32=status.win32[0],
                          output=nltest_lines(status, self.lab.domain, self.lab.dc, self.lab.realm))

    def _reset(self, ws: Workstation, credential: str, verb: str) -> Optional[StepResult]:
        """The reset behind SC-4 and SC-5 (MP-9); a StepResult when it fails."""
        domain = self.lab.domain
        if not ws.netlogon.joined:
            return StepResult.failed(texts.NOT_IN_DOMAIN.format(tool=verb))
        if not self.world.reachable(ws):
            return StepResult.failed(texts.DC_UNREACHABLE.format(tool=verb, domain=domain))
        session = ws.winlogon.session
        if credential == "user" or credential == "none" and (session.local or session.user != self.lab.admin):
            return StepResult.failed(texts.RESET_DENIED.format(domain=domain))   # SC-4: the bind has no domain rights
        account = self.world.directory.computers.get(ws.netlogon.account)
        if account is None:
            return StepResult.failed(texts.ACCOUNT_NOT_FOUND.format(tool=verb, computer=ws.netlogon.account,
                                                                    domain=domain))
        secret = self.world.new_secret()
        self.world.directory.set_machine_password(account.name, secret, self.world.dc_time())
        ws.netlogon.store(secret, ws.local_time())
        return None

    def do_repair_secure_channel(self, computer: str, credential: str) -> StepResult:
        ws = self.world.workstations[computer]
        failure = self._reset(ws, credential, "Test-ComputerSecureChannel")
        if failure:
            return StepResult(status=failure.status, output=failure.output + ["False"])
        ws.netlogon.channel = None                                          # SC-4: rediscover a DC
        return channel_repaired(self.lab.domain, netlogon.establish(ws) is ChannelStatus.OK)

    def do_reset_machine_password(self, computer: str, credential: str, tool: str) -> StepResult:
        ws = self.world.workstations[computer]
        failure = self._reset(ws, credential, "netdom" if tool == "netdom" else "Reset-ComputerMachinePassword")
        if failure:
            return failure
        if tool == "netdom":                                                # SC-5
            return StepResult(output=list(texts.NETDOM_RESET))
        return StepResult()

    def do_rejoin_domain(self, computer: str, credential: str, new_name: Optional[str]) -> StepResult:
        ws = self.world.workstations[computer]
        ws.netlogon.leave()                                                 # Remove-Computer: now a workgroup member
        ws.shutdown()
        ws.boot()
        failure = self._domain_join(ws, new_name or ws.name, credential)    # SC-7
        if failure:
            return StepResult(status=failure.status, raw=failure.raw, output=[texts.LEFT] + failure.output)
        if new_name:
            self.world.rename(ws, new_name)
        ws.shutdown()
        ws.boot()
        return StepResult(output=[texts.LEFT, texts.JOINED.format(domain=self.lab.domain, computer=ws.name)])

    def do_reset_secure_channel(self, computer: str) -> StepResult:
        ws = self.world.workstations[computer]
        ws.netlogon.channel = None                                          # SC-6: the established one is dropped
        status = netlogon.establish(ws)                                     # MP-4: current, then old
        lines = nltest_lines(status, self.lab.domain, self.lab.dc, self.lab.realm)
        return StepResult(outcome=status.value, win32=status.win32[0],
                          output=[line for line in lines if not line.startswith("Trust Verification")])

    def do_secure_channel(self, computer: str) -> StepResult:
        ws = self.world.workstations[computer]
        status = netlogon.establish(ws) if ws.powered else ChannelStatus.NO_LOGON_SERVERS
        return StepResult(outcome=status.value, win32=status.win32[0],
                          output=nltest_lines(status, self.lab.domain, self.lab.dc, self.lab.realm))
