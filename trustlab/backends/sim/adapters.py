"""The sim's steps about network adapters: a replaced NIC whose old adapter stays hidden with its address, Device
Manager's hidden devices, reinstalling an adapter, entering the address, and the network probe (NW-1..NW-4)."""
from __future__ import annotations

from typing import Optional

from trustlab.backends.sim.world import Workstation, World
from trustlab.engine.backend import StepResult
from trustlab.specs import tools as texts
from trustlab.specs.profiles import BehaviourProfile


def _adapter(ws: Workstation, a) -> dict:
    """An adapter as the network probe reports it; `prefix` and `duplicate` only when they say something (NW-5),
    so every journal recorded before they existed stays as it was."""
    shown = {"name": a.name, "present": a.present, "ipv4": a.static_ip or "DHCP"}
    if a.static_ip and a.prefix != 24:
        shown["prefix"] = a.prefix
    if a.static_ip and a.present and ws.network.duplicate(a):
        shown["duplicate"] = True
    if a.static_ip is None and a.present and ws.network.dhcp_server:
        shown["leased"] = ws.network.address
    return shown


class AdapterSteps:
    """Mixed into SimBackend: the adapter steps, on its `world`."""

    world: World
    profile: BehaviourProfile

    def do_replace_nic(self, computer: str) -> StepResult:
        ws = self.world.workstations[computer]
        ws.network.replace_nic()                                            # NW-1
        ws.netlogon.channel = None
        return StepResult(output=[f"new adapter {ws.network.present.name}; "
                                  f"{', '.join(a.name for a in ws.network.hidden)} now hidden"])

    def do_show_hidden_devices(self, computer: str) -> StepResult:
        ws = self.world.workstations[computer]
        hidden = ws.network.hidden                                          # NW-3
        lines = [f"{a.name} (not present) {a.static_ip or 'DHCP'}" for a in hidden] or ["no hidden network adapters"]
        return StepResult(output=lines, details={"hidden_adapters": len(hidden)})

    def do_remove_ghost_adapters(self, computer: str) -> StepResult:
        ws = self.world.workstations[computer]
        gone = ws.network.remove_hidden()                                   # NW-3
        return StepResult(output=[f"uninstalled {a.name}" for a in gone] or ["no hidden network adapters"])

    def do_reinstall_adapter(self, computer: str) -> StepResult:
        ws = self.world.workstations[computer]
        gone = ws.network.uninstall_present()                               # NW-4
        if gone is None:
            return StepResult.failed("no network adapter present")
        ws.netlogon.channel = None
        return StepResult(output=[f"uninstalled {gone.name} (driver kept); it returns at the next restart"])

    def do_configure_ip(self, computer: str, on_conflict: str, address: Optional[str] = None) -> StepResult:
        ws = self.world.workstations[computer]
        adapter = ws.network.present
        if adapter is None:
            return StepResult.failed("no network adapter present")
        ip, _, prefix = (address or ws.network.address).partition("/")     # NW-5: the address typed stays
        clash = ws.network.conflict(ip)
        if clash is None:
            adapter.static_ip, adapter.prefix = ip, int(prefix or 24)
            return StepResult(output=[f"{adapter.name}: {ip}"])
        warning = texts.DUPLICATE_WARNING.format(ip=ip, name=clash.name)   # NW-2
        if on_conflict == "cancel":
            return StepResult.failed(warning, "Yes: back to the dialog; nothing applied")
        if self.profile.duplicate_ip_applied_on_no:
            adapter.static_ip, adapter.prefix = ip, int(prefix or 24)
            return StepResult(output=[warning, f"No: {adapter.name}: {ip} applied anyway"])
        return StepResult.failed(warning, "No: the address did not stay")

    def do_network(self, computer: str) -> StepResult:
        ws = self.world.workstations[computer]
        status = self.world.network_status(ws)
        adapters = [_adapter(ws, a) for a in ws.network.adapters]
        return StepResult(outcome=status.value, details={"hidden_adapters": len(ws.network.hidden),
                                                         "adapters": adapters})
