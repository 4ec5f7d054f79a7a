"""How the real Samba lab does each step. The DC is a Samba AD DC, LOANER01 is a winbind member; a step the real
lab cannot do honestly (hidden network adapters, user profiles, a time service) is unsupported, with the reason.
A tool that refuses or runs past its deadline is a failed step with the reason (RealBackend)."""
from __future__ import annotations

import atexit
import json
import os
import re
import secrets
import shutil
import subprocess
import time
from dataclasses import dataclass
from typing import ClassVar, Optional

from trustlab.backends.cable import Cable
from trustlab.backends.channel import channel_repaired
from trustlab.backends.real import RealBackend
from trustlab.backends.samba import dc as dc_mod
from trustlab.backends.samba import member as member_mod
from trustlab.backends.samba import netns
from trustlab.backends.samba.doctor import NOT_NEEDED, checks, require
from trustlab.backends.samba.domain import LabError, SambaLab, copy_state
from trustlab.backends.samba.node import CommandFailed, Node
from trustlab.backends.samba.status import channel_status, logon_outcome
from trustlab.engine.backend import AtConsole, Check, LabOptions, Login, StepResult
from trustlab.specs import tools as texts
from trustlab.specs.lab import LabSpec
from trustlab.specs.outcomes import ChannelStatus, NetworkStatus, Outcome, usable

UNSUPPORTED = {
    "replace_nic": "a winbind member has no PnP network adapters to strand (NW-1 is Windows-only)",
    "show_hidden_devices": "a winbind member has no hidden PnP devices (NW-3 is Windows-only)",
    "remove_ghost_adapters": "a winbind member has no hidden PnP devices (NW-3 is Windows-only)",
    "reinstall_adapter": "a winbind member has no PnP adapter to reinstall (NW-4 is Windows-only)",
    "configure_ip": "the lab's addresses are fixed inside its namespaces",
    "delete_profile": "a winbind member keeps no user profiles",
    "sync_time": "the Samba lab has no time service (samba-lab.md: the member does not follow the DC's clock)",
}
_STARTED: list[SambaLab] = []
MEMBER_PASSWORD_TIMEOUT = 7 * 86400    # TM-7: smb.conf `machine password timeout` default
NT_EPOCH = 11644473600                 # seconds from 1601-01-01 to 1970-01-01


def lab_name(options: LabOptions = LabOptions()) -> str:
    return options.name or os.environ.get(SambaBackend.lab_variable, "default")


def acquire(name: Optional[str] = None) -> SambaLab:
    """The named lab (TRUSTLAB_SAMBA_LAB, default `default`), built if it is not up. A lab this process built is
    torn down when the process ends, also on Ctrl-C."""
    lab = SambaLab.named(name or lab_name())
    if not lab.exists:
        lab.up()
        if not _STARTED:
            atexit.register(lambda: [started.down() for started in _STARTED])
        _STARTED.append(lab)
    return lab


def unsupported_lab(spec: LabSpec) -> Optional[str]:
    default = LabSpec()
    p = spec.policies
    checks_ = [
        ((spec.domain, spec.realm, spec.dc) != (default.domain, default.realm, default.dc),
         "the Samba lab is built as CORP / corp.test with DC01"),
        (spec.workstations != default.workstations, "the Samba lab has one member, LOANER01"),
        (not set(spec.all_users) <= set(default.all_users) or spec.admin != default.admin,
         f"the Samba lab has the users {', '.join(default.all_users)}"),
        (spec.addressing != "static", "the Samba lab's addresses are static"),
        (p.block_account_reuse, "Samba has no KB5020276 account-reuse block (SC-7)"),
        (p.cached_logons_count != default.policies.cached_logons_count,
         "winbind has no CachedLogonsCount (LG-3)"),
        (p.max_password_age % 86400 != 0, "Samba sets the maximum password age in whole days"),
    ]
    return next((why for bad, why in checks_ if bad), None)


@dataclass
class Machine:
    """What the backend knows of one lab machine between steps, as the sim's hosts do: power, cable, and for the
    member its domain membership and NetBIOS name. `node` runs things on it."""

    node: Node
    name: str
    on: bool = True
    plugged: bool = True
    joined: bool = False

    def link(self, plugged: bool) -> None:
        netns.set_link(self.node.ns, self.node.dev, plugged)
        self.plugged = plugged


class SambaBackend(Cable, RealBackend):
    name = "samba"
    default_profile = "samba"
    lab_options: ClassVar[dict[str, tuple[str, ...]]] = {"name": ()}
    doctor_note = NOT_NEEDED
    lab_variable = "TRUSTLAB_SAMBA_LAB"
    time_travel_restarts = True     # libfaketime moves a daemon's clock only when it starts (docs/conformance.md)
    refusals = (CommandFailed, subprocess.TimeoutExpired)

    @classmethod
    def real_lab(cls, options: LabOptions) -> SambaLab:
        require()
        return SambaLab.named(lab_name(options), everything=options.every)

    @classmethod
    def doctor(cls) -> list[Check]:
        return checks()

    def cannot_realise(self, lab: LabSpec) -> Optional[str]:
        return unsupported_lab(lab)

    def prepare(self) -> None:
        lab = self.lab
        require()
        attaching = getattr(self, "_attached", None)
        if attaching is None:
            self.domain = acquire()
            self.domain.reset()
        else:
            self.domain = self._live(*attaching)
        self.dc = Machine(self.domain.node("dc"), lab.dc)
        self.member = Machine(self.domain.node("member"), lab.workstations[0])
        self.skew = {"dc": 0, "member": 0}
        self.versions = {u: 1 for u in lab.all_users}
        self.session: Optional[tuple[str, bool]] = None      # (user, is admin)
        self.machine_password_timeout: Optional[int] = None
        if attaching is not None and not attaching[1]:
            self._restore_state()
            return
        policy = lab.policies
        if policy.max_password_age != LabSpec().policies.max_password_age:
            self._max_password_age(policy.max_password_age)
        if policy.disable_password_change:
            self.machine_password_timeout = 0
        elif policy.machine_password_age is not None:
            self.machine_password_timeout = policy.machine_password_age

    # --- a live lab between commands (training) ------------------------------------------------------------------

    keeps_lab = True
    STATE = "backend-state.json"

    @classmethod
    def attach(cls, lab: LabSpec, profile, seed: int, options: LabOptions, fresh: bool = False) -> "SambaBackend":
        """The named lab as `keep()` left it (no reset); `fresh`: built if absent, reset to its golden copy. The
        lab outlives this process either way (`trustlab lab down` removes it)."""
        backend = cls.__new__(cls)
        backend._attached = (lab_name(options), fresh)
        RealBackend.__init__(backend, lab, profile, seed)
        kept = getattr(backend, "_kept", None)
        if kept:                                          # lab time goes on from where the last process left it
            backend.started = time.monotonic() - (time.time() - kept["wall_started"])
        return backend

    def _live(self, name: str, fresh: bool) -> SambaLab:
        domain = SambaLab.named(name)
        if fresh:
            if not domain.exists:
                domain.up()
            domain.reset()
            (domain.dir / self.STATE).unlink(missing_ok=True)
        elif not domain.exists:
            raise LabError(f"no lab {name!r}; `trustlab lab break SCENARIO --backend samba --name {name}` builds it")
        return domain

    def keep(self) -> None:
        """The bookkeeping a later `attach()` needs, in the lab's folder (root's alone): power, cable, membership
        and name, password versions, clocks, the console session and lab time. No password is written."""
        state = {"wall_started": time.time() - (time.monotonic() - self.started), "offset": self.offset,
                 "skew": self.skew, "versions": self.versions, "session": self.session,
                 "machine_password_timeout": self.machine_password_timeout,
                 "dc": {"on": self.dc.on, "plugged": self.dc.plugged},
                 "member": {"on": self.member.on, "plugged": self.member.plugged, "joined": self.member.joined,
                            "name": self.member.name}}
        path = self.domain.dir / self.STATE
        fd = os.open(path.with_suffix(".tmp"), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as handle:
            json.dump(state, handle)
        os.replace(path.with_suffix(".tmp"), path)

    def _restore_state(self) -> None:
        path = self.domain.dir / self.STATE
        if not path.exists():
            raise LabError(f"lab {self.domain.name!r} keeps no training state; `trustlab lab break` starts one")
        kept = self._kept = json.loads(path.read_text())
        self.offset, self.skew, self.versions = kept["offset"], kept["skew"], kept["versions"]
        self.session = tuple(kept["session"]) if kept["session"] else None
        self.machine_password_timeout = kept["machine_password_timeout"]
        self.dc.on, self.dc.plugged = kept["dc"]["on"], kept["dc"]["plugged"]
        m = kept["member"]
        self.member.on, self.member.plugged, self.member.joined, self.member.name = (m["on"], m["plugged"],
                                                                                    m["joined"], m["name"])
        self._clocks()

    @classmethod
    def login(cls, options: LabOptions, machine: str) -> Login:
        """A shell in the machine's namespace, run as the backend runs its tools: the node's own /run/samba bind
        mount, KRB5_CONFIG, KRB5CCNAME and smb.conf (SMB_CONF_PATH), so wbinfo, net, smbclient and kinit work."""
        require()
        domain = SambaLab.named(lab_name(options))
        if not domain.exists:
            raise LabError(f"no lab {domain.name!r}; `trustlab lab up --backend samba` or `trustlab lab break` "
                           f"builds it")
        node = domain.node("dc" if machine == "dc" else "member")
        env = {**node.env(), "SMB_CONF_PATH": str(node.conf), "PS1": f"[{domain.name} {machine}] \\w# "}
        return Login(f"a shell on the {machine} ({node.address}, namespace {node.ns}); wbinfo, net, smbclient and "
                     f"kinit use its own configuration; `exit` leaves it", node.argv(["bash", "--norc", "-i"]), env)

    # --- the engine's side ---------------------------------------------------------------------------------------

    @classmethod
    def unsupported_reason(cls, verb: str) -> Optional[str]:
        return UNSUPPORTED.get(verb) or super().unsupported_reason(verb)

    def console(self, computer: str) -> AtConsole:
        return AtConsole(self.member.on, self.session is not None and self.session[1])

    # --- helpers ---------------------------------------------------------------------------------------------------

    def _machine(self, computer: str) -> Machine:
        return self.dc if computer == self.lab.dc else self.member

    def _password(self, user: str, which: str) -> str:
        version = self.versions[user] - (1 if which == "previous" else 0)
        return self.domain.password(user, version)

    def _admin_credential(self) -> tuple[str, str]:
        return self.lab.admin, self.domain.password(self.lab.admin, self.versions[self.lab.admin])

    def _result(self, outcome: Outcome, raw: Optional[str], out: str) -> StepResult:
        return StepResult.of(outcome, raw=raw, output=[line for line in self.member.node.redact(out).splitlines()
                                                       if line.strip()][-4:])

    def _said(self, node: Node, out: str, lines: int = 2) -> list[str]:
        """The end of what a tool said, with the lab's passwords taken out."""
        return node.redact(out).splitlines()[-lines:]

    def _reachable(self) -> bool:
        return all((self.member.on, self.member.plugged, self.dc.on, self.dc.plugged))

    def _online(self) -> bool:
        """Is the member working online? Not when it cannot reach the DC, and not when winbind holds no connection
        to a DC: it then answers from its cache, as it does when the DC refuses the secure channel."""
        state = self.member.node.run("wbinfo", "--online-status", "--domain", self.lab.domain, timeout=10).output
        if "offline" in state or "no active connection" in state:
            return False
        return self._dc_reachable()

    def _dc_reachable(self) -> bool:
        """Observed with a TCP connect from the member's namespace, which fails at once when the link is down
        (winbind's own ping takes 12 s to say no)."""
        return self.member.node.run("python3", "-c", dc_mod.READY_PROBE.replace("(389, 88, 445)", "(389,)"),
                                    self.dc.node.address, timeout=5, faked=False).succeeded

    def _machine_password_set(self) -> Optional[int]:
        """The computer account's pwdLastSet (NT time), read from the DC's database."""
        out = self.dc.node.run("ldbsearch", "-H", str(self.dc.node.dir / "private" / "sam.ldb"),
                               f"(sAMAccountName={self._account()})", "pwdLastSet").output
        match = re.search(r"^pwdLastSet: (\d+)", out, re.M)
        return int(match.group(1)) if match else None

    def _settle(self) -> None:
        """After a jump, let the timers that came due run: winbind changes an overdue machine password a few
        seconds after it starts (TM-7). Waits (at most 30 s) until the DC has the new one."""
        if not (self.member.joined and self._reachable()):
            return
        timeout = MEMBER_PASSWORD_TIMEOUT if self.machine_password_timeout is None else self.machine_password_timeout
        before = self._machine_password_set()
        if not timeout or before is None:
            return
        age = (time.time() + self.member.node.offset) - (before / 1e7 - NT_EPOCH)
        if age < timeout:
            return
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self._machine_password_set() != before:
                self._note(self.member.name, "winbind changed the machine password (TM-7)")
                return
            time.sleep(0.3)
        self._note(self.member.name, "winbind did not change the overdue machine password within 30 s")

    def _start_member(self) -> None:
        """Boot: winbindd from the member's state (when joined); told it is offline when the cable is out."""
        node = self.member.node
        node.stop_all()
        self.session = None
        member_mod.configure(node, self.lab.domain, self.lab.realm, self.member.name, self.machine_password_timeout)
        if self.member.on and self.member.joined:
            member_mod.start_winbindd(node)
            if not self._reachable():
                member_mod.control(node, "offline")

    def _start_dc(self) -> None:
        self.dc.node.stop_all()
        if self.dc.on:
            dc_mod.start(self.dc.node, self.lab.realm)

    def _tell_winbind(self) -> None:
        """winbindd alone is slow to notice a link or a DC coming and going (samba-lab.md): tell it."""
        if self.member.on and self.member.joined:
            member_mod.control(self.member.node, "online" if self._reachable() else "offline")

    def _clocks(self) -> None:
        """Time travel: every node restarts under libfaketime at its new offset (samba-lab.md)."""
        self.dc.node.offset = self.offset + self.skew["dc"]
        self.member.node.offset = self.offset + self.skew["member"]

    def _max_password_age(self, seconds: int) -> None:
        """With no minimum age, as the model has none: samba-tool refuses a maximum that is not above the minimum
        (1 day by default; "Maximum password age (1) must be greater than minimum password age (1)!", found by
        the differential search)."""
        dc_mod.tool(self.dc.node, "domain", "passwordsettings", "set", "--min-pwd-age=0",
                    f"--max-pwd-age={seconds // 86400}")

    def _account(self) -> str:
        return f"{self.member.name}$"

    def _account_exists(self) -> bool:
        return dc_mod.tool(self.dc.node, "computer", "show", self.member.name, check=False).succeeded

    # --- events ----------------------------------------------------------------------------------------------------

    def do_join(self, computer: str) -> StepResult:
        if self.member.joined:
            return StepResult.failed(texts.ALREADY_JOINED.format(computer=computer, domain=self.lab.domain))
        user, password = self._admin_credential()
        result = member_mod.join(self.member.node, user, password)
        if result.failed:
            return StepResult.failed(*self._said(self.member.node, result.output))
        self.member.joined = True
        self._start_member()
        return StepResult(output=[line for line in result.output.splitlines() if line.startswith("Joined")])

    def do_change_password(self, computer: str, user: str, where: str) -> StepResult:
        if where == "this_computer" and not self._reachable():
            return StepResult.failed(texts.CHANGE_NEEDS_DC.format(computer=computer))
        new = self.domain.password(user, self.versions[user] + 1)
        dc_mod.tool(self.dc.node, "user", "setpassword", user, f"--newpassword={new}")
        self.versions[user] += 1
        return StepResult(output=[texts.PASSWORD_CHANGED.format(user=user, where=where.replace("_", " "))])

    def do_force_password_change(self, user: str) -> StepResult:
        dn = f"CN={user},CN=Users,{dc_mod.base_dn(self.lab.realm)}"
        dc_mod.modify(self.dc.node, f"dn: {dn}\nchangetype: modify\nreplace: pwdLastSet\npwdLastSet: 0\n")
        return StepResult(output=[texts.MUST_CHANGE.format(user=user)])

    def do_advance_time(self, by: int) -> StepResult:
        self.offset += by
        self._clocks()
        self._start_dc()
        self._start_member()
        self._note(self.lab.dc, f"DC and member restarted under libfaketime at {self.offset:+d}s (time travel)")
        self._settle()
        return StepResult()

    def do_wait(self, for_: int) -> StepResult:
        return self.do_advance_time(for_)

    def do_set_clock(self, computer: str, offset: int) -> StepResult:
        which = "dc" if computer == self.lab.dc else "member"
        self.skew[which] += offset
        self._clocks()
        self._start_dc() if which == "dc" else self._start_member()
        self._note(computer, f"restarted with its clock {self.skew[which]:+d}s off (libfaketime)")
        return StepResult()

    def _power(self, computer: str, on: bool) -> StepResult:
        machine = self._machine(computer)
        if machine.on == on:
            return StepResult.failed((texts.ALREADY_ON if on else texts.ALREADY_OFF).format(computer=computer))
        machine.on = on
        if machine is self.dc:
            self._start_dc()
            self._tell_winbind()
        else:
            self._start_member()
        return StepResult()

    def do_power_off(self, computer: str) -> StepResult:
        return self._power(computer, False)

    def do_power_on(self, computer: str) -> StepResult:
        return self._power(computer, True)

    def set_link(self, computer: str, plugged: bool) -> None:
        self._machine(computer).link(plugged)
        self._tell_winbind()

    def linked(self, computer: str) -> bool:
        return self._machine(computer).plugged

    def do_snapshot(self, computer: str, name: str) -> StepResult:
        node = self.member.node
        node.stop_all()
        target = self.domain.dir / "scratch" / "snapshots" / name
        shutil.rmtree(target, ignore_errors=True)
        copy_state(node.dir, target / "member")
        (target / "joined").write_text(f"{int(self.member.joined)} {self.member.name}")
        self._start_member()
        return StepResult()

    def do_restore_snapshot(self, computer: str, name: str) -> StepResult:
        source = self.domain.dir / "scratch" / "snapshots" / name
        if not source.exists():
            return StepResult.failed(texts.NO_SNAPSHOT.format(computer=computer, name=name))
        node = self.member.node
        node.stop_all()
        shutil.rmtree(node.dir, ignore_errors=True)
        copy_state(source / "member", node.dir)
        joined, self.member.name = (source / "joined").read_text().split()
        self.member.joined = joined == "1"
        self._start_member()
        return StepResult()

    def do_rotate_machine_password(self, computer: str) -> StepResult:
        result = self.member.node.run("wbinfo", "--change-secret")
        if result.failed:
            return StepResult.failed(*self._said(self.member.node, result.output))
        return StepResult(output=result.output.splitlines()[-1:])

    def _account_tool(self, *args: str) -> StepResult:
        result = dc_mod.tool(self.dc.node, *args, check=False)
        return StepResult() if result.succeeded else StepResult.failed(*self._said(self.dc.node, result.output, 1))

    def do_reset_computer_account(self, computer: str) -> StepResult:
        return self._account_tool("user", "setpassword", self._account(),
                                  f"--newpassword=Reset-{secrets.token_hex(12)}!")

    def do_delete_computer_account(self, computer: str) -> StepResult:
        return self._account_tool("computer", "delete", self.member.name)

    def do_disable_computer_account(self, computer: str) -> StepResult:
        return self._account_tool("user", "disable", self._account())

    def do_enable_computer_account(self, computer: str) -> StepResult:
        return self._account_tool("user", "enable", self._account())

    def do_join_duplicate(self, computer: str) -> StepResult:
        """A real second machine: a scratch client config with the same NetBIOS name joins from the DC's
        namespace and takes the account over (MP-7)."""
        dc = self.dc.node
        folder = self.domain.dir / "scratch" / "other"
        other = Node("other", folder, dc.ns, dc.dev, dc.address, folder / "etc" / "krb5.conf", dc.offset, dc.secrets)
        member_mod.configure(other, self.lab.domain, self.lab.realm, self.member.name, None)
        user, password = self._admin_credential()
        result = member_mod.join(other, user, password)
        shutil.rmtree(other.dir, ignore_errors=True)
        if result.failed:
            return StepResult.failed(*self._said(dc, result.output))
        return StepResult(output=[texts.DUPLICATE_JOINED.format(computer=self.member.name)])

    def do_set_policy(self, max_password_age=None, cached_logons_count=None, machine_password_age=None,
                      disable_password_change=None) -> StepResult:
        if cached_logons_count is not None:
            return StepResult.unsupported("winbind has no CachedLogonsCount (LG-3)")
        if max_password_age is not None:
            if max_password_age % 86400:
                return StepResult.unsupported("Samba sets the maximum password age in whole days")
            self._max_password_age(max_password_age)
        if disable_password_change:
            self.machine_password_timeout = 0
        elif machine_password_age is not None:
            self.machine_password_timeout = machine_password_age
        return StepResult(output=["member settings apply at its next start"] if (
            machine_password_age is not None or disable_password_change is not None) else [])

    # --- admin operations ------------------------------------------------------------------------------------------

    def do_local_admin_logon(self, computer: str) -> StepResult:
        self.session = ("Administrator", True)
        return StepResult(output=[f"{computer}\\Administrator signed in (root on the member)"])

    def _channel(self) -> StepResult:
        if not self.member.on:
            status, out, raw = ChannelStatus.NO_LOGON_SERVERS, "", None
        elif not self.member.joined:
            status, out, raw = ChannelStatus.NOT_JOINED, "", None
        else:
            result = self.member.node.run("wbinfo", "-t")
            out = self.member.node.redact(result.output)
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
        if not self.member.joined:
            return StepResult.failed(texts.NOT_IN_DOMAIN.format(tool=tool))
        if not self._reachable():
            return StepResult.failed(texts.DC_UNREACHABLE.format(tool=tool, domain=domain))
        if credential == "none" and self.session[0] != self.lab.admin:
            result = member_mod.changetrustpw(self.member.node)   # the machine's own rights, no domain user's
            if result.succeeded:
                return None
            return StepResult.failed(texts.RESET_DENIED.format(domain=domain),
                                     raw=member_mod.status_of(result.output)[0])
        if not self._account_exists():
            return StepResult.failed(texts.ACCOUNT_NOT_FOUND.format(tool=tool, computer=self.member.name,
                                                                    domain=domain))
        if credential == "user":                    # a plain user's credential (SC-4): as the DC answers it
            user = self.lab.users[0]
            result = member_mod.join(self.member.node, user, self._password(user, "current"))
            if result.succeeded:
                return None
            return StepResult.failed(texts.RESET_DENIED.format(domain=domain), *self._said(self.member.node,
                                     result.output), raw=member_mod.status_of(result.output)[0])
        user, password = self._admin_credential()
        result = member_mod.join(self.member.node, user, password)
        if result.failed:
            return StepResult.failed(*self._said(self.member.node, result.output))
        return None

    def do_repair_secure_channel(self, computer: str, credential: str) -> StepResult:
        failure = self._reset("Test-ComputerSecureChannel", credential)
        if failure:
            return StepResult(status=failure.status, raw=failure.raw, output=failure.output + ["False"])
        session = self.session
        self._start_member()                          # rediscover: winbindd sets the channel up anew
        self.session = session
        return channel_repaired(self.lab.domain, self._channel().outcome == ChannelStatus.OK.value)

    def do_reset_machine_password(self, computer: str, credential: str, tool: str) -> StepResult:
        failure = self._reset("netdom" if tool == "netdom" else "Reset-ComputerMachinePassword", credential)
        if failure:
            return failure
        return StepResult(output=list(texts.NETDOM_RESET) if tool == "netdom" else [])

    def do_rejoin_domain(self, computer: str, credential: str, new_name: Optional[str]) -> StepResult:
        user, password = self._admin_credential()
        node = self.member.node
        if self._reachable():
            member_mod.leave(node, user, password)
        node.stop_all()
        (node.dir / "private" / "secrets.tdb").unlink(missing_ok=True)   # Remove-Computer: the trust is gone
        self.member.joined = False
        self._start_member()
        if not self._reachable():
            return StepResult.failed(texts.LEFT, texts.DOMAIN_UNAVAILABLE)
        if credential != "domain_admin":
            return StepResult.failed(texts.LEFT, texts.JOIN_DENIED)
        self.member.name = new_name or self.member.name
        member_mod.configure(node, self.lab.domain, self.lab.realm, self.member.name, self.machine_password_timeout)
        result = member_mod.join(node, user, password)
        if result.failed:
            return StepResult.failed(texts.LEFT, *self._said(node, result.output))
        self.member.joined = True
        self._start_member()
        return StepResult(output=[texts.LEFT, texts.JOINED.format(domain=self.lab.domain, computer=self.member.name)])

    def do_reset_secure_channel(self, computer: str) -> StepResult:
        """`nltest /sc_reset` (SC-6): winbindd is restarted, so the channel is set up anew, the session kept."""
        session = self.session
        self._start_member()
        self.session = session
        return self._channel()

    def do_sign_out(self, computer: str) -> StepResult:
        session, self.session = self.session, None
        return StepResult(output=[f"{session[0]} signed out" if session else "nobody was signed in"])

    def do_read_clock(self, computer: str) -> StepResult:
        return StepResult(details={"local": self.now() + self.skew["member"], "dc": self.now() + self.skew["dc"],
                                   "offset": self.skew["member"] - self.skew["dc"]})

    def do_lock_unlock(self, computer: str, user: str, password: str) -> StepResult:
        if self.session is None or self.session[0] != user:
            return StepResult.failed(texts.NOT_SIGNED_IN.format(user=user, computer=computer))
        return self._pam(user, password)

    def do_reboot(self, computer: str) -> StepResult:
        self._start_member()
        return StepResult()

    # --- probes ----------------------------------------------------------------------------------------------------

    def _pam(self, user: str, password: str) -> StepResult:
        """An interactive-style logon through winbind's PAM path; a success while winbind is offline is a cached
        logon (winbind's own online status says so)."""
        if not self.member.joined:
            return StepResult.of(Outcome.NOT_JOINED)
        node = self.member.node
        result = node.run("wbinfo", f"--pam-logon={self.lab.domain}\\{user}%{self._password(user, password)}")
        offline = not self._online()
        raw, code = member_mod.status_of(result.output)
        if result.succeeded:
            outcome = Outcome.SUCCESS_CACHED if offline else Outcome.SUCCESS
        else:
            outcome = logon_outcome(raw, user in self.versions, offline)
            if outcome is None:
                return StepResult.failed(f"unmapped status {raw}", *self._said(node, result.output), raw=raw)
        return self._result(outcome, f"{raw} ({code:#010x})" if raw and code is not None else raw, result.output)

    def do_logon(self, computer: str, user: str, password: str) -> StepResult:
        result = self._pam(user, password)
        if usable(result.outcome):
            self.session = (user, user == self.lab.admin)
        return result

    def do_secure_channel(self, computer: str) -> StepResult:
        return self._channel()

    def do_network(self, computer: str) -> StepResult:
        if not self.member.on:
            status = NetworkStatus.POWERED_OFF
        elif not self.member.plugged:
            status = NetworkStatus.UNPLUGGED
        else:
            status = NetworkStatus.UP if self._dc_reachable() else NetworkStatus.DC_DOWN
        node = self.member.node
        adapters = [{"name": node.dev, "present": True, "ipv4": node.address}]
        return StepResult(outcome=status.value, details={"hidden_adapters": 0, "adapters": adapters})

    def died(self) -> Optional[str]:
        for machine, daemon, needed in ((self.dc, "samba", self.dc.on),
                                        (self.member, "winbindd", self.member.on and self.member.joined)):
            if needed and not machine.node.runs(daemon):
                return (f"{machine.name}'s {daemon} is not running: it died during the step; its log is in "
                        f"{machine.node.log_dir}")
        return None

    def close(self) -> None:
        if not self.reason and getattr(self, "_attached", None) is None:   # a live lab stays up
            self.member.node.stop_all()
