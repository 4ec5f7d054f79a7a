"""The Windows lab's machines: their life cycle through python-vagrant (up, status, halt, destroy, snapshots of
both machines taken together) and the vagrant CLI where python-vagrant falls short (one machine's snapshot,
`winrm-config`), plus the provider's own tool for what happens to the hardware (a cable pulled, a NIC replaced).
Every external command is an argument list; nothing goes through a shell."""
from __future__ import annotations

import re
import shutil
import subprocess
import time
from pathlib import Path
from typing import Optional

from trustlab.backends.vagrant import extra, powershell
from trustlab.backends.vagrant.settings import PROVIDERS, Settings, load, root
from trustlab.engine.backend import LabUnavailable

GOLDEN = "trustlab-golden"
SNAPSHOT_NAME = re.compile(r"^[A-Za-z0-9_.-]{1,48}$")
LAB_NIC = 2                     # adapter 1 is Vagrant's NAT (WinRM through a port on 127.0.0.1); 2 is the lab's
HOW_TO = ("build it once with `trustlab lab up --backend vagrant` (Vagrant with VirtualBox, Hyper-V or libvirt and "
          "about 40-60 minutes; see the README)")


def _run(*argv: str, cwd: Optional[Path] = None, timeout: float = 1800) -> str:
    try:
        done = subprocess.run(list(argv), cwd=cwd, capture_output=True, text=True, timeout=timeout)
    except FileNotFoundError:
        raise LabUnavailable(f"{argv[0]} is not installed; {HOW_TO}") from None
    if done.returncode != 0:
        raise LabUnavailable(f"{' '.join(argv[:3])} failed: {(done.stderr or done.stdout).strip()[-400:]}")
    return done.stdout


def parse_winrm_config(text: str) -> tuple[str, int]:
    """Host and port from `vagrant winrm-config` (Vagrant forwards the guest's 5985 to a port on 127.0.0.1)."""
    host = re.search(r"^\s*HostName\s+(\S+)", text, re.M)
    port = re.search(r"^\s*Port\s+(\d+)", text, re.M)
    if not (host and port):
        raise LabUnavailable("`vagrant winrm-config` named no HostName and Port")
    return host.group(1), int(port.group(1))


class VagrantLab:
    """The Windows lab's machines; `provider` is the hypervisor `up` builds them with (None: Vagrant's choice)."""

    name = "vagrant"

    def __init__(self, folder: Optional[Path] = None, settings: Optional[Settings] = None,
                 provider: Optional[str] = None):
        self.dir = folder or root()
        self.settings = settings or load()
        self.provider_choice = provider

    # --- python-vagrant --------------------------------------------------------------------------------------------

    def _vagrant(self, method: str, *args, **kwargs):
        """A python-vagrant call; its failure becomes LabUnavailable naming the command to run for the details."""
        if shutil.which("vagrant") is None:
            raise LabUnavailable(f"vagrant is not installed; {HOW_TO}")
        if not (self.dir / "Vagrantfile").is_file():
            raise LabUnavailable(f"no Vagrantfile in {self.dir} (set TRUSTLAB_VAGRANT_ROOT to the checkout)")
        client = extra.require("vagrant").Vagrant(root=str(self.dir), quiet_stdout=True, quiet_stderr=True)
        try:
            return getattr(client, method)(*args, **kwargs)
        except subprocess.CalledProcessError as e:
            command = " ".join(str(a) for a in e.cmd[1:3])
            raise LabUnavailable(f"`vagrant {command}` failed (exit {e.returncode}); run it in {self.dir} to see "
                                 f"why; {HOW_TO}") from None

    def states(self) -> dict[str, str]:
        return {s.name: s.state for s in self._vagrant("status")}

    def provider(self, machine: str) -> str:
        """The provider a machine was created with (Vagrant records it under .vagrant/machines)."""
        for provider in PROVIDERS:
            if (self.dir / ".vagrant" / "machines" / machine / provider / "id").is_file():
                return provider
        raise LabUnavailable(f"machine {machine} has not been created; {HOW_TO}")

    def machine_id(self, machine: str) -> str:
        ident = (self.dir / ".vagrant" / "machines" / machine / self.provider(machine) / "id").read_text().strip()
        if not re.fullmatch(r"[A-Za-z0-9_.{}-]+", ident):
            raise LabUnavailable(f"machine {machine} has an unexpected provider id")
        return ident

    def up(self) -> str:
        started = time.monotonic()
        self._vagrant("up", provider=self.provider_choice)
        self._vagrant("snapshot_save", GOLDEN)
        return f"Windows lab up in {(time.monotonic() - started) / 60:.0f} min; golden snapshot taken ({self.dir})"

    def status(self) -> dict[str, str]:
        states = self.states()
        info = {"folder": str(self.dir), "network": self.settings.network.prefix}
        for name, machine in self.settings.machines.items():
            info[name] = f"{machine.hostname} {machine.ip}: {states.get(name, 'unknown')}"
        info["golden snapshot"] = "yes" if GOLDEN in (self._vagrant("snapshot_list") or []) else "no"
        return info

    def require_running(self) -> None:
        states = self.states()
        down = [name for name in self.settings.machines if states.get(name) != "running"]
        if down:
            raise LabUnavailable(f"the Windows lab is not running ({', '.join(f'{n}: {states.get(n)}' for n in down)}); "
                                 f"{HOW_TO}")

    def reset(self) -> float:
        """Both machines back to the golden snapshot; the DC first, so the client finds it when it resumes."""
        started = time.monotonic()
        dc, _ = self.settings.machine("dc")
        client, _ = self.settings.machine("client")
        for machine in (dc, client):
            self.restore(machine, GOLDEN)
        return time.monotonic() - started

    def down(self) -> None:
        self._vagrant("destroy")

    def clean(self) -> list[str]:
        """Vagrant keeps nothing of the lab's outside its machines (and their snapshots) and `.vagrant/`."""
        self.down()
        return ["the Windows lab's machines and their snapshots"]

    def halt(self, machine: str) -> None:
        self._vagrant("halt", vm_name=machine)

    def start(self, machine: str) -> None:
        self._vagrant("up", vm_name=machine, provision=False)

    # --- the vagrant CLI -------------------------------------------------------------------------------------------

    def snapshot(self, machine: str, name: str) -> None:
        _run("vagrant", "snapshot", "save", "--force", machine, _snapshot(name), cwd=self.dir)

    def restore(self, machine: str, name: str) -> None:
        _run("vagrant", "snapshot", "restore", "--no-provision", machine, _snapshot(name), cwd=self.dir)

    def winrm_address(self, machine: str) -> tuple[str, int]:
        return parse_winrm_config(_run("vagrant", "winrm-config", machine, cwd=self.dir, timeout=120))

    # --- the provider's hardware -----------------------------------------------------------------------------------

    def cable(self, machine: str, plugged: bool) -> None:
        """The lab NIC's link, as pulling the cable does; WinRM keeps working through the NAT adapter."""
        provider, ident = self.provider(machine), self.machine_id(machine)
        mac = self.settings.machines[machine].mac
        if provider == "virtualbox":
            _run("VBoxManage", "controlvm", ident, f"setlinkstate{LAB_NIC}", "on" if plugged else "off")
        elif provider == "libvirt":
            _run("virsh", "domif-setlink", ident, mac.lower(), "up" if plugged else "down")
        else:
            verb = "Connect" if plugged else "Disconnect"
            code = (f"$a = Get-VMNetworkAdapter -VM (Get-VM -Id $args[0]) | Where-Object {{ $_.MacAddress -eq $args[1] }}; "
                    f"if ($args[2]) {{ {verb}-VMNetworkAdapter -VMNetworkAdapter $a -SwitchName $args[2] }} "
                    f"else {{ {verb}-VMNetworkAdapter -VMNetworkAdapter $a }}")
            _hyperv(code, ident, mac.replace(":", ""), "trustlab" if plugged else "")

    def replace_nic(self, machine: str) -> None:
        """A different NIC model with a new MAC in the same slot (NW-1), with the machine powered off."""
        provider, ident = self.provider(machine), self.machine_id(machine)
        if provider == "virtualbox":
            info = _run("VBoxManage", "showvminfo", ident, "--machinereadable")
            current = re.search(rf'^nictype{LAB_NIC}="([^"]+)"', info, re.M)
            other = "82545EM" if current and current.group(1) != "82545EM" else "virtio"
            _run("VBoxManage", "modifyvm", ident, f"--nictype{LAB_NIC}", other, f"--macaddress{LAB_NIC}", "auto")
        elif provider == "libvirt":
            raise LabUnavailable("replace_nic on libvirt needs the domain XML edited by hand (virsh edit); "
                                 "use VirtualBox or Hyper-V for the hidden-adapter scenarios")
        else:
            code = ("$vm = Get-VM -Id $args[0]; $a = Get-VMNetworkAdapter -VM $vm | "
                    "Where-Object { $_.SwitchName -eq 'trustlab' } | Select-Object -First 1; "
                    "Remove-VMNetworkAdapter -VMNetworkAdapter $a; Add-VMNetworkAdapter -VM $vm -SwitchName 'trustlab'")
            _hyperv(code, ident)


def _snapshot(name: str) -> str:
    if not SNAPSHOT_NAME.fullmatch(name):
        raise ValueError(f"snapshot name {name!r}: use letters, digits, '_', '.' or '-' (at most 48)")
    return name


def _hyperv(code: str, *args: str) -> None:
    """Hyper-V's own cmdlets on the (Windows) host; each value is a quoted literal argument, never code."""
    script = f"& {{ {code} }} " + " ".join(_quoted(a) for a in args)
    _run("powershell.exe", "-NoProfile", "-NonInteractive", "-EncodedCommand", powershell.encoded(script))


QUOTES = "'\u2018\u2019\u201a\u201b"     # PowerShell takes the typographic single quotes as quotes too


def _quoted(value: str) -> str:
    """A single-quoted PowerShell literal: inside one, only a quote character is special, and doubling escapes it."""
    return "'" + "".join(c + c if c in QUOTES else c for c in value) + "'"
