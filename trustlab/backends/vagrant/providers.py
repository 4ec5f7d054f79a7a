"""The hypervisors' own tools for what happens to a lab machine's hardware during a run: power, the lab NIC's cable and
model, its clock at the next cold boot, and snapshots. Inside a run trustlab never calls `vagrant up`: Vagrant's boot
actions re-enable every cable, re-apply the configured MAC and NIC model, and reconfigure the private network
(hashicorp/vagrant `plugins/providers/virtualbox/action.rb` action_boot: ClearNetworkInterfaces + Network, driver
`enable_adapters` with `--cableconnected N on`; vagrant-libvirt `action/start_domain.rb` rewrites each interface's
model), which would silently undo a pulled cable or a replaced NIC. Every command is an argument list."""
from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import Optional

from trustlab.backends.command import Result
from trustlab.backends.vagrant import powershell
from trustlab.engine.backend import LabUnavailable
from trustlab.specs import shipped

LAB_NIC = 2                 # VirtualBox: adapter 1 is Vagrant's NAT (WinRM through a port on 127.0.0.1); 2 is the lab's
LAB_SWITCH = "trustlab"     # Hyper-V: the Internal switch of the lab network (lab/hyperv/configure.ps1 makes it)
RUNNING, OFF = "running", "off"
# States that are neither: a paused VM is on (its memory kept) and starts by resuming; one stopping is still on and
# becomes off by itself; a suspended (to RAM by the guest) one wakes; a crashed one is on until destroyed. Each
# provider names its own (virsh(1) domstate: paused, in shutdown, pmsuspended, crashed).
PAUSED, STOPPING, SUSPENDED, CRASHED = "paused", "stopping", "suspended", "crashed"
TRANSITIONAL = (STOPPING,)


class ToolFailed(LabUnavailable):
    """A hypervisor tool refused; the message has its own words."""


def run(*argv: str, cwd: Optional[Path] = None, timeout: float = 600, what: str = "") -> Result:
    """A tool on this host; a missing tool, a deadline or a failure is ToolFailed, in the tool's own words."""
    try:
        done = subprocess.run(list(argv), cwd=cwd, capture_output=True, text=True, timeout=timeout)
    except FileNotFoundError:
        raise ToolFailed(f"{argv[0]} is not installed (`trustlab doctor --backend vagrant` says what the lab needs)") \
            from None
    except subprocess.TimeoutExpired:
        raise ToolFailed(f"`{' '.join(argv[:3])}` did not finish within {timeout:g} s") from None
    result = Result(done.returncode, done.stdout, done.stderr)
    if result.failed:
        said = (result.stderr or result.stdout).strip()[-400:]
        raise ToolFailed(f"{what or ' '.join(argv[:3])} failed: {said}")
    return result


class Provider:
    name: str

    def state(self, ident: str) -> str: ...
    def start(self, ident: str) -> None: ...
    def power_off(self, ident: str) -> None: ...
    def cable(self, ident: str, mac: str, plugged: bool) -> None: ...
    def replace_nic(self, ident: str, mac: str) -> str: ...
    def snapshot(self, ident: str, name: str) -> None: ...
    def restore(self, ident: str, name: str) -> None: ...

    def boot_clock(self, ident: str, seconds: float) -> bool:
        """Set what the machine's real-time clock reads at its next cold boot, as `seconds` from the host's clock
        (a laptop's battery-backed clock keeps its own time; a VM's follows the host's unless told). False where the
        provider cannot."""
        return False


class VirtualBox(Provider):
    """VBoxManage: `controlvm` changes a running VM, `modifyvm` one that is not running (VirtualBox manual,
    "VBoxManage controlvm", "VBoxManage modifyvm"); a pulled cable must use the one that fits the VM's state."""

    name = "virtualbox"

    def _info(self, ident: str) -> str:
        return run("VBoxManage", "showvminfo", ident, "--machinereadable").stdout

    def state(self, ident: str) -> str:
        found = re.search(r'^VMState="([^"]+)"', self._info(ident), re.M)
        return RUNNING if found and found.group(1) == "running" else OFF

    def start(self, ident: str) -> None:
        run("VBoxManage", "startvm", ident, "--type", "headless")

    def power_off(self, ident: str) -> None:
        run("VBoxManage", "controlvm", ident, "poweroff")

    def cable(self, ident: str, mac: str, plugged: bool) -> None:
        state = "on" if plugged else "off"
        if self.state(ident) == RUNNING:
            run("VBoxManage", "controlvm", ident, f"setlinkstate{LAB_NIC}", state)
        else:
            run("VBoxManage", "modifyvm", ident, f"--cableconnected{LAB_NIC}", state)

    def replace_nic(self, ident: str, mac: str) -> str:
        """Another Intel PRO/1000 model in the same slot, the MAC kept: a new PCI device ID, so Windows finds a new
        adapter and keeps the old one's settings hidden (NW-1). Both models have drivers in Windows itself."""
        current = re.search(rf'^nictype{LAB_NIC}="([^"]+)"', self._info(ident), re.M)
        other = "82545EM" if not current or current.group(1) != "82545EM" else "82540EM"
        run("VBoxManage", "modifyvm", ident, f"--nictype{LAB_NIC}", other)
        return other

    def boot_clock(self, ident: str, seconds: float) -> bool:
        run("VBoxManage", "modifyvm", ident, "--biossystemtimeoffset", str(int(seconds * 1000)))
        return True

    def snapshot(self, ident: str, name: str) -> None:
        if re.search(rf'^SnapshotName[-0-9]*="{re.escape(name)}"', self._snapshots(ident), re.M):
            run("VBoxManage", "snapshot", ident, "delete", name)
        run("VBoxManage", "snapshot", ident, "take", name, "--live")

    def _snapshots(self, ident: str) -> str:
        try:
            return run("VBoxManage", "snapshot", ident, "list", "--machinereadable").stdout
        except ToolFailed:
            return ""                       # "This machine does not have any snapshots"

    def restore(self, ident: str, name: str) -> None:
        """A snapshot is restored with the VM off; a live one then resumes where it was taken."""
        if self.state(ident) == RUNNING:
            self.power_off(ident)
        run("VBoxManage", "snapshot", ident, "restore", name)
        self.start(ident)


class HyperV(Provider):
    """Hyper-V's cmdlets on the Windows host, through the shipped `lab/hyperv/host.ps1`: every value a quoted
    literal argument to a named parameter, never code. A virtual adapter connects to or disconnects from a switch
    whatever the VM's state (Connect-VMNetworkAdapter / Disconnect-VMNetworkAdapter)."""

    name = "hyperv"

    def _host(self, action: str, ident: str, **params: str) -> str:
        return hyperv(action, VMId=ident, **params)

    def state(self, ident: str) -> str:
        return RUNNING if self._host("state", ident).strip() == "Running" else OFF

    def start(self, ident: str) -> None:
        self._host("start", ident)

    def power_off(self, ident: str) -> None:
        self._host("stop", ident)

    def cable(self, ident: str, mac: str, plugged: bool) -> None:
        self._host("cable", ident, MacAddress=mac.replace(":", ""), SwitchName=LAB_SWITCH if plugged else "")

    def replace_nic(self, ident: str, mac: str) -> str:
        """The lab adapter removed and a new one added with the same static MAC: a new VMBus device instance, so
        Windows finds a new adapter (NW-1) while the lab MAC stays the lab's."""
        self._host("replace_nic", ident, MacAddress=mac.replace(":", ""), SwitchName=LAB_SWITCH)
        return "a new Hyper-V network adapter"

    def snapshot(self, ident: str, name: str) -> None:
        self._host("snapshot", ident, Name=name)

    def restore(self, ident: str, name: str) -> None:
        self._host("restore", ident, Name=name)


def provider(name: str) -> Provider:
    from trustlab.backends.vagrant.libvirt import Libvirt     # libvirt.py builds on this module's Provider and run
    return {p.name: p for p in (VirtualBox, Libvirt, HyperV)}[name]()


QUOTES = "'\u2018\u2019\u201a\u201b"     # PowerShell takes the typographic single quotes as quotes too


def quoted(value: str) -> str:
    """A single-quoted PowerShell literal: inside one, only a quote character is special, and doubling escapes it."""
    return "'" + "".join(c + c if c in QUOTES else c for c in value) + "'"


def hyperv(action: str, **params: str) -> str:
    """Run `lab/hyperv/host.ps1 -Action ACTION -Name 'value' ...` on the (Windows) host."""
    script = shipped.path("lab", "hyperv", "host.ps1")
    code = f"& {quoted(str(script))} -Action {quoted(action)}" + "".join(
        f" -{name} {quoted(value)}" for name, value in params.items())
    return run("powershell.exe", "-NoProfile", "-NonInteractive", "-ExecutionPolicy", "Bypass",
               "-EncodedCommand", powershell.encoded(code), what=f"Hyper-V {action}").stdout
