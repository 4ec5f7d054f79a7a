"""libvirt through virsh, on the same connection as vagrant-libvirt: the lab machines' power, the lab NIC's cable and
model, the clock at the next cold boot, and snapshots (providers.py says why none of it goes through Vagrant).
Measured against libvirt 9.0 / QEMU 7.2 on real domains made by vagrant-libvirt 0.11.2 (docs/windows-lab.md,
"A real hypervisor"; benchmarks/libvirt_real.py runs it again)."""
from __future__ import annotations

import re
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Optional

from trustlab.backends.vagrant.providers import (
    CRASHED,
    OFF,
    PAUSED,
    RUNNING,
    STOPPING,
    SUSPENDED,
    Provider,
    ToolFailed,
    run,
)
from trustlab.backends.vagrant.settings import LIBVIRT_URI

# What `virsh domstate` prints (libvirt tools/virsh-domain-monitor.c, virshDomainStateToString) and what it is to
# the lab. "idle" is a running domain blocked on a resource; "no state" is refused as unknown.
STATES = {"running": RUNNING, "idle": RUNNING, "paused": PAUSED, "in shutdown": STOPPING, "shut off": OFF,
          "crashed": CRASHED, "pmsuspended": SUSPENDED}
# Internal snapshots of a domain whose UEFI firmware libvirt loads as pflash (`<loader type='pflash'>`) are refused
# from libvirt 9.2 ("internal snapshots of a VM with pflash based firmware are not supported"; libvirt issue 460,
# gitlab.com/libvirt/libvirt/-/issues/460; seen here on 9.0 too, running and off) until 10.10, which takes them
# when the NVRAM is qcow2 ("... require QCOW2 nvram format").
PFLASH_SNAPSHOTS = (10, 10)
NIC_SWAP = {"e1000e": "e1000", "e1000": "e1000e"}       # any other model (virtio, rtl8139) becomes e1000e


def domain_state(said: str) -> str:
    """The lab's name for what `virsh domstate` printed."""
    text = said.strip().splitlines()[0].strip() if said.strip() else ""
    if text not in STATES:
        raise ToolFailed(f"virsh domstate said {text!r}, which the lab does not know")
    return STATES[text]


def version(said: str) -> tuple[int, ...]:
    """libvirt's version from `virsh version --daemon` (the daemon's, else the library's)."""
    found = re.search(r"Running against daemon: (\d+)\.(\d+)", said) or \
        re.search(r"Using library: libvirt (\d+)\.(\d+)", said)
    return tuple(int(x) for x in found.groups()) if found else ()


def pflash(domain_xml: str) -> bool:
    """Whether libvirt itself loads the domain's UEFI firmware as flash."""
    loader = ET.fromstring(domain_xml).find("os/loader")
    return loader is not None and loader.get("type") == "pflash"


def internal_snapshots(domain_xml: str, libvirt: tuple[int, ...]) -> Optional[str]:
    """None when libvirt takes internal snapshots of this domain, else why not. BIOS domains and the gusztavvargadr
    boxes (OVMF passed to QEMU in `<qemu:commandline>`, unknown to libvirt) take them; a `<loader type='pflash'>`
    domain does not before libvirt 10.10, nor after it without a qcow2 NVRAM."""
    if not pflash(domain_xml):
        return None
    root = ET.fromstring(domain_xml)
    shown = ".".join(map(str, libvirt)) or "unknown"
    if libvirt < PFLASH_SNAPSHOTS:
        return (f"libvirt {shown} takes no internal snapshot of a domain with UEFI firmware as libvirt pflash "
                f"(<loader type='pflash'>); 10.10 or later with a qcow2 NVRAM does. Use a box that passes OVMF "
                f"to QEMU itself (the gusztavvargadr boxes do), or a newer libvirt")
    nvram = root.find("os/nvram")
    if nvram is None or nvram.get("format") != "qcow2":
        return (f"libvirt {shown} takes internal snapshots of a UEFI (pflash) domain only with a qcow2 NVRAM "
                f"(<nvram format='qcow2'>); this one's is {nvram.get('format', 'raw') if nvram is not None else 'none'}")
    return None


class Libvirt(Provider):
    """virsh, always on vagrant-libvirt's connection. `domif-setlink` changes a running domain's link; `--config`
    changes the persistent definition, the only one a shut-off domain has (virsh(1) domif-setlink; libvirt domain
    XML `<link state=.../>`). A domain that is shutting down is waited out before anything is done to it: libvirt
    refuses `start` on it ("Domain is already active") and it is about to lose its live definition."""

    name = "libvirt"

    def _virsh(self, *args: str) -> str:
        return run("virsh", "-c", LIBVIRT_URI, *args, what=f"virsh {args[0]}").stdout

    def state(self, ident: str) -> str:
        return domain_state(self._virsh("domstate", ident))

    def start(self, ident: str) -> None:
        """From whatever state it is in: a paused domain resumes (virsh resume), a suspended one wakes (virsh
        dompmwakeup), a crashed one is destroyed and booted, one shutting down is first waited out."""
        state = self._settled(ident)
        if state == PAUSED:
            self._virsh("resume", ident)
        elif state == SUSPENDED:
            self._virsh("dompmwakeup", ident)
        elif state == CRASHED:
            self._virsh("destroy", ident)
            self._virsh("start", ident)
        elif state == OFF:
            self._virsh("start", ident)
        elif state == STOPPING:
            raise ToolFailed(f"virsh: the domain {ident} is still shutting down after {self.settle_seconds:g} s")

    def power_off(self, ident: str) -> None:
        """The plug pulled (virsh destroy), also when paused or shutting down; off already is fine."""
        try:
            self._virsh("destroy", ident)
        except ToolFailed:
            if self.state(ident) != OFF:            # a shutdown may finish between the two
                raise

    def cable(self, ident: str, mac: str, plugged: bool) -> None:
        state = "up" if plugged else "down"
        if self._settled(ident) in (RUNNING, PAUSED):
            self._virsh("domif-setlink", ident, mac.lower(), state)
        self._virsh("domif-setlink", ident, mac.lower(), state, "--config")     # and after the next boot

    def _redefine(self, ident: str, change) -> str:
        root = ET.fromstring(self._virsh("dumpxml", ident, "--inactive"))
        said = change(root)
        with tempfile.NamedTemporaryFile("w", suffix=".xml", delete=False) as f:
            f.write(ET.tostring(root, encoding="unicode"))
        try:
            self._virsh("define", f.name)
        finally:
            Path(f.name).unlink(missing_ok=True)
        return said

    def replace_nic(self, ident: str, mac: str) -> str:
        """The lab interface's model swapped in the domain definition (e1000e <-> e1000; anything else to e1000e),
        the MAC kept (NW-1). A virtio card carries virtio-only driver options (vagrant-libvirt 0.11.2 writes
        `<driver iommu='off'/>`), which libvirt refuses on another model ("iommu driver option is only supported for
        virtio devices"): they go with the model."""
        def change(root: ET.Element) -> str:
            for iface in root.iter("interface"):
                address = iface.find("mac")
                if address is not None and address.get("address", "").lower() == mac.lower():
                    model = iface.find("model")
                    if model is None:
                        model = ET.SubElement(iface, "model")
                    model.set("type", NIC_SWAP.get(model.get("type", ""), "e1000e"))
                    driver = iface.find("driver")
                    if driver is not None:
                        iface.remove(driver)           # its options are the old model's (virtio's)
                    return model.get("type")
            raise ToolFailed(f"the domain {ident} has no interface with the lab MAC {mac}")
        return self._redefine(ident, change)

    def boot_clock(self, ident: str, seconds: float) -> bool:
        def change(root: ET.Element) -> str:
            clock = root.find("clock")
            if clock is None:
                clock = ET.SubElement(root, "clock")
            clock.attrib.clear()
            clock.set("offset", "variable")
            clock.set("basis", "utc")
            clock.set("adjustment", str(int(seconds)))
            return ""
        self._redefine(ident, change)
        return True

    def why_no_snapshots(self, ident: str) -> Optional[str]:
        """None when libvirt takes this domain's internal snapshots, else why not (`trustlab doctor` says it too)."""
        xml = self._virsh("dumpxml", ident, "--inactive")
        if not pflash(xml):
            return None                             # every version takes them
        return internal_snapshots(xml, version(self._virsh("version", "--daemon")))

    def snapshot(self, ident: str, name: str) -> None:
        """An internal snapshot (with memory when running), refused up front with the reason where libvirt cannot
        take one."""
        self._settled(ident)
        refused = self.why_no_snapshots(ident)
        if refused:
            raise ToolFailed(f"virsh snapshot-create-as: {refused}")
        if name in self._virsh("snapshot-list", ident, "--name").split():
            self._virsh("snapshot-delete", ident, name)
        self._virsh("snapshot-create-as", ident, name)

    def restore(self, ident: str, name: str) -> None:
        """Reverting redefines the domain from the snapshot: a NIC swap, a cable or a boot clock set after it are
        undone, live and persistent (measured). `--running` boots a snapshot taken off."""
        self._settled(ident)
        self._virsh("snapshot-revert", ident, name, "--running")
