"""The judgement of a run: did the scenario reproduce, did the remediation fix it, and what got worse. One frozen
value with one JSON form (the journal's `verdict` object); everything that reads a verdict reads this."""
from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Any, Optional


class Verdict(str, Enum):
    REPRODUCED = "REPRODUCED"                        # scenario alone: the symptoms hold
    BASELINE_FAILED = "BASELINE_FAILED"              # the healthy set-up did not come out healthy
    SYMPTOMS_NOT_REPRODUCED = "SYMPTOMS_NOT_REPRODUCED"  # the scenario itself is wrong
    UNSUPPORTED = "UNSUPPORTED"                      # the backend cannot do a step: skipped, never faked
    FIXED = "FIXED"
    NOT_FIXED = "NOT_FIXED"
    MADE_WORSE = "MADE_WORSE"                        # something usable before the procedure is not after it

    @property
    def scenario_fault(self) -> bool:
        return self in (Verdict.BASELINE_FAILED, Verdict.SYMPTOMS_NOT_REPRODUCED)


@dataclass(frozen=True)
class Judgement:
    verdict: Verdict
    reason: Optional[str] = None              # why a run ended early (unsupported, baseline, symptoms)
    unmet: tuple[str, ...] = ()               # verify expectations that did not hold
    worse: tuple[str, ...] = ()               # what was usable before the procedure and is not after it
    failed_steps: tuple[str, ...] = ()        # remediation steps that failed, with the reason

    @property
    def why(self) -> list[str]:
        """Every explanation the judgement carries, in the order a reader wants them."""
        return ([self.reason] if self.reason else []) + list(self.unmet) + list(self.worse) + list(self.failed_steps)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"verdict": self.verdict.value}
        if self.reason is not None:
            out["reason"] = self.reason
        for key in ("unmet", "worse", "failed_steps"):
            if getattr(self, key):
                out[key] = list(getattr(self, key))
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Judgement":
        return cls(Verdict(data["verdict"]), data.get("reason"), tuple(data.get("unmet", ())),
                   tuple(data.get("worse", ())), tuple(data.get("failed_steps", ())))
