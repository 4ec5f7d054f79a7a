"""The providers' own tools for the hardware, against stand-ins that refuse what the real tools refuse
(standins/hypervisor.py, each rule with its source): a pulled cable on a VM that is on or off, a replaced NIC that
keeps the lab MAC, a machine's clock chip, snapshots, and `vagrant up` re-applying the network."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.backends.vagrant.conftest import STANDINS, make_lab
from tests.backends.vagrant.standins import hypervisor
from trustlab.backends.vagrant import powershell
from trustlab.backends.vagrant.machines import VagrantLab
from trustlab.backends.vagrant.providers import ToolFailed, provider
from trustlab.engine.backend import LabUnavailable
from trustlab.specs import shipped

MAC = "08:00:27:7A:10:02"


@pytest.fixture
def on(tmp_path, monkeypatch):
    """A lab on the named provider, its cable pulled while running, then plugged in again while off."""
    made = []

    def make(provider: str):
        standin, servers = make_lab(tmp_path, monkeypatch, provider)
        made.append(servers)
        machines = VagrantLab()
        machines.cable("client", False)
        machines.power_off("client")
        machines.cable("client", True)
        return standin, standin.machine("client")["id"]
    yield make
    for servers in made:
        for server in servers.values():
            server.__exit__(None, None, None)


@pytest.fixture(params=["virtualbox", "libvirt", "hyperv"])
def lab(request, tmp_path, monkeypatch):
    standin, servers = make_lab(tmp_path, monkeypatch, request.param)
    yield standin, VagrantLab()
    for server in servers.values():
        server.__exit__(None, None, None)


def test_a_cable_is_pulled_and_plugged_whether_the_vm_is_on_or_off(lab):
    standin, machines = lab
    machines.cable("client", False)
    assert standin.machine("client")["nic"]["cable"] is False
    machines.power_off("client")
    machines.cable("client", True)
    machines.cable("client", False)
    machines.start("client")
    assert (standin.machine("client")["state"], standin.machine("client")["nic"]["cable"]) == ("running", False)


def test_virtualbox_uses_controlvm_on_a_running_vm_and_modifyvm_on_one_that_is_off(on):
    standin, ident = on("virtualbox")
    link = [c for c in standin.calls("VBoxManage") if c[0] in ("controlvm", "modifyvm") and "poweroff" not in c]
    assert link == [["controlvm", ident, "setlinkstate2", "off"], ["modifyvm", ident, "--cableconnected2", "on"]]
    refused = subprocess.run(["VBoxManage", "controlvm", ident, "setlinkstate2", "off"], capture_output=True,
                             text=True)
    assert (refused.returncode, refused.stderr.strip()) == (1, f"VBoxManage: error: Machine '{ident}' is not "
                                                               f"currently running")


def test_libvirt_talks_to_the_system_instance_and_persists_the_link(on):
    standin, ident = on("libvirt")
    calls = standin.calls("virsh")
    assert all(c[:2] == ["-c", "qemu:///system"] for c in calls)
    link = [c[2:] for c in calls if c[2] == "domif-setlink"]
    assert link == [["domif-setlink", ident, MAC.lower(), "down"],
                    ["domif-setlink", ident, MAC.lower(), "down", "--config"],
                    ["domif-setlink", ident, MAC.lower(), "up", "--config"]]        # a shut-off domain: config only
    refused = subprocess.run(["virsh", "domif-setlink", ident, MAC.lower(), "up"], capture_output=True, text=True)
    assert refused.returncode == 1 and "qemu:///system" in refused.stderr         # a plain virsh: the wrong instance


def test_hyperv_values_reach_the_host_script_as_literals(tmp_path, monkeypatch):
    standin, servers = make_lab(tmp_path, monkeypatch, "hyperv")
    machines = VagrantLab()
    machines.cable("client", False)
    machines.snapshot("client", "o-brien.1")
    calls = standin.calls("powershell.exe")
    assert all(c[:5] == ["-NoProfile", "-NonInteractive", "-ExecutionPolicy", "Bypass", "-EncodedCommand"]
               for c in calls)
    code = [powershell.decode(powershell.EXE + c[5]) for c in calls]
    ident = standin.machine("client")["id"]
    host = str(shipped.path("lab", "hyperv", "host.ps1"))
    assert f"& '{host}' -Action 'cable' -VMId '{ident}' -MacAddress '0800277A1002' -SwitchName ''" in code
    assert f"& '{host}' -Action 'snapshot' -VMId '{ident}' -Name 'o-brien.1'" in code
    assert standin.machine("client")["snapshots"].keys() >= {"o-brien.1"}
    for server in servers.values():
        server.__exit__(None, None, None)


def test_a_replaced_nic_keeps_the_lab_mac_and_is_a_new_device(lab):
    standin, machines = lab
    before = dict(standin.machine("client")["nic"])
    machines.power_off("client")
    machines.replace_nic("client")
    after = standin.machine("client")["nic"]
    assert after["mac"] == before["mac"] == MAC
    assert after["instance"] != before["instance"]
    expected = {"virtualbox": "82545EM", "libvirt": "e1000", "hyperv": "synthetic"}[standin.provider]
    assert after["model"] == expected


def test_the_clock_chip_is_set_where_the_provider_can(lab):
    standin, machines = lab
    machines.power_off("client")
    done = machines.boot_clock("client", -86400.5)
    if standin.provider == "hyperv":
        assert done is False and standin.machine("client")["boot_offset"] is None
    else:
        assert done is True and standin.machine("client")["boot_offset"] in (-86400.5, -86400.0)


def test_a_snapshot_restores_the_cable_it_was_taken_with(lab):
    standin, machines = lab
    machines.snapshot("client", "before-trip")
    machines.cable("client", False)
    machines.restore("client", "before-trip")
    hw = standin.machine("client")
    assert (hw["state"], hw["nic"]["cable"]) == ("running", True)


def test_vagrant_up_would_plug_the_cable_back_in_which_is_why_a_run_never_calls_it(lab):
    """The stand-in models Vagrant's boot actions (the Network action re-enables every cable and re-applies the MAC
    and NIC model): a run that started machines with `vagrant up` would undo a pulled cable and a replaced NIC."""
    standin, machines = lab
    machines.cable("client", False)
    machines.power_off("client")
    machines.replace_nic("client")
    subprocess.run(["vagrant", "up", "client"], check=True, capture_output=True)
    nic = standin.machine("client")["nic"]
    assert nic["cable"] is True
    assert nic["model"] == {"virtualbox": "82540EM", "libvirt": "e1000e", "hyperv": "synthetic"}[standin.provider]


def test_a_machine_that_is_gone_is_a_tool_failure_naming_the_tool(lab):
    standin, machines = lab
    subprocess.run(["vagrant", "destroy", "--force"], check=True, capture_output=True)
    with pytest.raises(LabUnavailable, match="machine client has not been created"):
        machines.cable("client", False)
    with pytest.raises(ToolFailed, match="Could not find a registered machine"):
        provider(standin.provider).state(standin.machine("client")["id"])


VBOX_STATES = ["running", "paused", "stopping", "saving", "saved", "off", "aborted", "gurumeditation"]


@settings(max_examples=15, deadline=None)
@given(start=st.sampled_from(VBOX_STATES), busy=st.lists(st.sampled_from(["exit1", "exit0"]), max_size=2),
       act=st.sampled_from(["start", "power_off", "restore", "cable"]))
def test_virtualbox_acts_from_every_state_vagrant_knows_and_retries_as_vagrant_does(start, busy, act):
    """Transitional states (stopping, saving) counted as off and a locked session was never retried. The states are
    Vagrant's (templates/locales/en.yml:2381-2432); a moment's lock fails the first calls with exit 1, or exit 0 and
    the error on stderr, and Vagrant retries its calls 3 times, 1 s apart (driver/base.rb:391-438)."""
    with tempfile.TemporaryDirectory() as tmp, pytest.MonkeyPatch.context() as mp:
        state_file = standalone(Path(tmp), mp, "virtualbox")
        hw = json.loads(state_file.read_text())
        m = hw["machines"]["client"]
        m.update(state=start, busy=list(busy))
        m["snapshots"]["golden"] = {"nic": dict(m["nic"]), "running": True}
        state_file.write_text(json.dumps(hw))
        tool = provider("virtualbox")
        if act == "start":
            tool.start(m["id"])
        elif act == "power_off":
            tool.power_off(m["id"])
        elif act == "restore":
            tool.restore(m["id"], "golden")
        elif start in ("saved", "saving"):
            with pytest.raises(ToolFailed, match="is saved: its settings change only after it resumes"):
                tool.cable(m["id"], MAC, False)
            return
        else:
            tool.cable(m["id"], MAC, False)
        after = json.loads(state_file.read_text())["machines"]["client"]
        wanted = {"start": ("running",), "power_off": ("off", "aborted"), "restore": ("running",)}.get(act)
        assert wanted is None or after["state"] in wanted, (start, after["state"])
        assert act != "restore" or after.get("restores") == 1
        assert act != "cable" or after["nic"]["cable"] is False
        assert tool.state(m["id"]) in ("running", "off", "paused", "crashed")


def standalone(folder: Path, mp: pytest.MonkeyPatch, provider_name: str) -> Path:
    """The stand-in tools alone, one machine `client`, without Windows behind them."""
    state_file = folder / "hypervisor.json"
    python = folder / "python"
    python.mkdir()
    (python / "python3").symlink_to(sys.executable)
    mp.setenv("TRUSTLAB_STANDIN", str(state_file))
    mp.setenv("PATH", os.pathsep.join([str(STANDINS / "bin"), str(python), os.environ["PATH"]]))
    mp.setattr(time, "sleep", lambda seconds: None)
    state_file.write_text(json.dumps(hypervisor.create(folder, provider_name, {"client": {"mac": MAC, "port": 1}})))
    return state_file
