"""The public strategies: every drawn schedule is a valid, concrete spec within the declared variation."""
from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from trustlab.runs.strategies import durations_in, procedures, scenarios, schedules
from trustlab.specs.remediation import Remediation
from trustlab.specs.scenario import Scenario
from trustlab.specs.steps import AnyOrderStep, MaybeStep, Span

SCENARIO = Scenario.model_validate({
    "id": "s", "title": "t", "models": ["LG-8"], "setup": [{"join": {}}],
    "break": [{"power_off": {}}, {"advance_time": {"by": {"min": "1d", "max": "400d", "default": "30d"}}},
              {"maybe": {"set_clock": {"offset": "-200d"}}}, {"power_on": {}}],
    "symptoms": [{"logon": {"expect": "SUCCESS"}}]})
REMEDIATION = Remediation.model_validate({
    "id": "r", "title": "t", "steps": [{"unplug": {}}, {"any_order": [{"plug": {}}, {"reboot": {}},
                                                                      {"wait": {"for": {"min": "0s", "max": "1h"}}}]}],
    "background": [{"reboot": {}}]})


def _flat(steps):
    return all(not isinstance(s, (AnyOrderStep, MaybeStep)) and
               not any(isinstance(getattr(s.args, f), Span) for f in type(s.args).model_fields) for s in steps)


@settings(max_examples=100, deadline=None)
@given(scenarios(SCENARIO))
def test_scenarios_are_concrete_and_in_range(s):
    assert _flat(s.setup) and _flat(s.break_)
    by = next(step.args.by for step in s.break_ if step.verb == "advance_time")
    assert 86400 <= by <= 400 * 86400 and by % 60 == 0
    assert [step.verb for step in s.break_][0] == "power_off"
    assert len(s.break_) in (3, 4)


@settings(max_examples=100, deadline=None)
@given(procedures(REMEDIATION))
def test_procedures_keep_every_step_and_add_only_background(r):
    verbs = [step.verb for step in r.steps]
    assert verbs[0] in ("unplug", "reboot")
    assert sorted(v for v in verbs if v != "reboot") == ["plug", "unplug", "wait"]
    assert 1 <= verbs.count("reboot") <= 4 and r.background == []
    assert 0 <= next(step.args.for_ for step in r.steps if step.verb == "wait") <= 3600


def test_plain_runs_take_the_default_and_written_order():
    from trustlab.engine.plan import plan

    actions = plan(SCENARIO, REMEDIATION)
    advance = next(a for a in actions if a.verb == "advance_time")
    assert advance.args["by"] == 30 * 86400
    assert [a.verb for a in actions if a.phase == "remediation"] == ["unplug", "plug", "reboot", "wait"]
    assert any(a.verb == "set_clock" for a in actions)


@given(st.data())
def test_spans_shrink_towards_their_minimum(data):
    span = Span(min="10m", max="4h")
    assert 600 <= data.draw(durations_in(span)) <= 14400


@settings(max_examples=20, deadline=None)
@given(schedules(SCENARIO, REMEDIATION))
def test_schedule_describes_itself(schedule):
    lines = schedule.describe()
    assert lines[0] == "break[0] power_off: {}" and any(line.startswith("steps[") for line in lines)


def test_with_timing_adds_a_gap_after_each_step_and_the_background_it_omits():
    from trustlab.runs.strategies import variation, with_timing

    plain = Remediation.model_validate({"id": "r", "title": "t", "steps": [{"local_admin_logon": {}},
                                                                             {"reboot": {}}],
                                        "background": [{"reboot": {}}]})
    timed = with_timing(plain)
    assert [s.verb for s in timed.steps] == ["local_admin_logon", "wait", "reboot", "wait"]
    assert str(timed.steps[1].args.for_) == "0s..2h"
    assert [b.verb for b in timed.background] == ["reboot", "cable_flap", "advance_time"]
    assert variation(SCENARIO.model_copy(update={"break_": [SCENARIO.break_[0]]}), plain) > 0     # the background
    bare = plain.model_copy(update={"background": []})
    assert variation(SCENARIO.model_copy(update={"break_": [SCENARIO.break_[0]]}), bare) == 0
    assert variation(SCENARIO.model_copy(update={"break_": [SCENARIO.break_[0]]}), with_timing(bare)) > 0
