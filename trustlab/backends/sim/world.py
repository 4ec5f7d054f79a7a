"""The simulated domain: one DC, its directory, and workstations with their components, on one virtual clock."""
from __future__ import annotations

import copy
import itertools
from abc import ABC, abstractmethod
from typing import Optional

from trustlab.backends.sim import grouppolicy, timeservice
from trustlab.backends.sim.clock import Clock
from trustlab.backends.sim.directory import Directory
from trustlab.backends.sim.grouppolicy import ComputerPolicy
from trustlab.backends.sim.netlogon import Netlogon, Scavenger
from trustlab.backends.sim.network import Network
from trustlab.backends.sim.winlogon import Winlogon
from trustlab.specs.lab import LabSpec
from trustlab.specs.outcomes import NetworkStatus
from trustlab.specs.profiles import BehaviourProfile


class Host(ABC):
    """What every computer of the lab answers alike, the DC as a workstation: is it on, is its cable in, how far is
    its clock off, is an administrator signed in at it; and starting, stopping, plugging and pulling it."""

    world: "World"
    name: str
    powered: bool
    cable: bool                           # its network cable is plugged in
    offset: float                         # its clock minus world time

    @property
    @abstractmethod
    def admin_signed_in(self) -> bool: ...

    @abstractmethod
    def set_cable(self, plugged: bool) -> None: ...

    @abstractmethod
    def boot(self) -> None: ...

    @abstractmethod
    def shutdown(self) -> None: ...


class DomainController(Host):
    """The DC: when it goes away (off, or its cable out), every member's established secure channel goes with it;
    nobody signs in at its console in this lab."""

    def __init__(self, world: "World", name: str):
        self.world, self.name = world, name
        self.powered, self.offset, self.cable = True, 0.0, True

    @property
    def admin_signed_in(self) -> bool:
        return False

    def set_cable(self, plugged: bool) -> None:
        self.cable = plugged
        if not plugged:
            self.world.drop_channels()

    def boot(self) -> None:
        self.powered = True

    def shutdown(self) -> None:
        self.powered = False
        self.world.drop_channels()


class Workstation(Host):
    """A member: its adapters and cable (network), its secure channel (netlogon), sign-ins and cached verifiers
    (winlogon), the computer policy it applied, and the snapshots taken of its disk."""

    def __init__(self, world: "World", name: str, address: str):
        self.world, self.name = world, name
        self.powered, self.offset, self.boot_time = True, 0.0, 0.0
        self.network = Network.build(address, world.lab.addressing == "dhcp")
        self.netlogon = Netlogon()
        self.winlogon = Winlogon()
        self.policy = ComputerPolicy(10, world.profile.machine_password_age, False)  # local defaults (LG-3, MP-1)
        self.snapshots: dict[str, tuple] = {}

    @property
    def cable(self) -> bool:
        return self.network.cable

    @property
    def admin_signed_in(self) -> bool:
        session = self.winlogon.session
        return session is not None and session.admin

    def set_cable(self, plugged: bool) -> None:
        self.network.cable = plugged
        if not plugged:
            self.netlogon.channel = None

    def local_time(self) -> float:
        return self.world.clock.now + self.offset

    def disk(self) -> tuple:
        """What a snapshot keeps: everything on disk, nothing in memory (no channel, no session)."""
        nl = copy.copy(self.netlogon)
        nl.channel = None
        return copy.deepcopy((nl, self.winlogon.cache, self.winlogon.profiles, self.network, self.policy))

    def restore(self, disk: tuple) -> None:
        nl, cache, profiles, network, policy = copy.deepcopy(disk)
        self.netlogon, self.network, self.policy = nl, network, policy
        self.winlogon = Winlogon(cache, profiles)

    def boot(self) -> None:
        """Power on: PnP detection, then, with the DC in reach, time (LG-8), the secure channel and computer
        Group Policy (TM-2)."""
        self.powered, self.boot_time = True, self.world.clock.now
        self.winlogon.session, self.netlogon.channel = None, None
        self.network.boot()
        if self.netlogon.joined and self.world.reachable(self):
            if self.world.profile.member_syncs_time_from_dc:
                timeservice.sync(self)
            grouppolicy.apply(self)

    def shutdown(self) -> None:
        self.powered = False
        self.winlogon.session, self.netlogon.channel = None, None


class World:
    def __init__(self, lab: LabSpec, profile: BehaviourProfile, seed: int = 0):
        self.lab, self.profile, self.seed = lab, profile, seed
        self.clock = Clock()
        self.directory = Directory.build(lab, profile)
        self.dc = DomainController(self, lab.dc)
        self.workstations = {name: Workstation(self, name, f"10.0.0.{11 + i}")
                             for i, name in enumerate(lab.workstations)}
        self.notes: list[tuple[float, str, str]] = []
        self._secrets = itertools.count(1000)
        for ws in self.workstations.values():
            self.clock.timers += [timeservice.TimeSync(ws), Scavenger(ws), grouppolicy.GroupPolicyRefresh(ws)]

    def host(self, name: str) -> Host:
        """The DC or a workstation, by name."""
        return self.dc if name == self.dc.name else self.workstations[name]

    def drop_channels(self) -> None:
        """The DC went away: no member keeps an established secure channel."""
        for ws in self.workstations.values():
            ws.netlogon.channel = None

    def rename(self, ws: "Workstation", name: str) -> None:
        """The computer is known by a new name from now on (a rejoin under a new name, SC-7)."""
        self.workstations[name] = self.workstations.pop(ws.name)
        ws.name = name

    def new_secret(self) -> int:
        """A fresh random machine password (MP-9); a number here, since only equality matters."""
        return next(self._secrets)

    def dc_time(self) -> float:
        return self.clock.now + self.dc.offset

    def network_status(self, ws: Workstation) -> NetworkStatus:
        if not ws.powered:
            return NetworkStatus.POWERED_OFF
        status = ws.network.status()
        if status is NetworkStatus.UP and not (self.dc.powered and self.dc.cable):
            return NetworkStatus.DC_DOWN
        return status

    def reachable(self, ws: Workstation) -> bool:
        return ws.powered and self.dc.powered and self.dc.cable and ws.network.status() is NetworkStatus.UP

    def note(self, ws: Optional[Workstation], text: str) -> None:
        """Something that happened in the background, for the journal's timeline."""
        self.notes.append((self.clock.now, ws.name if ws else self.dc.name, text))

    def advance(self, seconds: float) -> None:
        """Time passes; with the profile's `one_password_change_per_jump` (MP-12) the scavengers wait for the end of
        the jump and then change an overdue password once."""
        if not self.profile.one_password_change_per_jump:
            self.clock.advance(seconds)
            return
        timers = self.clock.timers
        self.clock.timers = [t for t in timers if not isinstance(t, Scavenger)]
        try:
            self.clock.advance(seconds)
        finally:
            self.clock.timers = timers
        for timer in timers:
            if isinstance(timer, Scavenger) and timer.overdue():
                timer.fire()
