"""The Samba lab's machines themselves: power (stopping and starting their daemons), the cable (the veth link),
restarts, snapshots of the member's state, and the network probe."""
from __future__ import annotations

import shutil

from trustlab.backends.cable import Cable
from trustlab.backends.samba import dc as dc_mod
from trustlab.backends.samba import member as member_mod
from trustlab.backends.samba import netns
from trustlab.backends.samba.domain import SambaLab, copy_state
from trustlab.backends.samba.node import Node
from trustlab.backends.samba.state import SambaState
from trustlab.engine.backend import StepResult
from trustlab.specs import tools as texts
from trustlab.specs.lab import LabSpec
from trustlab.specs.outcomes import NetworkStatus


class PowerSteps(Cable):
    """Mixed into SambaBackend: the machines' steps, on its nodes; the cable's three steps are Cable's, on the veth
    link."""

    state: SambaState
    lab: LabSpec
    domain: SambaLab
    dc_node: Node
    member_node: Node

    def _node(self, computer: str) -> Node:
        return self.dc_node if computer == self.lab.dc else self.member_node

    def _power(self, computer: str, on: bool) -> StepResult:
        machine = self.state.computer(computer)
        if machine.on == on:
            return StepResult.failed((texts.ALREADY_ON if on else texts.ALREADY_OFF).format(computer=computer))
        machine.on = on
        if machine is self.state.dc:
            self._start_dc(power_cut=not on)
            self._tell_winbind()
        else:
            self._start_member(power_cut=not on)
        return StepResult()

    def do_power_off(self, computer: str) -> StepResult:
        return self._power(computer, False)

    def do_power_on(self, computer: str) -> StepResult:
        return self._power(computer, True)

    def do_reboot(self, computer: str) -> StepResult:
        self._start_member()
        return StepResult()

    def set_link(self, computer: str, plugged: bool) -> None:
        node = self._node(computer)
        netns.set_link(node.ns, node.dev, plugged)
        self.state.computer(computer).plugged = plugged
        self._tell_winbind()

    def linked(self, computer: str) -> bool:
        return self.state.computer(computer).plugged

    def do_snapshot(self, computer: str, name: str) -> StepResult:
        node = self.member_node
        node.stop_all()
        target = self.domain.dir / "scratch" / "snapshots" / name
        shutil.rmtree(target, ignore_errors=True)
        copy_state(node.dir, target / "member")
        (target / "joined").write_text(f"{int(self.state.member.joined)} {self.state.member.name}")
        self._start_member()
        return StepResult()

    def do_restore_snapshot(self, computer: str, name: str) -> StepResult:
        source = self.domain.dir / "scratch" / "snapshots" / name
        if not source.exists():
            return StepResult.failed(texts.NO_SNAPSHOT.format(computer=computer, name=name))
        node = self.member_node
        node.stop_all()
        shutil.rmtree(node.dir, ignore_errors=True)
        copy_state(source / "member", node.dir)
        joined, self.state.member.name = (source / "joined").read_text().split()
        self.state.member.joined = joined == "1"
        self._start_member()
        return StepResult()

    def do_network(self, computer: str) -> StepResult:
        if not self.state.member.on:
            status = NetworkStatus.POWERED_OFF
        elif not self.state.member.plugged:
            status = NetworkStatus.UNPLUGGED
        else:
            status = NetworkStatus.UP if self._dc_reachable() else NetworkStatus.DC_DOWN
        node = self.member_node
        adapters = [{"name": node.dev, "present": True, "ipv4": node.address}]
        return StepResult(outcome=status.value, details={"hidden_adapters": 0, "adapters": adapters})

    def _start_member(self, power_cut: bool = False) -> None:
        """Boot: winbindd from the member's state (when joined); told it is offline when the cable is out.
        `power_cut`: what runs is killed at once (power_off), not asked to stop."""
        node = self.member_node
        node.stop_all(power_cut)
        self.state.session = None
        member_mod.configure(node, self.lab.domain, self.lab.realm, self.state.member.name,
                             self.state.machine_password_timeout)
        if self.state.member.on and self.state.member.joined:
            member_mod.start_winbindd(node)
            if not self.state.reachable:
                member_mod.control(node, "offline")

    def _start_dc(self, power_cut: bool = False) -> None:
        self.dc_node.stop_all(power_cut)
        if self.state.dc.on:
            dc_mod.start(self.dc_node, self.lab.realm)

    def _tell_winbind(self) -> None:
        """winbindd alone is slow to notice a link or a DC coming and going (samba-lab.md): tell it."""
        if self.state.member.on and self.state.member.joined:
            member_mod.control(self.member_node, "online" if self.state.reachable else "offline")

    def _dc_reachable(self) -> bool:
        """Observed with a TCP connect from the member's namespace, which fails at once when the link is down
        (winbind's own ping takes 12 s to say no)."""
        return netns.answers(self.member_node.ns, self.dc_node.address, (389,))
