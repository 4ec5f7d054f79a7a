"""One way to do a step, for a run and for a trainee alike: the name a renamed computer has now, the backend's
answer, what happened by itself meanwhile, and the typed journal entry of it all."""
from __future__ import annotations

import time
from dataclasses import replace
from typing import Callable, Optional

from trustlab.engine.backend import OK, Backend, StepResult
from trustlab.engine.journal import BackgroundEntry, Entry, StepEntry
from trustlab.engine.plan import Action


class Names(dict):
    """Computers renamed on the way (a rejoin under a new name), old -> new: later steps act on the new name."""

    def final(self, computer: Optional[str]) -> Optional[str]:
        while computer in self:
            computer = self[computer]
        return computer

    def args(self, args: dict) -> dict:
        """Arguments with the computer's current name."""
        computer = self.final(args.get("computer"))
        return args if computer == args.get("computer") else {**args, "computer": computer}

    def current(self, action: Action) -> Action:
        args = self.args(action.args)
        return action if args is action.args else replace(action, args=args)

    def follow(self, action: Action, result: StepResult) -> Optional[dict[str, str]]:
        """After a step: the rename it made ({old: new}), if it made one."""
        renamed = action.facts.renames and action.args.get(action.facts.renames)
        if renamed and result.status == OK and renamed != action.args.get("computer"):
            self[action.args["computer"]] = renamed
            return {action.args["computer"]: renamed}
        return None

    @classmethod
    def of(cls, entries: list[Entry]) -> "Names":
        """The renames the recorded steps made."""
        names = cls()
        for entry in entries:
            names.update(getattr(entry, "renamed", None) or {})
        return names


class Stepper:
    """Does steps on one lab and appends their entries (the background events first, then the step) to `entries`;
    `names` follows the renames, so a step written for the old name acts on the new one. Entries carry real time
    (`wall`) on a real lab, or wherever `wall` is given (a training session keeps it on the sim too)."""

    def __init__(self, lab: Backend, entries: list[Entry], names: Optional[Names] = None,
                 wall: Optional[Callable[[], float]] = None):
        self.lab, self.entries = lab, entries
        self.names = names if names is not None else Names()
        self._wall = wall or (time.time if lab.real_time else None)

    def step(self, action: Action, by: Optional[str] = None, command: Optional[str] = None) -> StepEntry:
        action = self.names.current(action)
        result = self.lab.do(action.verb, action.args)
        self.entries += [BackgroundEntry(t, computer, event) for t, computer, event in self.lab.background()]
        entry = StepEntry.of(action, result, self.lab.now(), self.wall(), self.names.follow(action, result), by,
                             command)
        self.entries.append(entry)
        return entry

    def note(self, action: Action, result: StepResult) -> StepEntry:
        """A step the engine decided itself (stop_if_fixed's answer), recorded as if done."""
        entry = StepEntry.of(action, result, self.lab.now(), self.wall())
        self.entries.append(entry)
        return entry

    def wall(self) -> Optional[float]:
        return self._wall() if self._wall else None
