"""The two Windows machines as trustlab reaches them: its own WinRM connections (the DC as the lab admin, the client
as the box's local administrator), made anew when a machine's address changes (Hyper-V's and libvirt's management
addresses come from DHCP and may differ after a start), their clocks, and the preflight run on them."""
from __future__ import annotations

import time
from datetime import datetime
from typing import TYPE_CHECKING, Any, Optional

from trustlab.backends.vagrant import extra, preflight
from trustlab.backends.vagrant.settings import Secrets
from trustlab.engine.backend import Check, LabUnavailable

if TYPE_CHECKING:
    from trustlab.backends.vagrant.machines import VagrantLab
    from trustlab.backends.vagrant.winrm import Client

LOCAL_ADMIN = ("vagrant", "vagrant")     # the boxes' local administrator; Vagrant itself signs in with it too
ONLINE_DEADLINE = 240                    # seconds for the client to reach the DC again after its cable is back
ANSWER_DEADLINE = 1200                   # seconds for a started or restored machine to answer WinRM


class Guests:
    def __init__(self, machines: "VagrantLab", secrets: Secrets):
        self.machines, self.secrets = machines, secrets
        s = machines.settings
        self.credentials = {machines.dc: (f"{s.domain}\\{s.admin}", secrets.password(s.admin, 1)),
                            machines.client: LOCAL_ADMIN}
        self._clients: dict[str, tuple[tuple[str, int], "Client"]] = {}
        self.facts: Optional[preflight.Facts] = None
        self.last_checks: list[Check] = []

    def __getitem__(self, machine: str) -> "Client":
        if machine not in self._clients:
            self.reconnect(machine)
        return self._clients[machine][1]

    @property
    def dc(self) -> "Client":
        return self[self.machines.dc]

    @property
    def client(self) -> "Client":
        return self[self.machines.client]

    def reconnect(self, machine: str, restored: bool = False) -> None:
        """After a start or a restore: until the machine itself answers WinRM, within a deadline, reading its address
        anew each time (a DHCP address may change after a start; Vagrant may name the last boot's lease, which
        nobody or another machine answers at). After a restore the disk is the snapshot's, so scripts staged since
        then are gone (`restored`)."""
        deadline = time.monotonic() + ANSWER_DEADLINE
        address = self.machines.winrm_address(machine)
        while True:
            self._connect(machine, address)
            if self.answers(machine):
                break
            if time.monotonic() > deadline:
                raise LabUnavailable(f"{machine} did not answer WinRM at {address[0]}:{address[1]} within "
                                     f"{ANSWER_DEADLINE:g} s")
            time.sleep(5)
            address = self.machines.winrm_address(machine)
        if restored:
            self[machine].forget_staged()

    def _connect(self, machine: str, address: tuple[str, int]) -> None:
        """A client for the address; the one already made is kept if the address is the same."""
        extra.require("winrm")
        from trustlab.backends.vagrant.winrm import Client, endpoint_from_env

        known = self._clients.get(machine)
        if not known or known[0] != address:
            if known:
                known[1].close()
            self._clients[machine] = (address, Client(endpoint_from_env(*address, *self.credentials[machine])))

    def answers(self, machine: str) -> bool:
        """Whether the machine answers at its address, and not the lab's other machine: on one management network a
        stale lease may be the other's now, and `hostname` names who answered (a rejoin may rename the client, so
        its own name is not the test)."""
        try:
            said = self[machine].run("hostname", deadline=60)
        except Exception:                   # refused, reset, timed out or not yet authenticated: not up yet
            return False
        others = {m.hostname.upper() for n, m in self.machines.settings.machines.items() if n != machine}
        return said.stdout.strip().upper() not in others

    def set_clock(self, machine: str, at: datetime) -> dict[str, Any]:
        return self[machine].script("set_clock", {"At": at.isoformat(timespec="milliseconds")})

    def online(self) -> bool:
        """Whether the client reaches the DC over the lab network (LDAP on the DC's lab address)."""
        s = self.machines.settings
        answer = self.client.script("network", {"DcAddress": s.machine("dc")[1].ip,
                                                "Address": s.machine("client")[1].ip}, deadline=60)
        return bool(answer.get("dc_reachable"))

    def preflight(self, lab_now, evaluation_left=None) -> list[Check]:
        """Read and judge both guests (the cable pulled for the offline check, then plugged in again).
        `lab_now()` is what the clocks should say; `evaluation_left(facts)` each machine's seconds of evaluation
        (default: from the guests' own evaluation ends and their clocks)."""
        s = self.machines.settings
        self.facts = preflight.gather(
            s, self.dc, self.client, lambda plugged: self.machines.cable(self.machines.client, plugged),
            lambda: preflight.wait(self.online, ONLINE_DEADLINE, "the client did not reach the DC again after its "
                                                                 "lab cable was plugged back in"), lab_now)
        left = (evaluation_left or self.evaluation_left)(self.facts)
        self.last_checks = preflight.judge(s, self.facts, left)
        return self.last_checks

    def evaluation_left(self, facts: preflight.Facts) -> dict[str, Optional[float]]:
        """Each machine's evaluation end against its own clock, as the guests just said them."""
        left = {}
        for machine, f in ((self.machines.dc, facts.dc), (self.machines.client, facts.client)):
            end = f.get("evaluation_end")
            left[machine] = None if end is None else (preflight.utc(end) - preflight.utc(f["clock"])).total_seconds()
        return left

    def evaluation_ends(self) -> dict[str, Optional[str]]:
        facts = self.facts
        assert facts is not None, "the preflight reads the evaluation ends"
        return {self.machines.dc: facts.dc.get("evaluation_end"), self.machines.client: facts.client.get("evaluation_end")}

    def close(self) -> None:
        for _, client in self._clients.values():
            client.close()
        self._clients.clear()
