"""Canned answers of the two Windows machines to trustlab's scripts, consistent with the stand-in hypervisor's state
(standins/hypervisor.py): the lab cable, a replaced NIC, power, restores. It checks what trustlab sends and how it
reads the answers; it is not Windows, and no Windows behaviour is claimed from it."""
from __future__ import annotations

import ipaddress
import json
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Callable, Optional

from tests.backends.vagrant.wsman import PowerShellSide
from trustlab.backends.vagrant.settings import Settings

GOLDEN = datetime(2026, 11, 25, 9, 0, tzinfo=timezone.utc)
MANAGEMENT = "10.0.2.15"


def read_back(address: str, notation: str = "mask") -> str:
    """A firewall rule's remote address as Windows gives it back: Get-NetFirewallAddressFilter answers a subnet with
    its mask even when the rule was made with a prefix, a single host bare, the host bits zeroed (NetworkingDsc
    eaed17c DSC_Firewall.psm1:1205-1216, Convert-CIDRToSubnetMask.Tests.ps1:92-99). `prefix` and `range` are the
    other notations INetFwRule documents (nf-netfw-inetfwrule-get_remoteaddresses), for code that must take any."""
    network = ipaddress.IPv4Network(address, strict=False)
    if network.prefixlen == 32:
        return str(network.network_address)
    return {"mask": f"{network.network_address}/{network.netmask}", "prefix": str(network),
            "range": f"{network.network_address}-{network.broadcast_address}"}[notation]


class Windows:
    """Both machines. `override[name] = fn(machine, params) -> answer or None` lets a test script one answer."""

    def __init__(self, settings: Settings, state_file: Path):
        self.settings, self.state_file = settings, state_file
        self.dc_name, self.dc = settings.machine("dc")
        self.client_name, self.client = settings.machine("client")
        self.clock = {self.dc_name: GOLDEN, self.client_name: GOLDEN}
        self.set_at = {self.dc_name: time.monotonic(), self.client_name: time.monotonic()}
        self.booted = {self.dc_name: time.monotonic() - 3600, self.client_name: time.monotonic() - 3600}
        self.broken = False
        self.offline_rule: list[str] = []        # as trustlab sent it; the rule reads back in `notation`
        self.notation = "mask"
        self.rotations = 0
        self.built_at(GOLDEN)
        self.refuse: dict[str, int] = {}           # dc_computer action -> the exit code its tool refuses with
        self.override: dict[str, Callable[[str, dict], Optional[Any]]] = {}
        self.golden_instance: Optional[str] = None
        self.management = {self.dc_name: MANAGEMENT, self.client_name: MANAGEMENT}   # VirtualBox's NAT: the same
        self.restores = {self.dc_name: 0, self.client_name: 0}
        self.boots: dict[str, int] = {}
        self.sides = {m: PowerShellSide(lambda name, params, m=m: self.answer(m, name, params), spec.hostname)
                      for m, spec in ((self.dc_name, self.dc), (self.client_name, self.client))}

    def responder(self, machine: str):
        """What the machine's WS-Management endpoint answers a command line with."""
        def respond(command: str):
            hw = self.hw()["machines"][machine]
            if hw.get("boots", 1) != self.boots.setdefault(machine, hw.get("boots", 1)):
                self.boots[machine] = hw["boots"]
                self._cold_boot(machine, hw.get("boot_offset"))
            if hw.get("restores", 0) != self.restores[machine]:
                self.restores[machine] = hw.get("restores", 0)
                self.sides[machine].files.clear()       # the disk went back: scripts staged since are gone
            return self.sides[machine](command)
        return respond

    def built_at(self, moment: datetime) -> None:
        """Provisioning set every password about then: the users' 10 minutes before, the client's join 20."""
        self.built = moment - timedelta(minutes=10)
        self.user_set: dict[str, datetime] = {}
        self.accounts = {self.client.hostname.upper(): {"enabled": True, "password_last_set":
                                                        (moment - timedelta(minutes=20)).isoformat()}}

    def _cold_boot(self, machine: str, offset: Optional[float]) -> None:
        """Windows reads the clock chip at a cold boot: the host's time plus the VM's offset (VirtualBox
        --biossystemtimeoffset, libvirt `<clock offset='variable' adjustment>`: guest = host + N after a cold boot,
        notes issue22-hypervisor §2.4); Hyper-V gives the host's time."""
        self.clock[machine] = datetime.now(timezone.utc) + timedelta(seconds=offset or 0)
        self.set_at[machine] = self.booted[machine] = time.monotonic()

    # --- the hypervisor's view -------------------------------------------------------------------------------------

    def hw(self) -> dict:
        return json.loads(self.state_file.read_text())

    def _set_state(self, machine: str, state: str) -> None:
        hw = self.hw()
        hw["machines"][machine]["state"] = state
        self.state_file.write_text(json.dumps(hw, indent=1, sort_keys=True))

    def plugged(self, machine: str) -> bool:
        return self.hw()["machines"][machine]["nic"]["cable"]

    def reachable(self) -> bool:
        hw = self.hw()["machines"]
        return (all(m["nic"]["cable"] for m in hw.values()) and hw[self.dc_name]["state"] == "running")

    def now(self, machine: str) -> datetime:
        return self.clock[machine] + timedelta(seconds=time.monotonic() - self.set_at[machine])

    # --- the machines' answers ---------------------------------------------------------------------------------------

    def answer(self, machine: str, name: str, params: dict) -> tuple[object, int]:
        if name in self.override:
            scripted = self.override[name](machine, params)
            if scripted is not None:
                return scripted, 0
        return getattr(self, f"_{name}", self._ok)(machine, params), 0

    def _ok(self, machine: str, params: dict) -> dict:
        return {"ok": True, "exists": True, "lines": []}

    def _set_clock(self, machine: str, params: dict) -> dict:
        at = datetime.fromisoformat(params["At"])
        self.clock[machine], self.set_at[machine] = at, time.monotonic()
        return {"now": at.isoformat()}

    def _machine_state(self, machine: str, params: dict) -> dict:
        return {"marked": False, "uptime": time.monotonic() - self.booted[machine], "now": self.now(machine).isoformat(),
                "name": self.client.hostname if machine == self.client_name else self.dc.hostname,
                "domain": self.settings.realm, "joined": True}

    def _restart(self, machine: str, params: dict) -> dict:
        self.booted[machine] = time.monotonic()
        return {"ok": True, "lines": []}

    def _shutdown(self, machine: str, params: dict) -> dict:
        self._set_state(machine, "off")
        return {"ok": True, "lines": []}

    def _adapters(self, machine: str) -> list[dict]:
        spec = self.dc if machine == self.dc_name else self.client
        return [{"name": "Lab", "mac": spec.mac.replace(":", "-"), "status": "Up" if self.plugged(machine) else
                 "Disconnected", "ipv4": [spec.ip], "dns": [self.dc.ip], "registers": True, "lab": True},
                {"name": "Ethernet", "mac": "08-00-27-00-00-01", "status": "Up", "ipv4": [self.management[machine]],
                 "dns": [self.dc.ip], "registers": False, "lab": False}]

    def _preflight_dc(self, machine: str, params: dict) -> dict:
        now = self.now(machine)          # Get-ADUser's PasswordLastSet against the DC's clock, as preflight_dc.ps1
        ages = {u: (now - self.user_set.get(u, self.built)).total_seconds()
                for u in [*params["Users"], *params["ServiceIdentities"]]}
        account = self.accounts.get(params["Computer"].upper())
        if account is not None:
            ages[f"{params['Computer']}$"] = (now - datetime.fromisoformat(account["password_last_set"])).total_seconds()
        identities = {n: {"enabled": True, "never_expires": True} for n in params["ServiceIdentities"]}
        identities.update({"vagrant": {"enabled": False, "never_expires": True},
                           "Administrator": {"enabled": False, "never_expires": True}})
        return {"adapters": self._adapters(machine),
                "dns": {"listening": [self.dc.ip], "records": {"@": [self.dc.ip], self.dc.hostname: [self.dc.ip]}},
                "time": {"service": "Running", "type": "NoSync", "ntp_server": 1},
                "identities": identities, "joiner_delegated": True, "password_ages": ages,
                "evaluation_end": (GOLDEN + timedelta(days=178)).isoformat(), "clock": self.now(machine).isoformat(),
                "os": "Microsoft Windows Server 2022 Standard Evaluation 10.0.20348"}   # Win32_OperatingSystem's form

    def _offline_rule(self, machine: str, params: dict) -> dict:
        self.offline_rule = [a for a in params["Blocked"] if a != self.management[machine]]
        return {"ok": True, "management": ["Ethernet"], "blocked": self.offline_rule}

    def _preflight_client(self, machine: str, params: dict) -> dict:
        fqdn = params["DcName"]
        hw = self.hw()["machines"][machine]
        self.golden_instance = self.golden_instance or hw["nic"]["instance"]
        hidden = [] if hw["nic"]["instance"] == self.golden_instance else [{"name": "Intel(R) PRO/1000 MT", "static_ipv4":
                                                                [self.client.ip]}]
        return {"adapters": self._adapters(machine), "name": self.client.hostname, "domain": self.settings.realm,
                "joined": True, "channel": {"exit_code": 0, "lines": ["Trust Verification Status = 0 0x0 NERR_Success"]},
                "dns": {"names": {fqdn: [self.dc.ip], self.settings.realm: [self.dc.ip]}, "srv": [fqdn]},
                "time": {"service": "Running", "source": fqdn, "ntp_ok": True, "ntp": ["+00.0000000s"]},
                "hidden": hidden, "local_admin": {"exists": True, "never_expires": True},
                "offline_rule": [read_back(a, self.notation) for a in self.offline_rule],
                "evaluation_end": (GOLDEN + timedelta(days=89)).isoformat(),
                "os": "Microsoft Windows 11 Enterprise Evaluation 10.0.22631",
                "clock": self.now(machine).isoformat()}

    def _offline_path(self, machine: str, params: dict) -> dict:
        if self.reachable():
            return {"locator_found": True, "open": [f"{self.dc.ip}:389"], "resolved": [self.dc.ip], "locator": []}
        leaks = [f"{a}:389" for a in params["Addresses"] if a != self.dc.ip and a not in self.offline_rule]
        leaks += [f"{a}:445" for a in params["Addresses"] if a == self.management[machine]]   # its own SMB
        return {"locator_found": bool(leaks), "open": leaks, "resolved": [], "locator": []}

    def _network(self, machine: str, params: dict) -> dict:
        hw = self.hw()["machines"][machine]
        self.golden_instance = self.golden_instance or hw["nic"]["instance"]    # the NIC it was built with
        replaced = hw["nic"]["instance"] != self.golden_instance
        lab = {"name": "Ethernet 2" if replaced else "Lab", "status": "Up", "mac": self.client.mac.replace(":", "-"),
               "ipv4": ["169.254.7.7"] if replaced else [self.client.ip]}
        hidden = [{"name": "Lab", "instance": "PCI\\VEN_8086", "static_ipv4": [self.client.ip]}] if replaced else []
        return {"present": [lab], "hidden": hidden, "dc_reachable": self.reachable() and not replaced,
                "address": params["Address"]}

    def _logon(self, machine: str, params: dict) -> dict:
        """logon.ps1's answer: the Win32 code of LogonUser (1789 ERROR_TRUSTED_RELATIONSHIP_FAILURE) and the session's
        logon type (SECURITY_LOGON_TYPE: 2 Interactive, 11 CachedInteractive, 13 CachedUnlock)."""
        if params["Domain"] == ".":
            return {"win32": 0, "logon_type": 2, "profile_error": 0}
        if not self.reachable():
            return {"win32": 0, "logon_type": 13 if params.get("Kind") == "unlock" else 11, "profile_error": 0}
        return {"win32": 1789 if self.broken else 0, "logon_type": 2, "profile_error": 0}

    def _secure_channel(self, machine: str, params: dict) -> dict:
        # nltest /sc_verify's line (docs/reference/windows-behaviour.md SC-1, SC-2: 0 NERR_Success, 5 ACCESS_DENIED)
        status = 5 if self.broken else 0
        return {"status": status, "exit_code": 0, "test": not self.broken,
                "lines": [f"Trust Verification Status = {status}"]}

    def _dc_computer(self, machine: str, params: dict) -> dict:
        """dc_computer.ps1's answer from the directory as it is: a deleted account does not exist (Get-ADComputer's
        not-found is caught), and a refused dsmod or djoin is `ok: false` with its exit code (`refuse[action]`:
        djoin's NET_API_STATUS, NetProvisionComputerAccount's page; dsmod documents none, so any non-zero one)."""
        action, name = params["Action"], params["Computer"]
        account = self.accounts.get(name.upper())
        if account is None:
            return {"ok": action == "show", "exists": False, "error": f"no computer account {name}", "lines": []}
        code = self.refuse.get(action)
        if code:
            return {"ok": False, "exists": True, "enabled": account["enabled"], "lines": [f"{action} failed"],
                    "error": f"{action} of {name} refused (exit {code})", "win32": code,
                    "password_last_set": account["password_last_set"]}
        if action in ("reset", "duplicate"):
            self.broken = True
            account["password_last_set"] = self.now(self.dc_name).isoformat()
        elif action == "delete":
            del self.accounts[name.upper()]
            return {"ok": True, "exists": False, "enabled": False, "password_last_set": None, "lines": [],
                    "error": None, "win32": None}
        elif action in ("disable", "enable"):
            account["enabled"] = action == "enable"
        return {"ok": True, "exists": True, "enabled": account["enabled"], "lines": [], "error": None, "win32": None,
                "password_last_set": account["password_last_set"]}

    def _leave_domain(self, machine: str, params: dict) -> dict:
        """Remove-Computer disables the computer's domain account and needs explicit credentials for it "even when
        they are the credentials of the current user" (MicrosoftDocs/PowerShell-Docs reference/5.0/
        Microsoft.PowerShell.Management/Remove-Computer.md); over WinRM the session's own cannot reach the DC
        (a second hop). The refusal's wording is not in a stored source: Access is denied (5) is assumed."""
        if not params.get("UserName"):
            return {"ok": False, "error": "Access is denied.", "win32": 5}
        account = self.accounts.get(self.client.hostname.upper())
        if account is not None:
            account["enabled"] = False
        return {"ok": True, "error": None, "win32": None}

    def _join_domain(self, machine: str, params: dict) -> dict:
        """Add-Computer creates the account or takes over a disabled one, with a new machine password."""
        name = (params.get("NewName") or self.client.hostname).upper()
        self.accounts[name] = {"enabled": True, "password_last_set": self.now(self.dc_name).isoformat()}
        self.broken = False
        return {"ok": True, "error": None, "win32": None}

    def _reset_machine_password(self, machine: str, params: dict) -> dict:
        self.broken = False
        return {"ok": True, "lines": [], "win32": None}

    def _sync_time(self, machine: str, params: dict) -> dict:
        # w32tm /resync's two outcomes, worded as the sim's texts have them (no stored Microsoft page quotes them)
        if not self.reachable():
            return {"ok": False, "lines": ["The computer did not resync because no time data was available."]}
        self.clock[machine], self.set_at[machine] = self.now(self.dc_name), time.monotonic()
        return {"ok": True, "lines": ["The command completed successfully."]}

    def _rotate_machine_password(self, machine: str, params: dict) -> dict:
        # nltest's status lines (docs/reference/windows-behaviour.md SC-1, SC-2)
        if not self.reachable() or self.broken:
            return {"ok": False, "lines": ["Flags: 0", "Status = 5 0x5 ERROR_ACCESS_DENIED"]}
        self.rotations += 1
        account = self.accounts.get(self.client.hostname.upper())
        if account is not None:
            account["password_last_set"] = self.now(self.dc_name).isoformat()
        return {"ok": True, "lines": ["The command completed successfully"]}
