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
from typing import Any, Iterable, Union

from pydantic import TypeAdapter, ValidationError

from trustlab.errors import TrustlabError
from trustlab.specs import shipped
from trustlab.specs.errors import Problem, SpecError, suggest
from trustlab.specs.lab import LabSpec
from trustlab.specs.remediation import Remediation
from trustlab.specs.scenario import Affected, Scenario
from trustlab.specs.source import Source, read, validate
from trustlab.specs.steps import VERBS, Expectation, Step, flatten

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

    def with_files(self, paths: Iterable[Path]) -> "Catalogue":
        """This catalogue and the scenario and remediation files `paths`, checked against it (a file of an id
        it has already takes that entry's place): a file given by its path, e.g. a counterexample written
        outside the catalogue's folders."""
        extra = load(paths, context=self)
        return Catalogue({**self.scenarios, **extra.scenarios}, {**self.remediations, **extra.remediations},
                         {**self.sources, **extra.sources})


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
    """One file, checked on its own: every mistake it has at once (its schema, its id against its name, the names
    and snapshots its steps use), or SpecError."""
    spec, src, problems = _parse(path)
    if problems:
        raise SpecError(problems)
    return spec, src


def _parse(path: Path) -> tuple[Union[Spec, None], Union[Source, None], list[Problem]]:
    """A file's spec (None when it does not validate), its source (None when it cannot be read) and every problem
    it has on its own. When the schema fails, the parts that do validate are still checked (the lab's names, the
    snapshots restored, the id against the file name), so that one `validate` shows every mistake."""
    try:
        src = read(path)
    except SpecError as e:
        return None, None, e.problems
    if not isinstance(src.data, dict):
        return None, src, [src.problem((), "expected a mapping with a scenario or a remediation")]
    if "break" in src.data or "symptoms" in src.data:
        model: type = Scenario
    elif "steps" in src.data or "fixes" in src.data:
        model = Remediation
    else:
        return None, src, [src.problem((), "cannot tell the kind: a scenario has `break` and `symptoms`, a "
                                           "remediation has `steps` and `fixes`")]
    ident = src.data.get("id")
    problems = [src.problem(("id",), f"id {ident!r} must match the file name {Path(path).stem!r}")] \
        if isinstance(ident, str) and ident != Path(path).stem else []
    try:
        spec = validate(src, model)
    except SpecError as e:
        return None, src, e.problems + problems + (_check_scenario(*_scenario_parts(src.data), src)
                                                   if model is Scenario else [])
    if isinstance(spec, Scenario):
        problems += _check_scenario(*_scenario_parts(spec), src)
    return spec, src, problems


def load(paths: Iterable[Path], context: "Catalogue | None" = None) -> Catalogue:
    """Load and cross-check every file of `paths` (as `files_in` reads them); all problems are reported together,
    nothing half-loaded. `context` supplies scenarios that claims may refer to without being validated again."""
    return _load(files_in(paths), context)


def load_folders(folders: Iterable[Path], context: "Catalogue | None" = None) -> Catalogue:
    """The catalogue of these catalogue folders together (a folder named twice is read once)."""
    return _load([p for folder in folders for p in catalogue_files(folder)], context)


def _load(files: list[Path], context: "Catalogue | None", broken: frozenset[str] = frozenset()) -> Catalogue:
    """`broken`: the ids of files left out because they have mistakes (`load_each`); with those of the files here
    that have mistakes of their own, a claim of one of them is not a mistake of the file that makes it."""
    cat, problems, seen, unread = Catalogue(), [], set(), []
    for path in files:
        if path.resolve() in seen:
            continue
        seen.add(path.resolve())
        spec, src, found = _parse(path)
        problems += found
        if found:                   # its own mistakes are said; a claim of it is not another file's mistake too
            broken |= {Path(path).stem}
        if spec is None:
            if src is not None and isinstance(src.data, dict) and not ("break" in src.data or "symptoms" in src.data):
                unread.append(src)              # a remediation that does not validate: its claims are still read
            continue
        table = cat.scenarios if isinstance(spec, Scenario) else cat.remediations
        if spec.id in table or spec.id in cat.sources:
            problems.append(src.problem(("id",), f"duplicate id {spec.id!r} (also in {cat.sources[spec.id].file})"))
            continue
        table[spec.id], cat.sources[spec.id] = spec, src
    known = {**(context.scenarios if context else {}), **cat.scenarios}
    for src in unread:
        fixes = src.data.get("fixes")
        for i, sid in enumerate(fixes if isinstance(fixes, list) else []):
            if isinstance(sid, str) and sid not in known and sid not in broken:
                problems.append(_unknown_claim(src, i, sid, known))
    for remediation in cat.remediations.values():
        problems += _check_remediation(remediation, cat.sources[remediation.id], known, broken)
    known_fixes = {**(context.remediations if context else {}), **cat.remediations}
    for scenario in cat.scenarios.values():
        if scenario.regression and scenario.regression.remediation not in known_fixes.keys() | broken:
            problems.append(cat.sources[scenario.id].problem(
                ("regression", "remediation"), f"{scenario.regression.remediation!r} is not a remediation of the "
                                               f"catalogue; known: {', '.join(sorted(known_fixes)) or 'none'}"))
        if scenario.regression and scenario.regression.scenario not in known.keys() | broken:
            problems.append(cat.sources[scenario.id].problem(
                ("regression", "scenario"), f"{scenario.regression.scenario!r} is not a scenario of the catalogue; "
                                            f"known: {', '.join(sorted(known)) or 'none'}"))
    for scenario in cat.scenarios.values():
        if scenario.solution and scenario.solution not in broken and (
                scenario.solution not in known_fixes or scenario.id not in known_fixes[scenario.solution].fixes):
            claimers = sorted(r for r, spec in known_fixes.items() if scenario.id in spec.fixes)
            problems.append(cat.sources[scenario.id].problem(
                ("solution",), f"{scenario.solution!r} is not a remediation that claims to fix {scenario.id!r}; "
                               f"allowed: {', '.join(claimers) or 'none (no remediation claims it)'}"))
    if problems:
        raise SpecError(problems)
    return cat


def load_each(files: Iterable[Path], context: "Catalogue | None" = None) -> tuple[Catalogue, dict[str, list[Problem]]]:
    """The files that have no mistake, as a catalogue, and each other file's own problems (by file): one bad file
    is left out alone, with its mistakes, never the files beside it (the pytest plugin: one collection error)."""
    todo, bad = [Path(f) for f in files], {}
    while True:
        try:
            return _load(todo, context, frozenset(Path(f).stem for f in bad)), bad
        except SpecError as e:
            for problem in e.problems:
                bad.setdefault(str(Path(problem.file).resolve()), []).append(problem)
            left = [f for f in todo if str(f.resolve()) not in bad]
            if len(left) == len(todo):
                raise
            todo = left


def catalogue_folder(path: Path) -> "Path | None":
    """The catalogue folder a file lies in: the folder holding the `scenarios/` or `remediations/` above it."""
    for parent in Path(path).resolve().parents:
        if parent.name in SECTIONS:
            return parent.parent
    return None


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


Sections = list[tuple[tuple, list, bool]]      # (where, steps: a step or None where it does not validate, remediation)


def _scenario_parts(s: Union[Scenario, dict]) -> tuple[Union[LabSpec, None], Affected, Sections]:
    """What the checks of a scenario read: its lab, who and what is affected, its sections of steps. From the
    model; or from the document when the model does not validate, taking each part that does (a lab that does
    not validate: None, and no names are checked against it)."""
    if isinstance(s, Scenario):
        sections = [(("setup",), s.setup, False), (("break",), s.break_, False), (("symptoms",), s.symptoms, False)]
        if s.regression:
            sections.append((("regression", "steps"), s.regression.steps, True))
        return s.lab, s.affected, sections

    def each(value: Any, adapter: TypeAdapter) -> list:
        return [_valid(adapter, item) for item in value] if isinstance(value, list) else []

    regression = s.get("regression")
    sections = [(("setup",), each(s.get("setup"), STEP), False), (("break",), each(s.get("break"), STEP), False),
                (("symptoms",), each(s.get("symptoms"), EXPECTATION), False)]
    if isinstance(regression, dict):
        sections.append((("regression", "steps"), each(regression.get("steps"), STEP), True))
    return _valid(LabSpec, s.get("lab") or {}), _valid(Affected, s.get("affected") or {}) or Affected(), sections


def _valid(model: Any, value: Any) -> Any:
    try:
        return (model if isinstance(model, TypeAdapter) else TypeAdapter(model)).validate_python(value)
    except (ValidationError, ValueError, TypeError):
        return None


STEP, EXPECTATION = TypeAdapter(Step), TypeAdapter(Expectation)


def _check_scenario(lab: Union[LabSpec, None], affected: Affected, sections: Sections, src: Source) -> list[Problem]:
    if lab is None:
        return []
    out = []
    if affected.user and affected.user not in lab.users:
        out.append(src.problem(("affected", "user"), f"{affected.user!r} is not a user of this lab; "
                                                     f"allowed: {', '.join(lab.users)}"))
    if affected.computer and affected.computer not in lab.workstations:
        out.append(src.problem(("affected", "computer"), f"{affected.computer!r} is not a workstation of this "
                                                         f"lab; allowed: {', '.join(lab.workstations)}"))
    taken: set[tuple[str, str]] = set()
    for where, steps, remediation in sections:
        for i, step in enumerate(steps):
            if step is None:
                continue
            for inner in flatten([step]):
                out += _names(inner, lab, where + (i,), src)
                out += _snapshots(inner, taken, affected.computer or lab.workstations[0], where + (i,), src)
            if step.verb in VERBS and VERBS[step.verb].remediation_only and not remediation:
                out.append(src.problem(where + (i, step.verb), f"`{step.verb}` belongs in a remediation's steps"))
    return out


def _snapshots(step, taken: set, computer: str, path: tuple, src: Source, lab_of: str = "") -> list[Problem]:
    """A snapshot taken is remembered; restoring one that no earlier step took is a mistake (it would fail at run
    time, after the set-up)."""
    if step.verb not in ("snapshot", "restore_snapshot"):
        return []
    key = (step.args.computer or computer, step.args.name)
    if step.verb == "snapshot":
        taken.add(key)
        return []
    if key in taken:
        return []
    names = sorted(name for c, name in taken if c == key[0])
    return [src.problem(path + ("restore_snapshot", "name"),
                        f"no snapshot {key[1]!r} of {key[0]} is taken before this step"
                        f"{suggest(key[1], names)}{lab_of}; taken: {', '.join(names) or 'none'} (a `snapshot` step "
                        f"takes one)")]


def _unknown_claim(src: Source, i: int, sid: str, scenarios: dict) -> Problem:
    return src.problem(("fixes", i), f"claims to fix {sid!r}{suggest(sid, scenarios)}, which is not a scenario of "
                                     f"the catalogue; known: {', '.join(sorted(scenarios)) or 'none'}")


def _check_remediation(r: Remediation, src: Source, scenarios: dict[str, Scenario],
                       broken: frozenset[str] = frozenset()) -> list[Problem]:
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
            if sid not in broken:
                out.append(_unknown_claim(src, i, sid, scenarios))
            continue
        scenario = scenarios[sid]
        taken: set[tuple[str, str]] = set()
        for step in flatten(scenario.setup + scenario.break_):
            _snapshots(step, taken, scenario.computer, (), src)
        for section, steps in (("steps", r.steps), ("verify", r.verify or []), ("background", r.background)):
            for j, step in enumerate(steps):
                for inner in flatten([step]):
                    out += [_for(p, sid) for p in _names(inner, scenario.lab, (section, j), src)]
                    if section == "steps":
                        out += _snapshots(inner, taken, scenario.computer, (section, j), src,
                                          f" (in the lab of {sid!r})")
    return out


def _for(p: Problem, sid: str) -> Problem:
    return Problem(p.file, p.line, p.column, p.path, f"{p.message} (in the lab of {sid!r})")
