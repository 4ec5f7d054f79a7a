"""The contract between the engine and a backend, and the backend's face.

The engine asks a backend to do one step with resolved arguments and to say what it observed (`StepResult`). The
CLI and the pytest plugin ask a backend's *face*: its name, its default behaviour profile, its real lab's life cycle
(the same five operations for every backend that has a real lab) and its doctor checks. Nothing above the backends
knows more of a backend than this."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar, Optional, Protocol

from trustlab.engine.dc_answer import DcAnswer
from trustlab.errors import TrustlabError
from trustlab.specs.lab import LabSpec
from trustlab.specs.outcomes import Outcome
from trustlab.specs.profiles import BehaviourProfile
from trustlab.specs.steps import VERBS
from trustlab.specs.tools import NEEDS_ADMIN, POWERED_OFF

OK, FAILED, UNSUPPORTED = "ok", "failed", "unsupported"


@dataclass
class StepResult:
    """One step's result. `outcome` is a common outcome name; `raw` keeps what the real system said; `dc`, on a real
    lab's probe, what the DC itself answered (dc_answer.py)."""

    status: str = OK
    outcome: Optional[str] = None
    win32: Optional[int] = None
    ntstatus: Optional[int] = None
    message: Optional[dict[str, str]] = None
    output: list[str] = field(default_factory=list)
    details: dict[str, Any] = field(default_factory=dict)
    raw: Optional[str] = None
    dc: Optional[DcAnswer] = None

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


class LabUnavailable(TrustlabError, RuntimeError):
    """A real lab cannot be built, found or used here; the message says why and what to do."""


@dataclass(frozen=True)
class AtConsole:
    """What a backend says of a computer's console, the same on every backend: is it switched on, and is an
    administrator signed in at it."""

    powered: bool
    admin: bool


@dataclass(frozen=True)
class Check:
    """One thing `trustlab doctor` checks: what it is, whether it holds, and what was seen or what to do."""

    name: str
    ok: bool
    detail: str


@dataclass(frozen=True)
class LabOptions:
    """What `trustlab lab ...` was told; each backend's face says which of these its real lab takes."""

    name: Optional[str] = None
    provider: Optional[str] = None
    every: bool = False        # `lab clean --all`: every lab of a backend whose labs have names, not only the one


@dataclass(frozen=True)
class Login:
    """How to reach a lab machine's own console: a command to run (`argv`, with `env` added), and what to tell the
    user (always: what it opens, or how to open it by hand when there is nothing to run)."""

    how: str
    argv: Optional[list[str]] = None
    env: dict[str, str] = field(default_factory=dict)


class RealLab(Protocol):
    """A real lab's life cycle, the same five operations on every backend that has one. A lab may also have
    `verify() -> list[Check]`: a first-run smoke test of its assumptions on a new host (`trustlab lab verify`)."""

    name: str
    dir: "Path"            # where the lab keeps its files (a training session keeps its record here)

    def up(self) -> str:
        """Build the lab from nothing and keep a golden healthy copy; says what was built, and how fast."""

    def status(self) -> dict[str, str]: ...

    def reset(self) -> float:
        """Back to the golden copy; seconds taken."""

    def down(self) -> None:
        """Remove everything the lab made."""

    def clean(self) -> list[str]:
        """Remove the lab and whatever a killed run left behind; says what it removed."""


class Backend:
    """A lab realised somewhere. Subclasses implement one method per verb they support: `do_<verb>(**args)`, and
    `console(computer)` when they do a verb at a computer's console; `do()` applies what the verb declares (its
    `console` fact: the computer switched on, an administrator signed in) before the method is called.

    The face, read by the CLI and the plugin before any lab exists: `name`, `default_profile`, `has_lab` and
    `lab_options` (which `LabOptions` its real lab takes, each with the values allowed; none listed: free text),
    `real_lab()` and `doctor()`."""

    name: ClassVar[str]
    default_profile: ClassVar[str] = "windows"
    real_time: ClassVar[bool] = False   # journals of real labs carry wall-clock times too
    has_lab: ClassVar[bool] = False     # a real lab that `trustlab lab ...` manages
    lab_options: ClassVar[dict[str, tuple[str, ...]]] = {}
    doctor_note: ClassVar[str] = ""     # said after the doctor's checks
    time_travel_restarts: ClassVar[bool] = False   # a jump of a clock restarts the lab's daemons (ends channels)
    lab_variable: ClassVar[Optional[str]] = None    # the environment variable naming the lab a process uses
    keeps_lab: ClassVar[bool] = False   # a live lab outlives the process: `attach=` finds it as `keep()` left it
    asks_the_dc: bool = False           # its probes carry the DC's own answer (StepResult.dc): a real lab's always,
    #                                     a model's when conformance compares it with one (runs/conformance.py)

    def __init__(self, lab: LabSpec, profile: BehaviourProfile, seed: int = 0,
                 attach: Optional[LabOptions] = None, fresh: bool = False):
        """`attach`: the named live lab as the last `keep()` left it, without a reset; with `fresh`, reset to its
        golden copy first (built if it is absent), forgetting what was kept. Only for backends that `keeps_lab`;
        without `attach` the backend makes the lab ready for a run of its own."""
        if (attach is not None or fresh) and not self.keeps_lab:
            raise LabUnavailable(f"the {self.name} backend keeps no live lab between commands")
        if fresh and attach is None:
            raise ValueError("`fresh` resets a live lab: it needs `attach`")
        self.lab, self.profile, self.seed = lab, profile, seed
        self.attached, self.fresh = attach, fresh

    # --- the face ----------------------------------------------------------------------------------------------

    @classmethod
    def real_lab(cls, options: LabOptions) -> Optional[RealLab]:
        """The real lab `trustlab lab ...` manages; None for a backend that has none (the sim)."""
        return None

    @classmethod
    def doctor(cls) -> list[Check]:
        """What this backend needs from the machine, each with what is missing and how to get it."""
        return []

    @classmethod
    def login(cls, options: LabOptions, machine: str) -> Login:
        """How to reach a lab machine (`member`/`client` or `dc`) by hand: a shell with its tools, or its console."""
        raise LabUnavailable(f"the {cls.name} backend has no machine to log into")

    # --- the engine's side -------------------------------------------------------------------------------------

    def lab_unsupported(self) -> Optional[str]:
        """Why this backend cannot realise the scenario's lab at all, if it cannot."""
        return None

    @classmethod
    def unsupported_reason(cls, verb: str) -> Optional[str]:
        """Why this backend cannot do `verb` at all (asked before a lab exists, e.g. to generate what it can do)."""
        if not hasattr(cls, f"do_{verb}"):
            return f"the {cls.name} backend cannot do `{verb}`"
        return None

    def do(self, verb: str, args: dict[str, Any]) -> StepResult:
        reason = self.unsupported_reason(verb)
        if reason:
            return StepResult.unsupported(reason)
        refused = self.refused_at_console(verb, args.get("computer"))
        if refused:
            return refused
        return getattr(self, f"do_{verb}")(**args)

    def refused_at_console(self, verb: str, computer: Optional[str]) -> Optional[StepResult]:
        """A step at a computer's console is refused, in the words every backend uses, when the computer is off or
        (an admin operation) no administrator is signed in; which steps are at the console is the verb's fact."""
        needs = VERBS[verb].console if verb in VERBS else None
        if needs is None:
            return None
        seen = self.console(computer)
        if not seen.powered:
            return StepResult.failed(POWERED_OFF.format(computer=computer))
        if needs == "admin" and not seen.admin:
            return StepResult.failed(NEEDS_ADMIN.format(computer=computer))
        return None

    def console(self, computer: str) -> AtConsole:
        """The console of `computer`: switched on, an administrator signed in. A backend that does a verb at the
        console says what its console is."""
        raise NotImplementedError(f"the {self.name} backend does steps at a computer's console, so it must say what "
                                  f"its console is: `console(computer) -> AtConsole`")

    def now(self) -> float:
        """Seconds of lab time since the lab was built."""
        raise NotImplementedError

    def background(self) -> list[tuple[float, str, str]]:
        """Events that happened by themselves since the last call (timers, daemons)."""
        return []

    def keep(self) -> None:
        """Write down what the backend knows of its live lab (power, cable, passwords, clocks, sessions), in the
        lab's folder, for the next process that attaches to it."""

    def close(self) -> None:
        """Release everything the lab holds."""
