"""The Windows lab's network adapters: a replaced NIC model (the lab MAC kept) that leaves the old adapter hidden
with its address (NW-1), Device Manager's hidden devices and pnputil (NW-3, NW-4), entering the address (NW-2), and
the network probe."""
from __future__ import annotations

from typing import Any

from trustlab.backends.vagrant.guests import Guests
from trustlab.backends.vagrant.machines import VagrantLab
from trustlab.backends.vagrant.providers import LAB_NIC
from trustlab.backends.vagrant.state import VagrantState
from trustlab.backends.vagrant.status import network_status
from trustlab.engine.backend import StepResult
from trustlab.specs.outcomes import NetworkStatus


class AdapterSteps:
    """Mixed into VagrantBackend: the adapter steps, on the client."""

    state: VagrantState
    machines: VagrantLab
    guests: Guests

    def do_replace_nic(self, computer: str) -> StepResult:
        """Off, another NIC model in the lab slot with the lab MAC kept (NW-1), on again without Vagrant (which would
        give the new adapter the lab address: the hidden one must keep it)."""
        machine = self.machines.client
        said = self._shut_down(machine) if self.state.member.on else []
        model = self.machines.replace_nic(machine)
        self.machines.cable(machine, self._of(machine).plugged)      # a new Hyper-V adapter comes connected
        self.state.session = None
        said += self._boot(machine) if self.state.member.on else []
        return StepResult(output=[f"the lab NIC (slot {LAB_NIC} on VirtualBox) is now {model}, with the lab MAC; "
                                  f"Windows finds a new adapter", *said])

    def do_show_hidden_devices(self, computer: str) -> StepResult:
        answer = self._network()
        hidden = answer.get("hidden", [])
        return StepResult(details={"hidden_adapters": len(hidden)},
                          output=[f"{h['name']}: hidden, static {', '.join(h.get('static_ipv4') or []) or 'none'}"
                                  for h in hidden])

    def do_remove_ghost_adapters(self, computer: str) -> StepResult:
        answer = self.client.script("remove_ghost_adapters", {})
        if answer.get("failed"):
            return StepResult.failed(f"pnputil could not remove: {', '.join(answer['failed'])}")
        restart = ["pnputil: a restart completes it (3010)"] if answer.get("restart_needed") else []
        return StepResult(output=[f"removed {name}" for name in answer.get("removed", [])] + restart)

    def do_reinstall_adapter(self, computer: str) -> StepResult:
        answer = self.client.script("reinstall_adapter", {"MacAddress": self._mac()})
        if not answer.get("ok"):
            return self._done(answer, f"pnputil /remove-device (exit {answer.get('exit_code')})")
        self._restart()
        return StepResult(output=["uninstalled the adapter and restarted; Windows detected it again (NW-4)"])

    def do_configure_ip(self, computer: str, on_conflict: str) -> StepResult:
        s = self.machines.settings
        answer = self.client.script("configure_ip", {
            "MacAddress": self._mac(), "Address": self.client_machine.ip,
            "PrefixLength": int(s.network.prefix.split("/")[1]), "DnsServer": self.dc_machine.ip,
            "OnConflict": on_conflict})
        if not answer.get("ok"):
            return self._done(answer, "configure the address")
        if answer.get("conflict") and not answer.get("applied"):
            return StepResult(output=["the address is held by a hidden adapter (NW-2); cancelled"],
                              details={"conflict": True, "applied": False})
        return StepResult(details={"conflict": bool(answer.get("conflict")), "applied": True})

    def _network(self) -> dict[str, Any]:
        return self.client.script("network", {"DcAddress": self.dc_machine.ip, "Address": self.client_machine.ip})

    def do_network(self, computer: str) -> StepResult:
        if not self.state.member.on:
            return StepResult(outcome=NetworkStatus.POWERED_OFF.value)
        answer = self._network()
        status = network_status(answer, self._mac(), self._of(self.machines.client).plugged)
        adapters = ([{"name": a["name"], "present": True, "ipv4": ", ".join(a.get("ipv4") or []) or "none"}
                     for a in answer.get("present", [])]
                    + [{"name": h["name"], "present": False, "ipv4": ", ".join(h.get("static_ipv4") or []) or "DHCP"}
                       for h in answer.get("hidden", [])])
        return StepResult(outcome=status.value, details={"hidden_adapters": len(answer.get("hidden", [])),
                                                         "adapters": adapters})
