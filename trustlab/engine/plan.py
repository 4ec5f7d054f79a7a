"""A run's plan: every step of a scenario (and a remediation) with its arguments resolved to concrete names."""
from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from functools import lru_cache
from typing import Any, Optional

from trustlab.specs.remediation import Remediation
from trustlab.specs.scenario import Scenario
from trustlab.specs.steps import EXPECTATION_FIELDS, VERBS, Family, Span, StepBase, Verb, flatten

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
    within: Optional[int] = None         # a check run by the remediation's step at this index (stop_if_fixed)

    @property
    def target(self) -> tuple:
        """What a probe is about, so the same observation before and after a remediation can be compared."""
        return (self.verb, self.args.get("user"), self.args.get("computer"))

    @property
    def facts(self) -> Verb:
        return VERBS[self.verb]


def _plain(value: Any) -> Any:
    if isinstance(value, Span):
        return value.value
    return value.value if isinstance(value, Enum) else value


def resolve(step: StepBase, phase: str, index: int, user: str, computer: str) -> Action:
    args, expect, text = _resolved(step, user, computer)
    return Action(phase, index, step.verb, step.family, args, expect, text)


@lru_cache(maxsize=65536)
def _resolved(step: StepBase, user: str, computer: str) -> tuple[dict, dict, str]:
    """Steps are immutable values and explored schedules share most of theirs, so each is resolved once."""
    args, expect = {}, {}
    left_out = getattr(type(step.args), "left_out_unset", ())   # arguments added later: absent unless given, so
    for name in type(step.args).model_fields:                     # every journal recorded before stays as it was
        value = _plain(getattr(step.args, name))
        if value is None and name in left_out:
            continue
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


def plan(scenario: Scenario, remediation: Optional[Remediation] = None) -> list[Action]:
    user, computer = scenario.user, scenario.computer
    sections = [(SETUP, scenario.setup), (BREAK, scenario.break_), (SYMPTOMS, scenario.symptoms)]
    if remediation is not None:
        sections += [(REMEDIATION, remediation.steps), (VERIFY, remediation.checks), (RECHECK, scenario.symptoms)]
    return [resolve(step, phase, i, user, computer) for phase, steps in sections
            for i, step in enumerate(flatten(steps))]
