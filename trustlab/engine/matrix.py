"""The whole catalogue at once: every scenario alone, and every remediation on every scenario."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Optional

from trustlab.catalogue import Catalogue
from trustlab.engine.journal import Journal
from trustlab.engine.judgement import Verdict
from trustlab.engine.runner import BackendFactory, run
from trustlab.profiles import WINDOWS, BehaviourProfile
from trustlab.specs.remediation import from_regression


@dataclass
class Matrix:
    scenarios: list[str]
    remediations: list[str]
    reproduced: dict[str, Journal] = field(default_factory=dict)
    cells: dict[tuple[str, str], Journal] = field(default_factory=dict)
    claims: set[tuple[str, str]] = field(default_factory=set)
    regressions: dict[str, tuple[Journal, str]] = field(default_factory=dict)   # id -> (replay, recorded verdict)

    def verdict(self, scenario: str, remediation: str) -> Verdict:
        return self.cells[(scenario, remediation)].verdict

    @property
    def broken_claims(self) -> list[tuple[str, str, Verdict]]:
        return [(s, r, self.verdict(s, r)) for s, r in sorted(self.claims) if self.verdict(s, r) is not Verdict.FIXED]

    @property
    def unreproduced(self) -> list[str]:
        return [s for s, j in self.reproduced.items() if j.verdict is not Verdict.REPRODUCED]

    @property
    def changed_regressions(self) -> list[str]:
        return [sid for sid, (journal, recorded) in self.regressions.items() if journal.verdict.value != recorded]

    @property
    def ok(self) -> bool:
        return not self.broken_claims and not self.unreproduced and not self.changed_regressions


def run_matrix(catalogue: Catalogue, backend: BackendFactory, profile: BehaviourProfile = WINDOWS, seed: int = 0,
               progress: Optional[Callable[[str, Optional[str]], None]] = None) -> Matrix:
    rows = sorted(sid for sid in catalogue.scenarios if sid not in catalogue.regressions)
    m = Matrix(rows, sorted(catalogue.remediations), claims=set(catalogue.claims()))
    for sid, scenario in sorted(catalogue.regressions.items()):
        m.regressions[sid] = (run(scenario, from_regression(scenario), backend, profile, seed),
                              scenario.regression.verdict)
    for sid in m.scenarios:
        scenario = catalogue.scenarios[sid]
        m.reproduced[sid] = run(scenario, None, backend, profile, seed)
        if progress:
            progress(sid, None)
        for rid in m.remediations:
            m.cells[(sid, rid)] = run(scenario, catalogue.remediations[rid], backend, profile, seed)
            if progress:
                progress(sid, rid)
    return m
