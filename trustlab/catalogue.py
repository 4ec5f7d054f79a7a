"""The catalogue: scenario and remediation files found in folders, validated one by one and against each other."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Union

from trustlab import shipped
from trustlab.specs.errors import Problem, SpecError, suggest
from trustlab.specs.remediation import Remediation
from trustlab.specs.scenario import Scenario
from trustlab.specs.lab import LabSpec
from trustlab.specs.source import Source, read, validate
from trustlab.specs.steps import VERBS, flatten

Spec = Union[Scenario, Remediation]


def default_root() -> Path:
    """The catalogue shipped in the wheel, or the checkout's own folders."""
    return shipped.path()


@dataclass
class Catalogue:
    scenarios: dict[str, Scenario] = field(default_factory=dict)
    remediations: dict[str, Remediation] = field(default_factory=dict)
    sources: dict[str, Source] = field(default_factory=dict)

    def scenario(self, ref: str) -> Scenario:
        return _find(self.scenarios, ref, "scenario")

    def remediation(self, ref: str) -> Remediation:
        return _find(self.remediations, ref, "remediation")

    @property
    def regressions(self) -> dict[str, Scenario]:
        return {sid: s for sid, s in self.scenarios.items() if s.regression}

    def claims(self) -> list[tuple[str, str]]:
        return [(s, r.id) for r in self.remediations.values() for s in r.fixes]


class UnknownEntry(LookupError):
    """An ID that the catalogue does not have."""


def _find(table: dict, ref: str, kind: str):
    if ref in table:
        return table[ref]
    close = [k for k in table if ref in k]
    hint = f"; did you mean {', '.join(close[:3])}?" if close else f"; known: {', '.join(sorted(table)) or 'none'}"
    raise UnknownEntry(f"no {kind} {ref!r}{hint}")


def files_in(paths: Iterable[Path]) -> list[Path]:
    out: list[Path] = []
    for path in map(Path, paths):
        if path.is_dir():
            out += sorted(p for p in path.rglob("*") if p.suffix in (".yaml", ".yml"))
        elif path.exists():
            out.append(path)
        else:
            raise SpecError([Problem(str(path), 1, 1, (), "no such file or folder")])
    return out


def load_file(path: Path) -> tuple[Spec, Source]:
    src = read(path)
    if not isinstance(src.data, dict):
        raise SpecError([src.problem((), "expected a mapping with a scenario or a remediation")])
    if "break" in src.data or "symptoms" in src.data:
        model: type = Scenario
    elif "steps" in src.data or "fixes" in src.data:
        model = Remediation
    else:
        raise SpecError([src.problem((), "cannot tell the kind: a scenario has `break` and `symptoms`, "
                                          "a remediation has `steps` and `fixes`")])
    spec = validate(src, model)
    if Path(path).stem != spec.id:
        raise SpecError([src.problem(("id",), f"id {spec.id!r} must match the file name {Path(path).stem!r}")])
    return spec, src


def load(paths: Iterable[Path], context: "Catalogue | None" = None) -> Catalogue:
    """Load and cross-check every file under `paths`; all problems are reported together, nothing half-loaded.
    `context` supplies scenarios that claims may refer to without being validated again."""
    cat, problems = Catalogue(), []
    for path in files_in(paths):
        try:
            spec, src = load_file(path)
        except SpecError as e:
            problems += e.problems
            continue
        table = cat.scenarios if isinstance(spec, Scenario) else cat.remediations
        if spec.id in table or spec.id in cat.sources:
            problems.append(src.problem(("id",), f"duplicate id {spec.id!r} (also in {cat.sources[spec.id].file})"))
            continue
        table[spec.id], cat.sources[spec.id] = spec, src
    known = {**(context.scenarios if context else {}), **cat.scenarios}
    for scenario in cat.scenarios.values():
        problems += _check_scenario(scenario, cat.sources[scenario.id])
    for remediation in cat.remediations.values():
        problems += _check_remediation(remediation, cat.sources[remediation.id], known)
    known_fixes = {**(context.remediations if context else {}), **cat.remediations}
    for scenario in cat.scenarios.values():
        if scenario.regression and scenario.regression.remediation not in known_fixes:
            problems.append(cat.sources[scenario.id].problem(
                ("regression", "remediation"), f"{scenario.regression.remediation!r} is not a remediation of the "
                                               f"catalogue; known: {', '.join(sorted(known_fixes)) or 'none'}"))
    for scenario in cat.scenarios.values():
        if scenario.solution and (scenario.solution not in known_fixes
                                  or scenario.id not in known_fixes[scenario.solution].fixes):
            claimers = sorted(r for r, spec in known_fixes.items() if scenario.id in spec.fixes)
            problems.append(cat.sources[scenario.id].problem(
                ("solution",), f"{scenario.solution!r} is not a remediation that claims to fix {scenario.id!r}; "
                               f"allowed: {', '.join(claimers) or 'none (no remediation claims it)'}"))
    if problems:
        raise SpecError(problems)
    return cat


def load_default(extra: Iterable[Path] = ()) -> Catalogue:
    root = default_root()
    return load([p for p in (root / "scenarios", root / "remediations") if p.is_dir()] + list(extra))


def _names(step, lab: LabSpec, path: tuple, src: Source) -> list[Problem]:
    out, args = [], step.args
    computer = getattr(args, "computer", None)
    allowed = lab.computers if VERBS[step.verb].at_dc else lab.workstations
    if computer is not None and computer not in allowed:
        out.append(src.problem(path + (step.verb, "computer"),
                               f"{computer!r} is not a computer of this lab; allowed: {', '.join(allowed)}"))
    user = getattr(args, "user", None)
    if user is not None and user not in lab.all_users:
        out.append(src.problem(path + (step.verb, "user"),
                               f"{user!r} is not a user of this lab; allowed: {', '.join(lab.all_users)}"))
    return out


def _check_scenario(s: Scenario, src: Source) -> list[Problem]:
    out = []
    if s.affected.user and s.affected.user not in s.lab.users:
        out.append(src.problem(("affected", "user"), f"{s.affected.user!r} is not a user of this lab; "
                                                     f"allowed: {', '.join(s.lab.users)}"))
    if s.affected.computer and s.affected.computer not in s.lab.workstations:
        out.append(src.problem(("affected", "computer"), f"{s.affected.computer!r} is not a workstation of this "
                                                         f"lab; allowed: {', '.join(s.lab.workstations)}"))
    sections = [(("setup",), s.setup, False), (("break",), s.break_, False), (("symptoms",), s.symptoms, False)]
    if s.regression:
        sections.append((("regression", "steps"), s.regression.steps, True))
    for where, steps, remediation in sections:
        for i, step in enumerate(steps):
            for inner in flatten([step]):
                out += _names(inner, s.lab, where + (i,), src)
            if step.verb in VERBS and VERBS[step.verb].remediation_only and not remediation:
                out.append(src.problem(where + (i, step.verb), f"`{step.verb}` belongs in a remediation's steps"))
    return out


def _check_remediation(r: Remediation, src: Source, scenarios: dict[str, Scenario]) -> list[Problem]:
    out = []
    for i, sid in enumerate(r.fixes):
        if sid not in scenarios:
            out.append(src.problem(("fixes", i), f"claims to fix {sid!r}{suggest(sid, scenarios)}, which is not a "
                                                 f"scenario of the catalogue; known: {', '.join(sorted(scenarios)) or 'none'}"))
            continue
        for section, steps in (("steps", r.steps), ("verify", r.verify or []), ("background", r.background)):
            for j, step in enumerate(steps):
                for inner in flatten([step]):
                    out += [_for(p, sid) for p in _names(inner, scenarios[sid].lab, (section, j), src)]
    return out


def _for(p: Problem, sid: str) -> Problem:
    return Problem(p.file, p.line, p.column, p.path, f"{p.message} (in the lab of {sid!r})")
