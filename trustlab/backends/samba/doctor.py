"""What the samba backend needs from this machine, and what is missing (`trustlab doctor`)."""
from __future__ import annotations

import functools
import os
import platform
import shutil
import subprocess

from trustlab.backends.samba import processes
from trustlab.backends.samba.node import FAKETIME_LIB
from trustlab.engine.backend import Check, LabUnavailable

# command -> the Debian package that brings it
COMMANDS = {
    "samba": "samba-ad-dc", "samba-tool": "samba-ad-provision", "winbindd": "winbind", "wbinfo": "winbind",
    "net": "samba", "smbcontrol": "samba", "ldbadd": "ldb-tools", "ldbmodify": "ldb-tools", "host": "bind9-host",
    "openssl": "openssl", "ip": "iproute2", "python3": "python3",
    "tdbdump": "tdb-tools", "ldapsearch": "ldap-utils",        # the DC-side oracle (oracle.py)
}
PACKAGES = ("samba samba-ad-dc samba-ad-provision samba-dsdb-modules samba-vfs-modules winbind krb5-user smbclient "
            "ldb-tools tdb-tools ldap-utils libfaketime bind9-host openssl iproute2")
NOT_NEEDED = ("libnss-winbind and libpam-winbind are not needed: they would edit this host's nsswitch.conf and PAM "
              "stack. The lab talks to its own winbindd directly and changes nothing of the host's but "
              "/etc/netns/tl-* (removed by `lab down` / `lab clean`).")


PROBE = "tl-doctor-"                  # `lab clean` removes one whose process is gone (killed between add and delete)


def abandoned(ns: str) -> bool:
    """A probe namespace whose doctor is gone (killed between making and removing it)."""
    pid = ns[len(PROBE):] if ns.startswith(PROBE) else ""
    return pid.isdigit() and not processes.alive(int(pid))


def _netns_works() -> bool:
    probe = f"{PROBE}{os.getpid()}"     # unique: doctors running side by side must not collide
    made = subprocess.run(["ip", "netns", "add", probe], capture_output=True).returncode == 0
    if made:
        subprocess.run(["ip", "netns", "delete", probe], capture_output=True)
    return made


def checks() -> list[Check]:
    out = [Check("Linux", platform.system() == "Linux", platform.system()),
           Check("root", os.geteuid() == 0, "running as root" if os.geteuid() == 0 else "needs root (sudo)")]
    missing = sorted({pkg for cmd, pkg in COMMANDS.items() if shutil.which(cmd) is None})
    out.append(Check("commands", not missing, "all found" if not missing else
                     f"missing; install with: apt-get install -y --no-install-recommends {' '.join(missing)}"))
    out.append(Check("libfaketime", FAKETIME_LIB.exists(), str(FAKETIME_LIB) if FAKETIME_LIB.exists() else
                     "missing; apt-get install -y libfaketime"))
    if out[0].ok and out[1].ok and shutil.which("ip"):
        works = _netns_works()
        out.append(Check("network namespaces", works, "ip netns add works" if works else
                         "`ip netns add` failed: this kernel or container does not allow network namespaces"))
    return out


def problems() -> list[str]:
    return [f"{c.name}: {c.detail}" for c in checks() if not c.ok]


class NotReady(LabUnavailable):
    """The machine cannot run the samba backend; the message lists what is missing."""


@functools.cache
def require() -> None:
    """Once per process (a failure is not cached): the checks make and remove a namespace, which every run would
    otherwise pay for."""
    missing = problems()
    if missing:
        raise NotReady("the samba backend cannot run here:\n  " + "\n  ".join(missing) +
                       f"\n  (all packages: apt-get install -y --no-install-recommends {PACKAGES})")
