"""A built Windows lab for the tests, as far as trustlab can see one without Windows: the provider stand-ins on PATH
(standins/), Vagrant's and trustlab's records in a lab folder, and one WS-Management endpoint per machine answering
with `windows.Windows`. The real VagrantLab, providers, WinRM client and backend run against them."""
from __future__ import annotations

import json
import os
import sys
import time
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from tests.backends.vagrant.standins import hypervisor
from tests.backends.vagrant.windows import GOLDEN, Windows
from tests.backends.vagrant.wsman import Endpoint
from trustlab.backends.vagrant import built, guests, machines, power
from trustlab.backends.vagrant.settings import Secrets, load

STANDINS = Path(__file__).parent / "standins"


@dataclass
class StandinLab:
    folder: Path
    windows: Windows
    state_file: Path
    secrets: Secrets
    provider: str

    def hw(self) -> dict:
        return json.loads(self.state_file.read_text())

    def calls(self, tool: str) -> list[list[str]]:
        return [c[1:] for c in self.hw()["calls"] if c[0] == tool]

    def machine(self, name: str) -> dict:
        return self.hw()["machines"][name]

    def runs(self, machine: str) -> list[str]:
        return [name for name, _ in self.windows.sides[machine].runs]


def make_lab(tmp_path: Path, monkeypatch, provider: str = "virtualbox", golden: bool = True):
    folder = tmp_path / "lab"
    folder.mkdir()
    (folder / "Vagrantfile").write_text("# stand-in: the tests never run Vagrant's own Vagrantfile here\n")
    settings = load()
    secrets = Secrets(folder)
    users = tmp_path / "ntlm-users"
    users.write_text(f":vagrant:vagrant\nCORP:admin:{secrets.password('admin', 1)}\n")
    state_file = tmp_path / "hypervisor.json"
    monkeypatch.setenv("NTLM_USER_FILE", str(users))
    monkeypatch.setenv("TRUSTLAB_STANDIN", str(state_file))
    monkeypatch.setenv("TRUSTLAB_VAGRANT_ROOT", str(folder))
    python = tmp_path / "python"                  # the stand-ins run with this interpreter, not a slow shim
    python.mkdir()
    (python / "python3").symlink_to(sys.executable)
    monkeypatch.setenv("PATH", os.pathsep.join([str(STANDINS / "bin"), str(python), os.environ["PATH"]]))
    windows = Windows(settings, state_file)
    if not golden:                                 # provisioned just now, by `lab up`'s `vagrant up`
        windows.built_at(datetime.now(timezone.utc))
    dc_name, dc = settings.machine("dc")
    client_name, client = settings.machine("client")
    servers = {m: Endpoint(windows.responder(m), {}) for m in (dc_name, client_name)}
    for server in servers.values():
        server.__enter__()
    state = hypervisor.create(folder, provider, {dc_name: {"mac": dc.mac, "port": servers[dc_name].port},
                                                 client_name: {"mac": client.mac, "port": servers[client_name].port}})
    if golden:
        for m in state["machines"].values():
            m["snapshots"][machines.GOLDEN] = hypervisor._saved(m)
        built.Built(provider, GOLDEN.isoformat(), {dc_name: (GOLDEN + timedelta(days=178)).isoformat(),
                                                   client_name: None}).save(folder)
    state_file.write_text(json.dumps(state))
    windows.golden_instance = state["machines"][client_name]["nic"]["instance"] if golden else None
    for module, name, value in ((power, "BOOT_DEADLINE", 5), (power, "SHUTDOWN_DEADLINE", 5),
                                (guests, "ONLINE_DEADLINE", 5), (guests, "ANSWER_DEADLINE", 5)):
        monkeypatch.setattr(module, name, value)
    monkeypatch.setattr(time, "sleep", lambda seconds: None)
    return StandinLab(folder, windows, state_file, secrets, provider), servers


@pytest.fixture(params=["virtualbox"])
def standin(request, tmp_path, monkeypatch):
    lab, servers = make_lab(tmp_path, monkeypatch, request.param)
    yield lab
    for server in servers.values():
        server.__exit__(None, None, None)
