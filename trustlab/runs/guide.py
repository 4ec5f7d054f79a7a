"""The troubleshooting guide, built from runs and their verdicts, never written by hand.

It starts where a technician starts, at what they see: a *first look* at each broken lab (the sign-in message and
code, what `nltest /sc_verify` says, the network adapter, and what changes with the cable out). Causes that look
exactly the same are grouped, and told apart by what the DC shows of the computer's object (the first look's last
step: does it exist, is it enabled, when was its password set). For each cause it lists the procedures the lab
proved to fix it, the least invasive first (with the conditions under which the explorer found them failing), the
ones that do not, and what those make worse, and the seed article's checklist with its verdict per cause. Every statement carries the runs it rests on (`Evidence`), so a
test can hold each one against the journals."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

import yaml

from trustlab.engine.journal import Journal, StepEntry
from trustlab.engine.judgement import Verdict
from trustlab.engine.runner import BackendFactory, run
from trustlab.runs.matrix import Matrix, run_matrix
from trustlab.runs.records import found_from, matrices
from trustlab.specs import durations
from trustlab.specs.catalogue import Catalogue
from trustlab.specs.profiles import WINDOWS, BehaviourProfile
from trustlab.specs.remediation import Remediation

FIRST_LOOK = Remediation.model_validate(yaml.safe_load("""
id: first-look
title: What a technician sees first
description: Observations only, in the order a technician makes them; it claims to fix nothing.
steps:
  - logon: {}                      # the sign-in screen: its message and code
  - secure_channel: {}             # nltest /sc_verify
  - network: {}                    # the adapter: an address, hidden adapters
  - unplug: {}                     # the offline/online difference
  - logon: {}
  - logon: {password: previous}
  - plug: {}
  - computer_account: {}           # at the DC: Get-ADComputer NAME -Properties Enabled, PasswordLastSet
"""))
LOOKS = {"logon": 0, "channel": 1, "network": 2, "offline": 4, "offline_previous": 5}
"""Which step of the first look shows what the technician sees at the computer (indices into its steps)."""
AT_THE_DC = 7
"""The first look's step at the DC: what tells apart the causes that look the same at the computer (a backend that
cannot look there leaves it out, and the guide says nothing of the DC)."""

INVASIVE = {"identity": ("rejoin_domain", "join", "leave_domain", "restore_snapshot"), "data": ("delete_profile",),
            "restart": ("reboot", "power_off", "power_on", "reinstall_adapter")}
"""What a procedure changes beyond the fault, most invasive first: the computer's domain identity (a new account or
an old disk), the user's data, a restart. A fix is less invasive than another when it touches fewer of these, in
this order, then when it has fewer steps."""

CHECKLIST = "seed-checklist"
"""The seed article's checklist as a remediation of the catalogue: stages separated by `stop_if_fixed`."""


@dataclass(frozen=True)
class Evidence:
    """A run a statement rests on, and what the statement says that run showed."""

    scenario: str
    remediation: Optional[str]
    verdict: Optional[str] = None       # the run's verdict, as stated
    entry: Optional[int] = None         # or one of its entries...
    outcome: Optional[str] = None       # ...and the outcome stated for it


@dataclass(frozen=True)
class Observation:
    outcome: str
    win32: Optional[int]
    ntstatus: Optional[str]
    message: dict
    hidden: Optional[int]               # hidden network adapters, for the network probe
    age: Optional[float] = None         # how long ago the computer's password was set, for the DC's look


@dataclass
class FailingSchedule:
    """A schedule of the procedure that the explorer found failing on this cause (a shipped regression)."""

    regression: str
    verdict: str
    changes: list[str]
    evidence: Evidence


@dataclass
class Procedure:
    remediation: str
    title: str
    verdict: str
    evidence: Evidence
    after: list[tuple[str, str, Evidence]] = field(default_factory=list)   # checks that failed: verb, outcome
    failed_steps: list[str] = field(default_factory=list)
    worse: list[str] = field(default_factory=list)
    reason: Optional[str] = None         # why it did not run (unsupported here, the scenario did not hold)
    failing: list[FailingSchedule] = field(default_factory=list)
    invasive: tuple[int, ...] = ()      # INVASIVE's counts, then the steps: the lower, the less invasive


@dataclass
class Cause:
    scenario: str
    title: str
    looks: list[Evidence]               # the first look's observations, entry by entry
    fixed_by: list[Procedure] = field(default_factory=list)
    not_fixed_by: list[Procedure] = field(default_factory=list)
    made_worse_by: list[Procedure] = field(default_factory=list)
    not_run: list[Procedure] = field(default_factory=list)     # unsupported here, or the scenario did not hold
    dc: Optional[Observation] = None    # what the DC showed of the computer's object at the first look
    dc_evidence: Optional[Evidence] = None

    @property
    def least_invasive(self) -> Optional[Procedure]:
        return self.fixed_by[0] if self.fixed_by else None


@dataclass
class Sign:
    """What a technician sees, and the causes of the catalogue that show exactly that."""

    looks: dict[str, Observation]
    causes: list[Cause]

    @property
    def alike(self) -> bool:
        """Several causes look exactly like this at the computer: the DC's look tells them apart."""
        return len(self.causes) > 1


@dataclass
class Stage:
    number: int
    steps: list[str]


@dataclass
class ChecklistRow:
    scenario: str
    verdict: str
    stage: Optional[int]                # the stage after which it worked ("stop_if_fixed" said FIXED)
    evidence: Evidence


@dataclass
class Checklist:
    remediation: str
    title: str
    stages: list[Stage]
    rows: list[ChecklistRow]


@dataclass
class Guide:
    backend: str
    profile: str
    signs: list[Sign]
    checklist: Optional[Checklist]
    journals: dict[tuple[str, Optional[str]], Journal]
    left_out: list[Evidence] = field(default_factory=list)     # scenarios that did not reproduce here

    def evidence(self) -> list[Evidence]:
        out: list[Evidence] = list(self.left_out)
        for sign in self.signs:
            for cause in sign.causes:
                out += cause.looks + ([cause.dc_evidence] if cause.dc_evidence and sign.alike else [])
                for p in cause.fixed_by + cause.not_fixed_by + cause.made_worse_by + cause.not_run:
                    out += [p.evidence] + [e for _, _, e in p.after] + [c.evidence for c in p.failing]
        if self.checklist:
            out += [row.evidence for row in self.checklist.rows]
        return out


def run_guide(catalogue: Catalogue, backend: BackendFactory, profile: BehaviourProfile = WINDOWS, seed: int = 0,
              matrix: Optional[Matrix] = None) -> Guide:
    """The guide from fresh runs: the matrix (unless given) and a first look at each scenario."""
    m = matrix or run_matrix(catalogue, backend, profile, seed)
    looks = {sid: run(catalogue.scenarios[sid], FIRST_LOOK, backend, profile, seed) for sid in m.scenarios}
    return build(m, looks, catalogue)


def from_journals(journals: list[Journal], catalogue: Catalogue) -> list[Guide]:
    """The guides of journals read back: one per backend and profile whose journals hold a first look at every
    scenario of their matrix."""
    runs = [j for j in journals if j.remediation != FIRST_LOOK.id]
    out = []
    for m in matrices(runs, catalogue):
        looks = {j.scenario: j for j in journals if j.remediation == FIRST_LOOK.id
                 and (j.backend, j.profile) == _origin(m)}
        if m.scenarios and all(sid in looks for sid in m.scenarios):
            out.append(build(m, looks, catalogue))
    return out


def _origin(m: Matrix) -> tuple[str, str]:
    journal = next(iter([*m.reproduced.values(), *m.cells.values()]))
    return journal.backend, journal.profile


def build(m: Matrix, looks: dict[str, Journal], catalogue: Catalogue) -> Guide:
    backend, profile = _origin(m)
    journals: dict[tuple[str, Optional[str]], Journal] = {(j.scenario, j.remediation): j for j in
                                                          [*m.reproduced.values(), *m.cells.values()]}
    journals.update({(sid, FIRST_LOOK.id): j for sid, j in looks.items()})
    journals.update({(sid, r.journal.remediation): r.journal for sid, r in m.regressions.items()})
    signs: dict[tuple, Sign] = {}
    left_out = []
    for sid in m.scenarios:
        alone = m.reproduced.get(sid)
        if alone is None or alone.verdict is not Verdict.REPRODUCED:
            if alone is not None:
                left_out.append(Evidence(sid, None, verdict=alone.verdict.value))
            continue
        first = _first_look(looks[sid])
        if first is None:                     # the first look did not get to look (unsupported, a step failed)
            left_out.append(Evidence(sid, FIRST_LOOK.id, verdict=looks[sid].verdict.value))
            continue
        seen, evidence = first
        cause = _cause(m, sid, catalogue, evidence)
        cause.dc, cause.dc_evidence = _at_the_dc(looks[sid])
        key = tuple((k, o.outcome, o.hidden) for k, o in seen.items())
        signs.setdefault(key, Sign(seen, [])).causes.append(cause)
    ordered = sorted(signs.values(), key=lambda s: (-len(s.causes), s.looks["logon"].outcome))
    return Guide(backend, profile, ordered, _checklist(m, catalogue), journals, left_out)


def _first_look(journal: Journal) -> Optional[tuple[dict[str, Observation], list[Evidence]]]:
    entries = journal.entries
    where = {e.index: i for i, e in enumerate(entries) if e.phase == "remediation"}
    if any(step not in where for step in LOOKS.values()):
        return None
    seen, evidence = {}, []
    for what, step in LOOKS.items():
        i = where[step]
        e = entries[i]
        seen[what] = Observation(e.outcome or e.status.upper(), e.win32, e.ntstatus,
                                 e.message or {}, e.details.get("hidden_adapters"))
        evidence.append(Evidence(journal.scenario, journal.remediation, entry=i, outcome=seen[what].outcome))
    return seen, evidence


def _at_the_dc(journal: Journal) -> tuple[Optional[Observation], Optional[Evidence]]:
    i = next((i for i, e in enumerate(journal.entries) if e.phase == "remediation" and e.index == AT_THE_DC
              and e.outcome is not None), None)
    if i is None:
        return None, None
    e = journal.entries[i]
    seen = Observation(e.outcome, None, None, {}, None, e.details.get("password_age"))
    return seen, Evidence(journal.scenario, journal.remediation, entry=i, outcome=e.outcome)


def invasiveness(journal: Journal) -> tuple[int, ...]:
    """INVASIVE's counts for the procedure as it ran, then its number of steps."""
    verbs = [e.verb for e in journal.steps if e.phase == "remediation" and e.within is None]
    return (*(sum(v in kind for v in verbs) for kind in INVASIVE.values()), len(verbs))


def _cause(m: Matrix, sid: str, catalogue: Catalogue, looks: list[Evidence]) -> Cause:
    scenario = catalogue.scenarios.get(sid)
    cause = Cause(sid, scenario.title if scenario else sid, looks)
    failing = _conditions(m)
    for rid in m.remediations:
        journal = m.cells.get((sid, rid))
        if journal is None:
            continue
        fix = catalogue.remediations.get(rid)
        v = journal.verdict
        after = [(e.verb, e.outcome or e.status, Evidence(sid, rid, entry=i, outcome=e.outcome))
                 for i, e in enumerate(journal.entries) if e.phase == "verify" and e.matched is False]
        proc = Procedure(rid, fix.title if fix else rid, v.value, Evidence(sid, rid, verdict=v.value), after,
                         list(journal.judgement.failed_steps), list(journal.judgement.worse),
                         journal.judgement.reason, failing.get((sid, rid), []), invasiveness(journal))
        {Verdict.FIXED: cause.fixed_by, Verdict.NOT_FIXED: cause.not_fixed_by,
         Verdict.MADE_WORSE: cause.made_worse_by}.get(v, cause.not_run).append(proc)
    cause.fixed_by.sort(key=lambda p: (p.invasive, p.remediation))        # the least invasive proven fix first
    return cause


def _conditions(m: Matrix) -> dict[tuple[str, str], list[FailingSchedule]]:
    """The shipped regressions, by the scenario and remediation they were found on, as what changed."""
    out: dict[tuple[str, str], list[FailingSchedule]] = {}
    for rid_scenario, found in sorted(m.regressions.items()):
        journal = found.journal
        origin = found_from(journal)
        plain = m.cells.get((origin, journal.remediation)) if origin else None
        if plain is None:
            continue
        out.setdefault((origin, journal.remediation), []).append(FailingSchedule(
            rid_scenario, journal.verdict.value, changes(plain, journal),
            Evidence(rid_scenario, journal.remediation, verdict=journal.verdict.value)))
    return out


def as_run(entry: StepEntry) -> str:
    """A step as it ran: its verb and the arguments the plan resolved (durations written as durations)."""
    args = {k.rstrip("_"): durations.format(v) if k in ("by", "for_", "offset") and isinstance(v, (int, float))
            else v for k, v in entry.args.items() if k not in ("computer", "user")}
    inner = ", ".join(f"{k}: {v}" for k, v in args.items())
    return f"{entry.verb}: {{{inner}}}"


def procedure(journal: Journal) -> list[str]:
    """The remediation's own steps as they ran (not the checks a stop_if_fixed ran)."""
    return [as_run(e) for e in journal.steps if e.phase == "remediation" and e.within is None]


def changes(plain: Journal, found: Journal) -> list[str]:
    """How the found schedule differs from the plain run's: steps it added or left out, steps it ran with other
    arguments, and the order, when that changed."""
    a, b = procedure(plain), procedure(found)
    verb = lambda text: text.split(":")[0]      # noqa: E731
    out: list[str] = []
    pending = list(a)
    paired: list[str] = []
    for text in b:
        same = next((x for x in pending if x == text), None) or next((x for x in pending if verb(x) == verb(text)),
                                                                    None)
        if same is None:
            out.append(f"{text} added")
            continue
        pending.remove(same)
        paired.append(verb(text))
        if same != text:
            out.append(f"{text} instead of {same}")
    out += [f"{text} left out" for text in pending]
    kept = [verb(x) for x in a]
    for text in pending:
        kept.remove(verb(text))
    if paired != kept:
        out.append(f"in the order {' → '.join(paired)} (the plain run: {' → '.join(kept)})")
    return out


def _checklist(m: Matrix, catalogue: Catalogue) -> Optional[Checklist]:
    fix = catalogue.remediations.get(CHECKLIST)
    if fix is None or CHECKLIST not in m.remediations:
        return None
    stages, current = [], []
    for step in fix.steps:
        if step.verb == "stop_if_fixed":
            stages.append(Stage(len(stages) + 1, current))
            current = []
        else:
            current.append(str(step))
    if current:
        stages.append(Stage(len(stages) + 1, current))
    rows = []
    for sid in m.scenarios:
        journal = m.cells.get((sid, CHECKLIST))
        if journal is None:
            continue
        stops = [e for e in journal.steps if e.verb == "stop_if_fixed" and e.within is None]
        stage = next((n for n, e in enumerate(stops, 1) if e.outcome == "FIXED"), None)
        if stage is None and journal.verdict is Verdict.FIXED:
            stage = len(stages)
        rows.append(ChecklistRow(sid, journal.verdict.value, stage,
                                 Evidence(sid, CHECKLIST, verdict=journal.verdict.value)))
    return Checklist(CHECKLIST, fix.title, stages, rows)
