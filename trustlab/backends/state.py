"""What a real backend knows of its live lab that the lab cannot tell it: which machine is on and plugged in, whether
the member is joined, each user's password version, who is signed in at the member's console, how far the clocks
were moved. Declared once per backend as a dataclass and written as one file in the lab's folder (as molecule keeps
its state.yml), so that a later process goes on where this one stopped. No password is in it: they derive from the
versions (passwords.py)."""
from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import ClassVar, Optional, TypeVar, Union

from pydantic import TypeAdapter

from trustlab.specs.lab import LabSpec

Seconds = Union[int, float]      # kept as written: libfaketime is given whole seconds
State = TypeVar("State", bound="LabState")


@dataclass(kw_only=True)
class Computer:
    name: str
    on: bool = True
    plugged: bool = True
    skew: Seconds = 0            # its clock minus lab time (set_clock; a member's time service may move it)


@dataclass(kw_only=True)
class Member(Computer):
    joined: bool = False


@dataclass(frozen=True)
class Signed:
    """Who is signed in at the member's console, and whether as an administrator."""

    user: str
    admin: bool


@dataclass(kw_only=True)
class LabState:
    dc: Computer
    member: Member
    versions: dict[str, int]               # each user's password version
    session: Optional[Signed] = None
    offset: Seconds = 0                    # lab time moved ahead of real time (time travel)
    started: Optional[float] = None        # wall-clock time (time.time()) of lab time 0, once kept

    FILE: ClassVar[str] = "backend-state.json"

    @classmethod
    def golden(cls: type[State], lab: LabSpec) -> State:
        """What the backend knows of its lab just back at its golden copy: both machines on and plugged in, every
        password at its first version, nobody signed in, the clocks true."""
        return cls(dc=Computer(name=lab.dc), member=Member(name=lab.workstations[0]),
                   versions={user: 1 for user in lab.all_users})

    def computer(self, name: str) -> Computer:
        return self.dc if name == self.dc.name else self.member

    @property
    def reachable(self) -> bool:
        """The member can reach the DC: both on, both plugged in."""
        return all((self.member.on, self.member.plugged, self.dc.on, self.dc.plugged))

    @property
    def admin_signed_in(self) -> bool:
        return self.session is not None and self.session.admin

    def save(self, folder: Path) -> Path:
        """Written whole or not at all (a new file renamed over the old), readable by its owner alone."""
        path = folder / self.FILE
        written = path.with_suffix(".tmp")
        fd = os.open(written, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(_adapter(type(self)).dump_json(self))
        os.replace(written, path)
        return path

    @classmethod
    def load(cls: type[State], folder: Path) -> State:
        return _adapter(cls).validate_json((folder / cls.FILE).read_bytes())


@cache
def _adapter(cls: type) -> TypeAdapter:
    return TypeAdapter(cls)
