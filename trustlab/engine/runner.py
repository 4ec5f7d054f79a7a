"""Run = set up the lab, `setup`, `break`, check `symptoms`, then the remediation, `verify`, and a recheck of the
symptoms to see what got worse. The runner is handed the backend to run on; it never looks one up by name."""
from __future__ import annotations

import time
from dataclasses import replace
from typing import Callable, Optional

from trustlab.engine.backend import FAILED, UNSUPPORTED, Backend, StepResult
from trustlab.engine.journal import Journal, matches
from trustlab.engine.judgement import Judgement, Verdict
from trustlab.engine.plan import BREAK, RECHECK, REMEDIATION, SETUP, SYMPTOMS, VERIFY, Action, plan
from trustlab.outcomes import usable
from trustlab.profiles import WINDOWS, BehaviourProfile
from trustlab.specs.lab import LabSpec
from trustlab.specs.remediation import Remediation
from trustlab.specs.scenario import Scenario

BackendFactory = Callable[[LabSpec, BehaviourProfile, int], Backend]
"""A backend class, or anything that makes a backend for a lab, a profile and a seed."""


def run(scenario: Scenario, remediation: Optional[Remediation], backend: BackendFactory,
        profile: BehaviourProfile = WINDOWS, seed: int = 0) -> Journal:
    """One run on a fresh lab."""
    lab = backend(scenario.lab, profile, seed)
    try:
        return execute(lab, scenario.id, remediation.id if remediation else None, plan(scenario, remediation),
                       {"user": scenario.user, "computer": scenario.computer})
    finally:
        lab.close()


def execute(lab: Backend, scenario_id: str, remediation_id: Optional[str], actions: list[Action],
            affected: Optional[dict[str, str]] = None) -> Journal:
    journal = Journal(scenario_id, remediation_id, lab.name, lab.profile.name, lab.seed, affected=dict(affected or {}))
    reason = lab.lab_unsupported()
    if reason:
        journal.judgement = Judgement(Verdict.UNSUPPORTED, f"lab: {reason}")
        return journal
    results: list[tuple[Action, StepResult]] = []
    checks = [a for a in actions if a.phase == VERIFY]

    def step(action: Action) -> tuple[StepResult, dict]:
        result = lab.do(action.verb, action.args)
        for t, computer, event in lab.background():
            journal.background(t, computer, event)
        entry = journal.record(action, result, lab.now(), time.time() if lab.real_time else None)
        results.append((action, result))
        return result, entry

    judgement: Optional[Judgement] = None
    stopped = False
    for action in actions:
        if stopped and action.phase == REMEDIATION:
            continue
        if action.facts.runs_checks:
            stopped = _stop_if_fixed(action, checks, step, journal, lab)
            continue
        result, entry = step(action)
        judgement = _stop_early(action, result, entry)
        if judgement:
            break
    journal.judgement = judgement or _judge(results, remediation_id is not None)
    return journal


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


def _judge(results: list[tuple[Action, StepResult]], remediated: bool) -> Judgement:
    def phase(name: str) -> list[tuple[Action, StepResult]]:
        return [(a, r) for a, r in results if a.phase == name]

    unmet = [f"{a.phase}[{a.index}] {a.text}: {_got(r, a)}" for a, r in phase(SYMPTOMS) if not matches(a, r)]
    if unmet:
        return Judgement(Verdict.SYMPTOMS_NOT_REPRODUCED, "; ".join(unmet))
    if not remediated:
        return Judgement(Verdict.REPRODUCED)
    failed = tuple(f"{a.phase}[{a.index}] {a.text}: {_got(r, a)}" for a, r in phase(VERIFY) if not matches(a, r))
    worse = tuple(_worse(phase(SYMPTOMS), phase(VERIFY) + phase(RECHECK)))
    steps_failed = tuple(f"{a.phase}[{a.index}] {a.text}: {'; '.join(r.output)}" for a, r in phase(REMEDIATION)
                         if r.status == FAILED)
    if worse:
        verdict = Verdict.MADE_WORSE
    else:
        verdict = Verdict.NOT_FIXED if failed else Verdict.FIXED
    return Judgement(verdict, unmet=failed, worse=worse, failed_steps=steps_failed)


def _worse(before: list[tuple[Action, StepResult]], after: list[tuple[Action, StepResult]]) -> list[str]:
    """A thing (a user's logon at a computer, a channel, a network) usable before the procedure and by no probe
    after it."""
    was = {}
    for a, r in before:
        if usable(r.outcome):
            was.setdefault(a.target, f"{a.text} -> {r.outcome}")
    now = {a.target for a, r in after if usable(r.outcome)}
    last = {a.target: r.outcome for a, r in after}
    return [f"{text} before; {last.get(target, 'not checked')} after" for target, text in was.items()
            if target not in now]
