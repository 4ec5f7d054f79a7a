"""What the vagrant backend needs from this machine, and what to install (`trustlab doctor --backend vagrant`):
Vagrant and its WinRM communicator, a provider's own tools (with OVMF for the UEFI boxes on libvirt; on libvirt
also one connection, a lab network the host does not route already, and whether its snapshots can be taken), disk
and memory for two Windows machines, and the lab's own files."""
from __future__ import annotations

import ipaddress
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Optional

from trustlab.backends.vagrant import extra
from trustlab.backends.vagrant.libvirt import internal_snapshots, pflash, version
from trustlab.backends.vagrant.settings import LIBVIRT_URI, LIBVIRT_URI_VARIABLE, load, root
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
                 f"leaves out (Debian has no ruby-winrm package): `vagrant plugin install {' '.join(GEMS)}` (it "
                 f"downloads them from rubygems.org: not offline), or HashiCorp's vagrant package. Until then every "
                 f"vagrant command on the lab's Vagrantfile (status, winrm-config, up) fails with \"cannot load such "
                 f"file -- winrm\"")


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


def libvirt_connection() -> Check:
    """trustlab's virsh and vagrant-libvirt share one URI (the Vagrantfile's `lv.uri` reads the same variable); a
    LIBVIRT_DEFAULT_URI that differs moves only a plain `virsh`, which then shows none of the lab."""
    default = os.environ.get("LIBVIRT_DEFAULT_URI")
    said = f"trustlab and vagrant-libvirt use {LIBVIRT_URI} (${LIBVIRT_URI_VARIABLE})"
    if default and default != LIBVIRT_URI:
        said += (f"; warning: LIBVIRT_DEFAULT_URI is {default}, so a plain `virsh` looks elsewhere (`virsh -c "
                 f"{LIBVIRT_URI}`, or {LIBVIRT_URI_VARIABLE}={default} to put the lab there)")
    return Check("libvirt connection", True, said)


def lab_route(prefix: str, network: str, routes: str, bridge: Optional[str]) -> Check:
    """The libvirt lab network gives the host the prefix's first address; a prefix this host already routes through
    another interface (VirtualBox's vboxnet0 is 192.168.56.1/24) cannot be started: "Network is already in use by
    interface vboxnet0" (vagrant-libvirt#617; reproduced with a bridge of our own, docs/windows-lab.md)."""
    lab = ipaddress.ip_network(prefix)
    for line in routes.splitlines():
        found = re.match(r"(\S+) .*?\bdev (\S+)", line)
        if not found or not found.group(1)[0].isdigit():
            continue
        if ipaddress.ip_network(found.group(1), strict=False).overlaps(lab) and found.group(2) != bridge:
            return Check("lab network", False,
                         f"{prefix} is routed through {found.group(2)} already: libvirt cannot start the lab network "
                         f"{network!r} on it. Pick a free prefix in lab/machines.yaml (network.prefix and the "
                         f"machines' ip) or remove {found.group(2)}")
    return Check("lab network", True, f"libvirt network {network!r} on {prefix}: no other route to it here")


def libvirt_snapshots(said_version: str, domains: dict[str, str]) -> Check:
    """Which case the lab is in: internal snapshots work for BIOS domains and for the gusztavvargadr boxes (OVMF
    handed to QEMU in `<qemu:commandline>`), not for a `<loader type='pflash'>` domain before libvirt 10.10."""
    libvirt = version(said_version)
    shown = ".".join(map(str, libvirt)) or "unknown"
    refused = {name: internal_snapshots(xml, libvirt) for name, xml in domains.items()}
    bad = {name: why for name, why in refused.items() if why}
    if bad:
        return Check("libvirt snapshots", False, "; ".join(f"{name}: {why}" for name, why in bad.items()))
    if domains:
        kinds = ", ".join(f"{name}: {'UEFI as libvirt pflash' if pflash(xml) else 'firmware libvirt does not load'}"
                          for name, xml in domains.items())
        return Check("libvirt snapshots", True, f"libvirt {shown} takes the lab's internal snapshots ({kinds})")
    return Check("libvirt snapshots", True,
                 f"libvirt {shown}: no lab domain yet; BIOS domains and the gusztavvargadr boxes (OVMF through "
                 f"qemuargs) take internal snapshots" + ("" if libvirt >= (10, 10) else
                                                         ", a <loader type='pflash'> UEFI domain would not (10.10+)"))


def libvirt_checks(settings) -> list[Check]:
    """The libvirt lab's own checks, when virsh answers."""
    said = _output("virsh", "-c", LIBVIRT_URI, "version", "--daemon")
    if said is None:
        return []
    net = settings.network
    info = _output("virsh", "-c", LIBVIRT_URI, "net-info", net.libvirt_name) or ""
    bridge = re.search(r"^Bridge:\s+(\S+)", info, re.M)
    domains = {}
    for record in sorted((root() / ".vagrant" / "machines").glob("*/libvirt/id")):
        xml = _output("virsh", "-c", LIBVIRT_URI, "dumpxml", record.read_text().strip(), "--inactive")
        if xml:
            domains[record.parent.parent.name] = xml
    return [libvirt_connection(),
            lab_route(net.prefix, net.libvirt_name, _output("ip", "-4", "route") or "", bridge and bridge.group(1)),
            libvirt_snapshots(said, domains)]


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
    found += libvirt_checks(settings)
    vagrantfile = root() / "Vagrantfile"
    found.append(Check("Vagrantfile", vagrantfile.is_file(), str(vagrantfile) if vagrantfile.is_file() else
                       f"not at {vagrantfile}; set TRUSTLAB_VAGRANT_ROOT to the checkout"))
    home = Path(os.environ.get("VAGRANT_HOME") or Path.home() / ".vagrant.d")
    found.append(disk([home, root(), Path("/var/lib/libvirt/images")]))
    found.append(memory(sum(m.memory for m in settings.machines.values()) * 2**20 + HOST_MEMORY))
    return found
