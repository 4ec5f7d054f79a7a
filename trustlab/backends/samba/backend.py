"""The real Samba lab as a backend: its face, its life cycle for a run or a live lab kept between commands, and what
its steps share. The DC is a Samba AD DC, LOANER01 is a winbind member; a step the real lab cannot do honestly (hidden
network adapters, user profiles, a time service) is unsupported, with the reason. A tool that refuses or runs past
its deadline is a failed step with the reason (RealBackend). The steps are in power.py (the machines themselves),
time_travel.py, accounts.py (the directory), trust.py (membership, the secure channel) and logons.py; every probe
also carries the DC's own answer (oracle.py)."""
from __future__ import annotations

import atexit
import os
import subprocess
import time
from typing import ClassVar, Optional

from trustlab.backends.real import RealBackend
from trustlab.backends.samba.accounts import AccountSteps
from trustlab.backends.samba.doctor import NOT_NEEDED, checks, require
from trustlab.backends.samba.domain import LabError, SambaLab
from trustlab.backends.samba.logons import LogonSteps
from trustlab.backends.samba.node import CommandFailed, Node
from trustlab.backends.samba.oracle import AsksTheDc
from trustlab.backends.samba.power import PowerSteps
from trustlab.backends.samba.state import SambaState
from trustlab.backends.samba.time_travel import TimeTravel
from trustlab.backends.samba.trust import TrustSteps
from trustlab.engine.backend import Check, LabOptions, Login
from trustlab.specs.lab import LabSpec

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


class SambaBackend(AsksTheDc, PowerSteps, TimeTravel, AccountSteps, TrustSteps, LogonSteps, RealBackend):
    name = "samba"
    default_profile = "samba"
    lab_options: ClassVar[dict[str, tuple[str, ...]]] = {"name": ()}
    doctor_note = NOT_NEEDED
    lab_variable = "TRUSTLAB_SAMBA_LAB"
    time_travel_restarts = True     # libfaketime moves a daemon's clock only when it starts (docs/conformance.md)
    keeps_lab = True
    asks_the_dc = True
    refusals = (CommandFailed, subprocess.TimeoutExpired)
    State = SambaState
    state: SambaState

    @classmethod
    def real_lab(cls, options: LabOptions) -> SambaLab:
        require()
        return SambaLab.named(lab_name(options), everything=options.every)

    @classmethod
    def doctor(cls) -> list[Check]:
        return checks()

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

    @classmethod
    def unsupported_reason(cls, verb: str) -> Optional[str]:
        return UNSUPPORTED.get(verb) or super().unsupported_reason(verb)

    def cannot_realise(self, lab: LabSpec) -> Optional[str]:
        return unsupported_lab(lab)

    # --- the lab's life cycle ------------------------------------------------------------------------------------

    def prepare(self) -> None:
        """A run's own lab: the named lab (built if absent) reset to its golden copy, then the scenario's policies.
        A live lab (`attach`): as the last process kept it, or, `fresh`, reset and with nothing kept."""
        require()
        if self.attached is None:
            self.domain = acquire()
            self.domain.reset()
        else:
            self.domain = self._live(lab_name(self.attached), self.fresh)
        self.dc_node, self.member_node = self.domain.node("dc"), self.domain.node("member")
        if self.attached is not None and not self.fresh:
            self.state = self._kept()
            self._clocks()
            return
        policy = self.lab.policies
        if policy.max_password_age != LabSpec().policies.max_password_age:
            self._max_password_age(policy.max_password_age)
        if policy.disable_password_change:
            self.state.machine_password_timeout = 0
        elif policy.machine_password_age is not None:
            self.state.machine_password_timeout = policy.machine_password_age

    def _live(self, name: str, fresh: bool) -> SambaLab:
        """The live lab outlives this process either way (`trustlab lab down` removes it)."""
        domain = SambaLab.named(name)
        if fresh:
            if not domain.exists:
                domain.up()
            domain.reset()
            (domain.dir / SambaState.FILE).unlink(missing_ok=True)
        elif not domain.exists:
            raise LabError(f"no lab {name!r}; `trustlab lab break SCENARIO --backend samba --name {name}` builds it")
        return domain

    def _kept(self) -> SambaState:
        try:
            return SambaState.load(self.domain.dir)
        except FileNotFoundError:
            raise LabError(f"lab {self.domain.name!r} keeps no training state; `trustlab lab break` starts one") \
                from None
        except ValueError:
            raise LabError(f"lab {self.domain.name!r} keeps its training state in another version's form; "
                           f"`trustlab lab break` starts again") from None

    def keep(self) -> None:
        """What a later process attaching to the lab needs (the state, with lab time 0 as wall-clock time), in the
        lab's folder, root's alone."""
        self.state.started = time.time() - (time.monotonic() - self.started)
        self.state.save(self.domain.dir)

    def died(self) -> Optional[str]:
        for node, machine, daemon, needed in (
                (self.dc_node, self.state.dc, "samba", self.state.dc.on),
                (self.member_node, self.state.member, "winbindd", self.state.member.on and self.state.member.joined)):
            if needed and not node.runs(daemon):
                return (f"{machine.name}'s {daemon} is not running: it died during the step; its log is in "
                        f"{node.log_dir}")
        return None

    def close(self) -> None:
        self.stop_asking()
        if not self.reason and self.attached is None:          # a live lab stays up
            self.member_node.stop_all()

    # --- what the steps share ----------------------------------------------------------------------------------

    def _password(self, user: str, which: str) -> str:
        version = self.state.versions[user] - (1 if which == "previous" else 0)
        return self.domain.password(user, version)

    def _admin_credential(self) -> tuple[str, str]:
        return self.lab.admin, self.domain.password(self.lab.admin, self.state.versions[self.lab.admin])

    def _said(self, node: Node, out: str, lines: int = 2) -> list[str]:
        """The end of what a tool said, with the lab's passwords taken out."""
        return node.redact(out).splitlines()[-lines:]
