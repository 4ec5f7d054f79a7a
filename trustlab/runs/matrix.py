"""The whole catalogue at once: every scenario alone, every remediation on every scenario, and every counterexample
the explorer found, replayed. A claim holds when its plain run is FIXED and no known counterexample within the claim
(one that meets its conditions, `provided:`) still fails."""
from __future__ import annotations

import hashlib
import os
import time
from collections import defaultdict
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from multiprocessing import get_context
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Optional

from trustlab.engine.journal import Journal
from trustlab.engine.judgement import Verdict
from trustlab.engine.runner import BackendFactory, run
from trustlab.runs.claims import DIFFERENTLY, PASSES, Claim, Replay, replayed
from trustlab.specs.catalogue import Catalogue
from trustlab.specs.profiles import WINDOWS, BehaviourProfile, load_profile
from trustlab.specs.remediation import from_regression


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
    shard: Optional[tuple[int, int]] = None                          # (K, N): only shard K of N was run
    elsewhere: list[tuple[str, str]] = field(default_factory=list)   # the catalogue's claims not judged here
    known: dict[str, str] = field(default_factory=dict)   # run name -> verdict the backend's own profile predicts
    predicted_by: str = ""                                # that profile's name

    def verdict(self, scenario: str, remediation: str) -> Verdict:
        return self.cells[(scenario, remediation)].verdict

    def contradicted(self, scenario: str, remediation: Optional[str] = None) -> list[Replay]:
        """The found files that still fail within this claim (or, with no remediation, this scenario's own)."""
        return [r for r in self.regressions.values() if r.contradicts and r.scenario == scenario
                and (r.remediation == remediation if remediation else r.about_reproduction)]

    def claim(self, scenario: str, remediation: Optional[str] = None) -> Claim:
        """The claim that `remediation` fixes `scenario` (none: that `scenario` reproduces), judged here."""
        journal = self.cells[(scenario, remediation)] if remediation else self.reproduced[scenario]
        predicted = self.predicted_by if key(journal) in self.known else None
        return Claim(scenario, remediation, journal, tuple(self.contradicted(scenario, remediation)), predicted,
                     claimed=remediation is None or (scenario, remediation) in self.claims)

    @property
    def broken_claims(self) -> list[Claim]:
        """The claims that do not hold."""
        return [c for c in (self.claim(s, r) for s, r in sorted(self.claims)) if not c.holds]

    @property
    def unreproduced(self) -> list[Claim]:
        """The scenarios that do not reproduce (their claim to reproduce does not hold)."""
        return [c for c in (self.claim(s) for s in self.reproduced) if not c.holds]

    @property
    def promotable(self) -> list[str]:
        return [fid for fid, r in self.regressions.items() if r.state == PASSES and fid not in self.known]

    @property
    def changed_regressions(self) -> list[str]:
        return [fid for fid, r in self.regressions.items() if r.state == DIFFERENTLY and fid not in self.known]

    @property
    def ok(self) -> bool:
        lost = bool(self.elsewhere) and self.shard is None      # a merge that lacks a shard's runs
        return not (self.broken_claims or self.unreproduced or self.promotable or self.changed_regressions or lost)

    def journals(self) -> list[Journal]:
        return [*self.reproduced.values(), *self.cells.values(), *(r.journal for r in self.regressions.values())]

    def to_dict(self) -> dict[str, Any]:
        """The matrix as data (`trustlab run --format json`): every cell's verdict, the claims and what broke them;
        a shard's, or a merge's that lacks runs, has only the cells it ran and names the claims it did not judge."""
        sliced = {"shard": {"index": self.shard[0], "of": self.shard[1]}} if self.shard else {}
        if self.elsewhere:
            sliced["not_judged"] = [{"scenario": s, "remediation": r} for s, r in self.elsewhere]
        if self.known:
            sliced["known_differences"] = {"predicted_by": self.predicted_by, "runs": dict(sorted(self.known.items()))}
        return {"backend": self.backend, "profile": self.profile, "ok": self.ok, **sliced,
                "scenarios": {sid: {**({"reproduced": self.reproduced[sid].verdict.value}
                                       if sid in self.reproduced else {}),
                                    "cells": {rid: self.verdict(sid, rid).value for rid in self.remediations
                                              if (sid, rid) in self.cells}}
                              for sid in self.scenarios},
                "claims": [{"scenario": c.scenario, "remediation": c.remediation, "verdict": c.journal.verdict.value,
                            "holds": c.holds, "contradicted_by": [r.found for r in c.contradicting]}
                           for c in (self.claim(s, r) for s, r in sorted(self.claims))],
                "regressions": [{"found": r.found, "scenario": r.scenario, "remediation": r.remediation,
                                 "recorded": r.recorded, "replayed": r.journal.verdict.value, "state": r.state,
                                 "within_claim": r.within} for r in self.regressions.values()]}


def key(journal: Journal) -> str:
    """A run's name, and the file name of its journal."""
    return f"{journal.scenario}--{journal.remediation or 'reproduce'}"


@dataclass(frozen=True)
class Planned:
    """One run of the matrix: a found file replayed, a scenario alone, or a scenario with a remediation."""

    name: str                        # the found file's id, SCENARIO--reproduce or SCENARIO--REMEDIATION
    scenario: str
    remediation: Optional[str] = None
    found: bool = False


def plan(catalogue: Catalogue) -> list[Planned]:
    """Every run the matrix makes, in the order it makes them."""
    out = [Planned(fid, fid, found=True) for fid in sorted(catalogue.regressions)]
    for sid in sorted(sid for sid in catalogue.scenarios if sid not in catalogue.regressions):
        out.append(Planned(f"{sid}--reproduce", sid))
        out += [Planned(f"{sid}--{rid}", sid, rid) for rid in sorted(catalogue.remediations)]
    return out


def planned(catalogue: Catalogue) -> int:
    """How many runs the matrix makes."""
    return len(plan(catalogue))


def together(catalogue: Catalogue) -> list[list[Planned]]:
    """The runs that must be judged in one place, in name order: a found file's replay with the run of the claim it
    bears on (and, when it is about the reproduction, with the scenario's reproduction too), so no verdict is
    reached without a counterexample that bears on it."""
    runs = plan(catalogue)
    parent = {p.name: p.name for p in runs}

    def root(name: str) -> str:
        while parent[name] != name:
            name = parent[name]
        return name

    for fid, found in catalogue.regressions.items():
        reg = found.regression
        bears_on = [f"{reg.scenario}--{reg.remediation}"]
        if Verdict(reg.verdict).scenario_fault:
            bears_on.append(f"{reg.scenario}--reproduce")
        for name in bears_on:
            if name in parent:
                parent[root(name)] = root(fid)
    groups: dict[str, list[Planned]] = defaultdict(list)
    for p in runs:
        groups[root(p.name)].append(p)
    return sorted(groups.values(), key=lambda g: min(p.name for p in g))


def shard_number(name: str, count: int) -> int:
    """The shard (from 1) of a run named `name`: from the SHA-256 of the name, the same on every host and Python,
    and a run keeps its shard when others are added to the catalogue."""
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big") % count + 1


def shard(catalogue: Catalogue, index: int, count: int) -> list[Planned]:
    """Shard `index` of `count` (from 1): the groups of `together` whose first name falls in it, so every run is in
    exactly one shard, a claim with its known counterexamples."""
    if not 1 <= index <= count:
        raise ValueError(f"shard {index}/{count}: K must be between 1 and N")
    mine = {p.name for g in together(catalogue) if shard_number(min(p.name for p in g), count) == index
            for p in g}
    return [p for p in plan(catalogue) if p.name in mine]


def execute(p: Planned, catalogue: Catalogue, backend: BackendFactory, profile: BehaviourProfile,
            seed: int) -> Journal:
    """One planned run's journal."""
    scenario = catalogue.scenarios[p.scenario]
    if p.found:
        return run(scenario, from_regression(scenario), backend, profile, seed)
    return run(scenario, catalogue.remediations[p.remediation] if p.remediation else None, backend, profile, seed)


def narrowed(catalogue: Catalogue) -> dict[str, dict[str, list[str]]]:
    """The narrowed claims, as the matrix shows them: remediation -> scenario -> its conditions' texts."""
    return {rid: {sid: [str(c) for c in conditions] for sid, conditions in r.provided.items()}
            for rid, r in catalogue.remediations.items() if r.provided}


def assemble(catalogue: Catalogue, profile: str, journals: dict[str, Journal], seconds: dict[str, float],
             shard_of: Optional[tuple[int, int]] = None) -> Matrix:
    """The matrix of the runs made (by name, as `plan` names them): every scenario's row, the cells run, the claims
    on those cells; the catalogue's other claims are `elsewhere` (not judged here)."""
    runs = {p.name: p for p in plan(catalogue)}
    rows = sorted(sid for sid in catalogue.scenarios if sid not in catalogue.regressions)
    m = Matrix(rows, sorted(catalogue.remediations), profile=profile, provided=narrowed(catalogue),
               seconds=dict(seconds), shard=shard_of)
    for name in runs:
        if name not in journals:
            continue
        p, journal = runs[name], journals[name]
        if p.found:
            m.regressions[name] = replayed(catalogue.scenarios[name], journal, catalogue)
        elif p.remediation is None:
            m.reproduced[p.scenario] = journal
        else:
            m.cells[(p.scenario, p.remediation)] = journal
    m.claims = {c for c in catalogue.claims() if c in m.cells}
    m.elsewhere = sorted(set(catalogue.claims()) - m.claims)
    m.backend = next((j.backend for j in m.journals()), "")
    return m


def predict(m: Matrix, catalogue: Catalogue, model: BackendFactory, expected: BehaviourProfile,
            own: BehaviourProfile, seed: int = 0) -> Matrix:
    """Known differences of a real lab: each run (reproduction, cell or replay) whose verdict differs from what the model
    gives under `expected` (the Windows the catalogue is written for) but equals what it gives under the backend's
    `own` profile (winbind logs a cached user on where Windows shows 1789). They are said as such, not as failures,
    so that only what no one predicted stands out. The model runs are cheap: the sim."""
    runs = {p.name: p for p in plan(catalogue)}
    made = {**{f"{s}--reproduce": j for s, j in m.reproduced.items()},
            **{f"{s}--{r}": j for (s, r), j in m.cells.items()}, **{f: r.journal for f, r in m.regressions.items()}}
    m.predicted_by = own.name
    for name, journal in made.items():
        if execute(runs[name], catalogue, model, expected, seed).verdict is journal.verdict:
            continue
        if execute(runs[name], catalogue, model, own, seed).verdict is journal.verdict:
            m.known[name] = journal.verdict.value
    return m


_WORKER: dict[str, Any] = {}


def known_differences(m: Matrix, catalogue: Catalogue, backend: type, model: BackendFactory, seed: int) -> Matrix:
    """On a real backend whose own profile is not Windows (samba), mark the runs that differ from Windows as its
    profile predicts (the model, the sim, under each profile says), so that only what no one predicted fails."""
    if backend is not model and backend.default_profile != WINDOWS.name:
        predict(m, catalogue, model, WINDOWS, load_profile(backend.default_profile), seed)
    return m


def _start_worker(files: list[str], backend: BackendFactory, profile: BehaviourProfile, seed: int,
                  numbers, env: Optional[str], base: str) -> None:
    """A worker of `--jobs`: the catalogue read again from its files (parsed specs do not pickle), and, for a
    backend with named labs, its own lab (BASE-I) chosen through the backend's variable. A lab the worker built is
    torn down when it exits, as in any process that builds one."""
    from trustlab.specs import catalogue as catalogue_mod

    number = numbers.get()
    if env:
        os.environ[env] = f"{base}-{number}"
    _WORKER.update(catalogue=catalogue_mod.load([Path(f) for f in files]), backend=backend, profile=profile,
                   seed=seed)


def _work(p: Planned) -> tuple[str, Journal, float]:
    started = time.monotonic()
    journal = execute(p, _WORKER["catalogue"], _WORKER["backend"], _WORKER["profile"], _WORKER["seed"])
    return p.name, journal, time.monotonic() - started


def lab_variable(backend: BackendFactory) -> Optional[str]:
    """The variable that names the lab a process uses (its face says; TRUSTLAB_SAMBA_LAB), for a backend whose
    labs have names."""
    return getattr(backend, "lab_variable", None)


@contextmanager
def using_lab(backend: BackendFactory, name: Optional[str]) -> Iterator[None]:
    """The runs inside use the lab `name` (none: the one the environment names, else the backend's default), and
    the environment is as it was afterwards, also for an in-process caller."""
    variable = lab_variable(backend)
    if not (variable and name):
        yield
        return
    before = os.environ.get(variable)
    os.environ[variable] = name
    try:
        yield
    finally:
        if before is None:
            os.environ.pop(variable, None)
        else:
            os.environ[variable] = before


def run_matrix(catalogue: Catalogue, backend: BackendFactory, profile: BehaviourProfile = WINDOWS, seed: int = 0,
               progress: Optional[Callable[[str], None]] = None, runs: Optional[Iterable[Planned]] = None,
               shard_of: Optional[tuple[int, int]] = None, jobs: int = 1, lab: str = "jobs") -> Matrix:
    """Every run of the catalogue (or only `runs`, shard `shard_of`); `progress(name)` after each. With `jobs` > 1
    the runs spread over that many worker processes, each with a lab of its own (`LAB-0` ..); the journals come
    back here and the matrix is judged as one. The workers read the catalogue again from its files (parsed specs
    do not pickle), so a catalogue changed in memory runs as its files say, and the backend class must be
    importable by name."""
    todo = plan(catalogue) if runs is None else list(runs)
    journals: dict[str, Journal] = {}
    seconds: dict[str, float] = {}
    if jobs > 1:
        context = get_context("spawn")      # no fork under the progress bar's thread; each worker exits cleanly
        numbers = context.Queue()
        for number in range(jobs):
            numbers.put(number)
        files = sorted({str(src.file) for src in catalogue.sources.values()})
        pool = ProcessPoolExecutor(jobs, mp_context=context, initializer=_start_worker,
                                   initargs=(files, backend, profile, seed, numbers, lab_variable(backend), lab))
        try:
            for name, journal, took in pool.map(_work, todo):
                journals[name], seconds[name] = journal, took
                if progress:
                    progress(name)
        finally:            # on Ctrl-C or SIGTERM the runs not begun are dropped; each worker ends its run, exits
            pool.shutdown(wait=True, cancel_futures=True)
    else:
        for p in todo:
            started = time.monotonic()
            journals[p.name] = execute(p, catalogue, backend, profile, seed)
            seconds[p.name] = time.monotonic() - started
            if progress:
                progress(p.name)
    return assemble(catalogue, profile.name, journals, seconds, shard_of)
