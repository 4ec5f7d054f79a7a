"""Hypothesis strategies over labs and schedules, for the explorer and for users' own property tests.

    from hypothesis import given
    from lab.strategies import schedules
    from lab.catalogue import load_default

    cat = load_default()

    @given(schedules(cat.scenario("clock-months-off"), cat.remediation("unplug-cached-logon-wait-reboot")))
    def test_waiting_long_enough_fixes_the_clock(schedule):
        ...

A schedule is a concrete scenario and a concrete remediation: every span drawn, every `any_order` group ordered,
every `maybe` decided, background events placed. Both are ordinary specs and can be run or written out."""
from __future__ import annotations

from dataclasses import dataclass

from hypothesis import strategies as st

from lab import durations
from lab.specs.remediation import Remediation
from lab.specs.scenario import Scenario
from lab.specs.steps import AnyOrderStep, MaybeStep, Span, StepBase

MINUTE = 60


@dataclass(frozen=True)
class Schedule:
    scenario: Scenario
    remediation: Remediation

    def describe(self) -> list[str]:
        """The schedule as readable steps, the way a counterexample is printed."""
        lines = [f"break[{i}] {s}" for i, s in enumerate(self.scenario.break_)]
        return lines + [f"steps[{i}] {s}" for i, s in enumerate(self.remediation.steps)]


def durations_in(span: Span) -> st.SearchStrategy[int]:
    """Values of a span; whole minutes when the span is wider than two hours, so schedules read well. Shrinks
    towards `min`."""
    if span.max - span.min > 2 * 3600:
        low, high = -(-span.min // MINUTE), span.max // MINUTE
        return st.integers(low, high).map(lambda m: m * MINUTE)
    return st.integers(span.min, span.max)


def data(step: StepBase) -> dict:
    """A step as the YAML mapping that reads back to it."""
    return step.model_dump(mode="json", by_alias=True, exclude_none=True, exclude_defaults=True)


def _with(step: StepBase, values: dict[str, int]) -> StepBase:
    """The step with drawn durations; a copy of an already validated step, so nothing is validated again."""
    return type(step).model_construct(**{step.verb: step.args.model_copy(update=values)})


def _concrete(step: StepBase) -> st.SearchStrategy[list[StepBase]]:
    if isinstance(step, AnyOrderStep):
        parts = [_concrete(s) for s in step.any_order]
        return st.tuples(st.permutations(range(len(parts))), st.tuples(*parts)).map(
            lambda drawn: [s for i in drawn[0] for s in drawn[1][i]])
    if isinstance(step, MaybeStep):
        return st.tuples(st.booleans(), _concrete(step.maybe)).map(lambda drawn: drawn[1] if drawn[0] else [])
    spans = {name: value for name in type(step.args).model_fields
             if isinstance(value := getattr(step.args, name), Span)}
    if not spans:
        return st.just([step])
    return st.fixed_dictionaries({name: durations_in(span) for name, span in spans.items()}).map(
        lambda values: [_with(step, values)])


def _varies(step: StepBase) -> bool:
    if isinstance(step, (AnyOrderStep, MaybeStep)):
        return True
    return any(isinstance(getattr(step.args, name), Span) for name in type(step.args).model_fields)


def steps(written: list) -> st.SearchStrategy[list[StepBase]]:
    """Concrete steps from written ones: spans drawn, `any_order` groups ordered, `maybe` steps decided. Only what
    varies is drawn (each draw costs); fixed steps are put back in place around it."""
    varying = [i for i, s in enumerate(written) if _varies(s)]
    if not varying:
        return st.just(list(written))

    def splice(chunks: tuple[list[StepBase], ...]) -> list[StepBase]:
        drawn = dict(zip(varying, chunks))
        return [s for i, step in enumerate(written) for s in (drawn[i] if i in drawn else [step])]

    return st.tuples(*(_concrete(written[i]) for i in varying)).map(splice)


def scenarios(scenario: Scenario) -> st.SearchStrategy[Scenario]:
    """The scenario with its set-up and break made concrete."""
    return st.tuples(steps(scenario.setup), steps(scenario.break_)).map(
        lambda drawn: scenario.model_copy(update={"setup": drawn[0], "break_": drawn[1], "regression": None}))


def procedures(remediation: Remediation, max_background: int = 3) -> st.SearchStrategy[Remediation]:
    """The remediation with its steps made concrete and up to `max_background` background events placed."""
    def place(drawn: tuple[list[StepBase], list[tuple[int, list[StepBase]]]]) -> Remediation:
        body, events = list(drawn[0]), drawn[1]
        for position, event in sorted(events, key=lambda e: -e[0]):
            at = min(position, len(body))
            body[at:at] = event
        return remediation.model_copy(update={"steps": body, "background": []})

    if not remediation.background:
        return st.tuples(steps(remediation.steps), st.just([])).map(place)
    # Fixed slots, each (happens?, where, which event, the events' drawn forms): plain integer draws are much
    # cheaper than a Hypothesis list, and each slot still shrinks towards "no event".
    options = st.tuples(*(_concrete(b) for b in remediation.background))
    slot = st.tuples(st.booleans(), st.integers(0, 50), st.integers(0, len(remediation.background) - 1), options)
    events = st.tuples(*([slot] * max_background)).map(
        lambda slots: [(where, forms[which]) for happens, where, which, forms in slots if happens])
    return st.tuples(steps(remediation.steps), events).map(place)


def schedules(scenario: Scenario, remediation: Remediation) -> st.SearchStrategy[Schedule]:
    return st.builds(Schedule, scenarios(scenario), procedures(remediation))
