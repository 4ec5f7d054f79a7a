"""The catalogue: scenario and remediation files found in folders, validated one by one and against each other.

A *catalogue folder* holds its scenario files in `scenarios/` and its remediation files in `remediations/` (any
depth below them, e.g. `scenarios/found/`); nothing else in it is read, so a `.github/` beside them never gets in
the way. There, a YAML file is trustlab's when one of its top-level keys is one only trustlab files have (`break`,
`symptoms`, `steps`, `fixes`, `regression`), so another tool's file among them (a Tavern test, a compose file) is
left alone. The shipped catalogue is one such folder; yours can be used instead of it or beside it."""
from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Union

from trustlab.errors import TrustlabError
from trustlab.specs import shipped
from trustlab.specs.errors import Problem, SpecError, suggest
from trustlab.specs.lab import LabSpec
from trustlab.specs.remediation import Remediation
from trustlab.specs.scenario import Scenario
from trustlab.specs.source import Source, read, validate
from trustlab.specs.steps import VERBS, flatten

Spec = Union[Scenario, Remediation]


SECTIONS = ("scenarios", "remediations")
OWN_KEYS = re.compile(r"^(break|symptoms|steps|fixes|regression)[ \t]*:", re.M)


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

    def entry(self, ref: str) -> Spec:
        return _find({**self.scenarios, **self.remediations}, ref, "scenario or remediation")

    @property
    def regressions(self) -> dict[str, Scenario]:
        return {sid: s for sid, s in self.scenarios.items() if s.regression}

    def claims(self) -> list[tuple[str, str]]:
        return [(s, r.id) for r in self.remediations.values() for s in r.fixes]


class UnknownEntry(TrustlabError, LookupError):
    """An ID that the catalogue does not have."""


class NotACatalogue(TrustlabError, LookupError):
    """A path given as a catalogue folder (or to validate) that is not one, or does not exist."""


def _find(table: dict, ref: str, kind: str):
    if ref in table:
        return table[ref]
    close = [k for k in table if ref in k] or difflib.get_close_matches(ref, table, n=3, cutoff=0.75)
    hint = f"; did you mean {', '.join(close[:3])}?" if close else f"; known: {', '.join(sorted(table)) or 'none'}"
    raise UnknownEntry(f"no {kind} {ref!r}{hint}")


def _yaml_below(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.suffix in (".yaml", ".yml") and p.is_file())


def is_trustlab_text(text: str) -> bool:
    """Does the YAML text have a top-level key that only trustlab files have? Read as text: another tool's YAML,
    with its own tags, is never parsed."""
    return OWN_KEYS.search(text) is not None


def is_trustlab_file(path: Path) -> bool:
    try:
        return is_trustlab_text(Path(path).read_text(encoding="utf-8", errors="replace"))
    except OSError:
        return False


def is_catalogue_folder(folder: Path) -> bool:
    return any((folder / section).is_dir() for section in SECTIONS)


def catalogue_files(folder: Path) -> list[Path]:
    """The files of a catalogue folder: those below its `scenarios/` and `remediations/`, and nothing else."""
    folder = Path(folder)
    if not folder.is_dir():
        raise NotACatalogue(f"{folder}: no such folder")
    if not is_catalogue_folder(folder):
        raise NotACatalogue(f"{folder}: not a catalogue folder: it has no scenarios/ or remediations/ folder (a "
                            f"catalogue folder holds its scenario files in scenarios/ and its remediation files in "
                            f"remediations/)")
    return [p for section in SECTIONS if (folder / section).is_dir() for p in _yaml_below(folder / section)
            if is_trustlab_file(p)]


def files_in(paths: Iterable[Path]) -> list[Path]:
    """What to validate: a file as named; a catalogue folder's scenarios and remediations; another folder's YAML
    files (such as a `scenarios/` folder itself)."""
    out: list[Path] = []
    for path in map(Path, paths):
        if path.is_dir():
            out += catalogue_files(path) if is_catalogue_folder(path) else _yaml_below(path)
        elif path.exists():
            out.append(path)
        else:
            raise NotACatalogue(f"{path}: no such file or folder")
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
    """Load and cross-check every file of `paths` (as `files_in` reads them); all problems are reported together,
    nothing half-loaded. `context` supplies scenarios that claims may refer to without being validated again."""
    return _load(files_in(paths), context)


def load_folders(folders: Iterable[Path], context: "Catalogue | None" = None) -> Catalogue:
    """The catalogue of these catalogue folders together (a folder named twice is read once)."""
    return _load([p for folder in folders for p in catalogue_files(folder)], context)


def _load(files: list[Path], context: "Catalogue | None") -> Catalogue:
    cat, problems, seen = Catalogue(), [], set()
    for path in files:
        if path.resolve() in seen:
            continue
        seen.add(path.resolve())
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
        if scenario.regression and scenario.regression.scenario not in known:
            problems.append(cat.sources[scenario.id].problem(
                ("regression", "scenario"), f"{scenario.regression.scenario!r} is not a scenario of the catalogue; "
                                            f"known: {', '.join(sorted(known)) or 'none'}"))
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
    """The shipped catalogue, with the catalogue folders `extra` beside it."""
    return load_folders([default_root(), *extra])


def _names(step, lab: LabSpec, path: tuple, src: Source) -> list[Problem]:
    out, args = [], step.args
    computer = getattr(args, "computer", None)
    allowed = VERBS[step.verb].computers(lab)
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
    for sid, conditions in r.provided.items():
        if sid not in r.fixes:
            out.append(src.problem(("provided", sid), f"{sid!r} is not claimed; a condition narrows a claim of "
                                                      f"`fixes`: {', '.join(r.fixes) or 'none'}"))
        for i, condition in enumerate(conditions):
            if not condition.met(r.steps):
                out.append(src.problem(("provided", sid, i), f"the written steps do not meet `{condition}`, so "
                                                             f"plain runs would never check the claim"))
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
