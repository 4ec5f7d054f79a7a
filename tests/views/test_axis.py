"""The timeline's axis: order kept, instants one slot apart, minutes visible, months squeezed behind a break."""
from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from trustlab.views.axis import BREAK_AFTER, BREAK_WIDTH, SLOT, Axis, gap_width


def test_steps_at_one_instant_sit_one_slot_apart():
    axis = Axis.build([0, 0, 0])
    assert [b - a for a, b in zip(axis.x, axis.x[1:])] == [SLOT, SLOT]
    assert axis.breaks == [] and len(axis.ticks) == 1


def test_minutes_are_wider_than_seconds_and_an_hour_wider_still_but_never_a_page():
    assert SLOT < gap_width(60) < gap_width(17 * 60) < gap_width(3600) < gap_width(BREAK_AFTER) < 200


def test_a_201_day_drawer_is_a_labelled_break_no_wider_than_a_few_steps():
    axis = Axis.build([0, 0, 181 * 86400, 201 * 86400, 201 * 86400 + 1024, 201 * 86400 + 3600])
    assert [b.label for b in axis.breaks] == ["+181d", "+20d"]
    assert axis.x[2] - axis.x[1] == axis.x[3] - axis.x[2] == BREAK_WIDTH
    assert axis.x[4] - axis.x[3] > SLOT                      # the 17 minutes that matter stay visible
    assert [t.label for t in axis.ticks] == ["+0s", "+181d", "+201d", "+201d17m4s", "+201d1h"]


def test_real_time_goes_on_the_ticks():
    axis = Axis.build([0, 5, 5], [1000.0, 1005.0, 1006.0])
    assert [(t.t, t.wall) for t in axis.ticks] == [(0, 1000.0), (5, 1005.0)]


@given(st.lists(st.floats(min_value=0, max_value=400 * 86400, allow_nan=False), max_size=40))
def test_marks_keep_their_order(times):
    axis = Axis.build(times)
    assert len(axis.x) == len(times)
    assert all(b - a >= SLOT - 1e-9 for a, b in zip(axis.x, axis.x[1:]))
    assert axis.width > (axis.x[-1] if axis.x else 0)
