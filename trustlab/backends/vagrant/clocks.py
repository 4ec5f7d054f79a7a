"""The Windows lab's clocks: lab time is anchored at the golden snapshot's moment; a jump moves both guests' clocks
(each from where it is: W32Time may have moved a member's), does what Windows' elapsed-time timers would have done
(the scavenger, MP-1; the time poll, TM-10; timers.py) and is refused past an evaluation image's end (TM-9)."""
from __future__ import annotations

import os
import time
from datetime import datetime, timedelta
from typing import Optional

from trustlab.backends.vagrant import preflight, timers
from trustlab.backends.vagrant.guests import Guests
from trustlab.backends.vagrant.machines import VagrantLab
from trustlab.backends.vagrant.state import VagrantState
from trustlab.engine.backend import StepResult
from trustlab.specs.lab import LabSpec
from trustlab.specs.profiles import BehaviourProfile

MAX_REAL_WAIT = int(os.environ.get("TRUSTLAB_VAGRANT_MAX_REAL_WAIT", "900"))
PAST_EVALUATION = os.environ.get("TRUSTLAB_VAGRANT_PAST_EVALUATION") == "allow"


class ClockSteps:
    """Mixed into VagrantBackend: the steps that move or read clocks, on its guests."""

    state: VagrantState
    lab: LabSpec
    profile: BehaviourProfile
    machines: VagrantLab
    guests: Guests

    def _lab_clock(self, machine: str) -> datetime:
        return self.state.origin + timedelta(seconds=self.now() + self._of(machine).skew)

    def _align(self, machine: str) -> None:
        """A machine's clock to lab time plus its own skew (after a restore, or a boot with the host's time)."""
        self.guests.set_clock(machine, self._lab_clock(machine))

    def _observe(self, machine: str) -> float:
        """A machine's clock minus lab time, as the machine says (W32Time may have moved a member's clock)."""
        known = self._of(machine)
        answer = self.guests[machine].script("machine_state", {})
        seen = (preflight.utc(answer["now"]) - self.state.origin).total_seconds() - self.now()
        if abs(seen - known.skew) > 5:
            known.skew = round(seen)
        return known.skew

    def _past_evaluation(self, jump: float) -> Optional[str]:
        """TM-9: a jump that ends past a machine's evaluation end is refused, unless explicitly allowed."""
        after = self.now() + jump
        names = self.machines.settings.machines
        over = [f"{names[m].hostname} ({left / 86400:.0f} days left)" for m, left in self.state.evaluation.items()
                if left is not None and left - after <= 0]
        if not over:
            return None
        said = (f"a jump of {jump / 86400:.1f} days passes the evaluation end of {', '.join(over)}: an expired "
                f"evaluation shuts Windows down about hourly (TM-9)")
        if PAST_EVALUATION:
            self._note(self.lab.dc, f"{said}; allowed by TRUSTLAB_VAGRANT_PAST_EVALUATION=allow")
            return None
        return (f"{said}; refused before the clocks moved (TRUSTLAB_VAGRANT_PAST_EVALUATION=allow lets it happen, "
                f"with that risk; licensed images avoid it)")

    def _timers(self, start: float, jump: float) -> list[str]:
        """What Netlogon's scavenger (MP-1) and the client's W32Time poll (TM-10) would have done during a jump
        from lab time `start`, done now; both run on elapsed time, so the jump itself fires neither."""
        said = []
        p = self.lab.policies
        max_age = p.machine_password_age or self.profile.machine_password_age
        if self.state.reachable and self.state.member.joined and not p.disable_password_change:
            for at in timers.scavenger_runs(start - self.state.member.password_set_at, jump, max_age):
                answer = self.client.script("rotate_machine_password", {"Domain": self.machines.settings.domain})
                if not answer.get("ok"):
                    said.append(f"the scavenger's change (nltest /sc_change_pwd) failed: "
                                f"{' / '.join(answer.get('lines') or []) or 'no output'}")
                    break
                self.state.member.password_set_at = start + at
                self._note(self.lab.workstations[0], "scavenger changed the machine password (MP-1): "
                                                     "nltest /sc_change_pwd, for the run it would have made")
                said.append(f"the scavenger's change {at / 86400:.1f} days into the jump, done as nltest "
                            f"/sc_change_pwd (Windows' timers run on elapsed time)")
        if (self.state.reachable and self.profile.member_syncs_time_from_dc
                and timers.time_poll_due(jump, self.profile.time_resync_interval)
                and self._observe(self.machines.client) != self._observe(self.machines.dc)):
            answer = self.client.script("sync_time", {})
            self._observe(self.machines.client)
            self._note(self.lab.workstations[0], "time synchronised with the DC (LG-8): w32tm /resync, for the "
                                                 "poll W32Time would have made")
            said.append(f"W32Time's poll done as w32tm /resync ({'ok' if answer.get('ok') else 'failed'})")
        return said

    def do_advance_time(self, by: int) -> StepResult:
        """Both clocks jump by the same amount, each from where it is (a member's W32Time may have moved its own).
        Then what the elapsed-time timers would have done by the end of the jump (timers.py)."""
        refused = self._past_evaluation(by)
        if refused:
            return StepResult.failed(refused)
        start = self.now()
        for machine, on in ((self.machines.dc, self.state.dc.on), (self.machines.client, self.state.member.on)):
            if on:
                self._observe(machine)
        self.state.offset += by
        for machine, on in ((self.machines.dc, self.state.dc.on), (self.machines.client, self.state.member.on)):
            if on:
                self._align(machine)
        return StepResult(output=[f"both clocks moved by {by} s", *self._timers(start, by)])

    def do_wait(self, for_: int) -> StepResult:
        """Real waiting up to TRUSTLAB_VAGRANT_MAX_REAL_WAIT seconds (default 900: one scavenger interval, MP-1);
        a longer wait jumps the clocks by the rest first, then waits that long for real."""
        real = min(for_, MAX_REAL_WAIT)
        jumped = StepResult()
        if for_ > real:
            jumped = self.do_advance_time(for_ - real)
            if jumped.status != "ok":
                return jumped
        time.sleep(real)
        return StepResult(output=[f"waited {real} s for real" + (f" after a {for_ - real} s jump" if for_ > real
                                                                   else ""), *jumped.output[1:]])

    def do_set_clock(self, computer: str, offset: int) -> StepResult:
        """A powered-off machine's clock is its clock chip's (a flat CMOS battery, clock-months-off): it is kept as
        the machine's skew and set at its next cold boot, where `_boot` gives the chip the machine's own time
        (VirtualBox --biossystemtimeoffset, libvirt's `<clock offset='variable'>`, which acts at the next cold boot
        only: notes issue22-hypervisor §2.4) or, on Hyper-V, sets it once WinRM answers."""
        machine = self._vm(computer)
        known = self._of(machine)
        if not known.on:
            known.skew += offset
            return StepResult(output=[f"{computer}'s clock moved by {offset} s while it is off: it boots with it"])
        self._observe(machine)
        known.skew += offset
        self._align(machine)
        return StepResult(output=[f"{computer}'s clock moved by {offset} s"])

    def do_sync_time(self, computer: str) -> StepResult:
        result = self._done(self.client.script("sync_time", {}), "w32tm /resync")
        self._observe(self.machines.client)
        return result
