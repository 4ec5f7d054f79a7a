"""The virtual clock and its timers. A timer says when it will next *do* something, so months pass in a few steps:
ticks at which nothing would change are never visited."""
from __future__ import annotations

import math
from typing import Callable, Optional, Protocol


class Timer(Protocol):
    def due(self) -> Optional[float]:
        """World time of the next tick that changes something, strictly after now; None when nothing is pending."""

    def fire(self) -> None: ...


def next_tick(origin: float, interval: float, after: float, not_before: float) -> float:
    """The first tick origin + k*interval (k >= 1) that is later than `after` and not earlier than `not_before`."""
    start = max(not_before, after + 1e-9)
    k = max(1, math.ceil((start - origin) / interval))
    return origin + k * interval


class Clock:
    """World time in seconds; each computer's own clock is this plus its offset."""

    def __init__(self) -> None:
        self.now = 0.0
        self.timers: list[Timer] = []

    def advance(self, seconds: float, on_fire: Callable[[], None] = lambda: None) -> None:
        target = self.now + seconds
        while True:
            when, timer = math.inf, None
            for candidate in self.timers:
                t = candidate.due()
                if t is not None and t < when:
                    when, timer = t, candidate
            if timer is None or when > target:
                break
            self.now = when
            timer.fire()
            on_fire()
        self.now = target
