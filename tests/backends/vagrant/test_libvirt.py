"""trustlab's libvirt provider against a virsh that answers as libvirt 9.0 / vagrant-libvirt 0.11.2 did on this machine
(the answers below were measured on real domains: /work/notes/issue22-hypervisor.md §2, docs/windows-lab.md "A real
hypervisor"): every domain state virsh prints, a paused domain that `start` refuses, vagrant-libvirt's virtio card
with its virtio-only driver option, and the internal snapshots libvirt refuses for a UEFI domain it loads as pflash.
The real-hypervisor tier (test_hypervisor.py) proves the same on QEMU."""
from __future__ import annotations

import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from trustlab.backends.command import Result
from trustlab.backends.vagrant import libvirt
from trustlab.backends.vagrant.libvirt import Libvirt, domain_state, internal_snapshots, version
from trustlab.backends.vagrant.providers import CRASHED, OFF, PAUSED, RUNNING, STOPPING, SUSPENDED, ToolFailed

MAC = "08:00:27:7a:10:02"
# vagrant-libvirt 0.11.2's lab card when the project sets no nic_model_type (dumpxml, measured)
VIRTIO_CARD = (f"<interface type='network'><mac address='{MAC}'/><source network='trustlab0'/>"
               f"<model type='virtio'/><driver iommu='off'/></interface>")
BIOS_OS = "<os><type arch='x86_64' machine='pc-i440fx-7.2'>hvm</type></os>"
# UEFI as libvirt's own firmware (vagrant-libvirt `loader`/`nvram`), refused for internal snapshots on 9.0
LOADER_OS = ("<os><type arch='x86_64' machine='pc-q35-7.2'>hvm</type><loader readonly='yes' type='pflash'>"
             "/usr/share/OVMF/OVMF_CODE_4M.fd</loader><nvram template='/usr/share/OVMF/OVMF_VARS_4M.fd'>"
             "/var/lib/libvirt/qemu/nvram/d_VARS.fd</nvram></os>")
# UEFI the gusztavvargadr boxes' way (qemu.Vagrantfile: OVMF through qemuargs): libvirt does not know the firmware
QEMUARGS_OS = BIOS_OS
# `virsh version --daemon` on this machine (libvirt 9.0.0-4+deb12u2)
VERSION_9 = ("Compiled against library: libvirt 9.0.0\nUsing library: libvirt 9.0.0\nUsing API: QEMU 9.0.0\n"
             "Running hypervisor: QEMU 7.2.0\nRunning against daemon: 9.0.0\n")


class Virsh:
    """A domain as virsh reports it; `states` is what successive `domstate` calls print."""

    def __init__(self, states=("running",), os_xml=BIOS_OS, card=VIRTIO_CARD, daemon=VERSION_9):
        self.states, self.os_xml, self.card, self.daemon = list(states), os_xml, card, daemon
        self.calls: list[list[str]] = []
        self.defined: list[ET.Element] = []

    def __call__(self, *argv, **_):
        assert argv[:3] == ("virsh", "-c", "qemu:///system")
        args = list(argv[3:])
        self.calls.append(args)
        command = args[0]
        if command == "domstate":
            said = self.states.pop(0) if len(self.states) > 1 else self.states[0]
            return Result(0, said + "\n", "")
        if command == "dumpxml":
            return Result(0, f"<domain type='qemu'><name>d</name>{self.os_xml}<clock offset='utc'/><devices>"
                             f"{self.card}</devices></domain>", "")
        if command == "define":
            root = ET.fromstring(Path(args[1]).read_text())
            for iface in root.iter("interface"):
                driver = iface.find("driver")
                if driver is not None and driver.get("iommu") and iface.find("model").get("type") != "virtio":
                    # libvirt 9.0's refusal, measured (virsh define)
                    raise ToolFailed("virsh define failed: error: unsupported configuration: iommu driver option "
                                     "is only supported for virtio devices")
            self.defined.append(root)
            return Result(0, "Domain 'd' defined\n", "")
        if command == "start":
            if self.states[0] != "shut off":
                raise ToolFailed("virsh start failed: error: Domain is already active")      # measured, paused
            self.states = ["running"]
        if command == "destroy":
            self.states = ["shut off"]
        if command == "version":
            return Result(0, self.daemon, "")
        if command == "snapshot-list":
            return Result(0, "\n", "")
        return Result(0, "", "")

    def commands(self) -> list[str]:
        return [c[0] for c in self.calls if c[0] not in ("domstate", "dumpxml", "version", "snapshot-list")]


@pytest.fixture
def virsh(monkeypatch):
    def make(**kw) -> tuple[Virsh, Libvirt]:
        fake = Virsh(**kw)
        monkeypatch.setattr(libvirt, "run", fake)
        tool = Libvirt()
        tool.poll_seconds = 0
        return fake, tool
    return make


@pytest.mark.parametrize("said, state", [("running", RUNNING), ("idle", RUNNING), ("paused", PAUSED),
                                         ("in shutdown", STOPPING), ("shut off", OFF), ("crashed", CRASHED),
                                         ("pmsuspended", SUSPENDED)])
def test_every_state_virsh_prints_is_its_own(said, state):
    """virsh(1) domstate; before issue 22 everything but `running` read as off."""
    assert domain_state(said + "\n\n") == state


def test_a_state_the_lab_does_not_know_is_refused():
    with pytest.raises(ToolFailed, match="'no state'"):
        domain_state("no state\n")


@pytest.mark.parametrize("states, expected", [
    (["paused"], ["resume"]),                     # `virsh start` refuses it: "Domain is already active" (measured)
    (["pmsuspended"], ["dompmwakeup"]),
    (["crashed"], ["destroy", "start"]),
    (["in shutdown", "in shutdown", "shut off"], ["start"]),     # waited out, then booted
    (["shut off"], ["start"]),
    (["running"], []),
])
def test_start_fits_the_state_the_domain_is_in(virsh, states, expected):
    fake, tool = virsh(states=states)
    tool.start("d")
    assert fake.commands() == expected


def test_a_domain_that_never_finishes_shutting_down_is_refused_not_started(virsh):
    fake, tool = virsh(states=["in shutdown"])
    tool.settle_seconds = 0
    with pytest.raises(ToolFailed, match="still shutting down"):
        tool.start("d")
    assert fake.commands() == []


def test_a_pulled_cable_waits_for_a_shutdown_and_then_changes_the_definition_only(virsh):
    fake, tool = virsh(states=["in shutdown", "shut off"])
    tool.cable("d", MAC.upper(), False)
    assert [c for c in fake.calls if c[0] == "domif-setlink"] == [["domif-setlink", "d", MAC, "down", "--config"]]


def test_a_paused_domain_has_its_link_changed_live_too(virsh):
    fake, tool = virsh(states=["paused"])
    tool.cable("d", MAC, True)
    assert [c[-1] for c in fake.calls if c[0] == "domif-setlink"] == ["up", "--config"]


def test_replacing_vagrant_libvirts_virtio_card_drops_its_virtio_only_driver_and_keeps_the_mac(virsh):
    """Before issue 22 the redefine kept `<driver iommu='off'/>` and libvirt refused it (measured)."""
    fake, tool = virsh()
    assert tool.replace_nic("d", MAC.upper()) == "e1000e"
    (iface,) = fake.defined[-1].iter("interface")
    assert (iface.find("model").get("type"), iface.find("driver"), iface.find("mac").get("address")) == \
        ("e1000e", None, MAC)


@pytest.mark.parametrize("model, other", [("e1000e", "e1000"), ("e1000", "e1000e"), ("rtl8139", "e1000e")])
def test_the_model_is_read_and_swapped(virsh, model, other):
    fake, tool = virsh(card=f"<interface type='network'><mac address='{MAC}'/><model type='{model}'/></interface>")
    assert tool.replace_nic("d", MAC) == other


def test_internal_snapshots_of_a_libvirt_pflash_domain_are_refused_before_virsh_is_asked(virsh):
    fake, tool = virsh(os_xml=LOADER_OS)
    with pytest.raises(ToolFailed, match=r"libvirt 9\.0 takes no internal snapshot.*pflash"):
        tool.snapshot("d", "golden")
    assert "snapshot-create-as" not in fake.commands()


@pytest.mark.parametrize("os_xml", [BIOS_OS, QEMUARGS_OS])
def test_bios_and_qemuargs_uefi_domains_take_internal_snapshots(virsh, os_xml):
    fake, tool = virsh(os_xml=os_xml)
    tool.snapshot("d", "golden")
    assert fake.commands() == ["snapshot-create-as"]
    assert "version" not in [c[0] for c in fake.calls]


def test_libvirt_10_10_takes_them_with_a_qcow2_nvram_only():
    qcow2 = LOADER_OS.replace("<nvram ", "<nvram format='qcow2' ")
    wrap = "<domain>{}</domain>"
    assert internal_snapshots(wrap.format(qcow2), (10, 10)) is None
    assert "qcow2 NVRAM" in internal_snapshots(wrap.format(LOADER_OS), (10, 10))
    assert "takes no internal snapshot" in internal_snapshots(wrap.format(qcow2), (10, 9))


def test_the_daemons_version_is_read():
    assert version(VERSION_9) == (9, 0)
    assert version("Compiled against library: libvirt 10.10.0\nUsing library: libvirt 10.10.0\n") == (10, 10)
    assert version("") == ()


def test_one_uri_for_trustlab_and_vagrant_libvirt_whatever_libvirt_default_uri_says():
    """vagrant-libvirt 0.11.2 ignores LIBVIRT_DEFAULT_URI once the Vagrantfile sets `uri` (config.rb:848-862,
    925-937); trustlab's virsh followed it before issue 22, and the two looked at different libvirt instances."""
    def uri(**env) -> str:
        clean = {k: v for k, v in os.environ.items() if k not in ("LIBVIRT_DEFAULT_URI", "TRUSTLAB_LIBVIRT_URI")}
        return subprocess.run([sys.executable, "-c", "from trustlab.backends.vagrant.settings import LIBVIRT_URI;"
                               "print(LIBVIRT_URI)"], env={**clean, **env}, capture_output=True, text=True,
                              check=True).stdout.strip()
    assert uri(LIBVIRT_DEFAULT_URI="qemu:///session") == "qemu:///system"
    assert uri(TRUSTLAB_LIBVIRT_URI="qemu+ssh://lab/system") == "qemu+ssh://lab/system"
