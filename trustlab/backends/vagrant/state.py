"""What the vagrant backend knows of the Windows lab between steps: the shared lab state (power, cable, clocks,
password versions, the console session), and for the client who joined it and when its machine password last
changed (the scavenger's clock, MP-1), what each of its snapshots holds, where lab time 0 is on the guests' calendar
and how much evaluation time each image had left then (TM-9)."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Optional

from trustlab.backends.state import Computer, LabState, Member
from trustlab.specs.lab import LabSpec


@dataclass(kw_only=True)
class Client(Member):
    joined: bool = True                    # the golden snapshot's client is joined, by the domain admin
    joined_by: str = "domain_admin"
    password_set_at: float = 0.0           # lab time of the machine password's last change


@dataclass(kw_only=True)
class VagrantState(LabState):
    member: Client
    snapshots: dict[str, Client] = field(default_factory=dict)     # the client as each snapshot of it left it
    origin: Optional[datetime] = None      # lab time 0 on the guests' calendar (the golden snapshot's moment)
    evaluation: dict[str, Optional[float]] = field(default_factory=dict)   # seconds left at lab time 0, by machine

    @classmethod
    def golden(cls, lab: LabSpec) -> "VagrantState":
        return cls(dc=Computer(name=lab.dc), member=Client(name=lab.workstations[0]),
                   versions={user: 1 for user in lab.all_users})
