"""The time axis of a timeline: lab time, months squeezed and minutes expanded.

A run's steps come in bursts at one instant (a technician's minutes, often zero lab time on the sim) separated by
gaps from seconds to months (a 201-day drawer). A linear scale would hide every burst, a plain log scale would
lie about order. So the axis is piecewise: steps at one instant sit one slot apart in the order they happened; a
gap up to `BREAK_AFTER` gets a width that grows with the logarithm of its length (a minute is visible, an hour
wider, never a page); a longer gap is drawn as a fixed-width break with its length written on it."""
from __future__ import annotations

import math
from dataclasses import dataclass, field

from trustlab.specs import durations

SLOT = 22.0            # px between two marks at the same instant
PER_DOUBLING = 16.0    # px added each time a short gap doubles, counted in minutes
BREAK_AFTER = 6 * 3600.0
BREAK_WIDTH = 64.0
MARGIN = 16.0


def gap_width(seconds: float) -> float:
    """The width of a gap between two consecutive marks."""
    if seconds <= 0:
        return SLOT
    if seconds > BREAK_AFTER:
        return BREAK_WIDTH
    return SLOT + PER_DOUBLING * math.log2(1 + seconds / 60)


@dataclass(frozen=True)
class Break:
    """A gap too long to draw to scale: drawn squeezed, with a zigzag and its length."""

    x0: float
    x1: float
    t0: float
    t1: float

    @property
    def label(self) -> str:
        return "+" + durations.format(round(self.t1 - self.t0))


@dataclass(frozen=True)
class Tick:
    x: float
    t: float
    wall: float | None = None

    @property
    def label(self) -> str:
        return "+" + durations.format(round(self.t))


@dataclass
class Axis:
    """Where each of a sequence of instants goes: `x[i]` for the i-th, in the order given."""

    x: list[float] = field(default_factory=list)
    times: list[float] = field(default_factory=list)
    breaks: list[Break] = field(default_factory=list)
    ticks: list[Tick] = field(default_factory=list)
    width: float = 2 * MARGIN

    @classmethod
    def build(cls, times: list[float], walls: list[float | None] | None = None) -> "Axis":
        """Times in the order things happened (a later one earlier than the one before counts as the same
        instant: the order is the journal's). `walls`, when given, are the real times for the ticks."""
        axis = cls()
        walls = walls or [None] * len(times)
        x, last = MARGIN, None
        for i, t in enumerate(times):
            if last is not None:
                gap = max(0.0, t - last)
                step = gap_width(gap)
                if gap > BREAK_AFTER:
                    axis.breaks.append(Break(x + SLOT / 2, x + step - SLOT / 2, last, t))
                x += step
            if last is None or t > last:
                axis.ticks.append(Tick(x, t, walls[i]))
            axis.x.append(x)
            axis.times.append(t if last is None else max(t, last))
            last = axis.times[-1]
        axis.width = x + MARGIN + SLOT
        return axis
