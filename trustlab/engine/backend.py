"""What the engine asks of a backend: do one step with resolved arguments, and say what it observed."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar, Optional

from trustlab.outcomes import Outcome
from trustlab.profiles import BehaviourProfile
from trustlab.specs.lab import LabSpec

OK, FAILED, UNSUPPORTED = "ok", "failed", "unsupported"


@dataclass
class StepResult:
    """One step's result. `outcome` is a common outcome name; `raw` keeps what the real system said."""

    status: str = OK
    outcome: Optional[str] = None
    win32: Optional[int] = None
    ntstatus: Optional[int] = None
    message: Optional[dict[str, str]] = None
    output: list[str] = field(default_factory=list)
    details: dict[str, Any] = field(default_factory=dict)
    raw: Optional[str] = None

    @classmethod
    def of(cls, outcome: Outcome, **kw: Any) -> "StepResult":
        m = outcome.meaning
        return cls(outcome=outcome.value, win32=m.win32, ntstatus=m.ntstatus, message={"en": m.en, "ja": m.ja}, **kw)

    @classmethod
    def failed(cls, *lines: str, **kw: Any) -> "StepResult":
        return cls(status=FAILED, output=list(lines), **kw)

    @classmethod
    def unsupported(cls, reason: str) -> "StepResult":
        return cls(status=UNSUPPORTED, output=[reason])


class LabUnavailable(RuntimeError):
    """A real lab cannot be built, found or used here; the message says why and what to do."""


class Backend:
    """A lab realised somewhere. Subclasses implement one method per verb they support: `do_<verb>(**args)`."""

    name: ClassVar[str]
    real_time: ClassVar[bool] = False   # journals of real labs carry wall-clock times too

    def __init__(self, lab: LabSpec, profile: BehaviourProfile, seed: int = 0):
        self.lab, self.profile, self.seed = lab, profile, seed

    def lab_unsupported(self) -> Optional[str]:
        """Why this backend cannot realise the scenario's lab at all, if it cannot."""
        return None

    def unsupported_reason(self, verb: str) -> Optional[str]:
        if not hasattr(self, f"do_{verb}"):
            return f"the {self.name} backend cannot do `{verb}`"
        return None

    def do(self, verb: str, args: dict[str, Any]) -> StepResult:
        reason = self.unsupported_reason(verb)
        if reason:
            return StepResult.unsupported(reason)
        return getattr(self, f"do_{verb}")(**args)

    def now(self) -> float:
        """Seconds of lab time since the lab was built."""
        raise NotImplementedError

    def background(self) -> list[tuple[float, str, str]]:
        """Events that happened by themselves since the last call (timers, daemons)."""
        return []

    def close(self) -> None:
        """Release everything the lab holds."""
