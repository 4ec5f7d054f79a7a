"""What Windows' own timers would have done while lab time jumped. Netlogon's scavenger (MP-1) and W32Time's polls
(TM-10) count elapsed time, not the clock, so moving the clocks fires neither of them; the backend does at a jump
what they would have done by its end, and the journal says so. The sim fires the same timers on its virtual clock."""
from __future__ import annotations


def scavenger_runs(age: float, jump: float, max_age: float) -> list[float]:
    """Seconds into a jump of `jump` seconds at which the scavenger changes a machine password that is `age` seconds
    old when the jump starts: at its first run once the password is older than `max_age`, then each time the new
    one is (MP-1). The scavenger's own 15-minute period is below the resolution that matters here."""
    if max_age <= 0:
        return []
    runs, at = [], max(0.0, max_age - age)
    while at < jump:
        runs.append(at)
        at += max_age
    return runs


def time_poll_due(jump: float, interval: float) -> bool:
    """A member polls its time source at least every `interval` seconds of elapsed time (TM-10; the profile's
    `time_resync_interval`), so a jump that long contains a poll."""
    return jump >= interval
