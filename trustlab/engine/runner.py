"""Run = set up the lab, `setup`, `break`, check `symptoms`, then the remediation, `verify`, and a recheck of the
symptoms. Around the procedure the engine probes on its own (phases `before` and `after`): the network, the secure
channel, each user's logon at the affected computer and the remediation's checks, so "made worse" compares every
probe, not only what the scenario's symptoms happened to look at. The runner is handed the backend to run on; it
never looks one up by name."""
from __future__ import annotations

from dataclasses import replace
from functools import lru_cache
from typing import Callable, Optional

from trustlab.engine.backend import FAILED, UNSUPPORTED, Backend, StepResult
from trustlab.engine.journal import Journal, StepEntry, meets
from trustlab.engine.judgement import Judgement, Verdict
from trustlab.engine.plan import BREAK, RECHECK, REMEDIATION, SETUP, SYMPTOMS, VERIFY, Action, plan, resolve
from trustlab.engine.stepper import Names, Stepper
from trustlab.specs.lab import LabSpec
from trustlab.specs.outcomes import usable
from trustlab.specs.profiles import WINDOWS, BehaviourProfile
from trustlab.specs.remediation import Remediation
from trustlab.specs.scenario import Scenario
from trustlab.specs.steps import EXPECTATION_FIELDS, STEP_MODELS, VERBS, StepBase

BEFORE, AFTER = "before", "after"

BackendFactory = Callable[[LabSpec, BehaviourProfile, int], Backend]
"""A backend class, or anything that makes a backend for a lab, a profile and a seed."""


def run(scenario: Scenario, remediation: Optional[Remediation], backend: BackendFactory,
        profile: BehaviourProfile = WINDOWS, seed: int = 0) -> Journal:
    """One run on a fresh lab."""
    lab = backend(scenario.lab, profile, seed)
    try:
        return execute(lab, scenario.id, remediation.id if remediation else None, plan(scenario, remediation),
                       {"user": scenario.user, "computer": scenario.computer},
                       survey(scenario, remediation) if remediation else [])
    finally:
        lab.close()


@lru_cache(maxsize=1024)
def _probe(verb: str, **args: str) -> StepBase:
    return STEP_MODELS[verb].model_validate({verb: args})


def _observation(step: StepBase) -> StepBase:
    """The probe of a check without what it expects: an observation."""
    args = step.args.model_dump(by_alias=True, exclude_none=True, exclude_defaults=True,
                                exclude=set(EXPECTATION_FIELDS))
    return _probe(step.verb, **args)


def survey(scenario: Scenario, remediation: Remediation) -> list[Action]:
    """What the engine itself observes before and after the procedure: the remediation's checks, the secure
    channel, the network and each user's logon at the affected computer (as plain probes, one of each)."""
    return _survey(tuple(remediation.checks), tuple(scenario.lab.users), scenario.user, scenario.computer)


@lru_cache(maxsize=4096)
def _survey(checks: tuple[StepBase, ...], users: tuple[str, ...], user: str, computer: str) -> list[Action]:
    """Explored schedules share their checks and lab, so each survey is worked out once."""
    steps = [_observation(check) for check in checks] + [_probe("secure_channel"), _probe("network")]
    steps += [_probe("logon") if u == user else _probe("logon", user=u) for u in users]
    out, seen = [], set()
    for step in steps:
        action = resolve(step, BEFORE, len(out), user, computer)
        if _key(action.verb, action.args) not in seen:
            seen.add(_key(action.verb, action.args))
            out.append(action)
    return out


def _key(verb: str, args: dict) -> tuple:
    """One probe, whatever phase it runs in: the verb and its resolved arguments."""
    return (verb, tuple(sorted(args.items())))


def execute(lab: Backend, scenario_id: str, remediation_id: Optional[str], actions: list[Action],
            affected: Optional[dict[str, str]] = None, probes: list[Action] = ()) -> Journal:
    """Run `actions`; with `probes` (a survey), observe them before and after the procedure too."""
    journal = Journal(scenario_id, remediation_id, lab.name, lab.profile.name, lab.seed, affected=dict(affected or {}))
    reason = lab.lab_unsupported()
    if reason:
        journal.judgement = Judgement(Verdict.UNSUPPORTED, f"lab: {reason}")
        return journal
    stepper = Stepper(lab, journal.entries)
    done: list[StepEntry] = []
    checks = [a for a in actions if a.phase == VERIFY]

    def step(action: Action) -> StepEntry:
        done.append(stepper.step(action))
        return done[-1]

    def observe(phase: str, wanted: list[Action]) -> None:
        seen = {_key(e.verb, stepper.names.args(e.args)) for e in done if e.phase in _AROUND[phase]}
        for action in (stepper.names.current(a) for a in wanted):
            if _key(action.verb, action.args) not in seen:
                seen.add(_key(action.verb, action.args))
                step(replace(action, phase=phase, index=sum(1 for e in done if e.phase == phase)))

    judgement: Optional[Judgement] = None
    stopped = surveyed = False
    for action in actions:
        if stopped and action.phase == REMEDIATION:
            continue
        if probes and not surveyed and action.phase == REMEDIATION:
            observe(BEFORE, probes)
            surveyed = True
        if action.facts.runs_checks:
            stopped = _stop_if_fixed(action, checks, step, stepper)
            continue
        judgement = _stop_early(step(action))
        if judgement:
            break
    if judgement is None and surveyed:       # again, what was usable before and no check has looked at since
        observe(AFTER, [_action(e) for e in done if e.phase in (SYMPTOMS, BEFORE) and usable(e.outcome)])
    journal.judgement = judgement or judge(done, remediation_id is not None, stepper.names)
    return journal


def _action(entry: StepEntry) -> Action:
    """The step an entry records, as the engine asks for it again (a probe observed once more)."""
    return Action(entry.phase, entry.index, entry.verb, VERBS[entry.verb].family, entry.args, entry.expect,
                  entry.step, entry.within)


_AROUND = {BEFORE: (SYMPTOMS, BEFORE), AFTER: (VERIFY, RECHECK, AFTER)}
"""What counts as already observed before the procedure, and after it."""


def _stop_if_fixed(action: Action, checks: list[Action], step, stepper: Stepper) -> bool:
    """Run the remediation's own checks now; if they all hold, the rest of the procedure is skipped."""
    fixed = True
    for check in checks:
        entry = step(replace(check, phase=REMEDIATION, index=action.index, within=action.index,
                             text=f"{action.text} > {check.text}"))
        fixed = fixed and bool(entry.matched)
    stepper.note(action, StepResult(outcome="FIXED" if fixed else "NOT_FIXED",
                                    output=["stopping here: it works" if fixed else "still failing: going on"]))
    return fixed


def _stop_early(entry: StepEntry) -> Optional[Judgement]:
    where = f"{entry.phase}[{entry.index}] {entry.step}"
    if entry.phase in (BEFORE, AFTER):
        return None                     # the engine's own observations: what it cannot observe, it does not judge
    if entry.status == UNSUPPORTED:
        return Judgement(Verdict.UNSUPPORTED, f"{where}: {'; '.join(entry.output)}")
    if entry.phase == SETUP and (entry.status == FAILED or entry.matched is False):
        return Judgement(Verdict.BASELINE_FAILED, f"{where}: {_got(entry)}")
    if entry.phase == BREAK and entry.status == FAILED:
        return Judgement(Verdict.SYMPTOMS_NOT_REPRODUCED, f"{where}: {_got(entry)}")
    return None


def _got(entry: StepEntry) -> str:
    if entry.status == FAILED:
        return "failed: " + "; ".join(entry.output)
    return f"expected {entry.expect.get('outcome')}, got {entry.outcome}"


def judge(entries: list[StepEntry], remediated: bool, names: Optional[dict[str, str]] = None) -> Judgement:
    """The verdict of what was observed: the symptoms, then (remediated) the checks, the symptoms again and the
    engine's own probes before and after; `names`: computers renamed on the way (old -> new). A training session's
    `lab check` judges the trainee's work with this same function."""
    def phase(*names_: str) -> list[StepEntry]:
        return [e for e in entries if e.phase in names_ and e.status != UNSUPPORTED]

    unmet = [f"{e.phase}[{e.index}] {e.step}: {_got(e)}" for e in phase(SYMPTOMS) if not e.matched]
    if unmet:
        return Judgement(Verdict.SYMPTOMS_NOT_REPRODUCED, "; ".join(unmet))
    if not remediated:
        return Judgement(Verdict.REPRODUCED)
    failed = tuple(f"{e.phase}[{e.index}] {e.step}: {_got(e)}" for e in phase(VERIFY) if not e.matched)
    worse = _worse(phase(SYMPTOMS, BEFORE), phase(VERIFY, RECHECK, AFTER), Names(names or {}))
    steps_failed = tuple(f"{e.phase}[{e.index}] {e.step}: {'; '.join(e.output)}" for e in phase(REMEDIATION)
                         if e.status == FAILED)
    if worse:
        verdict = Verdict.MADE_WORSE
    else:
        verdict = Verdict.NOT_FIXED if failed else Verdict.FIXED
    return Judgement(verdict, unmet=failed, worse=tuple(worse), failed_steps=steps_failed)


def _worse(before: list[StepEntry], after: list[StepEntry], names: Names) -> list[str]:
    """What the procedure made worse: a thing (a user's logon at a computer, a channel, a network) usable before it
    and by no probe after it; and a check of the remediation that held before it and fails after it."""
    final = names.final

    def target(e: StepEntry) -> tuple:
        return (e.verb, e.args.get("user"), final(e.args.get("computer")))

    def probe(e: StepEntry) -> tuple:
        return (e.verb, tuple(sorted({**e.args, "computer": final(e.args.get("computer"))}.items())))

    was: dict[tuple, str] = {}
    for e in before:
        if usable(e.outcome):
            was.setdefault(target(e), f"{e.step} -> {e.outcome}")
    now = {target(e) for e in after if usable(e.outcome)}
    last = {target(e): e.outcome for e in after}
    out = [f"{text} before; {last.get(t, 'not checked')} after" for t, text in was.items() if t not in now]
    lost = {t for t in was if t not in now}
    seen_before = {probe(e): e for e in reversed(before)}          # the first observation of each probe
    for e in after:
        if e.phase != VERIFY or target(e) in lost:
            continue
        held = seen_before.get(probe(e))
        if held is not None and meets(e.expect, held.outcome, held.details) and not e.matched:
            detail = ", ".join([e.outcome or e.status] + [f"{k} {e.details.get(k)}" for k in e.expect
                                                          if k != "outcome"])
            out.append(f"{e.phase}[{e.index}] {e.step}: held before the procedure, not after ({detail})")
    return out
