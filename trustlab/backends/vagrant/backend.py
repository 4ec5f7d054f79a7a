"""The Windows lab as a backend: its face, a run's preparation, and what its steps share. A step is a shipped
PowerShell script over WinRM on the DC or the client, or the hypervisor's own tool for what happens to the hardware
(providers.py). Every run starts from the golden snapshot with both clocks at the moment it was taken, after the
preflight has checked the lab again. Nothing here decides what a result means beyond naming Windows' own codes
(status.py); the engine judges. The steps are in power.py (the machines themselves), clocks.py, adapters.py,
accounts.py (the directory and policies), trust.py (membership, the secure channel) and logons.py."""
from __future__ import annotations

import time
from datetime import datetime, timedelta
from typing import Any, Optional

from trustlab.backends.real import RealBackend
from trustlab.backends.state import Computer
from trustlab.backends.vagrant import doctor, failure, preflight
from trustlab.backends.vagrant.accounts import AccountSteps
from trustlab.backends.vagrant.adapters import AdapterSteps
from trustlab.backends.vagrant.clocks import ClockSteps
from trustlab.backends.vagrant.guests import Guests
from trustlab.backends.vagrant.logons import LogonSteps
from trustlab.backends.vagrant.machines import VagrantLab
from trustlab.backends.vagrant.power import PowerSteps
from trustlab.backends.vagrant.settings import PROVIDERS, Guest, Secrets
from trustlab.backends.vagrant.state import VagrantState
from trustlab.backends.vagrant.trust import TrustSteps
from trustlab.engine.backend import Check, LabOptions, LabUnavailable, Login, StepResult
from trustlab.specs.lab import LabSpec
from trustlab.specs.profiles import BehaviourProfile


def unsupported_lab(spec: LabSpec, lab: VagrantLab) -> Optional[str]:
    s = lab.settings
    _, dc = s.machine("dc")
    _, client = s.machine("client")
    p = spec.policies
    if (spec.domain, spec.realm, spec.dc) != (s.domain, s.realm, dc.hostname):
        return f"the Windows lab is built as {s.domain} / {s.realm} with {dc.hostname} (machines.yaml)"
    if spec.workstations != [client.hostname]:
        return f"the Windows lab has one client, {client.hostname}"
    if not set(spec.all_users) <= set(s.users) | {s.admin} or spec.admin != s.admin:
        return f"the Windows lab has the users {', '.join(s.users)} and the admin {s.admin}"
    if spec.joiner not in (None, s.joiner):
        return f"the Windows lab's delegated joining account is {s.joiner}"
    if spec.joiner and not p.block_account_reuse:
        return ("Windows members check KB5020276's reuse rules whatever the registry says since the August 2024 "
                "update (SC-7): a lab whose computers a delegated account joins needs block_account_reuse: true")
    if p.reuse_allowed_owners:
        return ("the Windows lab does not set the DC policy 'Allow computer account re-use during domain join' (its "
                "registry form, ComputerAccountReuseAllowList, is a security descriptor, [MS-SAMR] 3.1.1.12)")
    if spec.addressing != "static":
        return "the Windows lab's client has a static address (machines.yaml)"
    return None


class VagrantBackend(PowerSteps, ClockSteps, AdapterSteps, AccountSteps, TrustSteps, LogonSteps, RealBackend):
    name = "vagrant"
    lab_options = {"provider": PROVIDERS}
    State = VagrantState
    state: VagrantState

    @classmethod
    def real_lab(cls, options: LabOptions) -> VagrantLab:
        return VagrantLab(provider=options.provider)

    @classmethod
    def doctor(cls) -> list[Check]:
        return doctor.checks()

    @classmethod
    def login(cls, options: LabOptions, machine: str) -> Login:
        """How to reach a Windows machine's own screen: `vagrant rdp` (an RDP client on this host), or the
        provider's console window. Printed, not run: both open a window on the trainer's desktop."""
        lab = VagrantLab(provider=options.provider)
        name, spec = lab.settings.machine("dc" if machine == "dc" else "client")
        return Login(f"{spec.hostname} ({spec.ip}): `cd {lab.dir} && vagrant rdp {name}` opens a remote desktop "
                     f"(needs an RDP client here); or open its console in the provider's own window: VirtualBox "
                     f"Manager (`VBoxManage startvm <id> --type separate`), Hyper-V Manager (`vmconnect localhost "
                     f"<name>`) or virt-manager (`virt-viewer <name>`); `vagrant status` in {lab.dir} names them")

    @property
    def refusals(self) -> tuple[type[BaseException], ...]:
        """A failing script, a deadline, a lost connection or a refusing hypervisor tool (the WinRM stack is
        imported only with a lab)."""
        import requests
        from winrm.exceptions import WinRMError

        from trustlab.backends.vagrant.winrm import WinRMDeadline, WinRMFailed

        return (WinRMFailed, WinRMDeadline, WinRMError, requests.exceptions.RequestException, LabUnavailable)

    def __init__(self, lab: LabSpec, profile: BehaviourProfile, seed: int = 0,
                 attach: Optional[LabOptions] = None, fresh: bool = False):
        self.machines = VagrantLab()
        super().__init__(lab, profile, seed, attach, fresh)

    def cannot_realise(self, lab: LabSpec) -> Optional[str]:
        return unsupported_lab(lab, self.machines)

    def prepare(self) -> None:
        """Back to the golden snapshot, the clocks at its time (so the passwords and the machine secret are as old
        as they were then), the preflight, then the scenario's policies. A guest that does not answer is a lab that
        cannot be used, said as such."""
        try:
            self._prepare()
        except preflight.PreflightFailed as e:
            self.close()
            failure.said(e, failure.write(self.machines.dir, "the preflight before a run", e, e.checks))
            raise
        except LabUnavailable:
            self.close()
            raise
        except self.refusals as e:
            self.close()
            said = LabUnavailable(f"the Windows lab did not answer while it was prepared for the run: "
                                  f"{type(e).__name__}: {e}")
            failure.said(said, failure.write(self.machines.dir, "the preflight before a run", said))
            raise said from None

    def _prepare(self) -> None:
        m = self.machines
        m.require_vagrant()
        built = m.built()
        m.reset()
        self.guests = Guests(m, Secrets(m.dir))
        for machine in (m.dc, m.client):
            self.guests.reconnect(machine, restored=True)
        anchor = time.monotonic()

        def lab_clock() -> datetime:
            return built.origin + timedelta(seconds=time.monotonic() - anchor)

        for machine in (m.dc, m.client):
            self.guests.set_clock(machine, lab_clock())
        preflight.require(self.guests.preflight(lab_clock), "checked before the run; nothing ran")
        facts = self.guests.facts
        state = self.state                                      # the golden one: joined by the domain admin
        state.evaluation = self.guests.evaluation_left(facts)
        state.member.password_set_at = -float(facts.dc["password_ages"][f"{self.client_machine.hostname}$"])
        self._policies(self.lab)
        prepared = time.monotonic() - anchor                    # lab time 0 is now, when the run starts
        state.origin = built.origin + timedelta(seconds=prepared)
        state.member.password_set_at -= prepared

    def close(self) -> None:
        """End the two WinRM connections (one authenticated connection per machine serves every call)."""
        if hasattr(self, "guests"):
            self.guests.close()

    # --- what the steps share ----------------------------------------------------------------------------------

    @property
    def dc(self):
        return self.guests.dc

    @property
    def client(self):
        return self.guests.client

    @property
    def dc_machine(self) -> Guest:
        return self.machines.settings.machine("dc")[1]

    @property
    def client_machine(self) -> Guest:
        return self.machines.settings.machine("client")[1]

    def _vm(self, computer: str) -> str:
        return self.machines.dc if computer == self.lab.dc else self.machines.client

    def _of(self, machine: str) -> Computer:
        """What the backend knows of a machine, by its Vagrant name."""
        return self.state.member if machine == self.machines.client else self.state.dc

    def _password(self, user: str, which: str = "current") -> str:
        return self.guests.secrets.password(user, self.state.versions[user] - (1 if which == "previous" else 0))

    def _credential(self, credential: str = "domain_admin") -> dict[str, str]:
        """The account a step authenticates as: the domain admin, the lab's delegated joiner, a plain user (the lab's
        first), or none."""
        s = self.machines.settings
        if credential == "none":
            return {"UserName": "", "Password": ""}
        if credential == "user":
            return {"UserName": f"{s.domain}\\{s.users[0]}", "Password": self._password(s.users[0])}
        user = s.joiner if credential == "joiner" else s.admin
        password = self.guests.secrets.password(user, 1) if credential == "joiner" else self._password(s.admin)
        return {"UserName": f"{s.domain}\\{user}", "Password": password}

    def _done(self, answer: dict[str, Any], what: str, *notes: str) -> StepResult:
        if answer.get("ok"):
            return StepResult(output=[line for line in answer.get("lines") or [] if line.strip()][-4:] + list(notes))
        raw = f"win32 {answer['win32']}" if answer.get("win32") is not None else None
        return StepResult.failed(f"{what}: {answer.get('error') or 'failed'}", *notes, raw=raw)

    def _mac(self) -> str:
        return self.client_machine.mac

    def _dc_fqdn(self) -> str:
        return f"{self.dc_machine.hostname}.{self.machines.settings.realm}"
