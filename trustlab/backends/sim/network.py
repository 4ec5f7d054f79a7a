"""PnP network adapters (present and hidden) with per-adapter TCP/IP settings, and the cable."""
from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from typing import Optional

from trustlab.specs.outcomes import NetworkStatus


@dataclass
class Adapter:
    name: str
    present: bool = True
    static_ip: Optional[str] = None   # None: DHCP
    prefix: int = 24                  # the subnet mask typed with a static address


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
        if adapter.static_ip is None:
            # NW-1: a DHCP adapter with no DHCP server gets no usable address (NW-5: an APIPA one)
            return NetworkStatus.UP if self.dhcp_server else NetworkStatus.NO_ADDRESS
        return NetworkStatus.UP if self.usable(adapter) else NetworkStatus.NO_ADDRESS

    @property
    def subnet(self) -> ipaddress.IPv4Network:
        """The lab's subnet: the workstation's own address /24, the DC at .10 (NW-5)."""
        return ipaddress.ip_interface(f"{self.address}/24").network

    @property
    def dc_address(self) -> str:
        return str(self.subnet.network_address + 10)

    def duplicate(self, adapter: Adapter) -> bool:
        """NW-5: a static address another machine of the lab already uses (the DC's) is a conflict on the wire."""
        return adapter.static_ip == self.dc_address

    def usable(self, adapter: Adapter) -> bool:
        """NW-5: a static address reaches the DC when the DC is on its subnet (no gateway in the lab), it is a host
        address of that subnet, and no other machine uses it."""
        if adapter.static_ip == self.address:
            return True
        try:
            mine = ipaddress.ip_interface(f"{adapter.static_ip}/{adapter.prefix}")
        except ValueError:
            return False
        dc = ipaddress.ip_address(self.dc_address)
        on_link = dc in mine.network and mine.ip in self.subnet
        host = mine.ip not in (self.subnet.network_address, self.subnet.broadcast_address)
        return on_link and host and not self.duplicate(adapter)

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

    def conflict(self, address: Optional[str] = None) -> Optional[Adapter]:
        """NW-2: a hidden adapter that holds the address about to be entered (default the lab's)."""
        address = address or self.address
        return next((a for a in self.hidden if a.static_ip == address), None)
