"""Conformance: a model (the sim, with a backend's behaviour profile) against a real backend, probe by probe. The
caller hands in both backends; the comparison itself needs only their journals."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Optional

from trustlab.engine.backend import Backend
from trustlab.engine.journal import Journal
from trustlab.engine.judgement import Verdict
from trustlab.engine.runner import BackendFactory, run
from trustlab.specs.catalogue import Catalogue
from trustlab.specs.lab import LabSpec
from trustlab.specs.profiles import BehaviourProfile
from trustlab.specs.steps import VERBS


@dataclass
class Divergence:
    step: str
    sim: Optional[str]
    real: Optional[str]
    raw: Optional[str] = None


@dataclass
class Comparison:
    scenario: str
    remediation: Optional[str]
    agreements: int = 0
    divergences: list[Divergence] = field(default_factory=list)
    flaky: list[Divergence] = field(default_factory=list)   # seen on a first real run, gone on the re-run
    unsupported: Optional[str] = None
    sim_verdict: Optional[str] = None
    real_verdict: Optional[str] = None
    journals: Optional[tuple[Journal, Journal]] = None     # (model, real lab): what a report draws side by side

    @property
    def label(self) -> str:
        return self.scenario + (f" + {self.remediation}" if self.remediation else "")


def observations(journal: Journal) -> list[tuple[str, dict]]:
    """The observations to compare: what probes and admin tools showed, except the checks a `stop_if_fixed` ran
    (their number depends on when each run stopped)."""
    return [(f"{e.phase}[{e.index}] {e.step}", e) for e in journal.steps
            if VERBS[e.verb].observed and e.within is None]


def compare(sim: Journal, real: Journal, scenario: str, remediation: Optional[str]) -> Comparison:
    c = Comparison(scenario, remediation, sim_verdict=sim.verdict.value, real_verdict=real.verdict.value,
                   journals=(sim, real))
    if real.verdict is Verdict.UNSUPPORTED:
        c.unsupported = real.judgement.reason
        return c
    ours, theirs = observations(sim), observations(real)
    for (step, a), (_, b) in zip(ours, theirs):
        dc = a.dc.differences(b.dc) if a.dc is not None and b.dc is not None else ("", "")
        if a.outcome == b.outcome and a.status == b.status and dc == ("", ""):
            c.agreements += 1
        if (a.outcome, a.status) != (b.outcome, b.status):
            c.divergences.append(Divergence(step, a.outcome or a.status, b.outcome or b.status,
                                            b.raw))
        if dc != ("", ""):                  # the same on the member, the DC's answers differ: another reason
            c.divergences.append(Divergence(f"{step} (the DC)", *dc))
    for step, entry in ours[len(theirs):]:
        c.divergences.append(Divergence(step, entry.outcome, f"not reached ({c.real_verdict})"))
    for step, entry in theirs[len(ours):]:
        c.divergences.append(Divergence(step, f"not reached ({c.sim_verdict})", entry.outcome,
                                        entry.raw))
    return c


def asking_the_dc(model: BackendFactory) -> BackendFactory:
    """The model, its probes carrying its DC's own answer as a real lab's do (`Backend.asks_the_dc`), so both sides'
    answers are compared."""
    def make(lab: LabSpec, profile: BehaviourProfile, seed: int = 0) -> Backend:
        backend = model(lab, profile, seed)
        backend.asks_the_dc = True
        return backend
    for fact in ("time_travel_restarts", "name"):           # what callers read of a backend's face
        if hasattr(model, fact):
            setattr(make, fact, getattr(model, fact))
    return make


def pairs(catalogue: Catalogue, only: tuple[str, ...] = ()) -> list[tuple[str, Optional[str]]]:
    out: list[tuple[str, Optional[str]]] = []
    for sid in sorted(catalogue.scenarios):
        if only and sid not in only:
            continue
        out.append((sid, None))
        out += [(sid, rid) for rid in sorted(catalogue.remediations) if sid in catalogue.remediations[rid].fixes]
    return out


def conformance(catalogue: Catalogue, real: BackendFactory, model: BackendFactory, profile: BehaviourProfile,
                only: tuple[str, ...] = (), progress: Optional[Callable[[str], None]] = None) -> list[Comparison]:
    """Every pair of `pairs()` on the real backend and on the model, compared."""
    out, model = [], asking_the_dc(model)
    for sid, rid in pairs(catalogue, only):
        if progress:
            progress(sid + (f" + {rid}" if rid else ""))
        scenario, remediation = catalogue.scenarios[sid], catalogue.remediations[rid] if rid else None
        seen = run(scenario, remediation, real, profile)
        sim = run(scenario, remediation, model, profile) if seen.verdict is not Verdict.UNSUPPORTED else seen
        result = compare(sim, seen, sid, rid)
        if result.divergences:      # a real lab can be timing-sensitive: run it again before calling it a divergence
            again = compare(sim, run(scenario, remediation, real, profile), sid, rid)
            if not again.divergences:
                again.flaky = result.divergences
            result = again
        out.append(result)
    return out


def summary(comparisons: list[Comparison]) -> dict[str, int]:
    compared = [c for c in comparisons if c.unsupported is None]
    return {"runs": len(comparisons), "compared": len(compared),
            "unsupported": len(comparisons) - len(compared),
            "agreements": sum(c.agreements for c in compared),
            "divergences": sum(len(c.divergences) for c in compared),
            "flaky": sum(1 for c in compared if c.flaky)}
