"""The whole catalogue at once: every scenario alone, every remediation on every scenario, and every counterexample
the explorer found, replayed. A claim holds when its plain run is FIXED and no known counterexample within the claim
(one that meets its conditions, `provided:`) still fails."""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, Callable, Optional

from trustlab.catalogue import Catalogue
from trustlab.engine.journal import Journal
from trustlab.engine.judgement import Verdict
from trustlab.engine.runner import BackendFactory, run
from trustlab.profiles import WINDOWS, BehaviourProfile
from trustlab.specs.remediation import from_regression
from trustlab.specs.scenario import Scenario

PASSES, AS_RECORDED, DIFFERENTLY = "passes now", "fails as recorded", "fails differently"


@dataclass(frozen=True)
class Replay:
    """A found counterexample (a `scenarios/found/` file) replayed. It is an expected failure: it passes when the
    procedure now fixes its schedule (or, for a schedule where the scenario did not reproduce, when it now does),
    and then it is to be promoted (its recorded verdict set to what it gives now)."""

    found: str
    scenario: str
    remediation: str
    recorded: str
    journal: Journal
    within: bool          # the schedule is within the claim it breaks: a claim's conditions met, or the scenario's own

    @property
    def about_reproduction(self) -> bool:
        return Verdict(self.recorded).scenario_fault

    @property
    def fails(self) -> bool:
        """The schedule still breaks what it was found to break: the fix (or the scenario's reproduction)."""
        verdict = self.journal.verdict
        return verdict.scenario_fault if self.about_reproduction else verdict is not Verdict.FIXED

    @property
    def state(self) -> str:
        if self.journal.verdict.value == self.recorded:
            return AS_RECORDED
        return DIFFERENTLY if self.fails else PASSES

    @property
    def contradicts(self) -> bool:
        """Still failing within the claim: the claim (or, for a reproduction, the scenario) does not hold."""
        return self.within and self.fails


def replay(found: Scenario, catalogue: Catalogue, backend: BackendFactory, profile: BehaviourProfile = WINDOWS,
           seed: int = 0) -> Replay:
    return replayed(found, run(found, from_regression(found), backend, profile, seed), catalogue)


def replayed(found: Scenario, journal: Journal, catalogue: Catalogue) -> Replay:
    """A found file and the journal of its replay (run now, or read back from a file)."""
    reg = found.regression
    procedure = catalogue.remediations.get(reg.remediation)
    about_reproduction = Verdict(reg.verdict).scenario_fault
    within = about_reproduction or (procedure is not None and procedure.claims(reg.scenario, reg.steps))
    return Replay(found.id, reg.scenario, reg.remediation, reg.verdict, journal, within)


def counterexamples(catalogue: Catalogue, scenario: str, remediation: str) -> list[Scenario]:
    """The found files recorded for this scenario and remediation."""
    return [f for _, f in sorted(catalogue.regressions.items())
            if (f.regression.scenario, f.regression.remediation) == (scenario, remediation)]


@dataclass
class Matrix:
    scenarios: list[str]
    remediations: list[str]
    backend: str = ""
    profile: str = ""
    reproduced: dict[str, Journal] = field(default_factory=dict)
    cells: dict[tuple[str, str], Journal] = field(default_factory=dict)
    claims: set[tuple[str, str]] = field(default_factory=set)
    provided: dict[str, dict[str, list[str]]] = field(default_factory=dict)   # narrowed claims: rid -> sid -> texts
    regressions: dict[str, Replay] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)          # wall time of each run, by journal key

    def verdict(self, scenario: str, remediation: str) -> Verdict:
        return self.cells[(scenario, remediation)].verdict

    def contradicted(self, scenario: str, remediation: Optional[str] = None) -> list[str]:
        """The found files that still fail within this claim (or, with no remediation, this scenario's own)."""
        return [r.found for r in self.regressions.values() if r.contradicts and r.scenario == scenario
                and (r.remediation == remediation if remediation else r.about_reproduction)]

    @property
    def broken_claims(self) -> list[tuple[str, str, Verdict]]:
        """Claims whose plain run is not FIXED or that a known counterexample contradicts, with the plain verdict."""
        return [(s, r, self.verdict(s, r)) for s, r in sorted(self.claims)
                if self.verdict(s, r) is not Verdict.FIXED or self.contradicted(s, r)]

    @property
    def unreproduced(self) -> list[str]:
        return [s for s, j in self.reproduced.items() if j.verdict is not Verdict.REPRODUCED or self.contradicted(s)]

    @property
    def promotable(self) -> list[str]:
        return [fid for fid, r in self.regressions.items() if r.state == PASSES]

    @property
    def changed_regressions(self) -> list[str]:
        return [fid for fid, r in self.regressions.items() if r.state == DIFFERENTLY]

    @property
    def ok(self) -> bool:
        return not (self.broken_claims or self.unreproduced or self.promotable or self.changed_regressions)

    def journals(self) -> list[Journal]:
        return [*self.reproduced.values(), *self.cells.values(), *(r.journal for r in self.regressions.values())]

    def to_dict(self) -> dict[str, Any]:
        """The matrix as data (`trustlab run --format json`): every cell's verdict, the claims and what broke them."""
        return {"backend": self.backend, "profile": self.profile, "ok": self.ok,
                "scenarios": {sid: {"reproduced": self.reproduced[sid].verdict.value,
                                    "cells": {rid: self.verdict(sid, rid).value for rid in self.remediations}}
                              for sid in self.scenarios},
                "claims": [{"scenario": s, "remediation": r, "verdict": self.verdict(s, r).value,
                            "holds": (s, r, self.verdict(s, r)) not in self.broken_claims,
                            "contradicted_by": self.contradicted(s, r)} for s, r in sorted(self.claims)],
                "regressions": [{"found": r.found, "scenario": r.scenario, "remediation": r.remediation,
                                 "recorded": r.recorded, "replayed": r.journal.verdict.value, "state": r.state,
                                 "within_claim": r.within} for r in self.regressions.values()]}


def key(journal: Journal) -> str:
    """A run's name, and the file name of its journal."""
    return f"{journal.scenario}--{journal.remediation or 'reproduce'}"


def planned(catalogue: Catalogue) -> int:
    """How many runs the matrix makes."""
    rows = len(catalogue.scenarios) - len(catalogue.regressions)
    return len(catalogue.regressions) + rows * (1 + len(catalogue.remediations))


def run_matrix(catalogue: Catalogue, backend: BackendFactory, profile: BehaviourProfile = WINDOWS, seed: int = 0,
               progress: Optional[Callable[[str], None]] = None) -> Matrix:
    """Every run of the catalogue; `progress(name)` after each."""
    rows = sorted(sid for sid in catalogue.scenarios if sid not in catalogue.regressions)
    m = Matrix(rows, sorted(catalogue.remediations), profile=profile.name, claims=set(catalogue.claims()),
               provided={rid: {sid: [str(c) for c in conditions] for sid, conditions in r.provided.items()}
                         for rid, r in catalogue.remediations.items() if r.provided})

    def timed(make: Callable[[], Any], name: str):
        started = time.monotonic()
        out = make()
        m.seconds[name] = time.monotonic() - started
        if progress:
            progress(name)
        return out

    for fid, found in sorted(catalogue.regressions.items()):
        m.regressions[fid] = timed(lambda: replay(found, catalogue, backend, profile, seed), fid)
    for sid in m.scenarios:
        scenario = catalogue.scenarios[sid]
        m.reproduced[sid] = timed(lambda: run(scenario, None, backend, profile, seed), f"{sid}--reproduce")
        for rid in m.remediations:
            m.cells[(sid, rid)] = timed(lambda: run(scenario, catalogue.remediations[rid], backend, profile, seed),
                                        f"{sid}--{rid}")
    m.backend = next((j.backend for j in m.journals()), "")
    return m
