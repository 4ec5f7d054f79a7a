"""How the sim does each step: the verbs in terms of the simulated components."""
from __future__ import annotations

from typing import Optional

from trustlab.backends.cable import Cable
from trustlab.backends.channel import channel_repaired
from trustlab.backends.sim import grouppolicy, netlogon, timeservice
from trustlab.backends.sim.directory import MUST_CHANGE, ComputerAccount
from trustlab.backends.sim.winlogon import Session, authenticate
from trustlab.backends.sim.world import Workstation, World
from trustlab.engine.backend import AtConsole, Backend, Check, LabOptions, LabUnavailable, Login, StepResult
from trustlab.specs import tools as texts
from trustlab.specs.lab import LabSpec
from trustlab.specs.outcomes import AccountState, ChannelStatus
from trustlab.specs.profiles import BehaviourProfile


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


def _adapter(ws: Workstation, a) -> dict:
    """An adapter as the network probe reports it; `prefix` and `duplicate` only when they say something (NW-5),
    so every journal recorded before they existed stays as it was."""
    shown = {"name": a.name, "present": a.present, "ipv4": a.static_ip or "DHCP"}
    if a.static_ip and a.prefix != 24:
        shown["prefix"] = a.prefix
    if a.static_ip and a.present and ws.network.duplicate(a):
        shown["duplicate"] = True
    if a.static_ip is None and a.present and ws.network.dhcp_server:
        shown["leased"] = ws.network.address
    return shown


class SimBackend(Cable, Backend):
    name = "sim"

    @classmethod
    def doctor(cls) -> list[Check]:
        return [Check("sim", True, "in-process, on a virtual clock: needs nothing from this machine")]

    @classmethod
    def login(cls, options: LabOptions, machine: str) -> Login:
        raise LabUnavailable("the sim is in-process: `trustlab lab console` types at its computer")

    def __init__(self, lab: LabSpec, profile: BehaviourProfile, seed: int = 0):
        super().__init__(lab, profile, seed)
        self.world = World(lab, profile, seed)
        self._seen = 0

    def now(self) -> float:
        return self.world.clock.now

    def console(self, computer: str) -> AtConsole:
        ws = self.world.workstations[computer]
        session = ws.winlogon.session
        return AtConsole(ws.powered, session is not None and session.admin)

    def background(self) -> list[tuple[float, str, str]]:
        fresh = self.world.notes[self._seen:]
        self._seen = len(self.world.notes)
        return fresh

    # --- helpers -------------------------------------------------------------------------------------------------

    def _password(self, user: str, which: str) -> int:
        current = self.world.directory.users[user].password
        return current if which == "current" else current - 1

    def _host(self, computer: str):
        return self.world.dc if computer == self.lab.dc else self.world.workstations[computer]

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

    # --- events --------------------------------------------------------------------------------------------------

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

    def do_change_password(self, computer: str, user: str, where: str) -> StepResult:
        if where == "this_computer" and not self.world.reachable(self.world.workstations[computer]):
            return StepResult.failed(texts.CHANGE_NEEDS_DC.format(computer=computer))
        self.world.directory.change_password(user, self.world.dc_time())   # LG-5
        return StepResult(output=[texts.PASSWORD_CHANGED.format(user=user, where=where.replace('_', ' '))])

    def do_force_password_change(self, user: str) -> StepResult:
        self.world.directory.users[user].pwd_last_set = MUST_CHANGE         # LG-6
        return StepResult(output=[texts.MUST_CHANGE.format(user=user)])

    def do_advance_time(self, by: int) -> StepResult:
        self.world.advance(by)
        return StepResult()

    def do_set_clock(self, computer: str, offset: int) -> StepResult:
        self._host(computer).offset += offset                                # LG-8, MP-8
        return StepResult()

    def do_power_off(self, computer: str) -> StepResult:
        host = self._host(computer)
        if not host.powered:
            return StepResult.failed(texts.ALREADY_OFF.format(computer=computer))
        if isinstance(host, Workstation):
            host.shutdown()
        else:
            host.powered = False
            for ws in self.world.workstations.values():
                ws.netlogon.channel = None
        return StepResult()

    def do_power_on(self, computer: str) -> StepResult:
        host = self._host(computer)
        if host.powered:
            return StepResult.failed(texts.ALREADY_ON.format(computer=computer))
        if isinstance(host, Workstation):
            host.boot()
        else:
            host.powered = True
        return StepResult()

    def set_link(self, computer: str, plugged: bool) -> None:
        host = self._host(computer)
        if isinstance(host, Workstation):
            host.network.cable = plugged
            if not plugged:
                host.netlogon.channel = None
        else:
            host.cable = plugged
            if not plugged:
                for ws in self.world.workstations.values():
                    ws.netlogon.channel = None

    def linked(self, computer: str) -> bool:
        host = self._host(computer)
        return host.network.cable if isinstance(host, Workstation) else host.cable

    def do_replace_nic(self, computer: str) -> StepResult:
        ws = self.world.workstations[computer]
        ws.network.replace_nic()                                            # NW-1
        ws.netlogon.channel = None
        return StepResult(output=[f"new adapter {ws.network.present.name}; "
                                  f"{', '.join(a.name for a in ws.network.hidden)} now hidden"])

    def do_snapshot(self, computer: str, name: str) -> StepResult:
        ws = self.world.workstations[computer]
        ws.snapshots[name] = ws.disk()
        return StepResult()

    def do_restore_snapshot(self, computer: str, name: str) -> StepResult:
        ws = self.world.workstations[computer]
        if name not in ws.snapshots:
            return StepResult.failed(texts.NO_SNAPSHOT.format(computer=computer, name=name))
        ws.restore(ws.snapshots[name])                                       # MP-6
        if ws.powered:
            ws.shutdown()
            ws.boot()
        return StepResult()

    def do_rotate_machine_password(self, computer: str) -> StepResult:
        ws = self.world.workstations[computer]
        if not netlogon.change_password(ws):                                # MP-1, MP-9
            return StepResult.failed("the machine password change needs a working secure channel")
        return StepResult()

    def _account(self, computer: str) -> Optional[ComputerAccount]:
        ws = self.world.workstations[computer]
        return self.world.directory.computers.get(ws.netlogon.account or computer)

    def do_reset_computer_account(self, computer: str) -> StepResult:
        account = self._account(computer)
        if account is None:
            return StepResult.failed(texts.NO_ACCOUNT.format(computer=computer))
        self.world.directory.set_machine_password(account.name, self.world.new_secret(),   # MP-7
                                                  self.world.dc_time())
        return StepResult()

    def do_join_duplicate(self, computer: str) -> StepResult:
        """Another machine joins under the same name, by the domain admin (MP-7); the same reuse rules apply (SC-7)."""
        account = self._account(computer)
        secret = self.world.new_secret()                                    # MP-7: the other machine's password
        if account is None:
            self.world.directory.computers[computer] = ComputerAccount(computer, secret, creator=self.lab.admin,
                                                                       password_set=self.world.dc_time())
        elif not self.world.directory.reuse_allowed(account, self.lab.admin):
            return StepResult.failed(texts.REUSE_BLOCKED, raw="2732")         # SC-7, KB5020276
        else:
            self.world.directory.set_machine_password(account.name, secret, self.world.dc_time())
        return StepResult(output=[texts.DUPLICATE_JOINED.format(computer=computer)])

    def do_delete_computer_account(self, computer: str) -> StepResult:
        account = self._account(computer)
        if account is None:
            return StepResult.failed(texts.NO_ACCOUNT.format(computer=computer))
        del self.world.directory.computers[account.name]                    # MP-7
        return StepResult()

    def do_disable_computer_account(self, computer: str) -> StepResult:
        account = self._account(computer)
        if account is None:
            return StepResult.failed(texts.NO_ACCOUNT.format(computer=computer))
        account.enabled = False                                             # MP-7
        return StepResult()

    def do_enable_computer_account(self, computer: str) -> StepResult:
        account = self._account(computer)
        if account is None:
            return StepResult.failed(texts.NO_ACCOUNT.format(computer=computer))
        account.enabled = True                                              # MP-7, undone
        return StepResult()

    def do_set_policy(self, **changes) -> StepResult:
        policy = self.world.directory.policy
        for key, value in changes.items():
            if value is not None:
                setattr(policy, key, value)
        return StepResult()

    # --- admin operations ----------------------------------------------------------------------------------------

    def do_local_admin_logon(self, computer: str) -> StepResult:
        ws = self.world.workstations[computer]
        ws.winlogon.session = Session("Administrator", admin=True, local=True)
        return StepResult(output=[f"{ws.name}\\Administrator signed in"])

    def do_show_hidden_devices(self, computer: str) -> StepResult:
        ws = self.world.workstations[computer]
        hidden = ws.network.hidden                                          # NW-3
        lines = [f"{a.name} (not present) {a.static_ip or 'DHCP'}" for a in hidden] or ["no hidden network adapters"]
        return StepResult(output=lines, details={"hidden_adapters": len(hidden)})

    def do_remove_ghost_adapters(self, computer: str) -> StepResult:
        ws = self.world.workstations[computer]
        gone = ws.network.remove_hidden()                                   # NW-3
        return StepResult(output=[f"uninstalled {a.name}" for a in gone] or ["no hidden network adapters"])

    def do_reinstall_adapter(self, computer: str) -> StepResult:
        ws = self.world.workstations[computer]
        gone = ws.network.uninstall_present()                               # NW-4
        if gone is None:
            return StepResult.failed("no network adapter present")
        ws.netlogon.channel = None
        return StepResult(output=[f"uninstalled {gone.name} (driver kept); it returns at the next restart"])

    def do_configure_ip(self, computer: str, on_conflict: str, address: Optional[str] = None) -> StepResult:
        ws = self.world.workstations[computer]
        adapter = ws.network.present
        if adapter is None:
            return StepResult.failed("no network adapter present")
        ip, _, prefix = (address or ws.network.address).partition("/")     # NW-5: the address typed stays
        clash = ws.network.conflict(ip)
        if clash is None:
            adapter.static_ip, adapter.prefix = ip, int(prefix or 24)
            return StepResult(output=[f"{adapter.name}: {ip}"])
        warning = texts.DUPLICATE_WARNING.format(ip=ip, name=clash.name)   # NW-2
        if on_conflict == "cancel":
            return StepResult.failed(warning, "Yes: back to the dialog; nothing applied")
        if self.profile.duplicate_ip_applied_on_no:
            adapter.static_ip, adapter.prefix = ip, int(prefix or 24)
            return StepResult(output=[warning, f"No: {adapter.name}: {ip} applied anyway"])
        return StepResult.failed(warning, "No: the address did not stay")

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

    def do_sign_out(self, computer: str) -> StepResult:
        ws = self.world.workstations[computer]
        session, ws.winlogon.session = ws.winlogon.session, None
        return StepResult(output=[f"{session.user} signed out" if session else "nobody was signed in"])

    def do_read_clock(self, computer: str) -> StepResult:
        ws = self.world.workstations[computer]
        offset = ws.offset - self.world.dc.offset                           # LG-8, TM-3: what Kerberos compares
        return StepResult(details={"local": ws.local_time(), "dc": self.world.dc_time(), "offset": offset})

    def do_delete_profile(self, computer: str, user: str) -> StepResult:
        ws = self.world.workstations[computer]
        if ws.winlogon.session and ws.winlogon.session.user == user:
            return StepResult.failed(f"{user} is signed in; the profile is in use")
        ws.winlogon.profiles.discard(user)          # the cached verifiers are elsewhere (HKLM\SECURITY\Cache)
        return StepResult(output=[f"deleted the profile of {user}"])

    def do_lock_unlock(self, computer: str, user: str, password: str) -> StepResult:
        ws = self.world.workstations[computer]
        session = ws.winlogon.session
        if session is None or session.user != user:
            return StepResult.failed(texts.NOT_SIGNED_IN.format(user=user, computer=ws.name))
        outcome = authenticate(ws, user, self._password(user, password))   # LG-4
        return StepResult.of(outcome)

    def do_refresh_policy(self, computer: str) -> StepResult:
        ws = self.world.workstations[computer]
        if grouppolicy.apply(ws):                                           # TM-2, now
            return StepResult(output=list(texts.GPUPDATE_OK))
        why = texts.GP_NO_AUTH if self.world.reachable(ws) else texts.GP_NO_DC
        return StepResult.failed(*texts.GPUPDATE_FAILED, why)

    def do_sync_time(self, computer: str) -> StepResult:
        ws = self.world.workstations[computer]
        if not timeservice.sync(ws):                                        # LG-8
            return StepResult.failed("The computer did not resync because no time data was available.")
        return StepResult(output=["The command completed successfully."])

    def do_wait(self, for_: int) -> StepResult:
        self.world.advance(for_)
        return StepResult()

    def do_reboot(self, computer: str) -> StepResult:
        ws = self.world.workstations[computer]
        ws.shutdown()
        ws.boot()
        return StepResult()

    # --- probes --------------------------------------------------------------------------------------------------

    def do_logon(self, computer: str, user: str, password: str) -> StepResult:
        ws = self.world.workstations[computer]
        outcome = authenticate(ws, user, self._password(user, password))
        if outcome.usable:
            ws.winlogon.session = Session(user, admin=user == self.lab.admin)
            ws.winlogon.profiles.add(user)
        return StepResult.of(outcome)

    def do_secure_channel(self, computer: str) -> StepResult:
        ws = self.world.workstations[computer]
        status = netlogon.establish(ws) if ws.powered else ChannelStatus.NO_LOGON_SERVERS
        return StepResult(outcome=status.value, win32=status.win32[0],
                          output=nltest_lines(status, self.lab.domain, self.lab.dc, self.lab.realm))

    def do_computer_account(self, computer: str) -> StepResult:
        """The DC's view of the computer's object (MP-7): it answers whatever the member's state."""
        account = self._account(computer)
        if account is None:
            return StepResult(outcome=AccountState.MISSING.value)
        state = AccountState.PRESENT if account.enabled else AccountState.DISABLED
        return StepResult(outcome=state.value, details={"password_age": self.world.dc_time() - account.password_set})

    def do_network(self, computer: str) -> StepResult:
        ws = self.world.workstations[computer]
        status = self.world.network_status(ws)
        adapters = [_adapter(ws, a) for a in ws.network.adapters]
        return StepResult(outcome=status.value, details={"hidden_adapters": len(ws.network.hidden),
                                                         "adapters": adapters})
