"""Stand-ins for the tools the vagrant backend drives (VBoxManage, virsh, vagrant, Hyper-V's PowerShell), sharing
one model of the machines in a JSON file ($TRUSTLAB_STANDIN). Each rule models a documented behaviour that a fix
relies on, with its source; anything else is refused loudly, so a test can only pass by doing what the real tool
allows. This is not a hypervisor: it keeps the state the tools report and refuse by."""
from __future__ import annotations

import base64
import json
import os
import re
import sys
import time
import uuid
from pathlib import Path

DEFAULT_MODEL = {"virtualbox": "82540EM", "libvirt": "e1000e", "hyperv": "synthetic"}


class Refused(Exception):
    """What the real tool prints on stderr before exiting 1."""


class Complained(Refused):
    """An error VBoxManage prints on stderr while exiting 0 (hashicorp/vagrant driver/base.rb:433-438 checks stderr
    for "VBoxManage...: error:" because of it)."""


def path() -> Path:
    return Path(os.environ["TRUSTLAB_STANDIN"])


def load() -> dict:
    return json.loads(path().read_text())


def save(state: dict) -> None:
    path().write_text(json.dumps(state, indent=1, sort_keys=True))


def create(folder: Path, provider: str, machines: dict[str, dict]) -> dict:
    """A lab as `vagrant up` leaves it: every machine running, its lab NIC plugged with the Vagrantfile's MAC, and
    Vagrant's record of it under .vagrant/machines/NAME/PROVIDER/id. `machines`: name -> {mac, port}."""
    state = {"folder": str(folder), "provider": provider, "calls": [], "machines": {}}
    for name, m in machines.items():
        ident = str(uuid.uuid4()) if provider != "libvirt" else f"trustlab_{name}"
        state["machines"][name] = {"id": ident, "state": "running", "port": m["port"],
                                   "lab_mac": m["mac"], "nic": _nic(provider, m["mac"]), "snapshots": {},
                                   "boot_offset": None, "boots": 1}
        record = folder / ".vagrant" / "machines" / name / provider / "id"
        record.parent.mkdir(parents=True, exist_ok=True)
        record.write_text(ident)
    return state


def _nic(provider: str, mac: str) -> dict:
    return {"mac": mac, "cable": True, "model": DEFAULT_MODEL[provider], "instance": str(uuid.uuid4())}


def by_id(state: dict, ident: str) -> dict:
    for m in state["machines"].values():
        if m["id"] == ident and m["state"] != "not_created":
            return m
    raise Refused(f"Could not find a registered machine named '{ident}'")


def main(tool) -> None:
    """Run one stand-in command: `tool(state, argv) -> stdout`; a refusal goes to stderr with exit 1."""
    state = load()
    state["calls"].append([Path(sys.argv[0]).name, *sys.argv[1:]])
    try:
        out = tool(state, sys.argv[1:])
    except Refused as e:
        save(state)
        sys.stderr.write(f"{e}\n")
        sys.exit(0 if isinstance(e, Complained) else 1)
    save(state)
    sys.stdout.write(out)


# --- VirtualBox ----------------------------------------------------------------------------------------------------

# VMState as showvminfo prints it for the stand-in's states; those in TRANSIENT move on by themselves after being seen
# once (stopping -> poweroff, saving -> saved: hashicorp/vagrant templates/locales/en.yml:2381-2432).
VMSTATE = {"off": "poweroff"}
TRANSIENT = {"stopping": "off", "saving": "saved"}
LOCKED = "VBoxManage: error: The machine '{}' is already locked for a session (or being unlocked)"


def vboxmanage(state: dict, argv: list[str]) -> str:
    """VBoxManage as the VirtualBox manual describes it: `controlvm` changes a running or paused VM and refuses any
    other, `modifyvm` changes one that is not running (the settings are locked by the session otherwise), a snapshot
    is restored with the VM powered off, and a live snapshot restores the running state. A machine's `busy` list
    makes its next calls fail as a session lock held for a moment does, each `exit1` or `exit0` (the error on stderr
    only); VirtualBox's wording is not in a stored source (notes issue22-hypervisor §3 #11)."""
    command, *rest = argv
    if command == "--version":
        return "7.0.14r161095\n"
    m = by_id(state, rest[0])
    if m.get("busy"):
        kind = m["busy"].pop(0)
        raise (Complained if kind == "exit0" else Refused)(LOCKED.format(rest[0]))
    if command == "showvminfo":
        shown = VMSTATE.get(m["state"], m["state"])
        m["state"] = TRANSIENT.get(m["state"], m["state"])
        return (f'VMState="{shown}"\nrtcuseutc="on"\n'         # Vagrant sets it: virtualbox/action/sane_defaults.rb:20-22
                f'nictype2="{m["nic"]["model"]}"\nmacaddress2="{m["nic"]["mac"].replace(":", "")}"\n'
                f'cableconnected2="{"on" if m["nic"]["cable"] else "off"}"\n')
    if command == "controlvm":
        if m["state"] not in ("running", "paused", "gurumeditation"):
            raise Refused(f"VBoxManage: error: Machine '{rest[0]}' is not currently running")
        action = rest[1]
        if action == "setlinkstate2":
            m["nic"]["cable"] = rest[2] == "on"
        elif action == "poweroff":
            m["state"] = "off"
        elif action == "resume":
            if m["state"] != "paused":
                raise Refused("VBoxManage: error: VM is not paused")
            m["state"] = "running"
        else:
            raise Refused(f"stand-in VBoxManage: controlvm {action} is not modelled")
        return ""
    if command == "discardstate":
        if m["state"] != "saved":
            raise Refused(f"VBoxManage: error: Machine '{rest[0]}' is not in the saved state")
        m["state"] = "off"
        return ""
    if command == "modifyvm":
        if m["state"] not in ("off", "aborted"):
            raise Refused(LOCKED.format(rest[0]))
        options = dict(zip(rest[1::2], rest[2::2]))
        for option, value in options.items():
            if option == "--cableconnected2":
                m["nic"]["cable"] = value == "on"
            elif option == "--nictype2":
                m["nic"] = {**m["nic"], "model": value, "instance": str(uuid.uuid4())}
            elif option == "--biossystemtimeoffset":
                m["boot_offset"] = int(value) / 1000
            else:
                raise Refused(f"stand-in VBoxManage: modifyvm {option} is not modelled")
        return ""
    if command == "startvm":
        if m["state"] not in ("off", "aborted", "saved"):
            raise Refused(f"VBoxManage: error: The machine '{rest[0]}' is already locked by a session")
        m["boots"] += m["state"] != "saved"          # a saved state resumes; anything else boots cold
        m["state"] = "running"
        return f'VM "{rest[0]}" has been successfully started.\n'
    if command == "snapshot":
        action, *names = rest[1:]
        if action == "list":
            if not m["snapshots"]:
                raise Refused("This machine does not have any snapshots")
            return "".join(f'SnapshotName-{i}="{n}"\n' for i, n in enumerate(m["snapshots"]))
        name = names[0]
        if action == "take":
            m["snapshots"][name] = _saved(m)
        elif action == "delete":
            m["snapshots"].pop(name)
        elif action == "restore":
            if m["state"] not in ("off", "aborted"):
                raise Refused("VBoxManage: error: Cannot restore a snapshot of a running VM: power it off first")
            _restore(m, name)
            m["state"] = "saved"
        return ""
    raise Refused(f"stand-in VBoxManage: {command} is not modelled")


def _saved(m: dict) -> dict:
    return {"nic": dict(m["nic"]), "running": m["state"] == "running"}


def _restore(m: dict, name: str) -> None:
    if name not in m["snapshots"]:
        raise Refused(f"Could not find a snapshot named '{name}'")
    m["nic"] = dict(m["snapshots"][name]["nic"])
    m["restores"] = m.get("restores", 0) + 1


# --- libvirt -------------------------------------------------------------------------------------------------------

SYSTEM = "qemu:///system"


def virsh(state: dict, argv: list[str]) -> str:
    """virsh(1): vagrant-libvirt's domains live on qemu:///system (a session connection does not see them);
    `domif-setlink` changes a running domain's link and, with `--config`, the persistent definition, which is all
    a shut-off domain has; the domain XML's `<model type>` is the NIC model, `define` replaces the definition."""
    if argv[:2] != ["-c", SYSTEM]:
        raise Refused(f"error: failed to get domain: this is not {SYSTEM}, where vagrant-libvirt's domains are")
    command, *rest = argv[2:]
    m = by_id(state, rest[0]) if command != "define" else None
    if command == "domstate":
        return "running\n" if m["state"] == "running" else "shut off\n"
    if command == "start":
        if m["state"] == "running":
            raise Refused("error: Domain is already active")
        m["state"], m["boots"] = "running", m["boots"] + 1
        return ""
    if command == "destroy":
        m["state"] = "off"
        return ""
    if command == "domif-setlink":
        config = "--config" in rest
        if not config and m["state"] != "running":
            raise Refused("error: Requested operation is not valid: domain is not running")
        if rest[1].lower() != m["nic"]["mac"].lower():
            raise Refused(f"error: couldn't find interface '{rest[1]}'")
        if config:
            m["nic"]["persistent_cable"] = rest[2] == "up"
            if m["state"] != "running":
                m["nic"]["cable"] = rest[2] == "up"
        else:
            m["nic"]["cable"] = rest[2] == "up"
        return ""
    if command == "dumpxml":
        offset = m["boot_offset"]
        clock = f'<clock offset="variable" basis="utc" adjustment="{int(offset)}"/>' if offset is not None else \
            '<clock offset="utc"/>'
        return (f'<domain type="kvm"><name>{rest[0]}</name>{clock}<devices>'
                f'<interface type="network"><mac address="52:54:00:00:00:01"/><model type="virtio"/></interface>'
                f'<interface type="network"><mac address="{m["nic"]["mac"].lower()}"/>'
                f'<model type="{m["nic"]["model"]}"/></interface></devices></domain>')
    if command == "define":
        import xml.etree.ElementTree as ET

        root = ET.fromstring(Path(rest[0]).read_text())
        m = by_id(state, root.findtext("name"))
        if m["state"] == "running":
            m.setdefault("pending", True)
        for iface in root.iter("interface"):
            if iface.find("mac").get("address").lower() == m["nic"]["mac"].lower():
                model = iface.find("model").get("type")
                if model != m["nic"]["model"]:
                    m["nic"] = {**m["nic"], "model": model, "instance": str(uuid.uuid4())}
        clock = root.find("clock")
        if clock is not None and clock.get("offset") == "variable":
            m["boot_offset"] = float(clock.get("adjustment"))
        return "Domain defined\n"
    if command == "snapshot-list":
        return "".join(f"{n}\n" for n in m["snapshots"])
    if command == "snapshot-create-as":
        m["snapshots"][rest[1]] = _saved(m)
        return ""
    if command == "snapshot-delete":
        m["snapshots"].pop(rest[1])
        return ""
    if command == "snapshot-revert":
        _restore(m, rest[1])
        m["state"] = "running" if "--running" in rest else "off"
        return ""
    raise Refused(f"stand-in virsh: {command} is not modelled")


# --- Hyper-V -------------------------------------------------------------------------------------------------------

def powershell(state: dict, argv: list[str]) -> str:
    """Hyper-V's cmdlets through trustlab's lab/hyperv/host.ps1, each value a quoted literal to a named parameter.
    Connect-/Disconnect-VMNetworkAdapter work whatever the VM's state; an adapter added anew is a new device
    (a new VMBus instance) even with the same static MAC."""
    code = base64.b64decode(argv[argv.index("-EncodedCommand") + 1]).decode("utf-16-le")
    match = re.fullmatch(r"& '((?:[^']|'')*)'((?: -\w+ '(?:[^']|'')*')*)", code)
    if not match or not match.group(1).endswith(("hyperv/host.ps1", "hyperv\\host.ps1")):
        raise Refused(f"stand-in powershell.exe runs lab/hyperv/host.ps1 with literal arguments only, not: {code}")
    params = {k: v.replace("''", "'") for k, v in re.findall(r" -(\w+) '((?:[^']|'')*)'", match.group(2))}
    action = params["Action"]
    if action == "remove_switch":
        state["switch_removed"] = params["SwitchName"]
        return ""
    m = by_id(state, params["VMId"])
    if action == "state":
        return "Running\n" if m["state"] == "running" else "Off\n"
    if action == "start":
        m["state"], m["boots"] = "running", m["boots"] + 1
    elif action == "stop":
        m["state"] = "off"
    elif action == "cable":
        if params["MacAddress"].upper() != m["nic"]["mac"].replace(":", "").upper():
            raise Refused("the VM has no network adapter with the lab MAC")
        m["nic"]["cable"] = bool(params["SwitchName"])
    elif action == "replace_nic":
        m["nic"] = {**m["nic"], "instance": str(uuid.uuid4()), "cable": True}
    elif action == "snapshot":
        m["snapshots"][params["Name"]] = _saved(m)
    elif action == "restore":
        _restore(m, params["Name"])
        m["state"] = "running"
    return ""


# --- Vagrant -------------------------------------------------------------------------------------------------------

def vagrant(state: dict, argv: list[str]) -> str:
    """vagrant: `up` of an existing machine runs the provider's boot actions, which re-enable every cable and
    re-apply the Vagrantfile's MAC and NIC model (hashicorp/vagrant virtualbox action_boot: ClearNetworkInterfaces
    and Network, `enable_adapters` with `--cableconnected N on`; vagrant-libvirt start_domain.rb rewrites each
    interface's model). `status --machine-readable`, `winrm-config NAME`, `destroy --force` report and remove.
    A machine's `readiness` is what `winrm-config` says before its address, one per call: `not_ready` (exit 1),
    `stale` (an address nobody answers at), `other` (another machine's), `hang` (no answer for 30 s); the tests
    choose them."""
    command, *rest = argv
    now = int(time.time())
    if command == "status":
        lines = []
        for name, m in state["machines"].items():
            lines.append(f"{now},{name},provider-name,{state['provider']}")
            shown = {"running": "running", "not_created": "not_created"}.get(m["state"], "poweroff")
            if shown == "running" and (m.get("readiness") or [None])[0] == "not_ready" and state["provider"] == "libvirt":
                shown = "inaccessible"          # vagrant-libvirt driver.rb:175-182: running, the lease wait timed out
            lines.append(f"{now},{name},state,{shown}")
        return "\n".join(lines) + "\n"
    if command == "winrm-config":
        m = state["machines"][rest[0]]
        port = m["port"]
        said = m["readiness"].pop(0) if m.get("readiness") else None
        if said == "not_ready":      # hashicorp/vagrant communicators/winrm/helper.rb:34-41, comm_winrm.yml:43-46
            raise Refused("The box is not able to report an address for WinRM to connect to yet. WinRM cannot "
                          "access this Vagrant environment. Please wait for the Vagrant environment to be running "
                          "and try again.")
        if said == "hang":           # the libvirt boxes' agent query, waited for up to boot_timeout (notes §2.6)
            save(state)
            time.sleep(30)
        if said == "stale":          # the last boot's lease, answered at once after a restart (notes §2.6): nobody
            port = 1                 # listens there yet
        if said == "other":          # a lease that another machine holds now
            port = next(o["port"] for n, o in state["machines"].items() if n != rest[0])
        return f"Host {rest[0]}\n  HostName 127.0.0.1\n  User vagrant\n  Password vagrant\n  Port {port}\n"
    if command == "up":
        if os.environ.get("TRUSTLAB_STANDIN_FAIL") == "up":     # a test's failing first boot
            print("==> dc: Waiting for machine to boot. This may take a few minutes...")
            raise Refused("Timed out while waiting for the machine to boot.")
        names = [a for a in rest if not a.startswith("--")] or list(state["machines"])
        for name in names:
            m = state["machines"][name]
            if m["state"] == "not_created":
                m.update(state="off", snapshots={}, nic=_nic(state["provider"], m["lab_mac"]))
                record = Path(state["folder"]) / ".vagrant" / "machines" / name / state["provider"] / "id"
                record.parent.mkdir(parents=True, exist_ok=True)
                record.write_text(m["id"])
            m["nic"].update(cable=True, mac=m["lab_mac"], model=DEFAULT_MODEL[state["provider"]])
            if m["state"] != "running":
                m["state"], m["boots"] = "running", m["boots"] + 1
            print(f"==> {name}: Machine booted and ready!")
        return ""
    if command == "destroy":
        for name in list(state["machines"]):
            state["machines"][name]["state"] = "not_created"
            record = Path(state["folder"]) / ".vagrant" / "machines" / name / state["provider"] / "id"
            record.unlink(missing_ok=True)
        return ""
    if command == "plugin":
        return "vagrant-libvirt (0.11.2, system)\n"
    raise Refused(f"stand-in vagrant: {command} is not modelled")
