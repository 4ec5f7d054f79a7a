"""Durations as people write them in scenario files: `45s`, `90m`, `200d`, `1h30m`, `-3d`."""
from __future__ import annotations

import functools
import re

UNITS = {"w": 604800, "d": 86400, "h": 3600, "m": 60, "s": 1}
_PART = re.compile(r"(\d+)([wdhms])")
_WHOLE = re.compile(r"-?(\d{1,9}[wdhms]){1,5}")
HELP = "a number with a unit s, m, h, d or w, e.g. 45s, 90m, 200d, 1h30m"
SIGNED_HELP = HELP + " (a leading - moves the clock back)"


def parse(text: str, signed: bool = False) -> int:
    """Seconds in `text`; ValueError names what is allowed. Only an offset (`signed`) may be negative: time in the
    lab never runs backwards, a clock set wrong may."""
    if not isinstance(text, str) or not _WHOLE.fullmatch(text.strip()):
        raise ValueError(f"bad duration {text!r}: use {SIGNED_HELP if signed else HELP}")
    text = text.strip()
    seconds = sum(int(n) * UNITS[u] for n, u in _PART.findall(text))
    if text.startswith("-"):
        if not signed:
            raise ValueError(f"bad duration {text!r}: time in the lab only moves forward; only set_clock's offset "
                             f"may be negative")
        return -seconds
    return seconds


@functools.lru_cache(maxsize=4096)
def format(seconds: float) -> str:
    """The shortest exact spelling, so a written-out schedule reads back to the same number."""
    seconds = int(seconds)
    if seconds == 0:
        return "0s"
    sign, rest, out = ("-" if seconds < 0 else ""), abs(seconds), []
    for unit, size in UNITS.items():
        if unit == "w":
            continue
        if rest >= size:
            out.append(f"{rest // size}{unit}")
            rest %= size
    return sign + "".join(out)
