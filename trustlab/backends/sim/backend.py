"""The sim as a backend: its face, and the steps at the console and to the machines themselves (power, cable,
clocks, snapshots, sign-ins); the steps in the directory, about the secure channel and about network adapters are
in accounts.py, trust.py and adapters.py."""
from __future__ import annotations

from typing import Optional

from trustlab.backends.cable import Cable
from trustlab.backends.sim import grouppolicy, timeservice
from trustlab.backends.sim.accounts import AccountSteps
from trustlab.backends.sim.adapters import AdapterSteps
from trustlab.backends.sim.oracle import AsksTheDc
from trustlab.backends.sim.trust import TrustSteps
from trustlab.backends.sim.winlogon import SignedIn, authenticate
from trustlab.backends.sim.world import World
from trustlab.engine.backend import AtConsole, Backend, Check, LabOptions, LabUnavailable, Login, StepResult
from trustlab.specs import tools as texts
from trustlab.specs.lab import LabSpec
from trustlab.specs.profiles import BehaviourProfile


class SimBackend(AsksTheDc, Cable, AccountSteps, TrustSteps, AdapterSteps, Backend):
    name = "sim"

    @classmethod
    def doctor(cls) -> list[Check]:
        return [Check("sim", True, "in-process, on a virtual clock: needs nothing from this machine")]

    @classmethod
    def login(cls, options: LabOptions, machine: str) -> Login:
        raise LabUnavailable("the sim is in-process: `trustlab lab console` types at its computer")

    def __init__(self, lab: LabSpec, profile: BehaviourProfile, seed: int = 0,
                 attach: Optional[LabOptions] = None, fresh: bool = False):
        super().__init__(lab, profile, seed, attach, fresh)
        self.world = World(lab, profile, seed)
        self._seen = 0

    def now(self) -> float:
        return self.world.clock.now

    def console(self, computer: str) -> AtConsole:
        host = self.world.host(computer)
        return AtConsole(host.powered, host.admin_signed_in)

    def background(self) -> list[tuple[float, str, str]]:
        fresh = self.world.notes[self._seen:]
        self._seen = len(self.world.notes)
        return fresh

    def _password(self, user: str, which: str) -> int:
        current = self.world.directory.users[user].password
        return current if which == "current" else current - 1

    # --- time ------------------------------------------------------------------------------------------------------

    def do_advance_time(self, by: int) -> StepResult:
        self.world.advance(by)
        return StepResult()

    def do_wait(self, for_: int) -> StepResult:
        self.world.advance(for_)
        return StepResult()

    def do_set_clock(self, computer: str, offset: int) -> StepResult:
        self.world.host(computer).offset += offset                          # LG-8, MP-8
        return StepResult()

    def do_read_clock(self, computer: str) -> StepResult:
        ws = self.world.workstations[computer]
        offset = ws.offset - self.world.dc.offset                           # LG-8, TM-3: what Kerberos compares
        return StepResult(details={"local": ws.local_time(), "dc": self.world.dc_time(), "offset": offset})

    def do_refresh_policy(self, computer: str) -> StepResult:
        ws = self.world.workstations[computer]
        if grouppolicy.apply(ws):                                           # TM-2, now
            return StepResult(output=list(texts.GPUPDATE_OK))
        why = texts.GP_NO_AUTH if self.world.reachable(ws) else texts.GP_NO_DC
        return StepResult.failed(*texts.GPUPDATE_FAILED, why)

    def do_sync_time(self, computer: str) -> StepResult:
        ws = self.world.workstations[computer]
        if not timeservice.sync(ws):                                        # LG-8
            return StepResult.failed("The computer did not resync because no time data was available.")
        return StepResult(output=["The command completed successfully."])

    # --- the machines themselves ---------------------------------------------------------------------------------

    def do_power_off(self, computer: str) -> StepResult:
        host = self.world.host(computer)
        if not host.powered:
            return StepResult.failed(texts.ALREADY_OFF.format(computer=computer))
        host.shutdown()
        return StepResult()

    def do_power_on(self, computer: str) -> StepResult:
        host = self.world.host(computer)
        if host.powered:
            return StepResult.failed(texts.ALREADY_ON.format(computer=computer))
        host.boot()
        return StepResult()

    def set_link(self, computer: str, plugged: bool) -> None:
        self.world.host(computer).set_cable(plugged)

    def linked(self, computer: str) -> bool:
        return self.world.host(computer).cable

    def do_reboot(self, computer: str) -> StepResult:
        ws = self.world.workstations[computer]
        ws.shutdown()
        ws.boot()
        return StepResult()

    def do_snapshot(self, computer: str, name: str) -> StepResult:
        ws = self.world.workstations[computer]
        ws.snapshots[name] = ws.disk()
        return StepResult()

    def do_restore_snapshot(self, computer: str, name: str) -> StepResult:
        ws = self.world.workstations[computer]
        if name not in ws.snapshots:
            return StepResult.failed(texts.NO_SNAPSHOT.format(computer=computer, name=name))
        ws.restore(ws.snapshots[name])                                       # MP-6
        if ws.powered:
            ws.shutdown()
            ws.boot()
        return StepResult()

    # --- at the console ----------------------------------------------------------------------------------------------

    def do_local_admin_logon(self, computer: str) -> StepResult:
        ws = self.world.workstations[computer]
        ws.winlogon.session = SignedIn("Administrator", admin=True, local=True)
        return StepResult(output=[f"{ws.name}\\Administrator signed in"])

    def do_logon(self, computer: str, user: str, password: str) -> StepResult:
        ws = self.world.workstations[computer]
        outcome = authenticate(ws, user, self._password(user, password))
        if outcome.usable:
            ws.winlogon.session = SignedIn(user, admin=user == self.lab.admin)
            ws.winlogon.profiles.add(user)
        return StepResult.of(outcome)

    def do_lock_unlock(self, computer: str, user: str, password: str) -> StepResult:
        ws = self.world.workstations[computer]
        session = ws.winlogon.session
        if session is None or session.user != user:
            return StepResult.failed(texts.NOT_SIGNED_IN.format(user=user, computer=ws.name))
        outcome = authenticate(ws, user, self._password(user, password))   # LG-4
        return StepResult.of(outcome)

    def do_sign_out(self, computer: str) -> StepResult:
        ws = self.world.workstations[computer]
        session, ws.winlogon.session = ws.winlogon.session, None
        return StepResult(output=[f"{session.user} signed out" if session else "nobody was signed in"])

    def do_delete_profile(self, computer: str, user: str) -> StepResult:
        ws = self.world.workstations[computer]
        if ws.winlogon.session and ws.winlogon.session.user == user:
            return StepResult.failed(f"{user} is signed in; the profile is in use")
        ws.winlogon.profiles.discard(user)          # the cached verifiers are elsewhere (HKLM\SECURITY\Cache)
        return StepResult(output=[f"deleted the profile of {user}"])
