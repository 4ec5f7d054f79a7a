"""A run's plan: every step of a scenario (and a remediation) with its arguments resolved to concrete names."""
from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Any, Optional

from trustlab.specs.remediation import Remediation
from trustlab.specs.scenario import Scenario
from trustlab.specs.steps import EXPECTATION_FIELDS, Family, Span, StepBase, flatten

SETUP, BREAK, SYMPTOMS, REMEDIATION, VERIFY, RECHECK = "setup", "break", "symptoms", "remediation", "verify", "recheck"


@dataclass(frozen=True)
class Action:
    phase: str
    index: int
    verb: str
    family: Family
    args: dict[str, Any]                 # what the backend gets
    expect: dict[str, Any]               # what a probe must show: {"outcome": ..., "hidden_adapters": ...}
    text: str

    @property
    def target(self) -> tuple:
        """What a probe is about, so the same observation before and after a remediation can be compared."""
        return (self.verb, self.args.get("user"), self.args.get("computer"))


def _plain(value: Any) -> Any:
    if isinstance(value, Span):
        return value.value
    return value.value if isinstance(value, Enum) else value


def resolve(step: StepBase, phase: str, index: int, user: str, computer: str) -> Action:
    key = (id(step), user, computer)
    hit = _RESOLVED.get(key)
    if hit is None or hit[0] is not step:
        if len(_RESOLVED) > 65536:
            _RESOLVED.clear()
        hit = _RESOLVED[key] = (step, *_resolved(step, user, computer))
    return Action(phase, index, step.verb, step.family, hit[1], hit[2], hit[3])


_RESOLVED: dict[tuple[int, str, str], tuple[StepBase, dict, dict, str]] = {}
"""Steps are immutable and explored schedules share most of theirs, so each step is resolved once."""


def _resolved(step: StepBase, user: str, computer: str) -> tuple[dict, dict, str]:
    args, expect = {}, {}
    for name in type(step.args).model_fields:
        value = _plain(getattr(step.args, name))
        if name in EXPECTATION_FIELDS:
            if value is not None:
                expect["outcome" if name == "expect" else name] = value
            continue
        if value is None and name == "computer":
            value = computer
        elif value is None and name == "user":
            value = user
        args[name] = value
    return args, expect, str(step)


_PLANS: dict[tuple[int, int], tuple[Scenario, Optional[Remediation], list[Action]]] = {}


def plan(scenario: Scenario, remediation: Optional[Remediation] = None) -> list[Action]:
    """The plan of a pair; specs are immutable, so it is built once and reused (the matrix runs each pair often)."""
    key = (id(scenario), id(remediation))
    hit = _PLANS.get(key)
    if hit is not None and hit[0] is scenario and hit[1] is remediation:
        return hit[2]
    if len(_PLANS) > 4096:
        _PLANS.clear()
    actions = _build(scenario, remediation)
    _PLANS[key] = (scenario, remediation, actions)
    return actions


def _build(scenario: Scenario, remediation: Optional[Remediation]) -> list[Action]:
    user, computer = scenario.user, scenario.computer
    sections = [(SETUP, scenario.setup), (BREAK, scenario.break_), (SYMPTOMS, scenario.symptoms)]
    if remediation is not None:
        sections += [(REMEDIATION, remediation.steps), (VERIFY, remediation.checks), (RECHECK, scenario.symptoms)]
    return [resolve(step, phase, i, user, computer) for phase, steps in sections
            for i, step in enumerate(flatten(steps))]
