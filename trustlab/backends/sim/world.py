"""The simulated domain: one DC, its directory, and workstations with their components, on one virtual clock."""
from __future__ import annotations

import copy
import itertools
from dataclasses import dataclass
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


@dataclass
class Host:
    name: str
    powered: bool = True
    cable: bool = True
    offset: float = 0.0


class Workstation:
    def __init__(self, world: "World", name: str, address: str):
        self.world, self.name = world, name
        self.powered, self.offset, self.boot_time = True, 0.0, 0.0
        self.network = Network.build(address, world.lab.addressing == "dhcp")
        self.netlogon = Netlogon()
        self.winlogon = Winlogon()
        self.policy = ComputerPolicy(10, world.profile.machine_password_age, False)  # local defaults (LG-3, MP-1)
        self.snapshots: dict[str, tuple] = {}

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
        self.dc = Host(lab.dc)
        self.workstations = {name: Workstation(self, name, f"10.0.0.{11 + i}")
                             for i, name in enumerate(lab.workstations)}
        self.notes: list[tuple[float, str, str]] = []
        self._secrets = itertools.count(1000)
        for ws in self.workstations.values():
            self.clock.timers += [timeservice.TimeSync(ws), Scavenger(ws), grouppolicy.GroupPolicyRefresh(ws)]

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
        self.clock.advance(seconds)
