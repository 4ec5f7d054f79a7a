"""The journal: the record of one run. JSON is the source of truth; everything else is a view of it."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

from trustlab import durations
from trustlab.engine.backend import StepResult
from trustlab.engine.judgement import Judgement, Verdict
from trustlab.engine.plan import Action

FORMAT = 2
"""2: a check that `stop_if_fixed` runs carries `within` (the index of its stop_if_fixed step)."""


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
