"""The virtual clock and timers (TM-*)."""
from __future__ import annotations

from trustlab.backends.sim.clock import Clock, next_tick


def test_next_tick_is_on_the_grid_after_now_and_not_before_the_threshold():
    assert next_tick(0, 900, after=0, not_before=0) == 900
    assert next_tick(0, 900, after=900, not_before=0) == 1800
    assert next_tick(100, 900, after=0, not_before=5000) == 5500


def test_advance_fires_due_timers_in_time_order_and_ends_at_the_target():
    fired = []

    class Once:
        def __init__(self, at):
            self.at = at

        def due(self):
            return self.at

        def fire(self):
            fired.append(self.at)
            self.at = None

    clock = Clock()
    clock.timers = [Once(50), Once(10), Once(500)]
    clock.advance(100)
    assert fired == [10, 50] and clock.now == 100


def test_TM_1_months_pass_in_a_few_steps(sim):
    lab = sim(policies={"max_password_age": "0s"}).joined()
    lab("advance_time", by="3650d")
    changes = [t for t, _, text in lab.world.notes if "scavenger" in text]
    assert len(changes) == 121          # every 30 days plus a tick, for ten years
    assert all(b - a == 30 * 86400 + 900 or b - a == 30 * 86400 for a, b in zip(changes, changes[1:]))


def test_TM_2_gp_refresh_brings_domain_policy_to_the_member(sim):
    lab = sim().joined()
    lab("set_policy", cached_logons_count=0)
    assert lab.ws.policy.cached_logons_count == 10
    lab("advance_time", by="2h")
    assert lab.ws.policy.cached_logons_count == 0
    refresh = [t for t, _, text in lab.world.notes if "Group Policy" in text]
    assert len(refresh) == 1 and 5400 <= refresh[0] <= 7200


def test_TM_2_gp_refresh_needs_the_dc(sim):
    lab = sim().joined()
    lab("unplug")
    lab("set_policy", cached_logons_count=0)
    lab("advance_time", by="1d")
    assert lab.ws.policy.cached_logons_count == 10
    lab("plug")
    lab("reboot")                        # and at boot
    assert lab.ws.policy.cached_logons_count == 0


def test_TM_3_max_skew_is_the_profiles():
    from trustlab.specs.profiles import WINDOWS
    assert WINDOWS.max_clock_skew == 300
