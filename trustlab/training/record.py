"""A training session's record: one JSON file, the source of truth and the trainer's report (docs/training.md).

Its entries are a journal's: every step done to the lab (the break's, the trainee's, the official solution's) is a
journal entry (`engine.journal.StepEntry`) that also says who did it (`by`) and the line typed (`command`), and what
happened by itself is a background entry. The session's own moments (the break handed over, each check with its
grade, each hint, the official solution begun, a line that was no step) are entries of phase `session`."""
from __future__ import annotations

import fcntl
import json
import os
import shutil
import time
from contextlib import contextmanager
from dataclasses import dataclass, field, fields
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, ClassVar, Iterator, Optional, Union

from trustlab.engine.backend import LabUnavailable
from trustlab.engine.journal import BackgroundEntry, StepEntry
from trustlab.engine.journal import entry_of as journal_entry
from trustlab.specs import durations

FORMAT = 2
"""2: the steps are journal entries (with `by` and `command`), the session's moments entries of phase `session`."""
KIND = "training-session"
BREAK, HANDOVER, TRAINEE, SOLUTION = "break", "handover", "trainee", "solution"
"""Who did a step (`by`): the break (the scenario's setup, break and symptoms, then the hand-over), the trainee, or
the official solution (`lab solve`)."""
FILE = "record.json"


class TrainingError(LabUnavailable):
    """A session cannot be started, found, read or continued; the message says why and what to do."""


def iso(wall: float) -> str:
    return datetime.fromtimestamp(wall, timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")


@dataclass(frozen=True)
class Moment:
    """A moment of the session that is no step of the lab, at lab time `t` and real time `wall`."""

    t: float
    wall: float
    kind: ClassVar[str]
    phase: ClassVar[str] = "session"

    @property
    def clock(self) -> str:
        return "+" + durations.format(self.t)

    def to_dict(self) -> dict[str, Any]:
        data = {f.name: getattr(self, f.name) for f in fields(self) if f.name not in ("t", "wall")}
        return {"phase": self.phase, "kind": self.kind, "t": self.t, "clock": self.clock, "wall": self.wall, **data}


@dataclass(frozen=True)
class Began(Moment):
    """The break is done and the lab handed over (its steps are `by: break`, hidden from the trainee)."""

    scenario: str
    steps: int
    kind: ClassVar[str] = "break"


@dataclass(frozen=True)
class Spoiled(Moment):
    """The break did not come out as the scenario says: nothing was handed over."""

    reason: str
    kind: ClassVar[str] = "broken_exercise"


@dataclass(frozen=True)
class Checked(Moment):
    """`lab check`: each condition with what the trainee sees of it, the score and the engine's judgement."""

    conditions: list[dict[str, Any]]
    passed: int
    total: int
    percent: int
    verdict: str
    seconds: float
    solved_by: Optional[str]
    judgement: dict[str, Any]
    caveats: list[dict[str, str]] = field(default_factory=list)   # what the score does not say (NW-2 and such)
    kind: ClassVar[str] = "check"


@dataclass(frozen=True)
class Hinted(Moment):
    index: int
    why: str                     # "asked", or "check": released by a failing check
    text: dict[str, str]
    kind: ClassVar[str] = "hint"


@dataclass(frozen=True)
class Solving(Moment):
    """`lab solve` began the official remediation (its steps are `by: solution`)."""

    remediation: str
    kind: ClassVar[str] = "solve"


@dataclass(frozen=True)
class Noted(Moment):
    """A line the trainee typed that is no step of the lab (a prompt's variable, Device Manager's view)."""

    command: str
    note: str
    kind: ClassVar[str] = "command"


MOMENTS = {m.kind: m for m in (Began, Spoiled, Checked, Hinted, Solving, Noted)}
Entry = Union[StepEntry, BackgroundEntry, Moment]


class RecordProblem(TrainingError):
    """A record that is not as `docs/training.md` describes it: the key path, what is wrong, and the value to find
    the line by (JSON keeps no positions)."""

    def __init__(self, key: str, what: str, near: Any = None):
        super().__init__(f"{key}: {what}" if key else what)
        self.near = near


def entry_of(data: Any, key: str) -> Entry:
    if not isinstance(data, dict):
        raise RecordProblem(key, "an entry is a JSON object", data)
    if data.get("phase") != Moment.phase:
        try:
            return journal_entry(data)
        except (KeyError, TypeError) as e:
            raise RecordProblem(key, f"not a journal entry ({e})", data.get("step")) from None
    kind = MOMENTS.get(data.get("kind"))
    if kind is None:
        raise RecordProblem(f"{key}.kind", f"{data.get('kind')!r} is not a moment of a session; allowed: "
                                           f"{', '.join(MOMENTS)}", data.get("kind"))
    names = {f.name for f in fields(kind)}
    unknown = sorted(set(data) - names - {"phase", "kind", "clock"})
    missing = sorted(names - set(data))
    if unknown or missing:
        what = f"unknown key {unknown[0]!r}" if unknown else f"missing key {missing[0]!r}"
        raise RecordProblem(key, f"{what}; a {kind.kind} entry has {', '.join(sorted(names))}",
                            unknown[0] if unknown else data.get("kind"))
    return kind(**{n: data[n] for n in names})


@dataclass
class Record:
    """The session: what it is about, how far the hints and the score got, and everything that happened."""

    scenario: str
    title: str
    backend: str
    profile: str
    seed: int
    lab: dict[str, Optional[str]]
    lang: str
    solution: str
    checks: list[str]
    hints: int
    hints_released: int = 0
    score: Optional[dict[str, Any]] = None
    entries: list[Entry] = field(default_factory=list)

    @property
    def steps(self) -> list[StepEntry]:
        return [e for e in self.entries if isinstance(e, StepEntry)]

    def moments(self, kind: type[Moment]) -> list:
        return [e for e in self.entries if isinstance(e, kind)]

    @property
    def started_wall(self) -> float:
        return next(e.wall for e in self.entries if isinstance(e, Began))

    def to_dict(self) -> dict[str, Any]:
        data = {f.name: getattr(self, f.name) for f in fields(self)}
        data["entries"] = [e.to_dict() for e in self.entries]
        return {"format": FORMAT, "kind": KIND, **data}

    @classmethod
    def from_dict(cls, data: Any) -> "Record":
        """The record of a JSON object; a RecordProblem names the key and what is wrong."""
        if not isinstance(data, dict) or data.get("kind") != KIND:
            raise RecordProblem("kind", f"not a training-session record (kind: {KIND})")
        if data.get("format") != FORMAT:
            raise RecordProblem("format", f"{data.get('format')!r}: this trustlab reads training records of format "
                                          f"{FORMAT} (docs/training.md)", data.get("format"))
        names = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - names - {"format", "kind"})
        required = {f.name for f in fields(cls) if f.name not in ("hints_released", "score", "entries")}
        missing = sorted(required - set(data))
        if unknown or missing:
            what = f"unknown key {unknown[0]!r}" if unknown else f"missing key {missing[0]!r}"
            raise RecordProblem(unknown[0] if unknown else "", f"{what}; a training-session record has format, kind, "
                                f"{', '.join(sorted(names))}", unknown[0] if unknown else None)
        values = {n: data[n] for n in names if n in data}
        values["entries"] = [entry_of(e, f"entries[{i}]") for i, e in enumerate(data.get("entries", []))]
        return cls(**values)


def read(path: Path) -> Record:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise TrainingError(f"cannot read the session record {path}: {e}") from None
    try:
        return Record.from_dict(data)
    except RecordProblem as e:
        raise TrainingError(f"{path}: {e}") from None


class Folder:
    """Where a session keeps its record: `record.json`, written whole under a lock (several commands may act on one
    session), and `sessions/` with the records of earlier ones."""

    def __init__(self, path: Path):
        self.path = Path(path)

    @property
    def file(self) -> Path:
        return self.path / FILE

    def exists(self) -> bool:
        return self.file.exists()

    @contextmanager
    def locked(self) -> Iterator[None]:
        self.path.mkdir(parents=True, exist_ok=True, mode=0o700)
        with open(self.path / ".lock", "w") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def read(self) -> Record:
        return read(self.file)

    def write(self, record: Record) -> None:
        tmp = self.file.with_suffix(".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(json.dumps(record.to_dict(), ensure_ascii=False, indent=2) + "\n")
        os.replace(tmp, self.file)

    def archive(self) -> Optional[Path]:
        """Move a finished or abandoned session's record to `sessions/`, named by its start and scenario."""
        if not self.exists():
            return None
        try:
            record = self.read()
            name = f"{iso(record.started_wall).replace(':', '')}--{record.scenario}.json"
        except (TrainingError, StopIteration):
            name = f"unreadable-{int(time.time())}.json"
        target = self.path / "sessions" / name
        target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        shutil.move(str(self.file), target)
        return target
