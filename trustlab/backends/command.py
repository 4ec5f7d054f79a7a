"""One command's result, whichever way it ran (a lab namespace's shell, WinRM, a hypervisor's own tool), as
testinfra's `CommandResult` has it: the exit status and the two streams, and whether it succeeded."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Result:
    rc: int
    stdout: str = ""
    stderr: str = ""

    @property
    def succeeded(self) -> bool:
        return self.rc == 0

    @property
    def failed(self) -> bool:
        return self.rc != 0

    @property
    def output(self) -> str:
        """What it printed, standard output then standard error, trimmed: what a person at its terminal reads."""
        return (self.stdout + self.stderr).strip()
