"""Run = set up the lab, `setup`, `break`, check `symptoms`, then the remediation, `verify`, and a recheck of the
symptoms. Around the procedure the engine probes on its own (phases `before` and `after`): the network, the secure
channel, each user's logon at the affected computer and the remediation's checks, so "made worse" compares every
probe, not only what the scenario's symptoms happened to look at. The runner is handed the backend to run on; it
never looks one up by name."""
from __future__ import annotations

import time
from dataclasses import replace
from functools import lru_cache
from typing import Callable, Optional

from trustlab.engine.backend import FAILED, OK, UNSUPPORTED, Backend, StepResult
from trustlab.engine.journal import Journal, matches
from trustlab.engine.judgement import Judgement, Verdict
from trustlab.engine.plan import (BREAK, RECHECK, REMEDIATION, SETUP, SYMPTOMS, VERIFY, Action, plan, resolve)
from trustlab.specs.outcomes import usable
from trustlab.specs.profiles import WINDOWS, BehaviourProfile
from trustlab.specs.lab import LabSpec
from trustlab.specs.remediation import Remediation
from trustlab.specs.scenario import Scenario
from trustlab.specs.steps import EXPECTATION_FIELDS, STEP_MODELS, StepBase

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
        if _key(action) not in seen:
            seen.add(_key(action))
            out.append(action)
    return out


def _key(action: Action) -> tuple:
    """One probe, whatever phase it runs in: the verb and its resolved arguments."""
    return (action.verb, tuple(sorted(action.args.items())))


def execute(lab: Backend, scenario_id: str, remediation_id: Optional[str], actions: list[Action],
            affected: Optional[dict[str, str]] = None, probes: list[Action] = ()) -> Journal:
    """Run `actions`; with `probes` (a survey), observe them before and after the procedure too."""
    journal = Journal(scenario_id, remediation_id, lab.name, lab.profile.name, lab.seed, affected=dict(affected or {}))
    reason = lab.lab_unsupported()
    if reason:
        journal.judgement = Judgement(Verdict.UNSUPPORTED, f"lab: {reason}")
        return journal
    results: list[tuple[Action, StepResult]] = []
    checks = [a for a in actions if a.phase == VERIFY]
    names = Names()
    current = names.current

    def step(action: Action) -> tuple[StepResult, dict]:
        action = current(action)
        result = lab.do(action.verb, action.args)
        for t, computer, event in lab.background():
            journal.background(t, computer, event)
        entry = journal.record(action, result, lab.now(), time.time() if lab.real_time else None)
        renamed = names.follow(action, result)
        if renamed:
            entry["renamed"] = renamed
        results.append((action, result))
        return result, entry

    def observe(phase: str, wanted: list[Action]) -> None:
        seen = {_key(current(a)) for a, _ in results if a.phase in _AROUND[phase]}
        for action in (current(a) for a in wanted):
            if _key(action) not in seen:
                seen.add(_key(action))
                step(replace(action, phase=phase, index=sum(1 for a, _ in results if a.phase == phase)))

    judgement: Optional[Judgement] = None
    stopped = surveyed = False
    for action in actions:
        if stopped and action.phase == REMEDIATION:
            continue
        if probes and not surveyed and action.phase == REMEDIATION:
            observe(BEFORE, probes)
            surveyed = True
        if action.facts.runs_checks:
            stopped = _stop_if_fixed(action, checks, step, journal, lab)
            continue
        result, entry = step(action)
        judgement = _stop_early(action, result, entry)
        if judgement:
            break
    if judgement is None and surveyed:       # again, what was usable before and no check has looked at since
        observe(AFTER, [a for a, r in results if a.phase in (SYMPTOMS, BEFORE) and usable(r.outcome)])
    journal.judgement = judgement or judge(results, remediation_id is not None, names)
    return journal


class Names(dict):
    """Computers renamed on the way (a rejoin under a new name), old -> new: later steps act on the new name."""

    def final(self, computer: Optional[str]) -> Optional[str]:
        while computer in self:
            computer = self[computer]
        return computer

    def current(self, action: Action) -> Action:
        computer = self.final(action.args.get("computer"))
        return action if computer == action.args.get("computer") else \
            replace(action, args={**action.args, "computer": computer})

    def follow(self, action: Action, result: StepResult) -> Optional[dict[str, str]]:
        """After a step: the rename it made ({old: new}), if it made one."""
        renamed = action.facts.renames and action.args.get(action.facts.renames)
        if renamed and result.status == OK and renamed != action.args.get("computer"):
            self[action.args["computer"]] = renamed
            return {action.args["computer"]: renamed}
        return None


_AROUND = {BEFORE: (SYMPTOMS, BEFORE), AFTER: (VERIFY, RECHECK, AFTER)}
"""What counts as already observed before the procedure, and after it."""


def _stop_if_fixed(action: Action, checks: list[Action], step, journal: Journal, lab: Backend) -> bool:
    """Run the remediation's own checks now; if they all hold, the rest of the procedure is skipped."""
    fixed = True
    for check in checks:
        result, entry = step(replace(check, phase=REMEDIATION, index=action.index, within=action.index,
                                     text=f"{action.text} > {check.text}"))
        fixed = fixed and entry.get("matched", False)
    journal.record(action, StepResult(outcome="FIXED" if fixed else "NOT_FIXED",
                                      output=["stopping here: it works" if fixed else "still failing: going on"]),
                   lab.now(), time.time() if lab.real_time else None)
    return fixed


def _stop_early(action: Action, result: StepResult, entry: dict) -> Optional[Judgement]:
    where = f"{action.phase}[{action.index}] {action.text}"
    if action.phase in (BEFORE, AFTER):
        return None                     # the engine's own observations: what it cannot observe, it does not judge
    if result.status == UNSUPPORTED:
        return Judgement(Verdict.UNSUPPORTED, f"{where}: {'; '.join(result.output)}")
    if action.phase == SETUP and (result.status == FAILED or entry.get("matched") is False):
        return Judgement(Verdict.BASELINE_FAILED, f"{where}: {_got(result, action)}")
    if action.phase == BREAK and result.status == FAILED:
        return Judgement(Verdict.SYMPTOMS_NOT_REPRODUCED, f"{where}: {_got(result, action)}")
    return None


def _got(result: StepResult, action: Action) -> str:
    if result.status == FAILED:
        return "failed: " + "; ".join(result.output)
    return f"expected {action.expect.get('outcome')}, got {result.outcome}"


def judge(results: list[tuple[Action, StepResult]], remediated: bool,
          names: Optional[dict[str, str]] = None) -> Judgement:
    """The verdict of what was observed: the symptoms, then (remediated) the checks, the symptoms again and the
    engine's own probes before and after; `names`: computers renamed on the way (old -> new). A training session's
    `lab check` judges the trainee's work with this same function."""
    def phase(*names_: str) -> list[tuple[Action, StepResult]]:
        return [(a, r) for a, r in results if a.phase in names_ and r.status != UNSUPPORTED]

    unmet = [f"{a.phase}[{a.index}] {a.text}: {_got(r, a)}" for a, r in phase(SYMPTOMS) if not matches(a, r)]
    if unmet:
        return Judgement(Verdict.SYMPTOMS_NOT_REPRODUCED, "; ".join(unmet))
    if not remediated:
        return Judgement(Verdict.REPRODUCED)
    failed = tuple(f"{a.phase}[{a.index}] {a.text}: {_got(r, a)}" for a, r in phase(VERIFY) if not matches(a, r))
    worse = _worse(phase(SYMPTOMS, BEFORE), phase(VERIFY, RECHECK, AFTER), Names(names or {}))
    steps_failed = tuple(f"{a.phase}[{a.index}] {a.text}: {'; '.join(r.output)}" for a, r in phase(REMEDIATION)
                         if r.status == FAILED)
    if worse:
        verdict = Verdict.MADE_WORSE
    else:
        verdict = Verdict.NOT_FIXED if failed else Verdict.FIXED
    return Judgement(verdict, unmet=failed, worse=tuple(worse), failed_steps=steps_failed)


def _worse(before: list[tuple[Action, StepResult]], after: list[tuple[Action, StepResult]],
           names: "Names") -> list[str]:
    """What the procedure made worse: a thing (a user's logon at a computer, a channel, a network) usable before it
    and by no probe after it; and a check of the remediation that held before it and fails after it."""
    final = names.final

    def target(a: Action) -> tuple:
        return (a.verb, a.args.get("user"), final(a.args.get("computer")))

    def probe(a: Action) -> tuple:
        return (a.verb, tuple(sorted({**a.args, "computer": final(a.args.get("computer"))}.items())))

    was: dict[tuple, str] = {}
    for a, r in before:
        if usable(r.outcome):
            was.setdefault(target(a), f"{a.text} -> {r.outcome}")
    now = {target(a) for a, r in after if usable(r.outcome)}
    last = {target(a): r.outcome for a, r in after}
    out = [f"{text} before; {last.get(t, 'not checked')} after" for t, text in was.items() if t not in now]
    lost = {t for t in was if t not in now}
    seen_before = {probe(a): r for a, r in reversed(before)}          # the first observation of each probe
    for a, r in after:
        if a.phase != VERIFY or target(a) in lost:
            continue
        held = seen_before.get(probe(a))
        if held is not None and matches(a, held) and not matches(a, r):
            detail = ", ".join([r.outcome or r.status] + [f"{k} {r.details.get(k)}" for k in a.expect
                                                          if k != "outcome"])
            out.append(f"{a.phase}[{a.index}] {a.text}: held before the procedure, not after ({detail})")
    return out
