"""Training sessions: a live lab left broken for a trainee, who fixes it with the real commands, and a grade that is
the engine's own judgement of what the trainee did.

A session is its **record** (`training.record`): every step done to the lab is a journal entry done by the engine's
own stepper, with who did it. The lab survives between commands (`lab break`, then `lab check` in another process):

- a backend that `keeps_lab` (samba) leaves its lab up and its bookkeeping in the lab's folder; the session
  `attach()`es to it (a real lab that cannot, vagrant so far, is refused: it cannot be replayed either);
- the sim is rebuilt by **replaying** the recorded steps on a fresh sim with the same seed. The sim is
  deterministic, so the replay is the same world, byte for byte, and costs microseconds; saving the world instead
  would tie the record to the sim's internals and let it drift from what the steps say. Every replayed step must
  give the outcome it gave the first time, or the session says the replay diverged.

`check()` grades like the engine judges a remediation run (`engine.runner.judge`): the trainee's steps stand where
a remediation's steps stand, the checks (the scenario's own `checks`, else its official remediation's `verify`)
and the symptoms again come after. A check cannot disagree with its own solution: both are judged by the same
function on the same kind of run. On the sim the checks run on a throwaway replay, so grading changes nothing the
trainee sees; on a real lab they run on the live lab (a real sign-in), and the backend's bookkeeping is not kept."""
from __future__ import annotations

import os
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Optional

from trustlab.engine.backend import FAILED, UNSUPPORTED, Backend, LabOptions, StepResult
from trustlab.engine.journal import StepEntry
from trustlab.engine.judgement import Judgement, Verdict
from trustlab.engine.plan import BREAK as BREAK_PHASE
from trustlab.engine.plan import RECHECK, REMEDIATION, SETUP, SYMPTOMS, VERIFY, Action, plan, resolve
from trustlab.engine.runner import judge
from trustlab.engine.stepper import Names, Stepper
from trustlab.specs.catalogue import Catalogue
from trustlab.specs.profiles import load_profile
from trustlab.specs.remediation import Remediation
from trustlab.specs.scenario import Scenario
from trustlab.specs.steps import STEP_MODELS
from trustlab.specs.words import LANGUAGES, Words
from trustlab.training.record import (
    BREAK,
    HANDOVER,
    SOLUTION,
    TRAINEE,
    Began,
    Checked,
    Folder,
    Hinted,
    Moment,
    Noted,
    Record,
    Solving,
    Spoiled,
    TrainingError,
)


def home(backend: type[Backend], options: LabOptions) -> Path:
    """Where a session keeps its record: under the real lab's folder, or, for a backend without one (the sim),
    under $TRUSTLAB_TRAINING (default ~/.local/state/trustlab/training), one folder per session name."""
    real = backend.real_lab(options) if backend.has_lab else None
    if real is not None:
        if getattr(real, "dir", None) is None:
            raise TrainingError(f"the {backend.name} lab keeps no folder for a training session")
        return Path(real.dir) / "training"
    return training_root() / f"{backend.name}-{options.name or 'default'}"


def training_root() -> Path:
    """Where sessions without a real lab keep their folders: $TRUSTLAB_TRAINING, default
    ~/.local/state/trustlab/training."""
    return Path(os.environ.get("TRUSTLAB_TRAINING", Path.home() / ".local" / "state" / "trustlab" / "training"))


def refuse_unkept(backend: type[Backend]) -> None:
    """A real lab that cannot keep itself between commands (no `attach`) has no training session, and a real lab
    cannot be replayed: say where training runs instead."""
    if backend.has_lab and not backend.keeps_lab:
        raise TrainingError(f"the {backend.name} backend cannot keep a live lab between commands yet (it has no "
                            f"`attach`), and a real lab cannot be replayed: training runs on the sim (the "
                            f"default) or on a backend that keeps its lab (`--backend samba`)")


def official(catalogue: Catalogue, scenario: Scenario) -> Remediation:
    """The scenario's `solution`, else the first remediation of the catalogue (by id) that claims to fix it."""
    if scenario.solution:
        return catalogue.remediation(scenario.solution)
    claims = sorted(r.id for r in catalogue.remediations.values() if scenario.id in r.fixes)
    if not claims:
        raise TrainingError(f"scenario {scenario.id!r} has no solution: no remediation claims to fix it; give it "
                            f"`solution: REMEDIATION` or a remediation that claims it")
    return catalogue.remediation(claims[0])


def checks_of(catalogue: Catalogue, scenario: Scenario) -> list:
    """What `lab check` checks: the scenario's own `checks`, else its official remediation's checks."""
    return scenario.checks if scenario.checks is not None else official(catalogue, scenario).checks


@dataclass(frozen=True)
class GradeLine:
    """One line of a grade: what must hold, whether it does, and what the trainee can see of it."""

    text: dict[str, str]
    passed: bool
    seen: dict[str, str]

    def to_dict(self) -> dict[str, Any]:
        return {"text": self.text, "passed": self.passed, "seen": self.seen}


@dataclass(frozen=True)
class Grade:
    lines: tuple[GradeLine, ...]
    judgement: Judgement
    seconds: float                      # real time since the break
    lab_time: float
    hint: Optional[dict[str, Any]] = None         # released by this check: `n`, `of`, `text`
    caveats: tuple[dict[str, str], ...] = ()      # what the score does not say (each text in every language)

    @property
    def passed(self) -> int:
        return sum(c.passed for c in self.lines)

    @property
    def total(self) -> int:
        return len(self.lines)

    @property
    def percent(self) -> int:
        return round(100 * self.passed / self.total) if self.total else 0

    @property
    def fixed(self) -> bool:
        return self.judgement.verdict is Verdict.FIXED


# What a grade line says, by probe and expectation: what must hold, and what the trainee sees when it does not.
WHAT = Words({
    ("logon", "SUCCESS"): {"en": "{user} signs in at {computer} with the {password[en]} password, checked by the DC",
                           "ja": "{user} が{password[ja]}パスワードで {computer} にサインインでき、DC が確認する"},
    ("logon", "SUCCESS_CACHED"): {"en": "{user} signs in at {computer} from the cached logon",
                                  "ja": "{user} がキャッシュされたログオンで {computer} にサインインできる"},
    ("secure_channel", "OK"): {"en": "the secure channel of {computer} to the domain verifies",
                               "ja": "{computer} とドメインのセキュア チャネルが正常に確認される"},
    ("network", "UP"): {"en": "{computer} reaches its domain controller over the network",
                        "ja": "{computer} がネットワーク経由でドメイン コントローラーに届く"},
    "step": {"en": "{step}", "ja": "{step}"},
    "nothing worse": {"en": "nothing that worked after the break is broken now",
                      "ja": "障害の後に動いていたものが今も壊れていない"},
})
PASSWORD = Words({"current": {"en": "current", "ja": "現在の"}, "previous": {"en": "previous", "ja": "以前の"}})
SEEN = Words({
    "logon": {"en": "{user} sees: {message}", "ja": "{user} に表示される: {message}"},
    "secure_channel": {"en": "the channel check reports {outcome} ({code})", "ja": "チャネルの確認結果: {outcome} ({code})"},
    "network": {"en": "the network check reports {outcome}", "ja": "ネットワークの確認結果: {outcome}"},
    "ok": {"en": "yes", "ja": "はい"},
    "worse": {"en": "broken since: {what}", "ja": "その後壊れたもの: {what}"},
    "failed": {"en": "the check could not run: {why}", "ja": "確認を実行できませんでした: {why}"},
})


def _line(entry: StepEntry) -> GradeLine:
    args = entry.args
    what = (entry.verb, entry.expect.get("outcome"))
    password = PASSWORD.texts.get(args.get("password"), PASSWORD.texts["current"])
    text = WHAT.every(what if what in WHAT else "step", user=args.get("user"), computer=args.get("computer"),
                      step=entry.step, password=password)
    if entry.matched:
        return GradeLine(text, True, SEEN.every("ok"))
    if entry.status != "ok" and entry.outcome is None:
        return GradeLine(text, False, SEEN.every("failed", why="; ".join(entry.output)))
    if entry.verb == "logon":
        message = entry.message or {}
        seen = {lang: SEEN.say("logon", lang, user=args.get("user"),
                               message=f"{message.get(lang) or message.get('en', '')} ({entry.win32})".strip())
                for lang in LANGUAGES}
    else:
        seen = SEEN.every(entry.verb if entry.verb in SEEN else "network", outcome=entry.outcome, code=entry.win32)
    return GradeLine(text, False, seen)


class Session:
    """One session on one live lab. `open()` and `start()` give one; `do()`, `check()`, `hint()`, `solve()` act on
    the lab and append to the record; `close()` releases the lab (a live real lab stays up)."""

    def __init__(self, folder: Path, catalogue: Catalogue, backend: type[Backend], options: LabOptions,
                 record: Record):
        self.folder, self.catalogue, self.backend_class, self.options = Folder(folder), catalogue, backend, options
        self.record = record
        self.scenario = catalogue.scenario(record.scenario)
        self.profile = load_profile(record.profile)
        self.lab: Optional[Backend] = None
        self._applied = 0                  # steps the open lab has been brought through

    # --- the record -------------------------------------------------------------------------------------------

    def _wall(self) -> float:
        return round(time.time(), 3)

    def _now(self) -> float:
        """Lab time: the open lab's, else where the record left it."""
        return self.lab.now() if self.lab is not None else (self.record.entries[-1].t if self.record.entries else 0.0)

    def _append(self, *entries, **fields: Any) -> None:
        with self.folder.locked():
            self.record = self.folder.read()
            self.record.entries += list(entries)
            for name, value in fields.items():
                setattr(self.record, name, value)
            self.folder.write(self.record)

    def _reload(self) -> Record:
        with self.folder.locked():
            self.record = self.folder.read()
        return self.record

    def steps(self) -> list[StepEntry]:
        return self.record.steps

    # --- starting and finding ---------------------------------------------------------------------------------

    @classmethod
    def start(cls, catalogue: Catalogue, scenario_id: str, backend: type[Backend], options: LabOptions,
              profile: Optional[str] = None, seed: int = 0, lang: str = "en") -> "Session":
        """`lab break`: a fresh lab, the scenario's setup and break, its symptoms proved, handed over at the
        sign-in screen. An earlier session in the same folder is archived first."""
        refuse_unkept(backend)
        scenario = catalogue.scenario(scenario_id)
        solution = official(catalogue, scenario)
        unsupported = next((f"{a.phase}[{a.index}] {a.text}: {backend.unsupported_reason(a.verb)}"
                            for a in plan(scenario) if backend.unsupported_reason(a.verb)), None)
        if unsupported:                           # before a real lab is built for nothing
            raise TrainingError(f"the {backend.name} lab cannot give this exercise, so nothing was handed over: "
                                f"{unsupported}")
        folder = Folder(home(backend, options))
        folder.archive()
        record = Record(scenario.id, scenario.title, backend.name, profile or backend.default_profile, seed,
                        {"name": options.name, "provider": options.provider}, lang, solution.id,
                        [str(c) for c in checks_of(catalogue, scenario)], len(scenario.hints))
        session = cls(folder.path, catalogue, backend, options, record)
        with folder.locked():
            folder.write(record)
        session._break()
        return session

    @staticmethod
    def exists(backend: type[Backend], options: LabOptions) -> bool:
        """Is there a session on this lab (`lab reset` makes a fresh copy of its exercise)? A lab that keeps no
        folder for one has none."""
        try:
            return Folder(home(backend, options)).exists()
        except TrainingError:
            return False

    @classmethod
    def open(cls, catalogue: Catalogue, backend: type[Backend], options: LabOptions) -> "Session":
        refuse_unkept(backend)
        folder = Folder(home(backend, options))
        if not folder.exists():
            raise TrainingError(f"no training session for the {backend.name} lab"
                                f"{' ' + repr(options.name) if options.name else ''}; "
                                f"`trustlab lab break SCENARIO --backend {backend.name}` starts one")
        record = folder.read()
        if record.backend != backend.name:
            raise TrainingError(f"the session in {folder.path} is on the {record.backend} backend")
        return cls(folder.path, catalogue, backend, options, record)

    # --- the live lab -------------------------------------------------------------------------------------------

    def _fresh(self, reset: bool) -> Backend:
        cls, lab = self.backend_class, self.scenario.lab
        if cls.keeps_lab:
            backend = cls(lab, self.profile, self.record.seed, attach=self.options, fresh=reset)
        else:                                   # an in-process model: replayed from the record
            backend = cls(lab, self.profile, self.record.seed)
        reason = backend.lab_unsupported()
        if reason:
            backend.close()
            raise TrainingError(f"the {cls.name} lab cannot be the lab of {self.scenario.id}: {reason}")
        return backend

    def _replayed(self) -> Backend:
        """A lab brought to where the record says: attached (it kept itself), or replayed step by step."""
        lab = self._fresh(reset=False)
        if not self.backend_class.keeps_lab:
            for entry in self.steps():
                result = lab.do(entry.verb, entry.args)
                if (result.status, result.outcome) != (entry.status, entry.outcome):
                    lab.close()
                    raise TrainingError(f"the replay of this session diverged at {entry.step!r} (recorded "
                                        f"{entry.status} {entry.outcome}, now {result.status} "
                                        f"{result.outcome}): the catalogue or the sim changed since the break; "
                                        f"`trustlab lab reset` starts the exercise again")
                lab.background()
        return lab

    def live(self) -> Backend:
        """The session's lab, brought up to date with the record (another process may have added steps)."""
        self._reload()
        if self.lab is None or self._applied != len(self.steps()):
            if self.lab is not None:
                self.lab.close()
            self.lab = self._replayed()
            self._applied = len(self.steps())
        return self.lab

    def close(self) -> None:
        if self.lab is not None:
            self.lab.close()
            self.lab = None

    def perform(self, actions: list[Action], by: str = TRAINEE, command: Optional[str] = None) -> list[StepEntry]:
        """Resolved steps on the live lab, done by the engine's stepper and recorded (with the line typed)."""
        lab = self.live()
        entries: list = []
        stepper = Stepper(lab, entries, Names.of(self.record.entries), wall=self._wall)
        done = [stepper.step(action, by, command) for action in actions]
        lab.keep()
        self._append(*entries)
        self._applied = len(self.steps())
        return done

    def _moment(self, kind: type[Moment], **data: Any) -> Moment:
        return kind(t=self._now(), wall=self._wall(), **data)

    def _break(self) -> None:
        self.close()
        self.lab = self._fresh(reset=True)
        self._applied = 0
        actions = plan(self.scenario)
        self._append(self._moment(Began, scenario=self.scenario.id, steps=len(actions)))
        unsupported = next((f"{a.phase}[{a.index}] {a.text}: {self.lab.unsupported_reason(a.verb)}" for a in actions
                            if self.lab.unsupported_reason(a.verb)), None)
        problem = unsupported
        if problem is None:
            done = self.perform(actions, BREAK)
            problem = next((f"{e.phase}[{e.index}] {e.step}: {'; '.join(e.output) or e.outcome}"
                            for e in done if _spoils(e)), None)
        if problem:
            self._append(self._moment(Spoiled, reason=problem))
            self.close()
            self.folder.archive()
            raise TrainingError(f"the {self.backend_class.name} lab cannot give this exercise, so nothing was handed "
                                f"over: {problem}" if unsupported else
                                f"the exercise did not come out as the scenario says, so nothing was handed over: "
                                f"{problem}")
        handover = resolve(STEP_MODELS["sign_out"].model_validate({"sign_out": {}}), HANDOVER, 0,
                           self.scenario.user, self.scenario.computer)
        if self.lab.unsupported_reason("sign_out") is None:
            self.perform([handover], BREAK)

    # --- what the trainee and the trainer do --------------------------------------------------------------------

    def do(self, verb: str, args: dict[str, Any], command: Optional[str] = None, by: str = TRAINEE) -> StepResult:
        """One step on the live lab, as the trainee (or the console on the trainee's behalf) did it."""
        step = STEP_MODELS[verb].model_validate({verb: args})
        action = resolve(step, REMEDIATION, len(self.steps()), self.scenario.user, self.scenario.computer)
        return self.perform([action], by, command)[0].result

    def look(self, verb: str) -> StepResult:
        """What the console looks at to draw a screen (the adapters behind Device Manager), not a step of the
        trainee's: only the `network` probe, which changes nothing on any backend."""
        if verb != "network":
            raise ValueError(f"the console may only look at the network, not {verb!r}")
        return self.live().do(verb, {"computer": self.scenario.computer})

    def note(self, command: str, what: str) -> None:
        """A line the trainee typed that is no step of the lab (a prompt's variable, Device Manager's view)."""
        self._append(self._moment(Noted, command=command, note=what))

    def grade(self) -> Grade:
        """The checks and the symptoms again, judged as the engine judges a remediation run."""
        lab = self._fresh(reset=False) if self.backend_class.keeps_lab else self._replayed_copy()
        observed: list = []
        try:
            checks = [resolve(c, VERIFY, i, self.scenario.user, self.scenario.computer)
                      for i, c in enumerate(checks_of(self.catalogue, self.scenario))]
            recheck = [resolve(s, RECHECK, i, self.scenario.user, self.scenario.computer)
                       for i, s in enumerate(self.scenario.symptoms)]
            names = Names.of(self.record.entries)
            stepper = Stepper(lab, observed, names)
            for action in checks + recheck:
                stepper.step(action)
            lab_time = lab.now()
            caveats = _caveats(lab.do("network", {"computer": names.final(self.scenario.computer)}))
        finally:
            lab.close()
        observed = [e for e in observed if isinstance(e, StepEntry)]
        symptoms = [e for e in self.steps() if e.phase == SYMPTOMS]
        judgement = judge(symptoms + observed, True, names)
        lines = [_line(e) for e in observed if e.phase == VERIFY]
        lines.append(GradeLine(WHAT.every("nothing worse"), not judgement.worse,
                               SEEN.every("ok") if not judgement.worse else
                               SEEN.every("worse", what="; ".join(judgement.worse))))
        return Grade(tuple(lines), judgement, time.time() - self.record.started_wall, lab_time, caveats=caveats)

    def _replayed_copy(self) -> Backend:
        self._reload()
        return self._replayed()

    def check(self) -> Grade:
        """`lab check`: the grade, recorded; on a failing check the next hint is released."""
        grade = self.grade()
        score = {"passed": grade.passed, "total": grade.total, "percent": grade.percent,
                 "verdict": grade.judgement.verdict.value, "seconds": round(grade.seconds, 1),
                 "solved_by": self._solved_by() if grade.fixed else None}
        self._append(Checked(t=grade.lab_time, wall=self._wall(), conditions=[c.to_dict() for c in grade.lines],
                             judgement=grade.judgement.to_dict(), caveats=list(grade.caveats), **score), score=score)
        hint = None if grade.fixed else self._release("check")
        return replace(grade, hint=hint)

    def _solved_by(self) -> str:
        return SOLUTION if any(e.by == SOLUTION for e in self.steps()) else TRAINEE

    def _release(self, why: str) -> Optional[dict[str, Any]]:
        """The next hint (`n` of `of`, its `text` in en and ja), recorded; None when all are out."""
        with self.folder.locked():
            self.record = self.folder.read()
            released = self.record.hints_released
            if released >= len(self.scenario.hints):
                return None
            text = self.scenario.hints[released].texts()
            self.record.entries.append(self._moment(Hinted, index=released, why=why, text=text))
            self.record.hints_released = released + 1
            self.folder.write(self.record)
        return {"n": released + 1, "of": len(self.scenario.hints), "text": text}

    def hint(self) -> Optional[dict[str, Any]]:
        """`lab hint`: the next hint, on request."""
        return self._release("asked")

    def released_hints(self) -> list[dict[str, str]]:
        return [h.texts() for h in self.scenario.hints[:self.record.hints_released]]

    def solve(self) -> Grade:
        """`lab solve`: the official remediation on the live lab (the trainer's skip and demonstration)."""
        remediation = self.catalogue.remediation(self.record.solution)
        self.live()
        self._append(self._moment(Solving, remediation=remediation.id))
        actions = [a for a in plan(self.scenario, remediation) if a.phase == REMEDIATION]
        for action in actions:
            if action.facts.runs_checks:
                if self.grade().fixed:
                    break
                continue
            self.perform([action], SOLUTION)
        return self.check()

    def reset(self) -> "Session":
        """`lab reset`: a fresh copy of the same broken state; this session's record is archived."""
        record = self.record
        self.close()
        return Session.start(self.catalogue, record.scenario, self.backend_class, self.options, record.profile,
                             record.seed, record.lang)

    def briefing(self, lang: str) -> str:
        return self.scenario.briefing.texts()[lang] if self.scenario.briefing else self.scenario.title


CAVEATS = Words({
    "hidden_holds": {"en": "the hidden adapter {hidden} still holds {ip}, the address of {present} (KB269155: No was "
                           "answered); the official solution removes it",
                     "ja": "非表示のアダプター {hidden} がまだ {present} のアドレス {ip} を保持しています (KB269155 で「いいえ」と"
                           "答えたため)。公式の手順ではこれを削除します"},
})


def _caveats(network: StepResult) -> tuple[dict[str, str], ...]:
    """NW-2 (KB269155): answering No leaves the hidden adapter holding the address the present one now uses; the
    network works, the score is full, and the configuration is still the one Windows warned about."""
    adapters = network.details.get("adapters", []) if network.status == "ok" else []
    present = {a["ipv4"]: a["name"] for a in adapters if a["present"] and a["ipv4"] != "DHCP"}
    return tuple(CAVEATS.every("hidden_holds", hidden=a["name"], ip=a["ipv4"], present=present[a["ipv4"]])
                 for a in adapters if not a["present"] and a["ipv4"] in present)


def _spoils(entry: StepEntry) -> bool:
    """A step of the break that means the exercise is not the scenario's (the engine's early stops, and symptoms
    that did not show)."""
    if entry.status == UNSUPPORTED:
        return True
    if entry.phase in (SETUP, BREAK_PHASE) and entry.status == FAILED:
        return True
    return bool(entry.expect) and not entry.matched
