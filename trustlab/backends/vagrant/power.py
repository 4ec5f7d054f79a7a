"""The Windows lab's machines themselves, through the hypervisor (providers.py): shutting down and booting (the
cable as trustlab left it, the clock chip at the machine's own time), the cable, restarts, and snapshots."""
from __future__ import annotations

import time
from dataclasses import replace
from datetime import datetime, timezone

from trustlab.backends.cable import Cable
from trustlab.backends.vagrant.guests import Guests
from trustlab.backends.vagrant.machines import VagrantLab
from trustlab.backends.vagrant.state import VagrantState
from trustlab.engine.backend import LabUnavailable, StepResult
from trustlab.specs import tools as texts
from trustlab.specs.lab import LabSpec

BOOT_DEADLINE = 1200
SHUTDOWN_DEADLINE = 300


class PowerSteps(Cable):
    """Mixed into VagrantBackend: the machines' steps; the cable's three steps are Cable's, on the lab NIC."""

    flap_pause = 5.0                      # long enough for Windows to see the link go
    state: VagrantState
    lab: LabSpec
    machines: VagrantLab
    guests: Guests

    def _shut_down(self, machine: str) -> list[str]:
        """As a user shuts Windows down; a machine that does not go off within the deadline is powered off."""
        self._observe(machine)
        self.guests[machine].script("shutdown", {})
        if self.machines.wait_off(machine, SHUTDOWN_DEADLINE):
            return []
        self.machines.power_off(machine)
        return [f"{machine} did not shut down within {SHUTDOWN_DEADLINE} s and was powered off"]

    def do_power_off(self, computer: str) -> StepResult:
        machine = self._vm(computer)
        known = self._of(machine)
        if not known.on:
            return StepResult.failed(texts.ALREADY_OFF.format(computer=computer))
        said = self._shut_down(machine)
        known.on = False
        if known is self.state.member:
            self.state.session = None
        return StepResult(output=said)

    def _boot(self, machine: str) -> list[str]:
        """A cold boot from the provider: the cable as trustlab left it, and the machine's clock chip at its own
        time (a laptop's battery-backed clock keeps it; a VM's follows the host's unless told), then WinRM."""
        said = []
        self.machines.cable(machine, self._of(machine).plugged)
        own_clock = self._lab_clock(machine)
        clock_chip = self.machines.boot_clock(machine, (own_clock - datetime.now(timezone.utc)).total_seconds())
        self.machines.start(machine)
        self.guests.reconnect(machine)
        if clock_chip:
            self._observe(machine)
        elif machine == self.machines.client and self.state.reachable:
            answer = self.client.script("sync_time", {})     # what the member's W32Time does at the boot (LG-8)
            self._observe(machine)
            said.append("Hyper-V gives a booting guest the host's clock: the boot's time sync done as w32tm /resync "
                        f"({'ok' if answer.get('ok') else 'failed'})")
        else:
            self._align(machine)
            said.append("Hyper-V gives a booting guest the host's clock: set to the machine's own once WinRM answered")
        return said

    def do_power_on(self, computer: str) -> StepResult:
        machine = self._vm(computer)
        known = self._of(machine)
        if known.on:
            return StepResult.failed(texts.ALREADY_ON.format(computer=computer))
        known.on = True
        return StepResult(output=self._boot(machine))

    def set_link(self, computer: str, plugged: bool) -> None:
        machine = self._vm(computer)
        self.machines.cable(machine, plugged)
        self._of(machine).plugged = plugged

    def linked(self, computer: str) -> bool:
        return self._of(self._vm(computer)).plugged

    def do_reboot(self, computer: str) -> StepResult:
        self._restart()
        return StepResult()

    def do_snapshot(self, computer: str, name: str) -> StepResult:
        machine = self._vm(computer)
        self.machines.snapshot(machine, name)
        if machine == self.machines.client:
            self.state.snapshots[name] = replace(self.state.member)
        return StepResult()

    def do_restore_snapshot(self, computer: str, name: str) -> StepResult:
        """The machine's disk and memory as they were; its clock follows lab time, as the sim's does; the scripts
        staged since are gone from its disk."""
        machine = self._vm(computer)
        self.machines.restore(machine, name)
        self.guests.reconnect(machine, restored=True)
        if machine == self.machines.client:             # booted from the snapshot: nobody signed in
            client = self.state.member
            saved = self.state.snapshots.get(name, client)
            self.state.session, client.on = None, True
            client.joined, client.joined_by = saved.joined, saved.joined_by
            client.plugged, client.password_set_at = saved.plugged, saved.password_set_at
        self._align(machine)
        return StepResult()

    def _wait_for_boot(self) -> None:
        """Until WinRM answers from the new boot: the volatile key restart.ps1 left is gone (boot times follow the
        clock, which the harness moves), within a deadline."""
        deadline = time.monotonic() + BOOT_DEADLINE
        while time.monotonic() < deadline:
            try:
                if not self.client.script("machine_state", {}, deadline=60).get("marked"):
                    return
            except Exception:           # connection refused, reset or timed out: on its way down or up
                pass
            time.sleep(10)
        raise LabUnavailable(f"{self.lab.workstations[0]} did not come back within {BOOT_DEADLINE} s")

    def _restart(self) -> None:
        """A warm restart: the VM's clock chip keeps the guest's time, so the clock needs nothing from us; W32Time
        takes the DC's time at the boot if it can reach it (LG-8)."""
        self.client.script("restart", {})
        self._wait_for_boot()
        self.state.session = None
        self._note(self.lab.workstations[0], "restarted")
