"""The journal: the record of one run. JSON is the source of truth; everything else is a view of it."""
from __future__ import annotations

import json
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, Literal, Optional, Union

from pydantic import BaseModel, ConfigDict, Field

from trustlab.engine.backend import StepResult
from trustlab.engine.dc_answer import DcAnswer
from trustlab.engine.judgement import Judgement, Verdict
from trustlab.engine.plan import Action
from trustlab.specs import durations

FORMAT = 3
"""2: a check that `stop_if_fixed` runs carries `within` (the index of its stop_if_fixed step). 3: the engine's own
probes around the procedure (phases `before` and `after`), `affected`, and `renamed` on a step that renamed a
computer (later entries use the new name)."""


@dataclass(frozen=True)
class StepEntry:
    """One step as it ran: what was asked (the resolved step), what the backend answered, and when. A training
    session's steps are entries too, with who did them (`by`) and the line typed (`command`)."""

    phase: str
    index: int
    step: str                                   # the step as its file writes it
    verb: str
    family: str
    args: dict[str, Any]                        # what the backend got, defaults included
    t: float                                    # lab time after the step
    status: str
    within: Optional[int] = None                # the stop_if_fixed step that ran this check
    wall: Optional[float] = None                # real time, on real labs and in training
    outcome: Optional[str] = None
    win32: Optional[int] = None
    raw: Optional[str] = None
    message: Optional[dict[str, str]] = None
    details: dict[str, Any] = field(default_factory=dict)
    ntstatus: Optional[str] = None              # as 0xXXXXXXXX
    output: tuple[str, ...] = ()
    expect: dict[str, Any] = field(default_factory=dict)
    matched: Optional[bool] = None              # with `expect`: whether it was met
    renamed: Optional[dict[str, str]] = None    # old name -> new name of a computer this step renamed
    by: Optional[str] = None                    # training: the trainee, the official solution, the break
    command: Optional[str] = None               # training: the line as typed
    dc: Optional[DcAnswer] = None               # a real lab's probe: what the DC itself answered

    @classmethod
    def of(cls, action: Action, result: StepResult, t: float, wall: Optional[float] = None,
           renamed: Optional[dict[str, str]] = None, by: Optional[str] = None,
           command: Optional[str] = None) -> "StepEntry":
        return cls(action.phase, action.index, action.text, action.verb, action.family.value, action.args, t,
                   result.status, action.within, wall, result.outcome, result.win32, result.raw or None,
                   result.message or None, result.details or {},
                   f"0x{result.ntstatus:08X}" if result.ntstatus is not None else None, tuple(result.output),
                   action.expect, meets(action.expect, result.outcome, result.details) if action.expect else None,
                   renamed, by, command, result.dc)

    @property
    def clock(self) -> str:
        return "+" + durations.format(self.t)

    @property
    def result(self) -> StepResult:
        """What the backend answered, as it answered it."""
        ntstatus = int(self.ntstatus, 16) if self.ntstatus else None
        return StepResult(self.status, self.outcome, self.win32, ntstatus, self.message, list(self.output),
                          dict(self.details), self.raw, self.dc)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"phase": self.phase, "index": self.index, "step": self.step, "verb": self.verb,
                               "family": self.family, "args": self.args, "t": self.t, "clock": self.clock,
                               "status": self.status}
        for key in ("within", "wall", "outcome", "win32"):
            if getattr(self, key) is not None:
                out[key] = getattr(self, key)
        for key in ("raw", "message", "details"):
            if getattr(self, key):
                out[key] = getattr(self, key)
        if self.ntstatus is not None:
            out["ntstatus"] = self.ntstatus
        if self.output:
            out["output"] = list(self.output)
        if self.expect:
            out["expect"], out["matched"] = self.expect, self.matched
        for key in ("renamed", "by", "command"):
            if getattr(self, key):
                out[key] = getattr(self, key)
        if self.dc is not None:
            out["dc"] = self.dc.to_dict()
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "StepEntry":
        known = {k: v for k, v in data.items() if k in _STEP_FIELDS}
        known["output"] = tuple(known.get("output", ()))
        if known.get("dc") is not None:
            known["dc"] = DcAnswer.from_dict(known["dc"])
        return cls(**known)


@dataclass(frozen=True)
class BackgroundEntry:
    """Something that happened by itself (a timer, a daemon) at lab time `t`."""

    t: float
    computer: str
    event: str
    phase: str = "background"

    @property
    def clock(self) -> str:
        return "+" + durations.format(self.t)

    def to_dict(self) -> dict[str, Any]:
        return {"phase": "background", "t": self.t, "clock": self.clock, "computer": self.computer,
                "event": self.event}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "BackgroundEntry":
        return cls(data["t"], data["computer"], data["event"])


Entry = Union[StepEntry, BackgroundEntry]
_STEP_FIELDS = {f.name for f in fields(StepEntry)}


def entry_of(data: dict[str, Any]) -> Entry:
    return BackgroundEntry.from_dict(data) if data.get("phase") == "background" else StepEntry.from_dict(data)


@dataclass
class Journal:
    scenario: str
    remediation: Optional[str]
    backend: str
    profile: str
    seed: int
    entries: list[Entry] = field(default_factory=list)
    judgement: Judgement = Judgement(Verdict.UNSUPPORTED, "not run")
    affected: dict[str, str] = field(default_factory=dict)   # the user and computer a step means when it names none

    @property
    def verdict(self) -> Verdict:
        return self.judgement.verdict

    def to_dict(self) -> dict[str, Any]:
        return {"format": FORMAT, "scenario": self.scenario, "remediation": self.remediation,
                "backend": self.backend, "profile": self.profile, "seed": self.seed, "affected": self.affected,
                "verdict": self.judgement.to_dict(), "entries": [e.to_dict() for e in self.entries]}

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=2) + "\n"

    def write(self, path: Path) -> None:
        Path(path).write_text(self.to_json(), encoding="utf-8")

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Journal":
        return cls(data["scenario"], data.get("remediation"), data["backend"], data["profile"], data.get("seed", 0),
                   [entry_of(e) for e in data.get("entries", [])], Judgement.from_dict(data["verdict"]),
                   dict(data.get("affected", {})))

    @classmethod
    def read(cls, path: Path) -> "Journal":
        return cls.from_dict(json.loads(Path(path).read_text(encoding="utf-8")))

    @property
    def steps(self) -> list[StepEntry]:
        return [e for e in self.entries if isinstance(e, StepEntry)]


def meets(expect: dict[str, Any], outcome: Optional[str], details: dict[str, Any]) -> bool:
    """Does an answer (an outcome and its details) meet what a probe expects?"""
    for key, wanted in expect.items():
        got = outcome if key == "outcome" else details.get(key)
        if got != wanted:
            return False
    return True


def matches(action: Action, result: StepResult) -> bool:
    return meets(action.expect, result.outcome, result.details)


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


class ComputerObjectDocument(_Doc):
    exists: bool
    disabled: Optional[bool] = None
    password_age: Optional[float] = Field(None, description="seconds since pwdLastSet, on the DC's clock")
    key_version: Optional[int] = Field(None, description="msDS-KeyVersionNumber")


class DcAnswerDocument(_Doc):
    answered: bool = Field(description="did the DC answer at all (a refusal is an answer)")
    netlogon: Optional[str] = Field(None, description="NetrServerAuthenticate3 with the member's current secret")
    kerberos: Optional[str] = Field(None, description="an AS-REQ as the machine account with that secret")
    session: Optional[str] = Field(None, description="an NTLM SMB session as the machine account")
    user: Optional[str] = Field(None, description="an AS-REQ for the user with the password the logon tried")
    account: Optional[ComputerObjectDocument] = None
    seconds: Optional[float] = None


class StepDocument(_Doc):
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
    dc: Optional[DcAnswerDocument] = Field(None, description="a real lab's probe: what the DC itself answered, "
                                                             "asked by a client trustlab did not write")


class BackgroundDocument(_Doc):
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
    entries: list[Union[StepDocument, BackgroundDocument]]


def json_schema() -> dict[str, Any]:
    schema = Document.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = "https://trustlab.invalid/schema/journal.json"
    return schema
