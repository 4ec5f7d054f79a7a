"""The journal: the record of one run. JSON is the source of truth; everything else is a view of it."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, Optional, Union

from pydantic import BaseModel, ConfigDict, Field

from trustlab.specs import durations
from trustlab.engine.backend import StepResult
from trustlab.engine.judgement import Judgement, Verdict
from trustlab.engine.plan import Action

FORMAT = 3
"""2: a check that `stop_if_fixed` runs carries `within` (the index of its stop_if_fixed step). 3: the engine's own
probes around the procedure (phases `before` and `after`), `affected`, and `renamed` on a step that renamed a
computer (later entries use the new name)."""


@dataclass
class Journal:
    scenario: str
    remediation: Optional[str]
    backend: str
    profile: str
    seed: int
    entries: list[dict[str, Any]] = field(default_factory=list)
    judgement: Judgement = Judgement(Verdict.UNSUPPORTED, "not run")
    affected: dict[str, str] = field(default_factory=dict)   # the user and computer a step means when it names none

    def record(self, action: Action, result: StepResult, t: float, wall: Optional[float] = None) -> dict:
        entry: dict[str, Any] = {"phase": action.phase, "index": action.index, "step": action.text,
                                 "verb": action.verb, "family": action.family.value, "args": action.args,
                                 "t": t, "clock": "+" + durations.format(t), "status": result.status}
        if action.within is not None:
            entry["within"] = action.within
        if wall is not None:
            entry["wall"] = wall
        if result.outcome is not None:
            entry["outcome"] = result.outcome
        if result.win32 is not None:
            entry["win32"] = result.win32
        for key in ("raw", "message", "details"):
            value = getattr(result, key)
            if value:
                entry[key] = value
        if result.ntstatus is not None:
            entry["ntstatus"] = f"0x{result.ntstatus:08X}"
        if result.output:
            entry["output"] = result.output
        if action.expect:
            entry["expect"] = action.expect
            entry["matched"] = matches(action, result)
        self.entries.append(entry)
        return entry

    def background(self, t: float, computer: str, event: str) -> None:
        self.entries.append({"phase": "background", "t": t, "clock": "+" + durations.format(t),
                             "computer": computer, "event": event})

    @property
    def verdict(self) -> Verdict:
        return self.judgement.verdict

    def to_dict(self) -> dict[str, Any]:
        return {"format": FORMAT, "scenario": self.scenario, "remediation": self.remediation,
                "backend": self.backend, "profile": self.profile, "seed": self.seed, "affected": self.affected,
                "verdict": self.judgement.to_dict(), "entries": self.entries}

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=2) + "\n"

    def write(self, path: Path) -> None:
        Path(path).write_text(self.to_json(), encoding="utf-8")

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Journal":
        return cls(data["scenario"], data.get("remediation"), data["backend"], data["profile"], data.get("seed", 0),
                   list(data.get("entries", [])), Judgement.from_dict(data["verdict"]), dict(data.get("affected", {})))

    @classmethod
    def read(cls, path: Path) -> "Journal":
        return cls.from_dict(json.loads(Path(path).read_text(encoding="utf-8")))

    @property
    def steps(self) -> list[dict[str, Any]]:
        return [e for e in self.entries if e["phase"] != "background"]


def matches(action: Action, result: StepResult) -> bool:
    for key, wanted in action.expect.items():
        got = result.outcome if key == "outcome" else result.details.get(key)
        if got != wanted:
            return False
    return True


# --- the JSON form, as a schema for tools that read journals (`trustlab schema journal`) ----------------------------

class _Doc(BaseModel):
    model_config = ConfigDict(extra="forbid")


class VerdictDocument(_Doc):
    verdict: Verdict
    reason: Optional[str] = None
    unmet: list[str] = Field(default_factory=list, description="checks of the remediation that did not hold")
    worse: list[str] = Field(default_factory=list, description="what was usable (or held) before the procedure "
                                                               "and is not after it")
    failed_steps: list[str] = Field(default_factory=list)


class StepEntry(_Doc):
    phase: Literal["setup", "break", "symptoms", "before", "remediation", "verify", "recheck", "after"] = Field(
        description="before/after: the engine's own probes around the procedure")
    index: int
    step: str = Field(description="the step as its file writes it")
    verb: str
    family: Literal["event", "admin", "probe"]
    args: dict[str, Any] = Field(description="the resolved arguments the backend got, defaults included")
    t: float = Field(description="lab time, seconds since the lab was built")
    clock: str = Field(description="lab time as a duration, e.g. +181d")
    wall: Optional[float] = Field(None, description="real time (Unix seconds); real labs only")
    status: Literal["ok", "failed", "unsupported"]
    within: Optional[int] = Field(None, description="the index of the stop_if_fixed step that ran this check")
    outcome: Optional[str] = None
    win32: Optional[int] = None
    ntstatus: Optional[str] = Field(None, pattern=r"^0x[0-9A-F]{8}$")
    message: Optional[dict[str, str]] = Field(None, description="what Windows shows, by language (en, ja)")
    raw: Optional[str] = Field(None, description="what the real system said")
    details: Optional[dict[str, Any]] = None
    output: Optional[list[str]] = None
    expect: Optional[dict[str, Any]] = None
    matched: Optional[bool] = None
    renamed: Optional[dict[str, str]] = Field(None, description="old name -> new name of a renamed computer")


class BackgroundEntry(_Doc):
    phase: Literal["background"]
    t: float
    clock: str
    computer: str
    event: str


class Document(_Doc):
    """A journal file: the record of one run."""

    format: Literal[3]
    scenario: str
    remediation: Optional[str]
    backend: str
    profile: str
    seed: int
    affected: dict[str, str] = Field(description="the user and computer a step means when it names none")
    verdict: VerdictDocument
    entries: list[Union[StepEntry, BackgroundEntry]]


def json_schema() -> dict[str, Any]:
    schema = Document.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = "https://trustlab.invalid/schema/journal.json"
    return schema
