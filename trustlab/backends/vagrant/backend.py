"""How the Windows lab does each step: a shipped PowerShell script over WinRM on the DC or the client, or the
hypervisor (through Vagrant) for what happens to the hardware. Nothing here decides what a result means beyond
naming Windows' own codes (status.py); the engine judges."""
from __future__ import annotations

import os
import time
from datetime import datetime, timedelta, timezone
from typing import Any, Optional

from trustlab.backends.cable import Cable
from trustlab.backends.console import console_step
from trustlab.backends.real import RealBackend
from trustlab.backends.vagrant import doctor, extra
from trustlab.backends.vagrant.machines import VagrantLab
from trustlab.backends.vagrant.settings import PROVIDERS, Secrets
from trustlab.backends.vagrant.status import channel_status, logon_outcome, network_status
from trustlab.engine.backend import Check, LabOptions, LabUnavailable, Login, StepResult
from trustlab.outcomes import ChannelStatus, NetworkStatus
from trustlab.profiles import BehaviourProfile
from trustlab.specs.lab import LabSpec

LOCAL_ADMIN = ("vagrant", "vagrant")     # the boxes' local administrator; Vagrant itself signs in with it
MAX_REAL_WAIT = int(os.environ.get("TRUSTLAB_VAGRANT_MAX_REAL_WAIT", "900"))
BOOT_DEADLINE = 1200


def unsupported_lab(spec: LabSpec, lab: VagrantLab) -> Optional[str]:
    s = lab.settings
    _, dc = s.machine("dc")
    _, client = s.machine("client")
    if (spec.domain, spec.realm, spec.dc) != (s.domain, s.realm, dc.hostname):
        return f"the Windows lab is built as {s.domain} / {s.realm} with {dc.hostname} (machines.yaml)"
    if spec.workstations != [client.hostname]:
        return f"the Windows lab has one client, {client.hostname}"
    if not set(spec.all_users) <= set(s.users) | {s.admin} or spec.admin != s.admin:
        return f"the Windows lab has the users {', '.join(s.users)} and the admin {s.admin}"
    if spec.addressing != "static":
        return "the Windows lab's client has a static address (machines.yaml)"
    return None


def _days(seconds: int) -> int:
    """Windows keeps these policies in whole days (at least one)."""
    return max(1, seconds // 86400)


client_on = console_step()
admin = console_step(admin=True)


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
        """A failing script, a deadline or a lost connection (the WinRM stack is imported only with a lab)."""
        import requests
        from winrm.exceptions import WinRMError

        from trustlab.backends.vagrant.winrm import WinRMDeadline, WinRMFailed

        return (WinRMFailed, WinRMDeadline, WinRMError, requests.exceptions.RequestException)

    def __init__(self, lab: LabSpec, profile: BehaviourProfile, seed: int = 0):
        self.machines = VagrantLab()
        super().__init__(lab, profile, seed)

    def cannot_realise(self, lab: LabSpec) -> Optional[str]:
        return unsupported_lab(lab, self.machines)

    def prepare(self) -> None:
        lab = self.lab
        self.machines.require_running()
        self.machines.reset()
        s = self.machines.settings
        self.dc_name, self.dc_machine = s.machine("dc")
        self.client_name, self.client_machine = s.machine("client")
        self.secrets = Secrets(self.machines.dir)
        self.dc = self._client(self.dc_name, (f"{s.domain}\\{s.admin}", self.secrets.password(s.admin, 1)))
        self.client = self._client(self.client_name, LOCAL_ADMIN)
        self.skew = {self.dc_name: 0.0, self.client_name: 0.0}
        self.versions = {u: 1 for u in lab.all_users}
        self.client_on, self.joined = True, True                        # the golden snapshot is joined
        self.plugged = {self.dc_name: True, self.client_name: True}
        self.session: Optional[tuple[str, bool]] = None
        for machine in (self.dc_name, self.client_name):
            self._align(machine)
        self._policies(lab)

    def _client(self, machine: str, credential: tuple[str, str]):
        extra.require("winrm")
        from trustlab.backends.vagrant.winrm import Client, endpoint_from_env

        host, port = self.machines.winrm_address(machine)
        return Client(endpoint_from_env(host, port, *credential))

    def _policies(self, lab: LabSpec) -> None:
        p = lab.policies
        self._set_policies(p.max_password_age, p.cached_logons_count, p.machine_password_age,
                           p.disable_password_change, p.block_account_reuse)

    def _set_policies(self, max_password_age=None, cached_logons_count=None, machine_password_age=None,
                      disable_password_change=None, block_account_reuse=None) -> None:
        """The domain's maximum password age on the DC; the rest are the client's own settings. None: unchanged."""
        if max_password_age is not None:
            self.dc.script("dc_policy", {"MaxPasswordAgeDays": _days(max_password_age)})
        local = {"CachedLogonsCount": cached_logons_count,
                 "MachinePasswordAgeDays": None if machine_password_age is None else _days(machine_password_age),
                 "DisablePasswordChange": None if disable_password_change is None else int(disable_password_change),
                 "BlockAccountReuse": None if block_account_reuse is None else int(block_account_reuse)}
        local = {k: v for k, v in local.items() if v is not None}
        if local:
            self.client.script("client_policy", local)

    # --- the engine's side ---------------------------------------------------------------------------------------

    def console(self, computer: str) -> tuple[str, bool, bool]:
        return computer, self.client_on, self.session is not None and self.session[1]

    # --- helpers ---------------------------------------------------------------------------------------------------

    def _password(self, user: str, which: str = "current") -> str:
        return self.secrets.password(user, self.versions[user] - (1 if which == "previous" else 0))

    def _admin(self, credential: str = "domain_admin") -> dict[str, str]:
        s = self.machines.settings
        if credential == "none":
            return {"UserName": "", "Password": ""}
        return {"UserName": f"{s.domain}\\{s.admin}", "Password": self._password(s.admin)}

    def _done(self, answer: dict[str, Any], what: str) -> StepResult:
        if answer.get("ok"):
            return StepResult(output=[line for line in answer.get("lines") or [] if line.strip()][-4:])
        raw = f"win32 {answer['win32']}" if answer.get("win32") is not None else None
        return StepResult.failed(f"{what}: {answer.get('error') or 'failed'}", raw=raw)

    def _wait_for_boot(self, before: Optional[str]) -> None:
        """Until WinRM answers with a boot time other than `before` (the machine restarted), within a deadline."""
        deadline = time.monotonic() + BOOT_DEADLINE
        while time.monotonic() < deadline:
            try:
                state = self.client.script("machine_state", {}, deadline=60)
                if state.get("booted") != before:
                    return
            except Exception:           # connection refused, reset or timed out: on its way down or up
                pass
            time.sleep(10)
        raise LabUnavailable(f"{self.client_name} did not come back within {BOOT_DEADLINE} s")

    def _restart(self) -> None:
        before = self.client.script("machine_state", {}).get("booted")
        self.client.script("restart", {})
        self._wait_for_boot(before)
        self.session = None
        self._note(self.lab.workstations[0], "restarted")

    def _align(self, machine: str) -> None:
        """Set a machine's clock to lab time plus its own skew. Lab time is this host's UTC plus every jump so far;
        a restored snapshot or a cold boot would otherwise bring back whatever clock the machine had then."""
        client = self.dc if machine == self.dc_name else self.client
        target = datetime.now(timezone.utc) + timedelta(seconds=self.offset + self.skew[machine])
        client.script("set_clock", {"At": target.isoformat(timespec="milliseconds")})

    def _move_clocks(self, seconds: float, dc: bool = True, client: bool = True) -> None:
        if dc:
            self.dc.script("set_clock", {"Seconds": seconds})
        if client and self.client_on:
            self.client.script("set_clock", {"Seconds": seconds})

    # --- events ----------------------------------------------------------------------------------------------------

    @client_on
    def do_join(self, computer: str) -> StepResult:
        if self.joined:
            return StepResult(output=[f"{computer} was joined when the lab was built (golden snapshot)"])
        return self._join(None)

    def _join(self, new_name: Optional[str]) -> StepResult:
        s = self.machines.settings
        answer = self.client.script("join_domain", {"Domain": s.realm, "NewName": new_name or "", **self._admin()})
        if not answer.get("ok"):
            return self._done(answer, "Add-Computer")
        self._restart()
        self.joined = True
        return StepResult(output=[f"joined {s.realm}"])

    def do_change_password(self, computer: str, user: str, where: str) -> StepResult:
        old, new = self._password(user), self.secrets.password(user, self.versions[user] + 1)
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
        """Both clocks jump (W32Time is off on both). Windows' own timers count elapsed time, not the clock, so a
        jump does not make them fire; the journal says so rather than pretending."""
        self._move_clocks(by)
        self.offset += by
        return StepResult(output=[f"both clocks moved by {by} s; Netlogon and GP timers keep their own schedule"])

    def do_wait(self, for_: int) -> StepResult:
        """Real waiting up to TRUSTLAB_VAGRANT_MAX_REAL_WAIT seconds (default 900: one scavenger interval, MP-1);
        a longer wait jumps the clocks by the rest first, then waits that long for real."""
        real = min(for_, MAX_REAL_WAIT)
        if for_ > real:
            self.do_advance_time(for_ - real)
        time.sleep(real)
        return StepResult(output=[f"waited {real} s for real" + (f" after a {for_ - real} s jump" if for_ > real
                                                                   else "")])

    def do_set_clock(self, computer: str, offset: int) -> StepResult:
        on_dc = computer == self.lab.dc
        self.skew[self.dc_name if on_dc else self.client_name] += offset
        self._move_clocks(offset, dc=on_dc, client=not on_dc)
        return StepResult(output=[f"{computer}'s clock moved by {offset} s"])

    def do_power_off(self, computer: str) -> StepResult:
        self.machines.halt(self.dc_name if computer == self.lab.dc else self.client_name)
        if computer != self.lab.dc:
            self.client_on, self.session = False, None
        return StepResult()

    def do_power_on(self, computer: str) -> StepResult:
        machine = self.dc_name if computer == self.lab.dc else self.client_name
        self.machines.start(machine)
        if computer != self.lab.dc:
            self.client_on = True
        self._align(machine)
        return StepResult()

    def _vm(self, computer: str) -> str:
        return self.dc_name if computer == self.lab.dc else self.client_name

    def set_link(self, computer: str, plugged: bool) -> None:
        self.machines.cable(self._vm(computer), plugged)
        self.plugged[self._vm(computer)] = plugged

    def linked(self, computer: str) -> bool:
        return self.plugged[self._vm(computer)]

    def do_replace_nic(self, computer: str) -> StepResult:
        self.machines.halt(self.client_name)
        self.machines.replace_nic(self.client_name)
        self.machines.start(self.client_name)
        self._align(self.client_name)
        self.session = None
        return StepResult(output=["the lab NIC is another model with a new MAC; Windows finds a new adapter"])

    def do_snapshot(self, computer: str, name: str) -> StepResult:
        self.machines.snapshot(self.dc_name if computer == self.lab.dc else self.client_name, name)
        return StepResult()

    def do_restore_snapshot(self, computer: str, name: str) -> StepResult:
        """The machine's disk and memory as they were; its clock follows lab time, as the sim's does."""
        machine = self.dc_name if computer == self.lab.dc else self.client_name
        self.machines.restore(machine, name)
        if computer != self.lab.dc:
            self.session, self.client_on = None, True
        self._align(machine)
        return StepResult()

    @client_on
    def do_rotate_machine_password(self, computer: str) -> StepResult:
        answer = self.client.script("rotate_machine_password", {"Domain": self.machines.settings.domain})
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

    @client_on
    def do_local_admin_logon(self, computer: str) -> StepResult:
        answer = self.client.script("logon", {"User": LOCAL_ADMIN[0], "Domain": ".", "Password": LOCAL_ADMIN[1]})
        if answer.get("win32") != 0:
            return StepResult.failed(f"the local administrator could not sign in (win32 {answer.get('win32')})")
        self.session = (LOCAL_ADMIN[0], True)
        return StepResult()

    @admin
    def do_show_hidden_devices(self, computer: str) -> StepResult:
        answer = self._network()
        hidden = answer.get("hidden", [])
        return StepResult(details={"hidden_adapters": len(hidden)},
                          output=[f"{h['name']}: hidden, static {', '.join(h.get('static_ipv4') or []) or 'none'}"
                                  for h in hidden])

    @admin
    def do_remove_ghost_adapters(self, computer: str) -> StepResult:
        answer = self.client.script("remove_ghost_adapters", {})
        if answer.get("failed"):
            return StepResult.failed(f"pnputil could not remove: {', '.join(answer['failed'])}")
        return StepResult(output=[f"removed {name}" for name in answer.get("removed", [])])

    @admin
    def do_reinstall_adapter(self, computer: str) -> StepResult:
        answer = self.client.script("reinstall_adapter", {"MacAddress": self._mac()})
        if not answer.get("ok"):
            return self._done(answer, "pnputil /remove-device")
        self._restart()
        return StepResult(output=["uninstalled the adapter and restarted; Windows detected it again (NW-4)"])

    @admin
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

    @admin
    def do_verify_secure_channel(self, computer: str) -> StepResult:
        return self.do_secure_channel(computer)

    @admin
    def do_repair_secure_channel(self, computer: str, credential: str) -> StepResult:
        answer = self.client.script("repair_secure_channel", {"Server": self._dc_fqdn(), **self._admin(credential)})
        return self._done(answer, "Test-ComputerSecureChannel -Repair")

    @admin
    def do_reset_machine_password(self, computer: str, credential: str, tool: str) -> StepResult:
        answer = self.client.script("reset_machine_password",
                                    {"Tool": tool, "Server": self._dc_fqdn(), **self._admin(credential)})
        return self._done(answer, "netdom resetpwd" if tool == "netdom" else "Reset-ComputerMachinePassword")

    @admin
    def do_rejoin_domain(self, computer: str, credential: str, new_name: Optional[str]) -> StepResult:
        left = self.client.script("leave_domain", self._admin(credential))
        if not left.get("ok"):
            return self._done(left, "Remove-Computer")
        self.joined = False
        self._restart()
        return self._join(new_name)

    @admin
    def do_delete_profile(self, computer: str, user: str) -> StepResult:
        answer = self.client.script("delete_profile", {"User": user})
        return StepResult(output=[f"removed {answer.get('removed', 0)} profile(s)"])

    @client_on
    def do_lock_unlock(self, computer: str, user: str, password: str) -> StepResult:
        """An unlock is LogonUser with LOGON32_LOGON_UNLOCK, the logon type Winlogon uses for it (LG-4)."""
        return self._logon(user, password, "unlock")

    @admin
    def do_sync_time(self, computer: str) -> StepResult:
        return self._done(self.client.script("sync_time", {}), "w32tm /resync")

    @client_on
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
        return StepResult.of(outcome, raw=f"win32 {answer.get('win32')}, logon type {answer.get('logon_type')}")

    @client_on
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
        status = network_status(answer, self._mac(), self.plugged[self.client_name])
        adapters = ([{"name": a["name"], "present": True, "ipv4": ", ".join(a.get("ipv4") or []) or "none"}
                     for a in answer.get("present", [])]
                    + [{"name": h["name"], "present": False, "ipv4": ", ".join(h.get("static_ipv4") or []) or "DHCP"}
                       for h in answer.get("hidden", [])])
        return StepResult(outcome=status.value, details={"hidden_adapters": len(answer.get("hidden", [])),
                                                         "adapters": adapters})

    def close(self) -> None:
        """End the two WinRM connections (one authenticated connection per machine serves every call)."""
        if not self.reason:
            self.dc.close()
            self.client.close()
