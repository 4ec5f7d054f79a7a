"""PnP network adapters (present and hidden) with per-adapter TCP/IP settings, and the cable."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

from trustlab.specs.outcomes import NetworkStatus


@dataclass
class Adapter:
    name: str
    present: bool = True
    static_ip: Optional[str] = None   # None: DHCP


@dataclass
class Network:
    address: str                      # the lab's address for this workstation
    dhcp_server: bool                 # the lab hands out addresses (addressing: dhcp)
    adapters: list[Adapter] = field(default_factory=list)
    cable: bool = True
    redetect_at_boot: bool = False    # NW-4: uninstalled without its driver, comes back at the next boot

    @classmethod
    def build(cls, address: str, dhcp: bool) -> "Network":
        return cls(address, dhcp, [Adapter("Ethernet", static_ip=None if dhcp else address)])

    @property
    def present(self) -> Optional[Adapter]:
        return next((a for a in self.adapters if a.present), None)

    @property
    def hidden(self) -> list[Adapter]:
        return [a for a in self.adapters if not a.present]

    def status(self) -> NetworkStatus:
        """The workstation's own side of reaching the DC."""
        if not self.cable:
            return NetworkStatus.UNPLUGGED
        adapter = self.present
        if adapter is None:
            return NetworkStatus.NO_ADAPTER
        if adapter.static_ip == self.address or (adapter.static_ip is None and self.dhcp_server):
            return NetworkStatus.UP
        return NetworkStatus.NO_ADDRESS   # NW-1: a DHCP adapter with no DHCP server gets no usable address

    def _fresh_name(self) -> str:
        names = {a.name for a in self.adapters}
        return next(n for n in ("Ethernet", *(f"Ethernet {i}" for i in range(2, 99))) if n not in names)

    def replace_nic(self) -> None:
        """NW-1: the old adapter becomes non-present and keeps its static settings; a new one starts on DHCP."""
        for adapter in self.adapters:
            adapter.present = False
        self.adapters.append(Adapter(self._fresh_name()))

    def remove_hidden(self) -> list[Adapter]:
        """NW-3: uninstalling the dimmed devices deletes them and their TCP/IP settings."""
        gone = self.hidden
        self.adapters = [a for a in self.adapters if a.present]
        return gone

    def uninstall_present(self) -> Optional[Adapter]:
        """NW-4: uninstall without deleting the driver; settings go with the device, the device returns at boot."""
        adapter = self.present
        if adapter is not None:
            self.adapters.remove(adapter)
            self.redetect_at_boot = True
        return adapter

    def boot(self) -> None:
        if self.redetect_at_boot:
            self.adapters.append(Adapter(self._fresh_name()))   # NW-4: re-detected with fresh (DHCP) settings
            self.redetect_at_boot = False

    def conflict(self) -> Optional[Adapter]:
        """NW-2: a hidden adapter that holds the address about to be entered."""
        return next((a for a in self.hidden if a.static_ip == self.address), None)
