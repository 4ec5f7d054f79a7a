"""libvirt through virsh, on the same connection as vagrant-libvirt: the lab machines' power, the lab NIC's cable and
model, the clock at the next cold boot, and snapshots (providers.py says why none of it goes through Vagrant)."""
from __future__ import annotations

import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path

from trustlab.backends.vagrant.providers import OFF, RUNNING, Provider, ToolFailed, run
from trustlab.backends.vagrant.settings import LIBVIRT_URI


class Libvirt(Provider):
    """virsh, always on vagrant-libvirt's connection. `domif-setlink` changes a running domain's link; `--config`
    changes the persistent definition, the only one a shut-off domain has (virsh(1) domif-setlink; libvirt domain
    XML `<link state=.../>`)."""

    name = "libvirt"

    def _virsh(self, *args: str) -> str:
        return run("virsh", "-c", LIBVIRT_URI, *args, what=f"virsh {args[0]}").stdout

    def state(self, ident: str) -> str:
        return RUNNING if self._virsh("domstate", ident).strip() == "running" else OFF

    def start(self, ident: str) -> None:
        self._virsh("start", ident)

    def power_off(self, ident: str) -> None:
        self._virsh("destroy", ident)

    def cable(self, ident: str, mac: str, plugged: bool) -> None:
        state = "up" if plugged else "down"
        if self.state(ident) == RUNNING:
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
        """The lab interface's model e1000e <-> e1000 in the domain definition, the MAC kept (NW-1)."""
        def change(root: ET.Element) -> str:
            for iface in root.iter("interface"):
                address = iface.find("mac")
                if address is not None and address.get("address", "").lower() == mac.lower():
                    model = iface.find("model")
                    if model is None:
                        model = ET.SubElement(iface, "model")
                    model.set("type", "e1000" if model.get("type") == "e1000e" else "e1000e")
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

    def snapshot(self, ident: str, name: str) -> None:
        if name in self._virsh("snapshot-list", ident, "--name").split():
            self._virsh("snapshot-delete", ident, name)
        self._virsh("snapshot-create-as", ident, name)

    def restore(self, ident: str, name: str) -> None:
        self._virsh("snapshot-revert", ident, name, "--running")
