"""Records read back: journals and training session records from files or folders, and the matrices a set of
journals makes. A report or a guide built from files sees exactly what the runs wrote, and judges nothing again:
verdicts come from the journals, claims and recorded regression verdicts from the catalogue."""
from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path
from typing import Any, Iterable, Optional, Union

from trustlab.engine.journal import Document, Journal
from trustlab.engine.judgement import Verdict
from trustlab.errors import FAILED, TrustlabError
from trustlab.runs.claims import replayed
from trustlab.runs.matrix import Matrix, assemble, key, narrowed, plan
from trustlab.specs.catalogue import Catalogue
from trustlab.training.record import KIND, RecordProblem
from trustlab.training.record import Record as TrainingRecord


class RecordError(TrustlabError, ValueError):
    """A file that is not a journal or a session record; the message names the file and what is wrong."""


Record = Union[Journal, TrainingRecord]


JOURNAL_KEYS = tuple(Document.model_fields)          # the journal format's own keys (`trustlab schema journal`)
ENTRY_KEYS = {"step": ("phase", "index", "step", "verb", "t", "status"),
              "background": ("phase", "t", "computer", "event")}
"""What the timeline needs of an entry; the journal format (docs/commands.md, "Journals") has more."""


def read(paths: Iterable[Path]) -> list[Record]:
    """Every journal and session record in `paths` (files, or folders searched for `*.json`), in name order."""
    files: list[Path] = []
    for path in map(Path, paths):
        if path.is_dir():
            files += sorted(path.rglob("*.json"))
        elif path.is_file():
            files.append(path)
        else:
            raise RecordError(f"{path}: no such file or folder")
    if not files:
        raise RecordError(f"no journals (*.json) in {', '.join(map(str, paths))}")
    return [read_file(f) for f in files]


def read_file(path: Path) -> Record:
    try:
        text = Path(path).read_text(encoding="utf-8")
        data = json.loads(text)
    except json.JSONDecodeError as e:
        raise RecordError(f"{path}:{e.lineno}:{e.colno}: not JSON: {e.msg}") from None
    except (OSError, UnicodeDecodeError) as e:
        raise RecordError(f"{path}: cannot be read: {e}") from None
    return parse(data, str(path), text)


def _line(text: str, *found: Any) -> str:
    """Where in the file something first appears (JSON keeps no positions): `:LINE`, or nothing."""
    for value in found:
        at = text.find(json.dumps(value, ensure_ascii=False)) if text else -1
        if at >= 0:
            return f":{text.count(chr(10), 0, at) + 1}"
    return ""


def parse(data: Any, where: str = "<record>", text: str = "") -> Record:
    if not isinstance(data, dict):
        raise RecordError(f"{where}:1: expected a JSON object (a journal or a training-session record)")
    if data.get("kind") == KIND:
        try:
            return TrainingRecord.from_dict(data)      # as `lab record --json` writes it
        except RecordProblem as e:
            raise RecordError(f"{where}{_line(text, e.near) if e.near is not None else ':1'}: {e}") from None
    unknown = sorted(set(data) - set(JOURNAL_KEYS))
    missing = [k for k in ("scenario", "backend", "profile", "verdict") if k not in data]
    if unknown or missing:
        what = f"{unknown[0]}: unknown key {unknown[0]!r}" if unknown else f"missing key {missing[0]!r}"
        raise RecordError(f"{where}{_line(text, unknown[0]) if unknown else ':1'}: {what}; a journal has "
                          f"{', '.join(JOURNAL_KEYS)}; a training-session record has kind: training-session")
    verdict = data["verdict"].get("verdict") if isinstance(data["verdict"], dict) else data["verdict"]
    if verdict not in {v.value for v in Verdict}:
        raise RecordError(f"{where}{_line(text, verdict)}: verdict.verdict: {verdict!r} is not a verdict; allowed: "
                          f"{', '.join(v.value for v in Verdict)}")
    entries = data.get("entries", [])
    for i, entry in enumerate(entries if isinstance(entries, list) else [entries]):
        kind = "background" if isinstance(entry, dict) and entry.get("phase") == "background" else "step"
        missing = [k for k in ENTRY_KEYS[kind] if not isinstance(entry, dict) or k not in entry]
        if missing:
            raise RecordError(f"{where}{_line(text, entry.get('step') if isinstance(entry, dict) else entry)}: "
                              f"entries[{i}]: missing key {missing[0]!r}; a {kind} entry has "
                              f"{', '.join(ENTRY_KEYS[kind])}")
    try:
        return Journal.from_dict(data)
    except (KeyError, ValueError, TypeError) as e:
        raise RecordError(f"{where}: not a trustlab journal: {e}") from None


def found_from(journal: Journal) -> Optional[str]:
    """The scenario a counterexample's replay was found on: the explorer names a found scenario
    `SCENARIO--REMEDIATION--DIGEST` and runs it with the remediation it explored."""
    marker = f"--{journal.remediation}--"
    if journal.remediation and marker in journal.scenario:
        return journal.scenario.rsplit(marker, 1)[0]
    return None


def matrices(journals: Iterable[Journal], catalogue: Catalogue) -> list[Matrix]:
    """One matrix per backend and profile: the scenarios run alone, the cells, the catalogue's claims on those
    cells, and the replays of the catalogue's regressions with the verdicts they recorded."""
    groups: dict[tuple[str, str], list[Journal]] = defaultdict(list)
    for journal in journals:
        groups[(journal.backend, journal.profile)].append(journal)
    out = []
    for (backend, profile), group in sorted(groups.items()):
        found = [j for j in group if found_from(j)]
        plain = [j for j in group if not found_from(j)]
        rows = sorted({j.scenario for j in plain})
        cols = sorted({j.remediation for j in plain if j.remediation})
        m = Matrix(rows, cols, backend=backend, profile=profile, provided=narrowed(catalogue))
        for j in plain:
            if j.remediation is None:
                m.reproduced[j.scenario] = j
            else:
                m.cells[(j.scenario, j.remediation)] = j
        m.claims = {c for c in catalogue.claims() if c in m.cells}
        for j in found:
            spec = catalogue.scenarios.get(j.scenario)
            if spec is not None and spec.regression is not None:
                m.regressions[j.scenario] = replayed(spec, j, catalogue)
        out.append(m)
    return out


class UnknownRuns(TrustlabError):
    """Journals of runs the catalogue in use does not know: they were made with another catalogue (`--add` or
    `--catalogue` left out), and judging without them could call a broken claim held. Status 1: nothing is judged.
    Said in one line, then the runs, one a line."""

    code = FAILED

    def __init__(self, what: str, names: list[str]):
        super().__init__(f"{len(names)} {what} the catalogue in use does not know; give merge the catalogue the "
                         f"shards ran with (the same --add / --catalogue)")
        self.names = names

    def lines(self) -> list[str]:
        return super().lines() + [f"  {name}" for name in self.names]


def merged(journals: Iterable[Journal], catalogue: Catalogue) -> tuple[list[Matrix], list[str]]:
    """The shards' journals judged together, one matrix per backend and profile, as `run` judges its own (a claim
    over every shard's runs), and the names of the catalogue's runs that no shard made. Two journals of one run
    mean the shards overlap: a RecordError; a journal of a run the catalogue does not know: UnknownRuns."""
    journals = list(journals)
    groups: dict[tuple[str, str], dict[str, Journal]] = defaultdict(dict)
    known = {p.name for p in plan(catalogue)}
    unknown = sorted({name for name in (j.scenario if j.scenario in catalogue.regressions else key(j)
                                        for j in journals) if name not in known})
    if unknown:
        raise UnknownRuns("journal(s) of runs", unknown)
    for journal in journals:
        name = journal.scenario if journal.scenario in catalogue.regressions else key(journal)
        runs = groups[(journal.backend, journal.profile)]
        if name in runs:
            raise RecordError(f"two journals of the run {name} ({journal.backend}, profile {journal.profile}): "
                              f"the shards overlap, or a folder was given twice")
        runs[name] = journal
    out, missing = [], []
    for (_, profile), runs in sorted(groups.items()):
        out.append(assemble(catalogue, profile, runs, {}))
        missing += [p.name for p in plan(catalogue) if p.name not in runs]
    return out, missing
