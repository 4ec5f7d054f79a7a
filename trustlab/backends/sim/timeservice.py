"""W32Time on a member: it takes its DC's time at boot and at each poll, once it can reach the DC (LG-8)."""
from __future__ import annotations

from typing import TYPE_CHECKING, Optional

from trustlab.backends.sim.clock import next_tick

if TYPE_CHECKING:
    from trustlab.backends.sim.world import Workstation


def sync(ws: "Workstation") -> bool:
    """LG-8: a member accepts any correction from its DC; False when the DC cannot be reached."""
    if not ws.world.reachable(ws):
        return False
    ws.offset = ws.world.dc.offset
    return True


class TimeSync:
    def __init__(self, ws: "Workstation"):
        self.ws = ws

    def due(self) -> Optional[float]:
        ws = self.ws
        profile = ws.world.profile
        if not (ws.powered and profile.member_syncs_time_from_dc and ws.offset != ws.world.dc.offset
                and ws.world.reachable(ws)):
            return None
        return next_tick(ws.boot_time, profile.time_resync_interval, ws.world.clock.now, ws.world.clock.now)

    def fire(self) -> None:
        if sync(self.ws):
            self.ws.world.note(self.ws, "time synchronised with the DC (LG-8)")
