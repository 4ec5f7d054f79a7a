"""The explorer: Hypothesis draws concrete schedules of a scenario and a remediation (timing, order, background
events), checks the claims, shrinks a counterexample and writes it out as a scenario file that replays it."""
from __future__ import annotations

import hashlib
import random
import time
import unittest
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Optional

import yaml
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.database import DirectoryBasedExampleDatabase, InMemoryExampleDatabase

from trustlab.engine.journal import Journal
from trustlab.engine.judgement import Verdict
from trustlab.engine.runner import BackendFactory, run
from trustlab.runs.strategies import Schedule, data, schedules, variation, with_timing
from trustlab.specs.profiles import BehaviourProfile
from trustlab.specs.remediation import Remediation
from trustlab.specs.scenario import Scenario


@dataclass
class Failure:
    schedule: Schedule
    journal: Journal
    problem: str


@dataclass
class Exploration:
    scenario: str
    remediation: str
    claimed: bool
    examples: int = 0
    outside: int = 0          # schedules outside the claim's conditions (`provided:`): checked for reproduction only
    nothing_varies: bool = False     # the files declare nothing to vary: the one schedule is the plain run
    seconds: float = 0.0
    classes: dict[tuple, int] = field(default_factory=dict)
    failure: Optional[Failure] = None

    @property
    def rate(self) -> float:
        return self.examples / self.seconds if self.seconds else 0.0

    def to_dict(self) -> dict:
        """The exploration as data (`explore --format json`)."""
        failure = self.failure
        return {"scenario": self.scenario, "remediation": self.remediation, "claimed": self.claimed,
                "examples": self.examples, "seconds": round(self.seconds, 3), "outside_conditions": self.outside,
                "nothing_varies": self.nothing_varies,
                "classes": [{"verdict": key[0], "verify": list(key[1:]), "schedules": count}
                            for key, count in sorted(self.classes.items(), key=lambda kv: -kv[1])],
                "counterexample": None if failure is None else {
                    "problem": failure.problem, "verdict": failure.journal.verdict.value,
                    "schedule": failure.schedule.describe()}}


def problem(journal: Journal, claimed: bool) -> Optional[str]:
    """What the schedule broke: the scenario must reproduce; a claimed remediation must fix it."""
    judgement = journal.judgement
    if judgement.verdict.scenario_fault:
        return f"the scenario did not reproduce: {judgement.verdict.value}: {judgement.reason or ''}"
    if claimed and judgement.verdict is not Verdict.FIXED:
        detail = "; ".join(judgement.unmet + judgement.worse)
        return f"claimed to fix it, got {judgement.verdict.value}: {detail}"
    return None


def outcome_class(journal: Journal) -> tuple:
    """How a run ended, as the distinct observations of its checks: a coarse picture of the space explored."""
    return (journal.verdict.value,) + tuple(e.outcome for e in journal.steps if e.phase == "verify")


def explore(scenario: Scenario, remediation: Remediation, backend: BackendFactory, profile: BehaviourProfile,
            examples: int = 200, seed: Optional[int] = None, derandomize: bool = False,
            database: Optional[Path] = None, progress: Optional[Callable[[Exploration], None]] = None,
            check_claim: Optional[bool] = None, vary_timing: bool = False) -> Exploration:
    """Known failures first (from the example database), then a search, then Hypothesis shrinks what failed.
    With `vary_timing`, also the time between the procedure's steps and background events it does not declare
    (`strategies.with_timing`). Files that declare nothing to vary are run once, and the result says so.

    The search feeds Hypothesis's strategy random bytes through `fuzz_one_input`, its documented entry for
    external fuzzers: the same schedules, at about twice the rate of Hypothesis's own generation loop. A failing
    input is saved to the database, from which Hypothesis replays and shrinks it."""
    claimed = scenario.id in remediation.fixes if check_claim is None else check_claim
    result = Exploration(scenario.id, remediation.id, claimed)
    if vary_timing:
        remediation = with_timing(remediation)
    if not variation(scenario, remediation):
        result.nothing_varies, examples = True, 1

    def within(schedule: Schedule) -> bool:
        """A narrowed claim (`provided:`) is checked only on the schedules that meet its conditions."""
        return claimed and (check_claim is not None or remediation.claims(scenario.id, schedule.remediation.steps))

    failing: list[Failure] = []
    persistent = database is not None and seed is None      # a seeded run repeats exactly, from nothing but its seed
    name = f"{scenario.id}--{remediation.id}" + ("--timing" if vary_timing else "")   # each its own choice layout
    db = (DirectoryBasedExampleDatabase(str(database / name)) if persistent
          else InMemoryExampleDatabase())
    started = time.monotonic()
    shown = [0.0]

    @settings(max_examples=max(examples, 1), deadline=None, database=db, print_blob=False,
              report_multiple_bugs=False, suppress_health_check=list(HealthCheck),
              phases=[Phase.reuse, Phase.shrink])
    @given(schedules(scenario, remediation))
    def prop(schedule: Schedule) -> None:
        journal = run(schedule.scenario, schedule.remediation, backend, profile)
        result.examples += 1
        key = outcome_class(journal)
        result.classes[key] = result.classes.get(key, 0) + 1
        now = time.monotonic()
        result.seconds = now - started
        if progress and now - shown[0] > 0.2:     # a terminal update per example would cost more than the run
            shown[0] = now
            progress(result)
        checked = within(schedule)
        result.outside += claimed and not checked
        found = problem(journal, checked)
        if found:
            failing.append(Failure(schedule, journal, found))
            raise AssertionError(found)

    def shrunk() -> Optional[Failure]:
        try:
            prop()
        except AssertionError:
            return failing[-1]          # Hypothesis replays the shrunk example last
        except unittest.SkipTest:       # the database holds nothing for this pair yet
            pass
        return None

    result.failure = shrunk() if persistent else None
    if result.failure is None:
        rng = random.Random(seed if seed is not None else _stable_seed(scenario, remediation) if derandomize
                            else None)
        if _search(prop.hypothesis.fuzz_one_input, rng, result, examples):
            result.failure = shrunk() or failing[-1]
    if result.failure is not None:
        result.failure = _simpler(result.failure, backend, profile, within)
    result.seconds = time.monotonic() - started
    return result


def _simpler(failure: Failure, backend: BackendFactory, profile: BehaviourProfile,
             within: Callable[[Schedule], bool]) -> Failure:
    """The shrunk schedule without the steps that do nothing (a gap shrunk to `wait: {for: 0s}`), run again: kept
    when it fails as the shrunk one did, with the same verdict; else the shrunk one as it was."""
    plain = failure.schedule.without_no_ops()
    if plain.describe() == failure.schedule.describe():
        return failure
    journal = run(plain.scenario, plain.remediation, backend, profile)
    found = problem(journal, within(plain))
    return Failure(plain, journal, found) if found and journal.verdict is failure.journal.verdict else failure


_BYTES = range(256)
_WEIGHTS = [64] + [1] * 254 + [32]      # per byte: 0x00 a quarter of the time, 0xFF an eighth, else uniform
"""Each choice is scaled from its bytes, so 0x00 and 0xFF bytes give a range's ends: boundaries come up often,
as they do in Hypothesis's own generation."""


def _search(fuzz: Callable[[bytes], Optional[bytes]], rng: random.Random, result: Exploration,
            examples: int) -> bool:
    """Random schedules until one fails or `examples` have run; True on a failure (saved to the database)."""
    size, attempts = 4096, 0
    while result.examples < examples and attempts < 10 * examples:
        attempts += 1
        before = result.examples
        try:
            used = fuzz(bytes(rng.choices(_BYTES, _WEIGHTS, k=size)))
        except AssertionError:
            return True
        if used is not None:
            size = len(used) or 1       # every schedule of a pair draws the same number of bytes
        elif result.examples == before:
            size *= 2
    return False


def _stable_seed(scenario: Scenario, remediation: Remediation) -> int:
    return int.from_bytes(hashlib.sha256(f"{scenario.id}\n{remediation.id}".encode()).digest()[:8], "big")


def regression_id(failure: Failure, scenario: str, remediation: str) -> str:
    digest = hashlib.sha256("\n".join(failure.schedule.describe()).encode()).hexdigest()[:8]
    return f"{scenario}--{remediation}--{digest}"


def write_regression(failure: Failure, original: Scenario, remediation: Remediation, folder: Path,
                     seed: Optional[int] = None) -> Path:
    """The counterexample as a scenario file: the concrete set-up and break, the original symptoms, and the
    concrete procedure with the verdict it gave. `trustlab run ID` replays it exactly."""
    found = failure.schedule
    ident = regression_id(failure, original.id, remediation.id)
    doc = found.scenario.model_dump(mode="json", by_alias=True, exclude_none=True, exclude_defaults=True,
                                    exclude={"regression"})
    doc["id"] = ident
    doc["title"] = f"Found by the explorer: {remediation.id} on {original.id}"
    doc["description"] = (f"{failure.problem}\nWritten by `trustlab explore {original.id} --remediation "
                          f"{remediation.id}`; `trustlab run {ident}` replays it and expects the same verdict.\n")
    doc["tags"] = sorted(set(original.tags) | {"found"})
    doc["symptoms"] = [data(s) for s in found.scenario.symptoms]
    doc["regression"] = {"scenario": original.id, "remediation": remediation.id,
                         "steps": [data(s) for s in found.remediation.steps],
                         "verdict": failure.journal.verdict.value}
    if remediation.verify is not None:
        doc["regression"]["verify"] = [data(s) for s in remediation.verify]
    if seed is not None:
        doc["regression"]["seed"] = seed
    order = ["id", "title", "description", "models", "tags", "lab", "affected", "setup", "break", "symptoms",
             "regression"]
    doc = {key: doc[key] for key in order if key in doc}
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{ident}.yaml"
    path.write_text(yaml.dump(doc, Dumper=_Dumper, sort_keys=False, allow_unicode=True, default_flow_style=None,
                              width=110),
                    encoding="utf-8")
    return path


class _Dumper(yaml.SafeDumper):
    """Multi-line text as a literal block, so a written scenario reads like a hand-written one."""


_Dumper.add_representer(str, lambda dumper, text: dumper.represent_scalar(
    "tag:yaml.org,2002:str", text, style="|" if "\n" in text else None))
