"""Hypothesis strategies over labs and schedules, for the explorer and for users' own property tests.

    from hypothesis import given
    from trustlab.runs.strategies import schedules
    from trustlab.specs.catalogue import load_default

    cat = load_default()

    @given(schedules(cat.scenario("clock-months-off"), cat.remediation("unplug-cached-logon-wait-reboot")))
    def test_waiting_long_enough_fixes_the_clock(schedule):
        ...

A schedule is a concrete scenario and a concrete remediation: every span drawn, every `any_order` group ordered,
every `maybe` decided, background events placed. Both are ordinary specs and can be run or written out."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterator

from hypothesis import strategies as st

from trustlab.specs.remediation import Remediation
from trustlab.specs.scenario import Scenario
from trustlab.specs.steps import STEP_MODELS, AnyOrderStep, MaybeStep, Span, StepBase

MINUTE = 60

GAP = {"min": "0s", "max": "2h"}
"""The time a technician may take between two steps when the files say nothing: up to two hours, which crosses the
timers that matter here (a time poll, the scavenger, a GP refresh; TM-1, TM-2, TM-10)."""
BACKGROUND = [{"reboot": {}}, {"cable_flap": {}}, {"advance_time": {"by": {"min": "15m", "max": "2d"}}}]
"""Background events the explorer may add on its own: a reboot, a cable flap, time passing (scavenger, GP, time)."""


@dataclass(frozen=True)
class Schedule:
    scenario: Scenario
    remediation: Remediation

    def describe(self) -> list[str]:
        """The schedule as readable steps, the way a counterexample is printed."""
        lines = [f"break[{i}] {s}" for i, s in enumerate(self.scenario.break_)]
        return lines + [f"steps[{i}] {s}" for i, s in enumerate(self.remediation.steps)]

    def without_no_ops(self) -> "Schedule":
        """The same schedule without the steps that do nothing: a `wait` of 0 s (a gap shrunk to nothing)."""
        def kept(steps: list) -> list:
            return [s for s in steps if not (s.verb == "wait" and s.args.for_ == 0)]        # a span is never 0

        return Schedule(self.scenario.model_copy(update={"setup": kept(self.scenario.setup),
                                                         "break_": kept(self.scenario.break_)}),
                        self.remediation.model_copy(update={"steps": kept(self.remediation.steps)}))


def durations_in(span: Span) -> st.SearchStrategy[int]:
    """Values of a span (whole minutes when it is wider than two hours); shrinks towards `min`."""
    low, high, unit = _span_range(span)
    return st.integers(low, high).map(lambda v: v * unit)


def data(step: StepBase) -> dict:
    """A step as the YAML mapping that reads back to it."""
    return step.model_dump(mode="json", by_alias=True, exclude_none=True, exclude_defaults=True)


def _with(step: StepBase, values: dict[str, int]) -> StepBase:
    """The step with drawn durations; a copy of an already validated step, so nothing is validated again."""
    return type(step).model_construct(**{step.verb: step.args.model_copy(update=values)})


@dataclass
class Choices:
    """A step list compiled into flat integer choices, and `decode`, which turns them into concrete steps. Every
    choice shrinks towards 0, which is chosen to mean the plain run: the written order, a `maybe` step done, a
    span's minimum, no background event."""

    ranges: list[tuple[int, int]]
    decode: Callable[[Iterator[int]], list[StepBase]]

    def strategy(self) -> st.SearchStrategy[list[StepBase]]:
        return choices(self.ranges).map(lambda v: self.decode(iter(v)))


def choices(ranges: list[tuple[int, int]]) -> st.SearchStrategy[tuple[int, ...]]:
    """One integer in each (low, high) range, drawn as a single fixed-size byte string: one Hypothesis draw per
    schedule instead of one per choice, which doubles the explorer's rate. Each value takes as few bytes as its
    range needs and is scaled, not wrapped, so shrinking a byte towards 0 moves the value monotonically towards
    `low`; Hypothesis shrinks the bytes one by one, so each choice still shrinks on its own."""
    sizes = [_bytes_for(high - low + 1) for low, high in ranges]
    total = sum(sizes)
    if not total:
        return st.just(tuple(low for low, _ in ranges))

    def values(raw: bytes) -> tuple[int, ...]:
        out, at = [], 0
        for (low, high), size in zip(ranges, sizes):
            drawn = int.from_bytes(raw[at:at + size], "big")
            out.append(low + (drawn * (high - low + 1) >> (8 * size)))
            at += size
        return tuple(out)
    return st.binary(min_size=total, max_size=total).map(values)


def _bytes_for(width: int) -> int:
    return 0 if width <= 1 else (width - 1).bit_length() + 7 >> 3


def _span_range(span: Span) -> tuple[int, int, int]:
    """(low, high, unit): whole minutes when the span is wider than two hours, so schedules read well."""
    if span.max - span.min > 2 * 3600:
        return -(-span.min // MINUTE), span.max // MINUTE, MINUTE
    return span.min, span.max, 1


def compile_step(step: StepBase) -> Choices:
    if isinstance(step, AnyOrderStep):
        parts = [compile_step(s) for s in step.any_order]
        n = len(parts)
        lehmer = [(0, n - 1 - i) for i in range(n - 1)]

        def order(values: Iterator[int]) -> list[StepBase]:
            code = [next(values) for _ in lehmer]
            decoded = [part.decode(values) for part in parts]
            pool, out = list(range(n)), []
            for c in code + [0]:
                out += decoded[pool.pop(c)]
            return out
        return Choices(lehmer + [r for part in parts for r in part.ranges], order)
    if isinstance(step, MaybeStep):
        inner = compile_step(step.maybe)

        def maybe(values: Iterator[int]) -> list[StepBase]:
            skipped, decoded = next(values), inner.decode(values)
            return [] if skipped else decoded
        return Choices([(0, 1)] + inner.ranges, maybe)
    spans = {name: _span_range(value) for name in type(step.args).model_fields
             if isinstance(value := getattr(step.args, name), Span)}
    if not spans:
        return Choices([], lambda values: [step])

    def drawn(values: Iterator[int]) -> list[StepBase]:
        return [_with(step, {name: next(values) * unit for name, (_, _, unit) in spans.items()})]
    return Choices([(lo, hi) for lo, hi, _ in spans.values()], drawn)


def compile_steps(written: list) -> Choices:
    parts = [compile_step(s) for s in written]
    return Choices([r for part in parts for r in part.ranges],
                   lambda values: [s for part in parts for s in part.decode(values)])


def steps(written: list) -> st.SearchStrategy[list[StepBase]]:
    """Concrete steps from written ones: spans drawn, `any_order` groups ordered, `maybe` steps decided."""
    return compile_steps(written).strategy()


def scenarios(scenario: Scenario) -> st.SearchStrategy[Scenario]:
    """The scenario with its set-up and break made concrete."""
    return st.tuples(steps(scenario.setup), steps(scenario.break_)).map(
        lambda drawn: scenario.model_copy(update={"setup": drawn[0], "break_": drawn[1], "regression": None}))


def _procedure_choices(remediation: Remediation, max_background: int) -> Choices:
    """The steps, then `max_background` slots: (event? 0 = none, where, which event, the events' own choices)."""
    body = compile_steps(remediation.steps)
    events = [compile_step(b) for b in remediation.background]
    if not events:
        return body
    slot = [(0, 1), (0, 50), (0, len(events) - 1)] + [r for e in events for r in e.ranges]

    def decode(values: Iterator[int]) -> list[StepBase]:
        out = body.decode(values)
        placed = []
        for _ in range(max_background):
            happens, where, which = next(values), next(values), next(values)
            forms = [e.decode(values) for e in events]
            if happens:
                placed.append((where, forms[which]))
        for where, event in sorted(placed, key=lambda p: -p[0]):
            at = min(where, len(out))
            out[at:at] = event
        return out
    return Choices(body.ranges + slot * max_background, decode)


def procedures(remediation: Remediation, max_background: int = 3) -> st.SearchStrategy[Remediation]:
    """The remediation with its steps made concrete and up to `max_background` background events placed."""
    return _procedure_choices(remediation, max_background).strategy().map(
        lambda body: remediation.model_copy(update={"steps": body, "background": []}))


def with_timing(remediation: Remediation) -> Remediation:
    """The remediation with what can vary although it declares nothing: a gap (`GAP`) after each of its steps, and
    the background events of `BACKGROUND` it does not list itself."""
    wait = STEP_MODELS["wait"].model_validate({"wait": {"for": GAP}})
    steps = [s for step in remediation.steps for s in (step, wait)]
    declared = {step.verb for step in remediation.background}
    extra = [STEP_MODELS[verb].model_validate(event) for event in BACKGROUND for verb in event if verb not in declared]
    return remediation.model_copy(update={"steps": steps, "background": [*remediation.background, *extra]})


def _schedule_choices(scenario: Scenario, remediation: Remediation):
    setup, brk = compile_steps(scenario.setup), compile_steps(scenario.break_)
    procedure = _procedure_choices(remediation, 3)

    def build(values: tuple[int, ...]) -> Schedule:
        it = iter(values)
        concrete = scenario.model_copy(update={"setup": setup.decode(it), "break_": brk.decode(it), "regression": None})
        return Schedule(concrete, remediation.model_copy(update={"steps": procedure.decode(it), "background": []}))

    return setup.ranges + brk.ranges + procedure.ranges, build


def variation(scenario: Scenario, remediation: Remediation) -> int:
    """How many choices a schedule of these files makes; 0: every schedule is the plain run."""
    return sum(1 for low, high in _schedule_choices(scenario, remediation)[0] if high > low)


def schedules(scenario: Scenario, remediation: Remediation) -> st.SearchStrategy[Schedule]:
    """One flat draw for the whole schedule: the scenario's choices, then the procedure's."""
    ranges, build = _schedule_choices(scenario, remediation)
    return choices(ranges).map(build)
