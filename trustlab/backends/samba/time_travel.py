"""Time travel on the Samba lab: libfaketime moves a daemon's clock only when it starts, so a jump of lab time or of
one machine's clock restarts its daemons at the new offset; winbind then changes an overdue machine password
(TM-7), which the jump waits for."""
from __future__ import annotations

import time
from typing import Optional

from trustlab.backends.samba import dc as dc_mod
from trustlab.backends.samba.node import Node
from trustlab.backends.samba.state import SambaState
from trustlab.engine.backend import StepResult
from trustlab.specs.lab import LabSpec

MEMBER_PASSWORD_TIMEOUT = 7 * 86400    # TM-7: smb.conf `machine password timeout` default
NT_EPOCH = 11644473600                 # seconds from 1601-01-01 to 1970-01-01


class TimeTravel:
    """Mixed into SambaBackend: the steps that move clocks, on its `state` and nodes."""

    state: SambaState
    lab: LabSpec
    dc_node: Node
    member_node: Node

    def do_advance_time(self, by: int) -> StepResult:
        self.state.offset += by
        self._clocks()
        self._start_dc()
        self._start_member()
        self._note(self.lab.dc, f"DC and member restarted under libfaketime at {self.state.offset:+d}s (time travel)")
        late = self._settle()
        return StepResult.unsupported(late) if late else StepResult()

    def do_wait(self, for_: int) -> StepResult:
        return self.do_advance_time(for_)

    def do_set_clock(self, computer: str, offset: int) -> StepResult:
        machine = self.state.computer(computer)
        machine.skew += offset
        self._clocks()
        self._start_dc() if machine is self.state.dc else self._start_member()
        self._note(computer, f"restarted with its clock {machine.skew:+d}s off (libfaketime)")
        return StepResult()

    def do_read_clock(self, computer: str) -> StepResult:
        member, dc = self.state.member.skew, self.state.dc.skew
        return StepResult(details={"local": self.now() + member, "dc": self.now() + dc, "offset": member - dc})

    def _clocks(self) -> None:
        """Time travel: every node restarts under libfaketime at its new offset (samba-lab.md)."""
        self.dc_node.offset = self.state.offset + self.state.dc.skew
        self.member_node.offset = self.state.offset + self.state.member.skew

    def _settle(self) -> Optional[str]:
        """After a jump, let the timers that came due run: winbind changes an overdue machine password a few
        seconds after it starts (TM-7). Waits (at most 30 s) until the DC has the new one; when it has not, the lab
        did not give what the elapsed time warrants, and says so (the run is UNSUPPORTED, never a verdict drawn
        from a snapshot that is not stale: docs/conformance.md)."""
        if not (self.state.member.joined and self.state.reachable):
            return None
        timeout = self.state.machine_password_timeout
        timeout = MEMBER_PASSWORD_TIMEOUT if timeout is None else timeout
        before = self._machine_password_set()
        if not timeout or before is None:
            return None
        age = (time.time() + self.member_node.offset) - (before / 1e7 - NT_EPOCH)
        if age < timeout:
            return None
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self._machine_password_set() != before:
                self._note(self.state.member.name, "winbind changed the machine password (TM-7)")
                return None
            time.sleep(0.3)
        return ("this lab could not give the time that passed: winbind did not change the overdue machine password "
                "within 30 s of the jump (TM-7; a crowded host delays it), so what follows would not be what the "
                "scenario says")

    def _machine_password_set(self) -> Optional[int]:
        """The computer account's pwdLastSet (NT time), read from the DC's database."""
        return dc_mod.password_last_set(self.dc_node, self._account())
