"""What the vagrant backend needs from this machine, and what is missing (`trustlab doctor --backend vagrant`)."""
from __future__ import annotations

import shutil
import subprocess

from trustlab.backends.vagrant import extra
from trustlab.engine.backend import Check
from trustlab.backends.vagrant.settings import load, root

PROVIDER_TOOLS = {"virtualbox": "VBoxManage", "libvirt": "virsh", "hyperv": "powershell.exe"}


def checks() -> list[Check]:
    found = [extra.check()]
    vagrant = shutil.which("vagrant")
    version = (subprocess.run([vagrant, "--version"], capture_output=True, text=True, timeout=60).stdout.strip()
               if vagrant else "")
    found.append(Check("vagrant", bool(vagrant), version or "not installed: https://developer.hashicorp.com/vagrant"))
    tools = {p: shutil.which(t) for p, t in PROVIDER_TOOLS.items()}
    usable = [p for p, path in tools.items() if path]
    found.append(Check("provider", bool(usable), ", ".join(usable) if usable else
                       "none of VBoxManage (VirtualBox), powershell.exe (Hyper-V), virsh (libvirt) is installed"))
    problems = load().problems()
    found.append(Check("machines.yaml", not problems, "; ".join(problems) or "addresses, names and boxes agree"))
    vagrantfile = root() / "Vagrantfile"
    found.append(Check("Vagrantfile", vagrantfile.is_file(), str(vagrantfile) if vagrantfile.is_file() else
                       f"not at {vagrantfile}; set TRUSTLAB_VAGRANT_ROOT to the checkout"))
    return found
