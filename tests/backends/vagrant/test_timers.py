"""What the elapsed-time timers would have done during a jump, as the sim's timers do on its virtual clock (MP-1,
TM-10): the same counts the sim gives for the catalogue's jumps."""
from __future__ import annotations

import pytest

from trustlab.backends.vagrant.timers import scavenger_runs, time_poll_due

DAY = 86400.0


@pytest.mark.parametrize("age, jump, runs", [
    (0, 31 * DAY, [30 * DAY]),                       # stale-snapshot-one-rotation: one change
    (0, 62 * DAY, [30 * DAY, 60 * DAY]),             # one jump of two ages: two changes
    (1 * DAY, 31 * DAY, [29 * DAY]),                 # the second of two 31-day jumps: its own change
    (0, 29 * DAY, []),                               # younger than the maximum age: none
    (40 * DAY, 1, [0.0]),                            # already too old (away for months): at the first run
])
def test_scavenger_runs(age, jump, runs):
    assert scavenger_runs(age, jump, 30 * DAY) == runs


def test_no_maximum_age_no_change():
    assert scavenger_runs(100 * DAY, 100 * DAY, 0) == []


def test_the_sim_agrees_on_the_catalogues_stale_snapshot_jumps(sim):
    """The sim's own scavenger over the same jumps changes the password as often."""
    for jumps in ([31], [31, 31], [62], [29]):
        lab = sim().joined()
        age, expected = 0.0, 0
        for days in jumps:
            lab("advance_time", by=f"{days}d")
            runs = scavenger_runs(age, days * DAY, 30 * DAY)
            expected += len(runs)
            age = days * DAY - runs[-1] if runs else age + days * DAY
        notes = [text for _, _, text in lab.backend.background() if text.startswith("scavenger changed")]
        assert len(notes) == expected, jumps


def test_a_poll_is_due_after_the_poll_interval():
    assert time_poll_due(1024, 1024) and not time_poll_due(1023, 1024)
