"""Computer Group Policy: domain settings reach a member at boot and at each background refresh (TM-2)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Optional

from trustlab.backends.sim import netlogon
from trustlab.specs.outcomes import ChannelStatus

if TYPE_CHECKING:
    from trustlab.backends.sim.world import Workstation


@dataclass(frozen=True)
class ComputerPolicy:
    """The settings a member holds locally (registry), as Group Policy last wrote them."""

    cached_logons_count: int
    machine_password_age: int
    disable_password_change: bool


def from_domain(ws: "Workstation") -> ComputerPolicy:
    p = ws.world.directory.policy
    return ComputerPolicy(p.cached_logons_count, p.machine_password_age, p.disable_password_change)


def apply(ws: "Workstation") -> bool:
    """Processing needs the DC and the computer's own domain identity (the secure channel)."""
    if netlogon.establish(ws) is not ChannelStatus.OK:
        return False
    ws.policy = from_domain(ws)
    return True


def _jitter(seed: int, name: str, n: int, span: int) -> int:
    """TM-2's random delay of the n-th refresh: counter-based, so skipped refreshes cost nothing."""
    return _mix(seed * 1_000_003 + n, name) % (span + 1) if span else 0


def _mix(value: int, name: str) -> int:
    for ch in name:
        value = (value * 131 + ord(ch)) & 0xFFFFFFFFFFFFFFFF
    value ^= value >> 33
    value = (value * 0xFF51AFD7ED558CCD) & 0xFFFFFFFFFFFFFFFF
    value ^= value >> 33
    return value


class GroupPolicyRefresh:
    """TM-2: every 90 minutes plus a random 0-30. Only refreshes that would change something are visited."""

    def __init__(self, ws: "Workstation"):
        self.ws = ws

    def _tick(self, n: int) -> float:
        p = self.ws.world.profile
        return self.ws.boot_time + n * p.gp_refresh_interval + _jitter(self.ws.world.seed, self.ws.name, n,
                                                                         p.gp_refresh_jitter)

    def due(self) -> Optional[float]:
        ws = self.ws
        if not ws.powered or not ws.netlogon.joined or ws.policy == from_domain(ws):
            return None
        if netlogon.verdict(ws) is not ChannelStatus.OK:
            return None
        now, interval = ws.world.clock.now, ws.world.profile.gp_refresh_interval
        n = max(1, int((now - ws.boot_time) // interval))
        while self._tick(n) <= now:
            n += 1
        return self._tick(n)

    def fire(self) -> None:
        if apply(self.ws):
            self.ws.world.note(self.ws, "Group Policy refresh applied new computer settings (TM-2)")
