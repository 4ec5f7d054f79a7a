"""What the backends of real labs share: lab time is real time plus the jumps they made, a lab they cannot realise
is unsupported with the reason, what happened by itself between steps is reported as background events, and a real
system's refusal or a timeout is a failed step with the reason, never a crashed run."""
from __future__ import annotations

import time
from typing import Any, ClassVar, Optional

from trustlab.backends.state import LabState
from trustlab.engine.backend import AtConsole, Backend, LabOptions, StepResult
from trustlab.specs.lab import LabSpec
from trustlab.specs.profiles import BehaviourProfile


class RealBackend(Backend):
    """What the backend knows of its lab is `state` (a `State`, state.py), at its golden value until `prepare()`
    makes the lab ready, or loads what an earlier process kept."""

    real_time = True
    has_lab = True
    refusals: ClassVar[tuple[type[BaseException], ...]] = ()   # what the backend's tools raise when they refuse
    State: ClassVar[type[LabState]] = LabState

    def __init__(self, lab: LabSpec, profile: BehaviourProfile, seed: int = 0,
                 attach: Optional[LabOptions] = None, fresh: bool = False):
        super().__init__(lab, profile, seed, attach, fresh)
        self._events: list[tuple[float, str, str]] = []
        self.state = self.State.golden(lab)
        self.reason = self.cannot_realise(lab)
        if self.reason is None:
            self.prepare()
        # lab time starts once the lab is ready; a kept lab's goes on from where the last process left it
        kept = self.state.started
        self.started = time.monotonic() - (0.0 if kept is None else time.time() - kept)

    def cannot_realise(self, lab: LabSpec) -> Optional[str]:
        """Why this real lab cannot be the scenario's lab, if it cannot."""
        return None

    def prepare(self) -> None:
        """Bring the real lab to its golden healthy state for a run and set up what the steps need."""

    def do(self, verb: str, args: dict[str, Any]) -> StepResult:
        try:
            result = super().do(verb, args)
        except self.refusals as e:
            return StepResult.failed(f"{verb}: {type(e).__name__}: {e}")
        died = None if self.reason else self.died()
        return StepResult.failed(f"{verb}: {died}") if died else result

    def died(self) -> Optional[str]:
        """What the lab should be running and is not (a daemon that died during the step): then the step's
        result says nothing about the behaviour under test."""
        return None

    def lab_unsupported(self) -> Optional[str]:
        return self.reason

    def now(self) -> float:
        return round(time.monotonic() - self.started, 3) + self.state.offset

    def console(self, computer: str) -> AtConsole:
        """The member's console (the DC's is never a step's)."""
        return AtConsole(self.state.member.on, self.state.admin_signed_in)

    def background(self) -> list[tuple[float, str, str]]:
        events, self._events = self._events, []
        return events

    def _note(self, computer: str, text: str) -> None:
        self._events.append((self.now(), computer, text))
