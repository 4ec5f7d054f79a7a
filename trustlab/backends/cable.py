"""The network cable, the same three steps on every backend: a backend says how to set a machine's link and whether
it is up; pulling, plugging and a flap (the link drops and comes back; nothing happens to a pulled cable) follow."""
from __future__ import annotations

import time
from typing import ClassVar

from trustlab.engine.backend import StepResult


class Cable:
    flap_pause: ClassVar[float] = 0.0     # seconds the link stays down in a flap, for a real machine to notice

    def set_link(self, computer: str, plugged: bool) -> None:
        raise NotImplementedError

    def linked(self, computer: str) -> bool:
        raise NotImplementedError

    def do_unplug(self, computer: str) -> StepResult:
        self.set_link(computer, False)
        return StepResult()

    def do_plug(self, computer: str) -> StepResult:
        self.set_link(computer, True)
        return StepResult()

    def do_cable_flap(self, computer: str) -> StepResult:
        if self.linked(computer):
            self.set_link(computer, False)
            if self.flap_pause:
                time.sleep(self.flap_pause)
            self.set_link(computer, True)
        return StepResult()
