"""The hypervisors' own tools for what happens to a lab machine's hardware during a run: power, the lab NIC's cable and
model, its clock at the next cold boot, and snapshots. Inside a run trustlab never calls `vagrant up`: Vagrant's boot
actions re-enable every cable, re-apply the configured MAC and NIC model, and reconfigure the private network
(hashicorp/vagrant `plugins/providers/virtualbox/action.rb` action_boot: ClearNetworkInterfaces + Network, driver
`enable_adapters` with `--cableconnected N on`; vagrant-libvirt `action/start_domain.rb` rewrites each interface's
model), which would silently undo a pulled cable or a replaced NIC. Every command is an argument list."""
from __future__ import annotations

import re
import subprocess
import time
from pathlib import Path
from typing import Optional

from trustlab.backends.command import Result
from trustlab.backends.vagrant import failure, powershell
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
    failure.record(argv, done.returncode, done.stdout, done.stderr)
    if result.failed:
        said = (result.stderr or result.stdout).strip()[-400:]
        raise ToolFailed(f"{what or ' '.join(argv[:3])} failed: {said}")
    return result


class Provider:
    name: str
    settle_seconds = 120.0          # how long a machine in a transition (stopping, saving) is waited for
    poll_seconds = 1.0

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

    def _settled(self, ident: str) -> str:
        """The machine's state once it is not in a transition, or the transition still under way at the deadline."""
        deadline = time.monotonic() + self.settle_seconds
        state = self.state(ident)
        while state in TRANSITIONAL and time.monotonic() < deadline:
            time.sleep(self.poll_seconds)
            state = self.state(ident)
        return state


# VMState as `VBoxManage showvminfo --machinereadable` prints it, the states Vagrant knows (hashicorp/vagrant 35f3160
# driver/version_5_0.rb:711-720 reads it; templates/locales/en.yml:2381-2432 describes each): saving becomes saved
# and stopping poweroff by themselves; a saved VM resumes at its start; guru meditation is on until powered off.
VBOX_STATES = {"running": RUNNING, "paused": PAUSED, "stopping": STOPPING, "saving": STOPPING, "saved": OFF,
               "poweroff": OFF, "aborted": OFF, "gurumeditation": CRASHED}
# Vagrant runs its VBoxManage calls marked retryable up to 3 times, 1 s apart, on any failure, and takes "VBoxManage:
# error:" on stderr for a failure even with exit 0 (driver/base.rb:391-438; version_5_0.rb: showvminfo :59, snapshot
# list :216, take :154, delete :164, restore :256, discardstate :318, modifyvm :351, controlvm poweroff :419).
# Vagrant's pattern `VBoxManage([.a-z]+?): error:` wants a suffix (VBoxManage.exe); here a bare "VBoxManage:" too.
VBOX_TRIES, VBOX_PAUSE = 3, 1.0
VBOX_ERROR = re.compile(r"VBoxManage[.a-z]*: error:")


class VirtualBox(Provider):
    """VBoxManage: `controlvm` changes a running (or paused) VM, `modifyvm` one that is not running (VirtualBox
    manual, "VBoxManage controlvm", "VBoxManage modifyvm"); a pulled cable must use the one that fits the VM's state.
    A VM that is stopping or saving is waited out before anything is done to it; a call Vagrant retries (a session
    lock held for a moment by VirtualBox's own processes) is retried the same way."""

    name = "virtualbox"

    def _vbox(self, *args: str, retryable: bool = False) -> str:
        for attempt in range(VBOX_TRIES if retryable else 1):
            if attempt:
                time.sleep(VBOX_PAUSE)
            try:
                result = run("VBoxManage", *args)
            except ToolFailed as e:
                failed = e
                continue
            if not VBOX_ERROR.search(result.stderr):
                return result.stdout
            failed = ToolFailed(f"VBoxManage {' '.join(args[:2])} failed: {result.stderr.strip()[-400:]}")
        raise failed

    def _info(self, ident: str) -> str:
        return self._vbox("showvminfo", ident, "--machinereadable", retryable=True)

    def _vm_state(self, ident: str) -> str:
        found = re.search(r'^VMState="([^"]+)"', self._info(ident), re.M)
        return found.group(1) if found else "unknown"

    def state(self, ident: str) -> str:
        said = self._vm_state(ident)
        if said not in VBOX_STATES:
            raise ToolFailed(f"VBoxManage showvminfo: VMState {said!r}, which the lab does not know")
        return VBOX_STATES[said]

    def start(self, ident: str) -> None:
        """From whatever state it is in: paused resumes, guru meditation is powered off and booted, stopping or
        saving is first waited out; poweroff, aborted and saved start (saved resumes its state)."""
        state = self._settled(ident)
        if state == PAUSED:
            self._vbox("controlvm", ident, "resume")
        elif state == CRASHED:
            self._vbox("controlvm", ident, "poweroff", retryable=True)
            self._vbox("startvm", ident, "--type", "headless")
        elif state == OFF:
            self._vbox("startvm", ident, "--type", "headless")
        elif state == STOPPING:
            raise ToolFailed(f"VBoxManage: the VM {ident} is still stopping after {self.settle_seconds:g} s")

    def power_off(self, ident: str) -> None:
        """The plug pulled; a saved state is discarded (its memory is the machine's running state)."""
        self._settled(ident)
        said = self._vm_state(ident)
        if said == "saved":
            self._vbox("discardstate", ident, retryable=True)
        elif VBOX_STATES.get(said) != OFF:
            self._vbox("controlvm", ident, "poweroff", retryable=True)

    def cable(self, ident: str, mac: str, plugged: bool) -> None:
        state = "on" if plugged else "off"
        if self._settled(ident) in (RUNNING, PAUSED, CRASHED):
            self._vbox("controlvm", ident, f"setlinkstate{LAB_NIC}", state)
        elif self._vm_state(ident) == "saved":
            raise ToolFailed(f"VBoxManage: the VM {ident} is saved: its settings change only after it resumes or "
                             f"its saved state is discarded, and trustlab does neither behind a run's back")
        else:
            self._vbox("modifyvm", ident, f"--cableconnected{LAB_NIC}", state, retryable=True)

    def replace_nic(self, ident: str, mac: str) -> str:
        """Another Intel PRO/1000 model in the same slot, the MAC kept: a new PCI device ID, so Windows finds a new
        adapter and keeps the old one's settings hidden (NW-1). Both models have drivers in Windows itself."""
        current = re.search(rf'^nictype{LAB_NIC}="([^"]+)"', self._info(ident), re.M)
        other = "82545EM" if not current or current.group(1) != "82545EM" else "82540EM"
        self._vbox("modifyvm", ident, f"--nictype{LAB_NIC}", other, retryable=True)
        return other

    def boot_clock(self, ident: str, seconds: float) -> bool:
        """--biossystemtimeoffset: the clock chip at the next cold boot, from the host's UTC (Vagrant sets every VM's
        RTC to UTC, --rtcuseutc on: hashicorp/vagrant virtualbox/action/sane_defaults.rb:20-22)."""
        self._vbox("modifyvm", ident, "--biossystemtimeoffset", str(int(seconds * 1000)), retryable=True)
        return True

    def snapshot(self, ident: str, name: str) -> None:
        if re.search(rf'^SnapshotName[-0-9]*="{re.escape(name)}"', self._snapshots(ident), re.M):
            self._vbox("snapshot", ident, "delete", name, retryable=True)
        self._vbox("snapshot", ident, "take", name, "--live", retryable=True)

    def _snapshots(self, ident: str) -> str:
        try:
            return self._vbox("snapshot", ident, "list", "--machinereadable", retryable=True)
        except ToolFailed:
            return ""                       # "This machine does not have any snapshots"

    def restore(self, ident: str, name: str) -> None:
        """A snapshot is restored with the VM off; a live one then resumes where it was taken."""
        self.power_off(ident)
        self._vbox("snapshot", ident, "restore", name, retryable=True)
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
    from trustlab.backends.vagrant.libvirt import Libvirt  # libvirt.py builds on this module's Provider and run
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
