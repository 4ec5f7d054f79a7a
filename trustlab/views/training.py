"""The readable view of a training session's record: what a trainer reads after the trainee is done. The record
(`training.record`, docs/training.md) is the source; this draws it as a timeline, real time beside lab time."""
from __future__ import annotations

from typing import Callable

import click

from trustlab.engine.journal import BackgroundEntry, StepEntry
from trustlab.specs.words import Words
from trustlab.training.record import BREAK, Began, Checked, Hinted, Noted, Record, Solving, Spoiled, iso

RECORD = Words({
    "head": {"en": "training session: {scenario} ({title})", "ja": "トレーニング セッション: {scenario} ({title})"},
    "meta": {"en": "  backend {backend}, profile {profile}, seed {seed}; solution {solution}; hints given {released}/{hints}",
             "ja": "  バックエンド {backend}、プロファイル {profile}、シード {seed}。公式の手順 {solution}。ヒント {released}/{hints}"},
    "score": {"en": "  score: {passed}/{total} ({percent}%) {verdict}{solved}, {seconds:.0f} s after the break",
              "ja": "  スコア: {passed}/{total} ({percent}%) {verdict}{solved}、障害から {seconds:.0f} 秒"},
    "solved": {"en": ", solved by {who}", "ja": "、解決: {who}"},
    "unchecked": {"en": "  score: not checked yet", "ja": "  スコア: まだ確認していません"},
    "columns": {"en": "      real          lab   what", "ja": "      実時間        ラボ   内容"},
    "break": {"en": "break: {steps} steps of the scenario (hidden from the trainee{more})",
              "ja": "障害: シナリオの {steps} 操作 (受講者には非表示{more})"},
    "more": {"en": "; --all lists them", "ja": "。--all で表示"},
    "spoiled": {"en": "the exercise did not come out as the scenario says: {reason}",
                "ja": "演習がシナリオどおりになりませんでした: {reason}"},
    "noted": {"en": "trainee: '{command}' ({note})", "ja": "受講者: '{command}' ({note})"},
    "hint_check": {"en": "hint {n} (after a failing check): {text}", "ja": "ヒント {n} (確認の不合格の後): {text}"},
    "hint_asked": {"en": "hint {n} (asked): {text}", "ja": "ヒント {n} (要求): {text}"},
    "solving": {"en": "lab solve: the official remediation {remediation}", "ja": "lab solve: 公式の手順 {remediation}"},
    "check": {"en": "check {n}: {passed}/{total} ({percent}%) {verdict}", "ja": "確認 {n}: {passed}/{total} ({percent}%) {verdict}"},
    "passed": {"en": "passed ", "ja": "合格   "}, "not_yet": {"en": "not yet", "ja": "未達   "},
    "caveat": {"en": "note: {text}", "ja": "注意: {text}"},
    "trainee": {"en": "trainee", "ja": "受講者"}, "solution": {"en": "solution", "ja": "公式の手順"},
    "break_by": {"en": "break", "ja": "障害"},
})


def _when(entry) -> str:
    wall = getattr(entry, "wall", None)
    return f"  {iso(wall)[11:19] if wall else '':8}  {entry.clock:>12}  "


def _step(entry: StepEntry, lang: str) -> str:
    typed = f"'{entry.command}' -> " if entry.command else ""
    outcome = f" -> {entry.outcome}" if entry.outcome is not None else ""
    who = RECORD.say("break_by" if entry.by == BREAK else entry.by, lang)
    return f"{who}: {typed}{entry.step} [{entry.status}]{outcome}"


def lines(record: Record, every: bool = False, lang: str = "en") -> list[str]:
    say = RECORD.say
    out = [say("head", lang, scenario=record.scenario, title=record.title),
           say("meta", lang, backend=record.backend, profile=record.profile, seed=record.seed,
               solution=record.solution, released=record.hints_released, hints=record.hints)]
    score = record.score
    if score:
        solved = say("solved", lang, who=say(score["solved_by"], lang)) if score.get("solved_by") else ""
        out.append(say("score", lang, passed=score["passed"], total=score["total"], percent=score["percent"],
                       verdict=score["verdict"], solved=solved, seconds=score["seconds"]))
    else:
        out.append(say("unchecked", lang))
    out += ["", say("columns", lang)]
    checks = 0
    views: dict[type, Callable] = {
        Began: lambda e: say("break", lang, steps=e.steps, more="" if every else say("more", lang)),
        Spoiled: lambda e: say("spoiled", lang, reason=e.reason),
        Noted: lambda e: say("noted", lang, command=e.command, note=e.note),
        Hinted: lambda e: say("hint_check" if e.why == "check" else "hint_asked", lang, n=e.index + 1,
                              text=e.text.get(lang) or e.text["en"]),
        Solving: lambda e: say("solving", lang, remediation=e.remediation),
        BackgroundEntry: lambda e: f"~ {e.computer}: {e.event}",
    }
    for entry in record.entries:
        if isinstance(entry, StepEntry):
            if entry.by == BREAK and not every:
                continue
            out.append(_when(entry) + _step(entry, lang))
            out += [f"{'':30}| {line}" for line in entry.output]
        elif isinstance(entry, Checked):
            checks += 1
            out.append(_when(entry) + say("check", lang, n=checks, passed=entry.passed, total=entry.total,
                                          percent=entry.percent, verdict=entry.verdict))
            out += [f"{'':30}{say('passed' if c['passed'] else 'not_yet', lang)} {c['text'].get(lang) or c['text']['en']}"
                    for c in entry.conditions]
            out += [f"{'':30}{say('caveat', lang, text=c.get(lang) or c['en'])}" for c in entry.caveats]
        elif type(entry) in views:
            out.append(_when(entry) + views[type(entry)](entry))
    return out


def print_record(record: Record, every: bool = False, lang: str = "en") -> None:
    click.echo("\n".join(lines(record, every, lang)))
