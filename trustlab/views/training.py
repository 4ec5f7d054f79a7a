"""The readable view of a training session's record: what a trainer reads after the trainee is done. The record
(`training.record`, docs/training.md) is the source; this draws it as a timeline, real time beside lab time."""
from __future__ import annotations

from typing import Callable

import click

from trustlab.engine.journal import BackgroundEntry, StepEntry
from trustlab.training.record import BREAK, Began, Checked, Hinted, Noted, Record, Solving, Spoiled, iso


def _when(entry) -> str:
    wall = getattr(entry, "wall", None)
    return f"  {iso(wall)[11:19] if wall else '':8}  {entry.clock:>12}  "


def _step(entry: StepEntry) -> str:
    typed = f"'{entry.command}' -> " if entry.command else ""
    outcome = f" -> {entry.outcome}" if entry.outcome is not None else ""
    return f"{entry.by}: {typed}{entry.step} [{entry.status}]{outcome}"


def lines(record: Record, every: bool = False) -> list[str]:
    out = [f"training session: {record.scenario} ({record.title})",
           f"  backend {record.backend}, profile {record.profile}, seed {record.seed}; solution "
           f"{record.solution}; hints given {record.hints_released}/{record.hints}"]
    score = record.score
    if score:
        solved = f", solved by {score['solved_by']}" if score.get("solved_by") else ""
        out.append(f"  score: {score['passed']}/{score['total']} ({score['percent']}%) {score['verdict']}{solved}, "
                   f"{score['seconds']:.0f} s after the break")
    else:
        out.append("  score: not checked yet")
    out += ["", "      real          lab   what"]
    checks = 0
    views: dict[type, Callable] = {
        Began: lambda e: f"break: {e.steps} steps of the scenario (hidden from the trainee"
                         f"{'' if every else '; --all lists them'})",
        Spoiled: lambda e: f"the exercise did not come out as the scenario says: {e.reason}",
        Noted: lambda e: f"trainee: '{e.command}' ({e.note})",
        Hinted: lambda e: f"hint {e.index + 1} ({'after a failing check' if e.why == 'check' else 'asked'}): "
                          f"{e.text['en']}",
        Solving: lambda e: f"lab solve: the official remediation {e.remediation}",
        BackgroundEntry: lambda e: f"~ {e.computer}: {e.event}",
    }
    for entry in record.entries:
        if isinstance(entry, StepEntry):
            if entry.by == BREAK and not every:
                continue
            out.append(_when(entry) + _step(entry))
            out += [f"{'':30}| {line}" for line in entry.output]
        elif isinstance(entry, Checked):
            checks += 1
            out.append(_when(entry) + f"check {checks}: {entry.passed}/{entry.total} ({entry.percent}%) "
                                      f"{entry.verdict}")
            out += [f"{'':30}{'passed ' if c['passed'] else 'not yet'} {c['text']['en']}" for c in entry.conditions]
        elif type(entry) in views:
            out.append(_when(entry) + views[type(entry)](entry))
    return out


def print_record(record: Record, every: bool = False) -> None:
    click.echo("\n".join(lines(record, every)))
