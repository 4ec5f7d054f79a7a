"""A run as a timeline: one lane for the lab's own time (waits, time passing, the technician's checks), one per
machine, one per machine's network (cable and adapters) and one per workstation's clock offset from the DC, with
every step a mark in its phase. Everything is derived from the journal's entries: the computer a step names, what
its verb is, the lab time it ended at, the background events the backend reported. A training session record
gets the same axis with one lane per kind of event."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Optional

from trustlab.engine.dc_answer import DcAnswer
from trustlab.engine.journal import StepEntry
from trustlab.specs import durations
from trustlab.specs.lab import LabSpec
from trustlab.specs.outcomes import usable
from trustlab.specs.reference import BEHAVIOURS
from trustlab.specs.steps import VERBS
from trustlab.specs.words import LANGUAGES, Words
from trustlab.training.record import SOLUTION, TRAINEE, Began, Checked, Hinted, Noted, Record
from trustlab.views.axis import SLOT, Axis
from trustlab.views.dc_answer import dc_said, offline_while_answering

LANE = 40.0          # px per lane
TOP = 34.0           # px above the first lane: phase names
BOTTOM = 34.0        # px below the last lane: the axis' labels (two rows for real time)

CABLE = ("unplug", "plug", "cable_flap")
NETWORK = frozenset(CABLE) | {name for name, verb in VERBS.items()
                               if verb.models and all(m.startswith("NW-") for m in verb.models)}
"""Verbs drawn on a machine's network lane: the cable, and everything about adapters and addresses (NW-*)."""
SHAPES = {"event": "diamond", "admin": "square", "probe": "circle", "background": "star"}
SHORT = {"SUCCESS": "ok", "SUCCESS_CACHED": "cached", "OK": "ok", "UP": "up", "NO_ADDRESS": "no IP",
         "UNPLUGGED": "unplug", "NO_ADAPTER": "no NIC", "DC_DOWN": "DC down", "POWERED_OFF": "off",
         "FIXED": "fixed", "NOT_FIXED": "not yet", "BROKEN": "broken"}
CITED = re.compile(r"\b([A-Z]{2}-\d+)\b")
TIME_SYNC = "LG-8"
"""A background event citing LG-8 ("members take the DC's time") puts that machine's clock back on the DC's."""
SESSION_KINDS = ("command", "step", "check", "hint", "score")


@dataclass(frozen=True)
class Lane:
    key: str
    label: str
    kind: str          # lab, machine, network, clock, session


@dataclass
class Mark:
    lane: str
    x: float
    entry: int                       # index into the timeline's entries
    shape: str
    classes: list[str]
    label: str
    title: str


@dataclass(frozen=True)
class Span:
    lane: str
    x0: float
    x1: float
    kind: str                        # took-time, off, unplugged, skew, skew-unsure, skew-none
    label: str = ""


@dataclass(frozen=True)
class Band:
    phase: str
    x0: float
    x1: float


@dataclass
class Timeline:
    lanes: list[Lane]
    axis: Axis
    marks: list[Mark] = field(default_factory=list)
    spans: list[Span] = field(default_factory=list)
    bands: list[Band] = field(default_factory=list)
    entries: list[dict[str, Any]] = field(default_factory=list)
    real_time: bool = False

    def y(self, lane: str) -> float:
        """The middle of a lane."""
        return TOP + LANE * ([ln.key for ln in self.lanes].index(lane) + 0.5)

    @property
    def height(self) -> float:
        return TOP + LANE * len(self.lanes) + BOTTOM + (14 if self.real_time else 0)

    def mark(self, entry: int) -> Mark:
        return next(m for m in self.marks if m.entry == entry)


def cited(text: str) -> list[str]:
    """The behaviour IDs an event's text cites, known to the reference."""
    return [i for i in CITED.findall(text) if i in BEHAVIOURS]


def short(entry: dict) -> str:
    """The few characters drawn above a probe: its Win32 code when it has one, else a short outcome."""
    if entry.get("win32"):
        return str(entry["win32"])
    outcome = entry.get("outcome")
    return SHORT.get(outcome, (outcome or "").split("_")[0].lower()[:7]) if outcome else ""


def clock(entry: dict) -> str:
    return entry.get("clock") or "+" + durations.format(round(float(entry["t"])))


def title(entry: dict) -> str:
    """The hover text: when, what, what it showed, and the message a technician saw."""
    if entry["phase"] == "background":
        ids = cited(entry["event"])
        about = "".join(f"\n{i}: {BEHAVIOURS[i]}" for i in ids)
        return f"{clock(entry)}  {entry['computer']}: {entry['event']} (background){about}"
    head = f"{clock(entry)}  {entry['phase']}[{entry['index']}] {entry['step']}"
    if entry.get("outcome"):
        codes = [str(entry["win32"])] if entry.get("win32") else []
        if entry.get("ntstatus") and entry["ntstatus"] != "0x00000000":
            codes.append(entry["ntstatus"])
        head += f" -> {entry['outcome']}" + (f" ({', '.join(codes)})" if codes else "")
    if entry["status"] != "ok":
        head += f" [{entry['status']}]"
    message = entry.get("message") or {}
    lines = [head] + [message[lang] for lang in LANGUAGES if message.get(lang)]
    lines += entry.get("output", [])[:3]
    return "\n".join(lines)


def classes(entry: dict) -> list[str]:
    if entry["phase"] == "background":
        return ["background"] + [f"cites-{i.split('-')[0].lower()}" for i in cited(entry["event"])[:1]]
    out = [entry.get("family", "admin"), entry["status"]]
    if entry["phase"] == "recheck" and "matched" in entry:    # the symptoms again: a match means it is still there
        out.append("still" if entry["matched"] else "gone")
    elif entry.get("matched") is True:
        out.append("met")
    elif entry.get("matched") is False:
        out.append("unmet")
    elif entry.get("outcome"):
        out.append("usable" if usable(entry["outcome"]) or entry["outcome"] == "FIXED" else "unusable")
    return out


class _Lanes:
    """Which lane each entry goes on, and the lanes themselves, in the order a reader scans them."""

    def __init__(self, entries: list[dict], lab: LabSpec):
        self.dc = lab.dc
        named = [e.get("computer") or e.get("args", {}).get("computer") for e in entries]
        self.workstations = list(dict.fromkeys([*lab.workstations, *(c for c in named if c and c != lab.dc)]))
        self.dc_network = any(e.get("verb") in NETWORK and e.get("args", {}).get("computer") == lab.dc
                              for e in entries)

    def lanes(self) -> list[Lane]:
        out = [Lane("lab", "lab time", "lab"), Lane(self.dc, f"{self.dc} (DC)", "machine")]
        out += [Lane(ws, ws, "machine") for ws in self.workstations]
        if self.dc_network:
            out.append(Lane(f"{self.dc}/network", f"{self.dc} network", "network"))
        out += [Lane(f"{ws}/network", f"{ws} network", "network") for ws in self.workstations]
        out += [Lane(f"{ws}/clock", f"{ws} clock − DC", "clock") for ws in self.workstations]
        return out

    def of(self, entry: dict) -> str:
        if entry["phase"] == "background":
            return entry["computer"]
        args, verb = entry.get("args", {}), VERBS.get(entry["verb"])
        computer = args.get("computer")
        if verb is not None and verb.directory and args.get("where") != "this_computer":
            return self.dc
        if computer and entry["verb"] in NETWORK:
            return f"{computer}/network"
        return computer or "lab"


def _dc_line(entry: dict[str, Any]) -> str:
    answer = DcAnswer.from_dict(entry["dc"])
    offline = offline_while_answering(entry.get("outcome"), answer)
    return dc_said(answer) + (f"; {offline}" if offline else "")


def of_journal(data: dict[str, Any], lab: Optional[LabSpec] = None) -> Timeline:
    """The timeline of one journal (its JSON form). `lab` gives the machines' names; the default lab otherwise."""
    lab = lab or LabSpec()
    entries = [{**e, "clock": clock(e), **({"dc_said": _dc_line(e)} if "dc" in e else {})}
               for e in data.get("entries", [])]
    lanes = _Lanes(entries, lab)
    real = any("wall" in e for e in entries)
    axis = Axis.build([float(e["t"]) for e in entries], [e.get("wall") for e in entries] if real else None)
    tl = Timeline(lanes.lanes(), axis, entries=entries, real_time=real)
    known = {ln.key for ln in tl.lanes}
    previous: Optional[int] = None
    for i, entry in enumerate(entries):
        lane = lanes.of(entry)
        if lane not in known:            # a machine the lab does not name: a lane of its own
            tl.lanes.append(Lane(lane, lane, "machine"))
            known.add(lane)
        shape = SHAPES["background" if entry["phase"] == "background" else entry.get("family", "admin")]
        tl.marks.append(Mark(lane, axis.x[i], i, shape, classes(entry),
                             short(entry) if entry.get("outcome") else "", title(entry)))
        if entry["phase"] != "background":
            if previous is not None and axis.times[i] > axis.times[previous]:
                took = "+" + durations.format(round(axis.times[i] - axis.times[previous]))
                tl.spans.append(Span(lane, axis.x[previous], axis.x[i], "took-time", took))
            previous = i
    tl.bands = _bands(entries, axis)
    tl.spans += _states(entries, axis, lanes)
    tl.spans += _clocks(entries, axis, lanes)
    return tl


def _bands(entries: list[dict], axis: Axis) -> list[Band]:
    out: list[Band] = []
    for i, entry in enumerate(entries):
        if entry["phase"] == "background":
            continue
        x = axis.x[i]
        if out and out[-1].phase == entry["phase"]:
            out[-1] = Band(entry["phase"], out[-1].x0, x + SLOT / 2)
        else:
            out.append(Band(entry["phase"], x - SLOT / 2, x + SLOT / 2))
    return out


def _states(entries: list[dict], axis: Axis, lanes: _Lanes) -> list[Span]:
    """Machines switched off and cables pulled, from the steps that did it (a failed step changed nothing)."""
    out: list[Span] = []
    off: dict[str, float] = {}
    unplugged: dict[str, float] = {}
    for i, entry in enumerate(entries):
        if entry["phase"] == "background" or entry["status"] != "ok":
            continue
        computer, verb, x = entry.get("args", {}).get("computer"), entry["verb"], axis.x[i]
        if verb == "power_off":
            off.setdefault(computer, x)
        elif verb == "power_on" and computer in off:
            out.append(Span(computer, off.pop(computer), x, "off", "off"))
        elif verb == "unplug":
            unplugged.setdefault(computer, x)
        elif verb == "plug" and computer in unplugged:
            out.append(Span(f"{computer}/network", unplugged.pop(computer), x, "unplugged", "unplugged"))
    end = axis.width - SLOT
    out += [Span(c, x, end, "off", "off") for c, x in off.items()]
    out += [Span(f"{c}/network", x, end, "unplugged", "unplugged") for c, x in unplugged.items()]
    return out


def _clocks(entries: list[dict], axis: Axis, lanes: _Lanes) -> list[Span]:
    """Each workstation's clock offset from the DC's, as the steps set it (LG-8, MP-8): `set_clock` moves it,
    `sync_time` and a background time sync (citing LG-8) put it back, and a boot with the cable in may have (LG-8:
    a member takes its DC's time when it reaches it), which is drawn as unsure until a CLOCK_SKEW logon shows it
    is still off."""
    offset = {ws: 0.0 for ws in lanes.workstations}
    sure = {ws: True for ws in lanes.workstations}
    since = {ws: axis.x[0] if axis.x else 0.0 for ws in lanes.workstations}
    plugged = {ws: True for ws in lanes.workstations}
    out: list[Span] = []

    def change(ws: str, x: float, value: float, certain: bool) -> None:
        if ws not in offset or (offset[ws] == value and sure[ws] == certain):
            return
        out.append(_clock_span(ws, since[ws], x, offset[ws], sure[ws]))
        offset[ws], sure[ws], since[ws] = value, certain, x

    for i, entry in enumerate(entries):
        x = axis.x[i]
        if entry["phase"] == "background":
            if TIME_SYNC in cited(entry["event"]):
                change(entry["computer"], x, 0.0, True)
            continue
        if entry["status"] != "ok":
            continue
        args, verb = entry.get("args", {}), entry["verb"]
        computer = args.get("computer")
        if verb == "set_clock":
            if computer == lanes.dc:
                for ws in offset:
                    change(ws, x, offset[ws] - args.get("offset", 0), sure[ws])
            else:
                change(computer, x, offset.get(computer, 0.0) + args.get("offset", 0), True)
        elif verb == "sync_time":
            change(computer, x, 0.0, True)
        elif verb in ("unplug", "plug") and computer in plugged:
            plugged[computer] = verb == "plug"
        elif VERBS[verb].boots and computer in offset and offset[computer] and plugged[computer]:
            change(computer, x, offset[computer], False)
        elif verb == "logon" and entry.get("outcome") == "CLOCK_SKEW" and computer in offset:
            change(computer, x, offset[computer], True)
    end = axis.width - SLOT
    out += [_clock_span(ws, since[ws], end, offset[ws], sure[ws]) for ws in offset]
    return [s for s in out if s.x1 > s.x0]


def _clock_span(ws: str, x0: float, x1: float, offset: float, certain: bool) -> Span:
    if not offset:
        return Span(f"{ws}/clock", x0, x1, "skew-none", "")
    sign = "+" if offset > 0 else "−"
    label = sign + durations.format(round(abs(offset)))
    return Span(f"{ws}/clock", x0, x1, "skew" if certain else "skew-unsure",
                label if certain else f"{label}? (a boot on the network takes the DC's time, LG-8)")


SESSION_WORDS = Words({
    "break": {"en": "lab break {scenario}", "ja": "lab break {scenario}"},
    "trainee": {"en": "trainee", "ja": "受講者"}, "solution": {"en": "official solution", "ja": "公式の手順"},
    "trainer": {"en": "trainer", "ja": "トレーナー"},
    "check": {"en": "lab check: {passed}/{total} conditions ({percent}%), {verdict}",
              "ja": "確認: {passed}/{total} 条件 ({percent}%)、{verdict}"},
    "hint": {"en": "hint {n}: {text}", "ja": "ヒント {n}: {text}"},
    "hint_check": {"en": "released by a failing check", "ja": "確認の不合格で公開"},
    "hint_asked": {"en": "asked", "ja": "要求"},
    "score": {"en": "score {percent}% ({verdict}), solved by {who}", "ja": "スコア {percent}% ({verdict})、解決: {who}"},
    "nobody": {"en": "nobody yet", "ja": "まだ誰も"},
    "no_step": {"en": "no step: {note}", "ja": "操作なし: {note}"},
})


def moments(record: Record, lang: str = "en") -> list[dict[str, Any]]:
    """What a trainer follows of a session, in order, numbered: the break (as one moment: its steps are the answer),
    each line typed or step done by the trainee or the official solution with what came of it, each check with its
    score, each hint, and the score at the end. Each has `who`, the line `typed` (if any), its `result`."""
    out: list[dict[str, Any]] = []
    say = SESSION_WORDS.say

    def add(entry, kind: str, text: str, who: str, result: str = "", typed: Optional[str] = None,
            passed: Optional[bool] = None) -> None:
        out.append({"n": len(out) + 1, "kind": kind, "t": float(entry.t), "wall": getattr(entry, "wall", None),
                    "clock": "+" + durations.format(round(entry.t)), "text": text, "who": who, "typed": typed,
                    "result": result, **({"passed": passed} if passed is not None else {})})

    for e in record.entries:
        if isinstance(e, Began):
            add(e, "step", say("break", lang, scenario=e.scenario), say("trainer", lang), f"{e.steps} steps")
        elif isinstance(e, StepEntry) and e.by in (TRAINEE, SOLUTION):
            result = e.outcome if e.outcome is not None else e.status
            add(e, "command" if e.command else "step", e.command or e.step, say(e.by, lang),
                f"{result}" + (f" ({e.step})" if e.command else ""), e.command)
        elif isinstance(e, Noted):
            add(e, "command", e.command, say("trainee", lang), say("no_step", lang, note=e.note), e.command)
        elif isinstance(e, Checked):
            add(e, "check", say("check", lang, passed=e.passed, total=e.total, percent=e.percent, verdict=e.verdict),
                say("trainer" if e.solved_by == SOLUTION else "trainee", lang), e.verdict, None, e.passed == e.total)
        elif isinstance(e, Hinted):
            add(e, "hint", say("hint", lang, n=e.index + 1, text=e.text.get(lang) or e.text.get("en", "")),
                say("trainee", lang), say("hint_check" if e.why == "check" else "hint_asked", lang))
    score = record.score
    if score and out:
        who = say(score["solved_by"], lang) if score.get("solved_by") else say("nobody", lang)
        last = out[-1]
        out.append({"n": len(out) + 1, "kind": "score", "t": last["t"], "wall": None, "clock": last["clock"],
                    "passed": score["passed"] == score["total"], "who": "", "typed": None, "result": score["verdict"],
                    "text": say("score", lang, percent=score["percent"], verdict=score["verdict"], who=who)})
    return out


def of_session(record: Record, lang: str = "en") -> Timeline:
    """A trainee's session: one lane per kind of moment, on the same axis; each mark carries its number, the
    number of its line in the table under the timeline."""
    events = moments(record, lang)
    real = any(e["wall"] is not None for e in events)
    axis = Axis.build([e["t"] for e in events], [e["wall"] for e in events] if real else None)
    kinds = [k for k in SESSION_KINDS if any(e["kind"] == k for e in events)]
    tl = Timeline([Lane(k, k + "s", "session") for k in kinds], axis, real_time=real)
    for i, event in enumerate(events):
        passed = event.get("passed")
        state = [] if passed is None else ["met" if passed else "unmet"]
        entry = {"phase": "session", "clock": event["clock"], "t": event["t"], "step": event["text"],
                 "status": "ok", "kind": event["kind"], **({"wall": event["wall"]} if event["wall"] else {}),
                 **({"passed": passed} if passed is not None else {}),
                 "output": [f"{event['who']}: {event['result']}".strip(": ")]}
        tl.entries.append(entry)
        verdict = "" if passed is None else (" (passed)" if passed else " (not passed)")
        tl.marks.append(Mark(event["kind"], axis.x[i], i, "circle" if event["kind"] == "check" else "square",
                             ["session", event["kind"], *state], str(event["n"]),
                             f"{event['n']}. {event['clock']}  {event['who']}: {event['text']}{verdict}"))
    return tl
