"""Training sessions: a live lab left broken for a trainee, who fixes it with the real commands, and a grade that is
the engine's own judgement of what the trainee did.

A session is its **record** (`record.json` in the session's folder, the source of truth and the trainer's report):
every step done to the lab (the break, the trainee's, the official solution's) with lab time and real time, every
check and hint, the score. The lab survives between commands (`lab break`, then `lab check` in another process):

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

import fcntl
import json
import os
import shutil
import time
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterator, Optional

from trustlab.specs import durations
from trustlab.specs.catalogue import Catalogue
from trustlab.engine.backend import FAILED, UNSUPPORTED, Backend, LabOptions, LabUnavailable, StepResult
from trustlab.engine.journal import matches
from trustlab.engine.judgement import Judgement, Verdict
from trustlab.engine.plan import BREAK, RECHECK, REMEDIATION, SETUP, SYMPTOMS, VERIFY, Action, plan, resolve
from trustlab.engine.runner import Names, judge
from trustlab.specs.profiles import load_profile
from trustlab.specs.remediation import Remediation
from trustlab.specs.scenario import Scenario
from trustlab.specs.steps import STEP_MODELS, VERBS

FORMAT = 1
"""The record's JSON form (documented in docs/training.md); a reader checks `format` before anything else."""
HANDOVER = "handover"            # after the break: whoever the symptoms signed in signs out
TRAINEE, SOLUTION = "trainee", "solution"
RECORD = "record.json"


class TrainingError(LabUnavailable):
    """A session cannot be started, found or continued; the message says why and what to do."""


def home(backend: type[Backend], options: LabOptions) -> Path:
    """Where a session keeps its record: under the real lab's folder, or, for a backend without one (the sim),
    under $TRUSTLAB_TRAINING (default ~/.local/state/trustlab/training), one folder per session name."""
    real = backend.real_lab(options) if backend.has_lab else None
    if real is not None:
        if getattr(real, "dir", None) is None:
            raise TrainingError(f"the {backend.name} lab keeps no folder for a training session")
        return Path(real.dir) / "training"
    root = Path(os.environ.get("TRUSTLAB_TRAINING", Path.home() / ".local" / "state" / "trustlab" / "training"))
    return root / f"{backend.name}-{options.name or 'default'}"


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


def now_iso(wall: float) -> str:
    return datetime.fromtimestamp(wall, timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")


@dataclass(frozen=True)
class Condition:
    """One line of a grade: what must hold, whether it does, and what the trainee can see of it."""

    text: dict[str, str]
    passed: bool
    seen: dict[str, str]

    def to_dict(self) -> dict[str, Any]:
        return {"text": self.text, "passed": self.passed, "seen": self.seen}


@dataclass(frozen=True)
class Grade:
    conditions: tuple[Condition, ...]
    judgement: Judgement
    seconds: float                      # real time since the break
    lab_time: float
    hint: Optional[dict[str, Any]] = None         # released by this check: `n`, `of`, `text`

    @property
    def passed(self) -> int:
        return sum(c.passed for c in self.conditions)

    @property
    def total(self) -> int:
        return len(self.conditions)

    @property
    def percent(self) -> int:
        return round(100 * self.passed / self.total) if self.total else 0

    @property
    def fixed(self) -> bool:
        return self.judgement.verdict is Verdict.FIXED


# What a condition says, by probe and expectation: what must hold, and what the trainee sees when it does not.
WHAT = {
    ("logon", "SUCCESS"): {"en": "{user} signs in at {computer} with the {password[en]} password, checked by the DC",
                           "ja": "{user} が{password[ja]}パスワードで {computer} にサインインでき、DC が確認する"},
    ("logon", "SUCCESS_CACHED"): {"en": "{user} signs in at {computer} from the cached logon",
                                  "ja": "{user} がキャッシュされたログオンで {computer} にサインインできる"},
    ("secure_channel", "OK"): {"en": "the secure channel of {computer} to the domain verifies",
                               "ja": "{computer} とドメインのセキュア チャネルが正常に確認される"},
    ("network", "UP"): {"en": "{computer} reaches its domain controller over the network",
                        "ja": "{computer} がネットワーク経由でドメイン コントローラーに届く"},
}
GENERIC = {"en": "{step}", "ja": "{step}"}
PASSWORD = {"current": {"en": "current", "ja": "現在の"}, "previous": {"en": "previous", "ja": "以前の"}}
NOTHING_WORSE = {"en": "nothing that worked after the break is broken now",
                 "ja": "障害の後に動いていたものが今も壊れていない"}
SEEN = {
    "logon": {"en": "{user} sees: {message}", "ja": "{user} に表示される: {message}"},
    "secure_channel": {"en": "the channel check reports {outcome} ({code})", "ja": "チャネルの確認結果: {outcome} ({code})"},
    "network": {"en": "the network check reports {outcome}", "ja": "ネットワークの確認結果: {outcome}"},
    "ok": {"en": "yes", "ja": "はい"},
    "worse": {"en": "broken since: {what}", "ja": "その後壊れたもの: {what}"},
    "failed": {"en": "the check could not run: {why}", "ja": "確認を実行できませんでした: {why}"},
}


def _fill(texts: dict[str, str], **values: Any) -> dict[str, str]:
    return {lang: text.format(**values) for lang, text in texts.items()}


def _condition(action: Action, result: StepResult, matched: bool) -> Condition:
    args = action.args
    what = WHAT.get((action.verb, action.expect.get("outcome")), GENERIC)
    text = _fill(what, user=args.get("user"), computer=args.get("computer"), step=action.text,
                 password=PASSWORD.get(args.get("password"), PASSWORD["current"]))
    if matched:
        return Condition(text, True, dict(SEEN["ok"]))
    if result.status != "ok" and result.outcome is None:
        return Condition(text, False, _fill(SEEN["failed"], why="; ".join(result.output)))
    message = result.message or {}
    seen = _fill(SEEN.get(action.verb, SEEN["network"]), user=args.get("user"), outcome=result.outcome,
                 code=result.win32, message="")
    if action.verb == "logon":
        seen = {lang: SEEN["logon"][lang].format(user=args.get("user"),
                                                 message=f"{message.get(lang) or message.get('en', '')} "
                                                         f"({result.win32})".strip())
                for lang in ("en", "ja")}
    return Condition(text, False, seen)


class Session:
    """One session on one live lab. `open()` and `start()` give one; `do()`, `check()`, `hint()`, `solve()` act on
    the lab and append to the record; `close()` releases the lab (a live real lab stays up)."""

    def __init__(self, folder: Path, catalogue: Catalogue, backend: type[Backend], options: LabOptions,
                 record: dict[str, Any]):
        self.folder, self.catalogue, self.backend_class, self.options = folder, catalogue, backend, options
        self.record = record
        self.scenario = catalogue.scenario(record["scenario"])
        self.profile = load_profile(record["profile"])
        self.lab: Optional[Backend] = None
        self._applied = 0                  # step events the open lab has been brought through

    # --- the record -------------------------------------------------------------------------------------------

    @property
    def path(self) -> Path:
        return self.folder / RECORD

    @contextmanager
    def _locked(self) -> Iterator[None]:
        self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        with open(self.folder / ".lock", "w") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def _reload(self) -> None:
        self.record = read_record(self.path)

    def _write(self) -> None:
        tmp = self.path.with_suffix(".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(json.dumps(self.record, ensure_ascii=False, indent=2) + "\n")
        os.replace(tmp, self.path)

    def _event(self, kind: str, **data: Any) -> dict[str, Any]:
        wall = time.time()
        lab_t = self.lab.now() if self.lab is not None else (self.events[-1]["t"] if self.events else 0.0)
        return {"kind": kind, "at": now_iso(wall), "wall": round(wall, 3), "t": lab_t,
                "clock": "+" + durations.format(lab_t), **data}

    def _append(self, *events: dict[str, Any], **fields: Any) -> None:
        with self._locked():
            self._reload()
            self.record["events"] += list(events)
            self.record.update(fields)
            self._write()

    @property
    def events(self) -> list[dict[str, Any]]:
        return self.record["events"]

    def steps(self) -> list[dict[str, Any]]:
        return [e for e in self.events if e["kind"] == "step"]

    @property
    def started_wall(self) -> float:
        return next(e["wall"] for e in self.events if e["kind"] == "break")

    # --- starting and finding ---------------------------------------------------------------------------------

    @classmethod
    def start(cls, catalogue: Catalogue, scenario_id: str, backend: type[Backend], options: LabOptions,
              profile: Optional[str] = None, seed: int = 0, lang: str = "en") -> "Session":
        """`lab break`: a fresh lab, the scenario's setup and break, its symptoms proved, handed over at the
        sign-in screen. An earlier session in the same folder is archived first."""
        if backend.has_lab and not backend.keeps_lab:
            raise TrainingError(f"the {backend.name} backend cannot keep a live lab between commands yet (it has no "
                                f"`attach`), and a real lab cannot be replayed")
        scenario = catalogue.scenario(scenario_id)
        solution = official(catalogue, scenario)
        folder = home(backend, options)
        archive(folder)
        record = {"format": FORMAT, "scenario": scenario.id, "title": scenario.title, "backend": backend.name,
                  "profile": profile or backend.default_profile, "seed": seed,
                  "lab": {"name": options.name, "provider": options.provider}, "lang": lang,
                  "solution": solution.id, "checks": [str(c) for c in checks_of(catalogue, scenario)],
                  "hints": len(scenario.hints), "hints_released": 0, "score": None, "events": []}
        session = cls(folder, catalogue, backend, options, record)
        with session._locked():
            session._write()
        session._break()
        return session

    @classmethod
    def open(cls, catalogue: Catalogue, backend: type[Backend], options: LabOptions) -> "Session":
        folder = home(backend, options)
        if not (folder / RECORD).exists():
            raise TrainingError(f"no training session for the {backend.name} lab"
                                f"{' ' + repr(options.name) if options.name else ''}; "
                                f"`trustlab lab break SCENARIO --backend {backend.name}` starts one")
        record = read_record(folder / RECORD)
        if record["backend"] != backend.name:
            raise TrainingError(f"the session in {folder} is on the {record['backend']} backend")
        return cls(folder, catalogue, backend, options, record)

    # --- the live lab -------------------------------------------------------------------------------------------

    def _fresh(self, reset: bool) -> Backend:
        cls, lab = self.backend_class, self.scenario.lab
        if cls.keeps_lab:
            backend = cls.attach(lab, self.profile, self.record["seed"], self.options, fresh=reset)
        else:                                   # an in-process model: replayed from the record
            backend = cls(lab, self.profile, self.record["seed"])
        reason = backend.lab_unsupported()
        if reason:
            backend.close()
            raise TrainingError(f"the {cls.name} lab cannot be the lab of {self.scenario.id}: {reason}")
        return backend

    def _replayed(self) -> Backend:
        """A lab brought to where the record says: attached (it kept itself), or replayed step by step."""
        lab = self._fresh(reset=False)
        if not self.backend_class.keeps_lab:
            for event in self.steps():
                result = lab.do(event["verb"], event["args"])
                if (result.status, result.outcome) != (event["status"], event.get("outcome")):
                    lab.close()
                    raise TrainingError(f"the replay of this session diverged at {event['step']!r} (recorded "
                                        f"{event['status']} {event.get('outcome')}, now {result.status} "
                                        f"{result.outcome}): the catalogue or the sim changed since the break; "
                                        f"`trustlab lab reset` starts the exercise again")
                lab.background()
        return lab

    def live(self) -> Backend:
        """The session's lab, brought up to date with the record (another process may have added steps)."""
        with self._locked():
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

    def _step_event(self, action: Action, result: StepResult, by: str, command: Optional[str]) -> dict[str, Any]:
        data: dict[str, Any] = {"by": by, "phase": action.phase, "step": action.text, "verb": action.verb,
                                "args": action.args, "status": result.status}
        for key in ("outcome", "win32"):
            if getattr(result, key) is not None:
                data[key] = getattr(result, key)
        if action.expect:
            data["expect"] = action.expect
        if result.output:
            data["output"] = result.output
        if result.details:
            data["details"] = result.details
        if command:
            data["command"] = command
        return self._event("step", **data)

    def names(self) -> Names:
        """The computers the recorded steps renamed (a rejoin under a new name): later steps use the new name."""
        names = Names()
        for event in self.steps():
            names.update(event.get("renamed", {}))
        return names

    def perform(self, actions: list[Action], by: str = TRAINEE, command: Optional[str] = None) -> list[StepResult]:
        """Resolved steps on the live lab, recorded (with the line typed, if one was)."""
        lab = self.live()
        names = self.names()
        results, events = [], []
        for action in map(names.current, actions):
            result = lab.do(action.verb, action.args)
            events.append(self._step_event(action, result, by, command))
            renamed = names.follow(action, result)
            if renamed:
                events[-1]["renamed"] = renamed
            events += [self._event("background", computer=c, text=text) for _, c, text in lab.background()]
            results.append(result)
        lab.keep()
        self._append(*events)
        self._applied = len(self.steps())
        return results

    def _break(self) -> None:
        self.close()
        self.lab = self._fresh(reset=True)
        self._applied = 0
        actions = plan(self.scenario)
        self._append(self._event("break", scenario=self.scenario.id, steps=len(actions)))
        unsupported = next((f"{a.phase}[{a.index}] {a.text}: {self.lab.unsupported_reason(a.verb)}" for a in actions
                            if self.lab.unsupported_reason(a.verb)), None)
        problem = unsupported
        if problem is None:
            results = self.perform(actions, "break")
            problem = next((f"{a.phase}[{a.index}] {a.text}: {'; '.join(r.output) or r.outcome}"
                            for a, r in zip(actions, results) if _spoils(a, r)), None)
        if problem:
            self._append(self._event("broken_exercise", reason=problem))
            self.close()
            archive(self.folder)
            raise TrainingError(f"the {self.backend_class.name} lab cannot give this exercise, so nothing was handed "
                                f"over: {problem}" if unsupported else
                                f"the exercise did not come out as the scenario says, so nothing was handed over: "
                                f"{problem}")
        handover = resolve(STEP_MODELS["sign_out"].model_validate({"sign_out": {}}), HANDOVER, 0,
                           self.scenario.user, self.scenario.computer)
        if self.lab.unsupported_reason("sign_out") is None:
            self.perform([handover], "break")

    # --- what the trainee and the trainer do --------------------------------------------------------------------

    def do(self, verb: str, args: dict[str, Any], command: Optional[str] = None, by: str = TRAINEE) -> StepResult:
        """One step on the live lab, as the trainee (or the console on the trainee's behalf) did it."""
        step = STEP_MODELS[verb].model_validate({verb: args})
        action = resolve(step, REMEDIATION, len(self.steps()), self.scenario.user, self.scenario.computer)
        return self.perform([action], by, command)[0]

    def look(self, verb: str) -> StepResult:
        """What the console looks at to draw a screen (the adapters behind Device Manager), not a step of the
        trainee's: only the `network` probe, which changes nothing on any backend."""
        if verb != "network":
            raise ValueError(f"the console may only look at the network, not {verb!r}")
        return self.live().do(verb, {"computer": self.scenario.computer})

    def note(self, command: str, what: str) -> None:
        """A line the trainee typed that is no step of the lab (a prompt's variable, Device Manager's view)."""
        self._append(self._event("command", command=command, note=what))

    def grade(self) -> Grade:
        """The checks and the symptoms again, judged as the engine judges a remediation run."""
        lab = self._fresh(reset=False) if self.backend_class.keeps_lab else self._replayed_copy()
        try:
            checks = [resolve(c, VERIFY, i, self.scenario.user, self.scenario.computer)
                      for i, c in enumerate(checks_of(self.catalogue, self.scenario))]
            recheck = [resolve(s, RECHECK, i, self.scenario.user, self.scenario.computer)
                       for i, s in enumerate(self.scenario.symptoms)]
            results: list[tuple[Action, StepResult]] = []
            for event in self.steps():
                if event["phase"] == SYMPTOMS:
                    results.append((_action(event), StepResult(status=event["status"], outcome=event.get("outcome"),
                                                               details=event.get("details", {}))))
            names = self.names()
            observed = [(a, lab.do(a.verb, a.args)) for a in map(names.current, checks + recheck)]
            lab_time = lab.now()
        finally:
            lab.close()
        judgement = judge(results + observed, True, names)
        conditions = [_condition(a, r, matches(a, r)) for a, r in observed if a.phase == VERIFY]
        conditions.append(Condition(dict(NOTHING_WORSE), not judgement.worse,
                                    dict(SEEN["ok"]) if not judgement.worse else
                                    _fill(SEEN["worse"], what="; ".join(judgement.worse))))
        return Grade(tuple(conditions), judgement, time.time() - self.started_wall, lab_time)

    def _replayed_copy(self) -> Backend:
        with self._locked():
            self._reload()
        return self._replayed()

    def check(self) -> Grade:
        """`lab check`: the grade, recorded; on a failing check the next hint is released."""
        grade = self.grade()
        score = {"passed": grade.passed, "total": grade.total, "percent": grade.percent,
                 "verdict": grade.judgement.verdict.value, "seconds": round(grade.seconds, 1),
                 "solved_by": self._solved_by() if grade.fixed else None}
        event = self._event("check", conditions=[c.to_dict() for c in grade.conditions], **score,
                            judgement=grade.judgement.to_dict())
        event["t"], event["clock"] = grade.lab_time, "+" + durations.format(grade.lab_time)
        self._append(event, score=score)
        hint = None if grade.fixed else self._release("check")
        return Grade(grade.conditions, grade.judgement, grade.seconds, grade.lab_time, hint)

    def _solved_by(self) -> str:
        return SOLUTION if any(e.get("by") == SOLUTION for e in self.steps()) else TRAINEE

    def _release(self, why: str) -> Optional[dict[str, Any]]:
        """The next hint (`n` of `of`, its `text` in en and ja), recorded; None when all are out."""
        with self._locked():
            self._reload()
            released = self.record["hints_released"]
            if released >= len(self.scenario.hints):
                return None
            text = self.scenario.hints[released].texts()
            self.record["events"].append(self._event("hint", index=released, why=why, text=text))
            self.record["hints_released"] = released + 1
            self._write()
        return {"n": released + 1, "of": len(self.scenario.hints), "text": text}

    def hint(self) -> Optional[dict[str, Any]]:
        """`lab hint`: the next hint, on request."""
        return self._release("asked")

    def released_hints(self) -> list[dict[str, str]]:
        return [h.texts() for h in self.scenario.hints[:self.record["hints_released"]]]

    def solve(self) -> Grade:
        """`lab solve`: the official remediation on the live lab (the trainer's skip and demonstration)."""
        remediation = self.catalogue.remediation(self.record["solution"])
        self.live()
        self._append(self._event("solve", remediation=remediation.id))
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
        return Session.start(self.catalogue, record["scenario"], self.backend_class, self.options,
                             record["profile"], record["seed"], record["lang"])

    def briefing(self, lang: str) -> str:
        return self.scenario.briefing.texts()[lang] if self.scenario.briefing else self.scenario.title


def _spoils(action: Action, result: StepResult) -> bool:
    """A step of the break that means the exercise is not the scenario's (the engine's early stops, and symptoms
    that did not show)."""
    if result.status == UNSUPPORTED:
        return True
    if action.phase in (SETUP, BREAK) and result.status == FAILED:
        return True
    return bool(action.expect) and not matches(action, result)


def _action(event: dict[str, Any]) -> Action:
    return Action(event["phase"], 0, event["verb"], VERBS[event["verb"]].family, event["args"],
                  event.get("expect", {}), event["step"])


def read_record(path: Path) -> dict[str, Any]:
    try:
        record = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise TrainingError(f"cannot read the session record {path}: {e}") from None
    if not isinstance(record, dict) or record.get("format") != FORMAT:
        raise TrainingError(f"{path}: not a training record of format {FORMAT}")
    return record


def archive(folder: Path) -> Optional[Path]:
    """Move a finished or abandoned session's record to `sessions/`, named by its start and scenario."""
    current = folder / RECORD
    if not current.exists():
        return None
    try:
        record = read_record(current)
        started = next((e["at"] for e in record["events"] if e["kind"] == "break"), "unknown")
        name = f"{started.replace(':', '')}--{record['scenario']}.json"
    except (TrainingError, KeyError):
        name = f"unreadable-{int(time.time())}.json"
    target = folder / "sessions" / name
    target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    shutil.move(str(current), target)
    return target
