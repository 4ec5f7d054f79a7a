"""How the Windows lab does each step: a shipped PowerShell script over WinRM on the DC or the client, or the
hypervisor's own tool for what happens to the hardware (providers.py). Every run starts from the golden snapshot with
both clocks at the moment it was taken, after the preflight has checked the lab again. Nothing here decides what a
result means beyond naming Windows' own codes (status.py); the engine judges."""
from __future__ import annotations

import os
import time
from datetime import datetime, timedelta, timezone
from typing import Any, Optional

from trustlab.backends.cable import Cable
from trustlab.backends.real import RealBackend
from trustlab.backends.vagrant import doctor, preflight, timers
from trustlab.backends.vagrant.guests import LOCAL_ADMIN, Guests
from trustlab.backends.vagrant.machines import VagrantLab
from trustlab.backends.vagrant.providers import LAB_NIC
from trustlab.backends.vagrant.settings import PROVIDERS, Secrets
from trustlab.backends.vagrant.status import channel_status, logon_outcome, network_status
from trustlab.engine.backend import AtConsole, Check, LabOptions, LabUnavailable, Login, StepResult
from trustlab.specs import tools as texts
from trustlab.specs.lab import LabSpec
from trustlab.specs.outcomes import ChannelStatus, NetworkStatus
from trustlab.specs.profiles import BehaviourProfile

MAX_REAL_WAIT = int(os.environ.get("TRUSTLAB_VAGRANT_MAX_REAL_WAIT", "900"))
PAST_EVALUATION = os.environ.get("TRUSTLAB_VAGRANT_PAST_EVALUATION") == "allow"
BOOT_DEADLINE = 1200
SHUTDOWN_DEADLINE = 300
SECOND_HOP = ("over WinRM the session has no credentials to pass on to the DC (a second hop), so without "
              "-Credential this is refused whoever is signed in; at the console a local administrator's bind has "
              "no domain rights (SC-4)")


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


def _days(seconds: int) -> int:
    """Windows keeps these policies in whole days (at least one)."""
    return max(1, seconds // 86400)


class VagrantBackend(Cable, RealBackend):
    name = "vagrant"
    lab_options = {"provider": PROVIDERS}
    flap_pause = 5.0                      # long enough for Windows to see the link go

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

    def __init__(self, lab: LabSpec, profile: BehaviourProfile, seed: int = 0):
        self.machines = VagrantLab()
        super().__init__(lab, profile, seed)

    def cannot_realise(self, lab: LabSpec) -> Optional[str]:
        return unsupported_lab(lab, self.machines)

    def prepare(self) -> None:
        """Back to the golden snapshot, the clocks at its time (so the passwords and the machine secret are as old
        as they were then), the preflight, then the scenario's policies. A guest that does not answer is a lab that
        cannot be used, said as such."""
        try:
            self._prepare()
        except LabUnavailable:
            self.close()
            raise
        except self.refusals as e:
            self.close()
            raise LabUnavailable(f"the Windows lab did not answer while it was prepared for the run: "
                                 f"{type(e).__name__}: {e}") from None

    def _prepare(self) -> None:
        m = self.machines
        s = m.settings
        m.require_vagrant()
        self.built = m.built()
        m.reset()
        self.guests = Guests(m, Secrets(m.dir))
        for machine in (m.dc, m.client):
            self.guests.reconnect(machine, restored=True)
        anchor = time.monotonic()

        def lab_clock() -> datetime:
            return self.built.origin + timedelta(seconds=time.monotonic() - anchor)

        for machine in (m.dc, m.client):
            self.guests.set_clock(machine, lab_clock())
        preflight.require(self.guests.preflight(lab_clock), "checked before the run; nothing ran")
        facts = self.guests.facts
        self.evaluation = self.guests.evaluation_left(facts)
        _, self.dc_machine = s.machine("dc")
        _, self.client_machine = s.machine("client")
        self.member_set_at = -float(facts.dc["password_ages"][f"{self.client_machine.hostname}$"])   # lab time
        self.skew = {m.dc: 0.0, m.client: 0.0}
        self.versions = {u: 1 for u in self.lab.all_users}
        self.client_on, self.dc_on, self.joined, self.joined_by = True, True, True, "domain_admin"   # the golden one
        self.plugged = {m.dc: True, m.client: True}
        self.session: Optional[tuple[str, bool]] = None
        self.snapshots: dict[str, dict[str, Any]] = {}
        self._policies(self.lab)
        prepared = time.monotonic() - anchor                    # lab time 0 is now, when the run starts
        self.origin = self.built.origin + timedelta(seconds=prepared)
        self.member_set_at -= prepared

    @property
    def dc(self):
        return self.guests.dc

    @property
    def client(self):
        return self.guests.client

    def _policies(self, lab: LabSpec) -> None:
        p = lab.policies
        self._set_policies(p.max_password_age, p.cached_logons_count, p.machine_password_age,
                           p.disable_password_change)

    def _set_policies(self, max_password_age=None, cached_logons_count=None, machine_password_age=None,
                      disable_password_change=None) -> None:
        """The domain's maximum password age on the DC; the rest are the client's own settings. None: unchanged."""
        if max_password_age is not None:
            self.dc.script("dc_policy", {"MaxPasswordAgeDays": _days(max_password_age)})
        local = {"CachedLogonsCount": cached_logons_count,
                 "MachinePasswordAgeDays": None if machine_password_age is None else _days(machine_password_age),
                 "DisablePasswordChange": None if disable_password_change is None else int(disable_password_change)}
        local = {k: v for k, v in local.items() if v is not None}
        if local:
            self.client.script("client_policy", local)

    # --- the engine's side ---------------------------------------------------------------------------------------

    def console(self, computer: str) -> AtConsole:
        return AtConsole(self.client_on, self.session is not None and self.session[1])

    # --- helpers ---------------------------------------------------------------------------------------------------

    def _vm(self, computer: str) -> str:
        return self.machines.dc if computer == self.lab.dc else self.machines.client

    def _password(self, user: str, which: str = "current") -> str:
        return self.guests.secrets.password(user, self.versions[user] - (1 if which == "previous" else 0))

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

    def _lab_clock(self, machine: str) -> datetime:
        return self.origin + timedelta(seconds=self.now() + self.skew[machine])

    def _align(self, machine: str) -> None:
        """A machine's clock to lab time plus its own skew (after a restore, or a boot with the host's time)."""
        self.guests.set_clock(machine, self._lab_clock(machine))

    def _observe(self, machine: str) -> float:
        """A machine's clock minus lab time, as the machine says (W32Time may have moved a member's clock)."""
        state = self.guests[machine].script("machine_state", {})
        seen = (preflight.utc(state["now"]) - self.origin).total_seconds() - self.now()
        if abs(seen - self.skew[machine]) > 5:
            self.skew[machine] = round(seen)
        return self.skew[machine]

    def _wait_for_boot(self) -> None:
        """Until WinRM answers from the new boot: the volatile key restart.ps1 left is gone (boot times follow the
        clock, which the harness moves), within a deadline."""
        deadline = time.monotonic() + BOOT_DEADLINE
        while time.monotonic() < deadline:
            try:
                if not self.client.script("machine_state", {}, deadline=60).get("marked"):
                    return
            except Exception:           # connection refused, reset or timed out: on its way down or up
                pass
            time.sleep(10)
        raise LabUnavailable(f"{self.lab.workstations[0]} did not come back within {BOOT_DEADLINE} s")

    def _restart(self) -> None:
        """A warm restart: the VM's clock chip keeps the guest's time, so the clock needs nothing from us; W32Time
        takes the DC's time at the boot if it can reach it (LG-8)."""
        self.client.script("restart", {})
        self._wait_for_boot()
        self.session = None
        self._note(self.lab.workstations[0], "restarted")

    def _reachable(self) -> bool:
        return self.client_on and self.dc_on and all(self.plugged.values())

    def _past_evaluation(self, jump: float) -> Optional[str]:
        """TM-9: a jump that ends past a machine's evaluation end is refused, unless explicitly allowed."""
        after = self.now() + jump
        names = self.machines.settings.machines
        over = [f"{names[m].hostname} ({left / 86400:.0f} days left)" for m, left in self.evaluation.items()
                if left is not None and left - after <= 0]
        if not over:
            return None
        said = (f"a jump of {jump / 86400:.1f} days passes the evaluation end of {', '.join(over)}: an expired "
                f"evaluation shuts Windows down about hourly (TM-9)")
        if PAST_EVALUATION:
            self._note(self.lab.dc, f"{said}; allowed by TRUSTLAB_VAGRANT_PAST_EVALUATION=allow")
            return None
        return (f"{said}; refused before the clocks moved (TRUSTLAB_VAGRANT_PAST_EVALUATION=allow lets it happen, "
                f"with that risk; licensed images avoid it)")

    def _timers(self, start: float, jump: float) -> list[str]:
        """What Netlogon's scavenger (MP-1) and the client's W32Time poll (TM-10) would have done during a jump
        from lab time `start`, done now; both run on elapsed time, so the jump itself fires neither."""
        said = []
        p = self.lab.policies
        max_age = p.machine_password_age or self.profile.machine_password_age
        if self._reachable() and self.joined and not p.disable_password_change:
            for at in timers.scavenger_runs(start - self.member_set_at, jump, max_age):
                answer = self.client.script("rotate_machine_password", {"Domain": self.machines.settings.domain})
                if not answer.get("ok"):
                    said.append(f"the scavenger's change (nltest /sc_change_pwd) failed: "
                                f"{' / '.join(answer.get('lines') or []) or 'no output'}")
                    break
                self.member_set_at = start + at
                self._note(self.lab.workstations[0], "scavenger changed the machine password (MP-1): "
                                                     "nltest /sc_change_pwd, for the run it would have made")
                said.append(f"the scavenger's change {at / 86400:.1f} days into the jump, done as nltest "
                            f"/sc_change_pwd (Windows' timers run on elapsed time)")
        if (self._reachable() and self.profile.member_syncs_time_from_dc
                and timers.time_poll_due(jump, self.profile.time_resync_interval)
                and self._observe(self.machines.client) != self._observe(self.machines.dc)):
            answer = self.client.script("sync_time", {})
            self._observe(self.machines.client)
            self._note(self.lab.workstations[0], "time synchronised with the DC (LG-8): w32tm /resync, for the "
                                                 "poll W32Time would have made")
            said.append(f"W32Time's poll done as w32tm /resync ({'ok' if answer.get('ok') else 'failed'})")
        return said

    # --- events ----------------------------------------------------------------------------------------------------

    def do_join(self, computer: str) -> StepResult:
        """The golden snapshot is joined by the domain admin; a lab whose computers the delegated joiner joins has
        the join done again by it, so that it is the account's creator (SC-7)."""
        if self.joined and self.lab.joiner and self.joined_by != "joiner":
            return self._rejoin_as_joiner(computer)
        if self.joined:
            return StepResult(output=[f"{computer} was joined when the lab was built (golden snapshot)"])
        return self._join(None, "joiner" if self.lab.joiner else "domain_admin")

    def _rejoin_as_joiner(self, computer: str) -> StepResult:
        left = self.client.script("leave_domain", self._credential())
        if not left.get("ok"):
            return self._done(left, "Remove-Computer")
        self.joined = False
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
        self.joined, self.joined_by = True, credential
        self.member_set_at = self.now()
        return StepResult(output=[f"joined {s.realm}" + (f" as {new_name}" if new_name else "")])

    def do_change_password(self, computer: str, user: str, where: str) -> StepResult:
        old, new = self._password(user), self.guests.secrets.password(user, self.versions[user] + 1)
        if where == "this_computer":
            if not self.client_on:
                return StepResult.failed(f"{computer} is powered off")
            answer = self.client.script("change_password_here", {"Domain": self.machines.settings.domain,
                                                                 "User": user, "OldPassword": old, "NewPassword": new})
        else:
            answer = self.dc.script("dc_user", {"User": user, "Action": "change", "OldPassword": old,
                                                "NewPassword": new})
        if answer.get("ok"):
            self.versions[user] += 1
        return self._done(answer, "password change")

    def do_force_password_change(self, user: str) -> StepResult:
        return self._done(self.dc.script("dc_user", {"User": user, "Action": "force_change"}), "Set-ADUser")

    def do_advance_time(self, by: int) -> StepResult:
        """Both clocks jump by the same amount, each from where it is (a member's W32Time may have moved its own).
        Then what the elapsed-time timers would have done by the end of the jump (timers.py)."""
        refused = self._past_evaluation(by)
        if refused:
            return StepResult.failed(refused)
        start = self.now()
        for machine, on in ((self.machines.dc, self.dc_on), (self.machines.client, self.client_on)):
            if on:
                self._observe(machine)
        self.offset += by
        for machine, on in ((self.machines.dc, self.dc_on), (self.machines.client, self.client_on)):
            if on:
                self._align(machine)
        return StepResult(output=[f"both clocks moved by {by} s", *self._timers(start, by)])

    def do_wait(self, for_: int) -> StepResult:
        """Real waiting up to TRUSTLAB_VAGRANT_MAX_REAL_WAIT seconds (default 900: one scavenger interval, MP-1);
        a longer wait jumps the clocks by the rest first, then waits that long for real."""
        real = min(for_, MAX_REAL_WAIT)
        jumped = StepResult()
        if for_ > real:
            jumped = self.do_advance_time(for_ - real)
            if jumped.status != "ok":
                return jumped
        time.sleep(real)
        return StepResult(output=[f"waited {real} s for real" + (f" after a {for_ - real} s jump" if for_ > real
                                                                   else ""), *jumped.output[1:]])

    def do_set_clock(self, computer: str, offset: int) -> StepResult:
        machine = self._vm(computer)
        if not self._on(machine):
            return StepResult.failed(texts.POWERED_OFF.format(computer=computer))
        self._observe(machine)
        self.skew[machine] += offset
        self._align(machine)
        return StepResult(output=[f"{computer}'s clock moved by {offset} s"])

    def _shut_down(self, machine: str) -> list[str]:
        """As a user shuts Windows down; a machine that does not go off within the deadline is powered off."""
        self._observe(machine)
        self.guests[machine].script("shutdown", {})
        if self.machines.wait_off(machine, SHUTDOWN_DEADLINE):
            return []
        self.machines.power_off(machine)
        return [f"{machine} did not shut down within {SHUTDOWN_DEADLINE} s and was powered off"]

    def _on(self, machine: str) -> bool:
        return self.client_on if machine == self.machines.client else self.dc_on

    def do_power_off(self, computer: str) -> StepResult:
        machine = self._vm(computer)
        if not self._on(machine):
            return StepResult.failed(texts.ALREADY_OFF.format(computer=computer))
        said = self._shut_down(machine)
        if machine == self.machines.client:
            self.client_on, self.session = False, None
        else:
            self.dc_on = False
        return StepResult(output=said)

    def _boot(self, machine: str) -> list[str]:
        """A cold boot from the provider: the cable as trustlab left it, and the machine's clock chip at its own
        time (a laptop's battery-backed clock keeps it; a VM's follows the host's unless told), then WinRM."""
        said = []
        self.machines.cable(machine, self.plugged[machine])
        own_clock = self._lab_clock(machine)
        clock_chip = self.machines.boot_clock(machine, (own_clock - datetime.now(timezone.utc)).total_seconds())
        self.machines.start(machine)
        self.guests.reconnect(machine)
        if clock_chip:
            self._observe(machine)
        elif machine == self.machines.client and self._reachable():
            answer = self.client.script("sync_time", {})     # what the member's W32Time does at the boot (LG-8)
            self._observe(machine)
            said.append("Hyper-V gives a booting guest the host's clock: the boot's time sync done as w32tm /resync "
                        f"({'ok' if answer.get('ok') else 'failed'})")
        else:
            self._align(machine)
            said.append("Hyper-V gives a booting guest the host's clock: set to the machine's own once WinRM answered")
        return said

    def do_power_on(self, computer: str) -> StepResult:
        machine = self._vm(computer)
        if self._on(machine):
            return StepResult.failed(texts.ALREADY_ON.format(computer=computer))
        if machine == self.machines.client:
            self.client_on = True
        else:
            self.dc_on = True
        return StepResult(output=self._boot(machine))

    def set_link(self, computer: str, plugged: bool) -> None:
        self.machines.cable(self._vm(computer), plugged)
        self.plugged[self._vm(computer)] = plugged

    def linked(self, computer: str) -> bool:
        return self.plugged[self._vm(computer)]

    def do_replace_nic(self, computer: str) -> StepResult:
        """Off, another NIC model in the lab slot with the lab MAC kept (NW-1), on again without Vagrant (which would
        give the new adapter the lab address: the hidden one must keep it)."""
        machine = self.machines.client
        said = self._shut_down(machine) if self.client_on else []
        model = self.machines.replace_nic(machine)
        self.machines.cable(machine, self.plugged[machine])      # a new Hyper-V adapter comes connected
        self.session = None
        said += self._boot(machine) if self.client_on else []
        return StepResult(output=[f"the lab NIC (slot {LAB_NIC} on VirtualBox) is now {model}, with the lab MAC; "
                                  f"Windows finds a new adapter", *said])

    def do_snapshot(self, computer: str, name: str) -> StepResult:
        machine = self._vm(computer)
        self.machines.snapshot(machine, name)
        if machine == self.machines.client:
            self.snapshots[name] = {"joined": self.joined, "joined_by": self.joined_by, "plugged": self.plugged[machine],
                                    "member_set_at": self.member_set_at, "on": self.client_on}
        return StepResult()

    def do_restore_snapshot(self, computer: str, name: str) -> StepResult:
        """The machine's disk and memory as they were; its clock follows lab time, as the sim's does; the scripts
        staged since are gone from its disk."""
        machine = self._vm(computer)
        self.machines.restore(machine, name)
        self.guests.reconnect(machine, restored=True)
        if machine == self.machines.client:
            saved = self.snapshots.get(name, {})
            self.session, self.client_on = None, True
            self.joined = saved.get("joined", self.joined)
            self.joined_by = saved.get("joined_by", self.joined_by)
            self.plugged[machine] = saved.get("plugged", self.plugged[machine])
            self.member_set_at = saved.get("member_set_at", self.member_set_at)
        self._align(machine)
        return StepResult()

    def do_rotate_machine_password(self, computer: str) -> StepResult:
        answer = self.client.script("rotate_machine_password", {"Domain": self.machines.settings.domain})
        if answer.get("ok"):
            self.member_set_at = self.now()
        return self._done(answer, "nltest /sc_change_pwd")

    def _computer(self, computer: str, action: str) -> StepResult:
        answer = self.dc.script("dc_computer", {"Computer": computer, "Action": action,
                                                "Domain": self.machines.settings.realm})
        if not answer.get("exists") and action != "delete":
            return StepResult.failed(f"no computer account {computer}")
        return self._done(answer, f"computer account {action}")

    def do_reset_computer_account(self, computer: str) -> StepResult:
        return self._computer(computer, "reset")

    def do_delete_computer_account(self, computer: str) -> StepResult:
        return self._computer(computer, "delete")

    def do_disable_computer_account(self, computer: str) -> StepResult:
        return self._computer(computer, "disable")

    def do_enable_computer_account(self, computer: str) -> StepResult:
        return self._computer(computer, "enable")

    def do_join_duplicate(self, computer: str) -> StepResult:
        return self._computer(computer, "duplicate")

    def do_set_policy(self, max_password_age=None, cached_logons_count=None, machine_password_age=None,
                      disable_password_change=None) -> StepResult:
        local = (cached_logons_count, machine_password_age, disable_password_change)
        if not self.client_on and any(v is not None for v in local):
            return StepResult.failed(f"{self.lab.workstations[0]} is powered off")
        self._set_policies(max_password_age, *local)
        return StepResult()

    def do_local_admin_logon(self, computer: str) -> StepResult:
        answer = self.client.script("logon", {"User": LOCAL_ADMIN[0], "Domain": ".", "Password": LOCAL_ADMIN[1]})
        if answer.get("win32") != 0:
            return StepResult.failed(f"the local administrator could not sign in (win32 {answer.get('win32')})")
        self.session = (LOCAL_ADMIN[0], True)
        return StepResult()

    def do_show_hidden_devices(self, computer: str) -> StepResult:
        answer = self._network()
        hidden = answer.get("hidden", [])
        return StepResult(details={"hidden_adapters": len(hidden)},
                          output=[f"{h['name']}: hidden, static {', '.join(h.get('static_ipv4') or []) or 'none'}"
                                  for h in hidden])

    def do_remove_ghost_adapters(self, computer: str) -> StepResult:
        answer = self.client.script("remove_ghost_adapters", {})
        if answer.get("failed"):
            return StepResult.failed(f"pnputil could not remove: {', '.join(answer['failed'])}")
        restart = ["pnputil: a restart completes it (3010)"] if answer.get("restart_needed") else []
        return StepResult(output=[f"removed {name}" for name in answer.get("removed", [])] + restart)

    def do_reinstall_adapter(self, computer: str) -> StepResult:
        answer = self.client.script("reinstall_adapter", {"MacAddress": self._mac()})
        if not answer.get("ok"):
            return self._done(answer, f"pnputil /remove-device (exit {answer.get('exit_code')})")
        self._restart()
        return StepResult(output=["uninstalled the adapter and restarted; Windows detected it again (NW-4)"])

    def do_configure_ip(self, computer: str, on_conflict: str) -> StepResult:
        s = self.machines.settings
        answer = self.client.script("configure_ip", {
            "MacAddress": self._mac(), "Address": self.client_machine.ip,
            "PrefixLength": int(s.network.prefix.split("/")[1]), "DnsServer": self.dc_machine.ip,
            "OnConflict": on_conflict})
        if not answer.get("ok"):
            return self._done(answer, "configure the address")
        if answer.get("conflict") and not answer.get("applied"):
            return StepResult(output=["the address is held by a hidden adapter (NW-2); cancelled"],
                              details={"conflict": True, "applied": False})
        return StepResult(details={"conflict": bool(answer.get("conflict")), "applied": True})

    def do_verify_secure_channel(self, computer: str) -> StepResult:
        return self.do_secure_channel(computer)

    def _own_credential(self, credential: str) -> tuple[str, list[str]]:
        """`credential: none` means the signed-in user's own credentials. At the console they reach the DC; over
        WinRM they cannot (a second hop), so a domain admin's session passes them explicitly, and any other
        session's refusal is journaled with the reason it has here."""
        if credential != "none":
            return credential, []
        if self.session and self.session[0] == self.lab.admin:
            return "domain_admin", ["the signed-in domain admin's own credentials, passed explicitly: over WinRM "
                                    "they would not reach the DC (a second hop)"]
        return "none", [SECOND_HOP]

    def do_repair_secure_channel(self, computer: str, credential: str) -> StepResult:
        used, notes = self._own_credential(credential)
        answer = self.client.script("repair_secure_channel", {"Server": self._dc_fqdn(), **self._credential(used)})
        if answer.get("ok"):
            self.member_set_at = self.now()
        return self._done(answer, "Test-ComputerSecureChannel -Repair", *notes)

    def do_reset_machine_password(self, computer: str, credential: str, tool: str) -> StepResult:
        used, notes = self._own_credential(credential)
        answer = self.client.script("reset_machine_password",
                                    {"Tool": tool, "Server": self._dc_fqdn(), **self._credential(used)})
        if answer.get("ok"):
            self.member_set_at = self.now()
        return self._done(answer, "netdom resetpwd" if tool == "netdom" else "Reset-ComputerMachinePassword", *notes)

    def do_rejoin_domain(self, computer: str, credential: str, new_name: Optional[str]) -> StepResult:
        no_joiner = credential == "joiner" and not self.lab.joiner
        left = self.client.script("leave_domain", self._credential("none" if no_joiner else credential))
        if not left.get("ok"):
            return self._done(left, "Remove-Computer")
        self.joined = False
        self._restart()
        if no_joiner:
            return StepResult.failed(texts.LEFT, texts.NO_JOINER)
        return self._join(new_name, credential)

    def do_delete_profile(self, computer: str, user: str) -> StepResult:
        answer = self.client.script("delete_profile", {"User": user})
        return StepResult(output=[f"removed {answer.get('removed', 0)} profile(s)"])

    def do_lock_unlock(self, computer: str, user: str, password: str) -> StepResult:
        """An unlock is LogonUser with LOGON32_LOGON_UNLOCK, the logon type Winlogon uses for it (LG-4)."""
        return self._logon(user, password, "unlock")

    def do_sync_time(self, computer: str) -> StepResult:
        result = self._done(self.client.script("sync_time", {}), "w32tm /resync")
        self._observe(self.machines.client)
        return result

    def do_reboot(self, computer: str) -> StepResult:
        self._restart()
        return StepResult()

    # --- probes ----------------------------------------------------------------------------------------------------

    def _logon(self, user: str, password: str, kind: str) -> StepResult:
        answer = self.client.script("logon", {"User": user, "Domain": self.machines.settings.domain,
                                              "Password": self._password(user, password), "Kind": kind})
        outcome = logon_outcome(answer)
        if outcome is None:
            return StepResult(raw=f"win32 {answer.get('win32')}",
                              output=[f"LogonUser returned {answer.get('win32')}, which no outcome names"])
        if outcome.usable:
            self.session = (user, user == self.lab.admin)
        notes = ([f"the profile could not be loaded (win32 {answer['profile_error']})"]
                 if answer.get("profile_error") else [])
        return StepResult.of(outcome, raw=f"win32 {answer.get('win32')}, logon type {answer.get('logon_type')}",
                             output=notes)

    def do_logon(self, computer: str, user: str, password: str) -> StepResult:
        return self._logon(user, password, "interactive")

    def do_secure_channel(self, computer: str) -> StepResult:
        if not self.client_on:
            status = ChannelStatus.NO_LOGON_SERVERS
            return StepResult(outcome=status.value, win32=status.win32[0], output=["the client is powered off"])
        answer = self.client.script("secure_channel", {"Domain": self.machines.settings.domain})
        status = channel_status(answer, self.joined)
        lines = [line for line in answer.get("lines") or [] if line.strip()]
        if status is None:
            return StepResult(raw=f"nltest status {answer.get('status')}", output=lines[-6:])
        return StepResult(outcome=status.value, win32=status.win32[0], output=lines[-6:],
                          raw=f"nltest status {answer.get('status')}; Test-ComputerSecureChannel {answer.get('test')}",
                          details={"test_computer_secure_channel": answer.get("test")})

    def _mac(self) -> str:
        return self.client_machine.mac

    def _dc_fqdn(self) -> str:
        return f"{self.dc_machine.hostname}.{self.machines.settings.realm}"

    def _network(self) -> dict[str, Any]:
        return self.client.script("network", {"DcAddress": self.dc_machine.ip, "Address": self.client_machine.ip})

    def do_network(self, computer: str) -> StepResult:
        if not self.client_on:
            return StepResult(outcome=NetworkStatus.POWERED_OFF.value)
        answer = self._network()
        status = network_status(answer, self._mac(), self.plugged[self.machines.client])
        adapters = ([{"name": a["name"], "present": True, "ipv4": ", ".join(a.get("ipv4") or []) or "none"}
                     for a in answer.get("present", [])]
                    + [{"name": h["name"], "present": False, "ipv4": ", ".join(h.get("static_ipv4") or []) or "DHCP"}
                       for h in answer.get("hidden", [])])
        return StepResult(outcome=status.value, details={"hidden_adapters": len(answer.get("hidden", [])),
                                                         "adapters": adapters})

    def close(self) -> None:
        """End the two WinRM connections (one authenticated connection per machine serves every call)."""
        if hasattr(self, "guests"):
            self.guests.close()
