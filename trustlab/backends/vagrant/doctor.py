"""What the vagrant backend needs from this machine, and what to install (`trustlab doctor --backend vagrant`):
Vagrant and its WinRM communicator, a provider's own tools (with OVMF for the UEFI boxes on libvirt), disk and
memory for two Windows machines, and the lab's own files."""
from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import Optional

from trustlab.backends.vagrant import extra
from trustlab.backends.vagrant.settings import LIBVIRT_URI, load, root
from trustlab.engine.backend import Check

GEMS = ("winrm", "winrm-fs", "winrm-elevated")
# Where the gusztavvargadr boxes' own Vagrantfile for libvirt looks for the UEFI firmware, in this order
# (github.com/gusztavvargadr/packer src/windows/vagrant/qemu.Vagrantfile); without it the box refuses to start.
OVMF_PATHS = ("/usr/share/OVMF/OVMF_CODE_4M.fd", "/usr/share/OVMF/x64/OVMF_CODE.4m.fd")
DISK_NEEDED = 40 * 2**30         # the two boxes (about 12 GB) unpacked, their clones and snapshots
HOST_MEMORY = 2 * 2**30          # left to the host besides the two machines


def _output(*argv: str, timeout: float = 60) -> Optional[str]:
    """A command's output, or None when it is missing or fails."""
    try:
        done = subprocess.run(list(argv), capture_output=True, text=True, timeout=timeout)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout if done.returncode == 0 else None


def winrm_communicator(vagrant: str, plugins: str) -> Check:
    """Vagrant reaches Windows over WinRM with three Ruby gems. HashiCorp's package carries them; a distribution's
    vagrant (Debian's) does not, and `vagrant up` then fails at the first boot."""
    if "/opt/vagrant/" in str(Path(vagrant).resolve()) or "HashiCorp" in vagrant:
        return Check("WinRM communicator", True, "HashiCorp's vagrant carries the WinRM gems")
    if all(g in plugins.split() for g in GEMS):
        return Check("WinRM communicator", True, f"vagrant plugins {', '.join(GEMS)}")
    ruby = shutil.which("ruby")
    require = "; ".join(f'require "{g}"' for g in GEMS)
    if ruby and _output(ruby, "-e", require) is not None:
        return Check("WinRM communicator", True, f"the system Ruby has {', '.join(GEMS)}")
    return Check("WinRM communicator", False,
                 f"this vagrant ({vagrant}) has no WinRM gems ({', '.join(GEMS)}), which a distribution's vagrant "
                 f"leaves out: `vagrant plugin install {' '.join(GEMS)}`, or HashiCorp's vagrant package")


def ovmf() -> Optional[str]:
    for path in (os.environ.get("VAGRANT_LIBVIRT_OVMF_CODE"), *OVMF_PATHS):
        if path and Path(path).is_file():
            return path
    return None


def providers(plugins: str) -> Check:
    """Each provider's own tools; the lab needs one of them."""
    usable, said = [], []
    version = _output("VBoxManage", "--version")
    if version:
        usable.append("virtualbox")
        said.append(f"virtualbox: VBoxManage {version.strip()}")
    else:
        said.append("virtualbox: no VBoxManage (install VirtualBox)")
    libvirt = []
    if shutil.which("virsh") is None:
        libvirt.append("no virsh (apt-get install libvirt-clients libvirt-daemon-system)")
    elif _output("virsh", "-c", LIBVIRT_URI, "version") is None:
        libvirt.append(f"virsh cannot connect to {LIBVIRT_URI} (is libvirtd running, and are you in the libvirt "
                       f"group?)")
    if "vagrant-libvirt" not in plugins and not list(Path("/usr/share/rubygems-integration/all/specifications")
                                                         .glob("vagrant-libvirt-*")):
        libvirt.append("no vagrant-libvirt (apt-get install vagrant-libvirt, or `vagrant plugin install "
                       "vagrant-libvirt`)")
    firmware = ovmf()
    if firmware is None:
        libvirt.append(f"no OVMF for the UEFI boxes (apt-get install ovmf; looked at "
                       f"{', '.join(OVMF_PATHS)} and $VAGRANT_LIBVIRT_OVMF_CODE)")
    if libvirt:
        said.append("libvirt: " + "; ".join(libvirt))
    else:
        usable.append("libvirt")
        said.append(f"libvirt: {LIBVIRT_URI}, vagrant-libvirt, OVMF {firmware}")
    if _output("powershell.exe", "-NoProfile", "-NonInteractive", "-Command", "Get-Command Hyper-V\\Get-VM") is not None:
        usable.append("hyperv")
        said.append("hyperv: the Hyper-V PowerShell module (run from an elevated prompt)")
    else:
        said.append("hyperv: no Hyper-V PowerShell module (a Windows host with Hyper-V enabled)")
    return Check("provider", bool(usable), "; ".join(said))


def disk(folders: list[Path]) -> Check:
    """Free space where the boxes and the machines' disks go."""
    seen, short = [], []
    for folder in folders:
        existing = next((p for p in (folder, *folder.parents) if p.exists()), None)
        if existing is None:
            continue
        free = shutil.disk_usage(existing).free
        seen.append(f"{folder}: {free / 2**30:.0f} GiB free")
        if free < DISK_NEEDED:
            short.append(str(folder))
    return Check("disk", not short, "; ".join(seen) + (f"; the lab needs about {DISK_NEEDED // 2**30} GiB "
                                                       f"(boxes, clones, snapshots)" if short else ""))


def memory(needed: int) -> Check:
    try:
        total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        return Check("memory", True, f"not readable here; the lab needs {needed / 2**30:.0f} GiB")
    return Check("memory", total >= needed,
                 f"{total / 2**30:.1f} GiB; the lab's two machines and the host need {needed / 2**30:.0f} GiB"
                 + ("" if total >= needed else " (lower `memory` in lab/machines.yaml, at least 2048 MB each)"))


def checks() -> list[Check]:
    found = [extra.check()]
    vagrant = shutil.which("vagrant")
    version = (_output(vagrant, "--version") or "").strip() if vagrant else ""
    found.append(Check("vagrant", bool(vagrant), version or "not installed: https://developer.hashicorp.com/vagrant"))
    plugins = (_output("vagrant", "plugin", "list") or "") if vagrant else ""
    if vagrant:
        found.append(winrm_communicator(vagrant, plugins))
    found.append(providers(plugins))
    settings = load()
    problems = settings.problems()
    found.append(Check("machines.yaml", not problems, "; ".join(problems) or "addresses, names and boxes agree"))
    vagrantfile = root() / "Vagrantfile"
    found.append(Check("Vagrantfile", vagrantfile.is_file(), str(vagrantfile) if vagrantfile.is_file() else
                       f"not at {vagrantfile}; set TRUSTLAB_VAGRANT_ROOT to the checkout"))
    home = Path(os.environ.get("VAGRANT_HOME") or Path.home() / ".vagrant.d")
    found.append(disk([home, root(), Path("/var/lib/libvirt/images")]))
    found.append(memory(sum(m.memory for m in settings.machines.values()) * 2**20 + HOST_MEMORY))
    return found
