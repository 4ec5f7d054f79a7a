"""The readable view of a training session's record: what a trainer reads after the trainee is done. The record's
JSON (docs/training.md) is the source; this draws it as a timeline, real time beside lab time."""
from __future__ import annotations

from typing import Any, Callable

import click

BREAK_PHASES = ("setup", "break", "symptoms", "handover")


def _when(event: dict[str, Any]) -> str:
    return f"  {event['at'][11:19]}  {event['clock']:>12}  "


def _step(event: dict[str, Any]) -> str:
    typed = f"'{event['command']}' -> " if event.get("command") else ""
    outcome = f" -> {event['outcome']}" if "outcome" in event else ""
    return f"{event['by']}: {typed}{event['step']} [{event['status']}]{outcome}"


def lines(record: dict[str, Any], every: bool = False) -> list[str]:
    out = [f"training session: {record['scenario']} ({record['title']})",
           f"  backend {record['backend']}, profile {record['profile']}, seed {record['seed']}; solution "
           f"{record['solution']}; hints given {record['hints_released']}/{record['hints']}"]
    score = record.get("score")
    if score:
        solved = f", solved by {score['solved_by']}" if score.get("solved_by") else ""
        out.append(f"  score: {score['passed']}/{score['total']} ({score['percent']}%) {score['verdict']}{solved}, "
                   f"{score['seconds']:.0f} s after the break")
    else:
        out.append("  score: not checked yet")
    out += ["", "      real          lab   what"]
    checks = 0
    views: dict[str, Callable[[dict[str, Any]], str]] = {
        "break": lambda e: f"break: {e['steps']} steps of the scenario (hidden from the trainee"
                           f"{'' if every else '; --all lists them'})",
        "broken_exercise": lambda e: f"the exercise did not come out as the scenario says: {e['reason']}",
        "command": lambda e: f"trainee: '{e['command']}' ({e['note']})",
        "hint": lambda e: f"hint {e['index'] + 1} ({'after a failing check' if e['why'] == 'check' else 'asked'}): "
                          f"{e['text']['en']}",
        "solve": lambda e: f"lab solve: the official remediation {e['remediation']}",
        "background": lambda e: f"~ {e['computer']}: {e['text']}",
    }
    for event in record["events"]:
        kind = event["kind"]
        if kind == "step":
            if event["phase"] in BREAK_PHASES and event["by"] == "break" and not every:
                continue
            out.append(_when(event) + _step(event))
            out += [f"{'':30}| {line}" for line in event.get("output", [])]
        elif kind == "check":
            checks += 1
            out.append(_when(event) + f"check {checks}: {event['passed']}/{event['total']} ({event['percent']}%) "
                                      f"{event['verdict']}")
            out += [f"{'':30}{'passed ' if c['passed'] else 'not yet'} {c['text']['en']}" for c in event["conditions"]]
        elif kind in views:
            out.append(_when(event) + views[kind](event))
    return out


def print_record(record: dict[str, Any], every: bool = False) -> None:
    click.echo("\n".join(lines(record, every)))
