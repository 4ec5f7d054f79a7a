"""Claims, and the one rule of when a claim holds.

A claim says: the procedure R fixes the scenario S (R's `fixes`, narrowed by its `provided:` conditions), or, with
no procedure, the scenario S reproduces its symptoms. It **holds** when its plain run gives the verdict it claims
(FIXED, REPRODUCED) and no known counterexample within it (a `scenarios/found/` file that meets its conditions)
still fails. On a real backend whose own profile is not Windows, a plain run that differs from Windows exactly as
that profile predicts is a **known difference**: marked, not failed. The matrix, the terminal, JUnit, `run` and the
pytest plugin all ask a `Claim`; none decides it again."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from trustlab.engine.journal import Journal
from trustlab.engine.judgement import Verdict
from trustlab.engine.runner import BackendFactory, run
from trustlab.specs.catalogue import Catalogue
from trustlab.specs.profiles import WINDOWS, BehaviourProfile
from trustlab.specs.remediation import from_regression
from trustlab.specs.scenario import Scenario

HOLDS, BROKEN, KNOWN = "holds", "does not hold", "known difference"


PASSES, AS_RECORDED, DIFFERENTLY = "passes now", "fails as recorded", "fails differently"


def case_name(scenario: str, remediation: Optional[str] = None, claimed: bool = True,
              found: bool = False) -> tuple[str, str]:
    """A claim's own name in JUnit XML, (classname, name), the same whichever runner wrote it (`trustlab run
    --junit`, `trustlab merge`, the pytest plugin's `--junitxml`), so that a dashboard follows a claim's history
    across them: the class is the scenario, `trustlab.SCENARIO`; the case is what is claimed of it, `reproduce`,
    `fixed-by[REMEDIATION]` (a run that claims nothing: `run[REMEDIATION]`), or, for a known counterexample (its
    class: the found file's ID), `regression`. They are the names of the pytest plugin's items in a scenario
    file."""
    if found:
        return f"trustlab.{scenario}", "regression"
    if remediation is None:
        return f"trustlab.{scenario}", "reproduce"
    return f"trustlab.{scenario}", f"{'fixed-by' if claimed else 'run'}[{remediation}]"


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
    def junit(self) -> tuple[str, str]:
        return case_name(self.found, found=True)

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


@dataclass(frozen=True)
class Claim:
    """A claim (or, `claimed` false, a run that claims nothing) judged by its plain run and the known
    counterexamples that still fail within it; `predicted`: the profile that predicts this run's verdict as a known
    difference, if one does."""

    scenario: str
    remediation: Optional[str]
    journal: Journal
    contradicting: tuple[Replay, ...] = ()
    predicted: Optional[str] = None
    claimed: bool = True

    @property
    def expected(self) -> Verdict:
        return Verdict.FIXED if self.remediation else Verdict.REPRODUCED

    @property
    def junit(self) -> tuple[str, str]:
        """The claim's own name in JUnit XML (`case_name`)."""
        return case_name(self.scenario, self.remediation, self.claimed)

    @property
    def state(self) -> str:
        if self.contradicting:
            return BROKEN
        if self.journal.verdict is self.expected:
            return HOLDS
        return KNOWN if self.predicted else BROKEN

    @property
    def holds(self) -> bool:
        return self.state != BROKEN


def judged(catalogue: Catalogue, journal: Journal, backend: BackendFactory, profile: BehaviourProfile,
           seed: int = 0) -> Claim:
    """One run judged on its own (`trustlab run S -r R`, a pytest item): the counterexamples within its claim are
    replayed now."""
    scenario, remediation = journal.scenario, journal.remediation
    procedure = catalogue.remediations.get(remediation) if remediation else None
    claimed = remediation is None or (procedure is not None and procedure.claims(scenario))
    replays = [replay(f, catalogue, backend, profile, seed) for f in counterexamples(catalogue, scenario, remediation)] \
        if remediation and claimed else []
    return Claim(scenario, remediation, journal, tuple(r for r in replays if r.contradicts), claimed=claimed)
