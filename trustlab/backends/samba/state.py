"""What the Samba backend knows of its live lab between steps and between processes (a trainee's commands): the
shared lab state (power, cable, membership and the member's name, password versions, clocks, the console session)
and the member's machine password timeout, which its smb.conf gets at every start."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from trustlab.backends.state import LabState


@dataclass(kw_only=True)
class SambaState(LabState):
    machine_password_timeout: Optional[int] = None    # None: winbind's default (TM-7); 0: never changed
