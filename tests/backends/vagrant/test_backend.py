"""The vagrant backend through its real client path: steps become the shipped scripts with values as data, sent
by pywinrm with NTLM and encryption to the local WS-Management endpoint, and the answers become outcomes. The
"Windows" here is a table of canned answers (scripted per test); it checks trustlab's side only."""
from __future__ import annotations

import re

import pytest

from trustlab.backends.vagrant import VagrantBackend
from trustlab.backends.vagrant import backend as backend_mod
from trustlab.backends.vagrant.machines import VagrantLab
from trustlab.backends.vagrant.settings import Secrets
from trustlab.engine.backend import LabUnavailable
from trustlab.engine.runner import run
from trustlab.profiles import WINDOWS
from tests.backends.vagrant.wsman import Endpoint as Server
from tests.backends.vagrant.wsman import PowerShellSide

NETWORK_UP = {"present": [{"name": "Lab", "status": "Up", "mac": "08-00-27-7A-10-02", "ipv4": ["192.168.56.11"]}],
              "hidden": [], "dc_reachable": True, "address": "192.168.56.11"}


class FakeLab(VagrantLab):
    """The machines as Vagrant would manage them, recorded instead of done; WinRM goes to the local endpoint."""

    port = 0
    calls: list[tuple] = []

    def __init__(self, folder):
        super().__init__(folder)

    def require_running(self) -> None:
        self.calls.append(("require_running",))

    def reset(self) -> float:
        self.calls.append(("reset",))
        return 0.0

    def winrm_address(self, machine: str) -> tuple[str, int]:
        return "127.0.0.1", self.port

    def halt(self, machine): self.calls.append(("halt", machine))
    def start(self, machine): self.calls.append(("start", machine))
    def cable(self, machine, plugged): self.calls.append(("cable", machine, plugged))
    def snapshot(self, machine, name): self.calls.append(("snapshot", machine, name))
    def restore(self, machine, name): self.calls.append(("restore", machine, name))
    def replace_nic(self, machine): self.calls.append(("replace_nic", machine))


class Windows:
    """Canned answers per script; `broken` says what the trust is like, as a test scripts it."""

    def __init__(self):
        self.broken, self.booted = False, 0

    def __call__(self, name: str, params: dict) -> tuple[object, int]:
        if name == "dc_computer" and params["Action"] == "reset":
            self.broken = True
        if name == "reset_machine_password":
            self.broken = False
        if name == "restart":
            self.booted += 1
        answers = {
            "logon": {"win32": 1789 if self.broken and params.get("Domain") == "CORP" else 0, "logon_type": 2},
            "secure_channel": {"status": 5 if self.broken else 0, "exit_code": 0, "test": not self.broken,
                               "lines": ["Flags: 30 HAS_IP  HAS_TIMESERV",
                                         f"Trust Verification Status = {5 if self.broken else 0}"]},
            "network": NETWORK_UP,
            "machine_state": {"booted": f"boot-{self.booted}", "now": "2026-11-25T00:00:00Z", "joined": True},
        }
        return answers.get(name, {"ok": True, "exists": True, "lines": []}), 0


@pytest.fixture
def lab(tmp_path, monkeypatch):
    (tmp_path / "Vagrantfile").write_text("# stand-in\n")
    secrets = Secrets(tmp_path)
    users = tmp_path / "ntlm-users"
    users.write_text(f":vagrant:vagrant\nCORP:admin:{secrets.password('admin', 1)}\n")
    monkeypatch.setenv("NTLM_USER_FILE", str(users))
    windows = Windows()
    side = PowerShellSide(windows)
    with Server(side, {}) as server:
        FakeLab.port, FakeLab.calls = server.port, []
        monkeypatch.setattr(backend_mod, "VagrantLab", lambda: FakeLab(tmp_path))
        monkeypatch.setattr(backend_mod, "BOOT_DEADLINE", 5)
        yield side, windows, secrets


def test_a_scenario_and_its_fix_run_as_scripts(lab, catalogue):
    side, windows, secrets = lab
    journal = run(catalogue.scenario("machine-account-reset"), catalogue.remediation("reset-machine-password"),
                  VagrantBackend, WINDOWS)
    assert journal.verdict.value == "FIXED", journal.judgement
    names = [name for name, _ in side.runs]
    assert names == [
        "set_clock", "set_clock",                                            # both clocks to lab time
        "dc_policy", "client_policy",                                        # the scenario's policies
        "logon",                                                             # setup (joined in the snapshot)
        "dc_computer",                                                       # reset_computer_account
        "set_clock",                                                         # power_on: the clock follows
        "logon", "secure_channel",                                           # symptoms
        "network", "logon",                                                  # before: what they left out (bob)
        "logon",                                                             # local_admin_logon
        "reset_machine_password", "machine_state", "restart", "machine_state",  # the fix, then reboot
        "logon", "secure_channel", "network",                                # verify
        "logon", "secure_channel"]                                           # the symptoms again
    assert ("halt", "client") in FakeLab.calls and ("start", "client") in FakeLab.calls
    reset = dict(side.runs)["reset_machine_password"]
    assert reset == {"Tool": "powershell", "Server": "DC01.corp.test", "UserName": "CORP\\admin",
                     "Password": secrets.password("admin", 1)}
    assert dict(side.runs)["dc_computer"] == {"Computer": "LOANER01", "Action": "reset", "Domain": "corp.test"}
    assert dict(side.runs)["client_policy"] == {"CachedLogonsCount": 10, "DisablePasswordChange": 0,
                                                 "BlockAccountReuse": 0}
    aligned = [params["At"] for name, params in side.runs if name == "set_clock"]
    assert len(aligned) == 3 and all(a.endswith("+00:00") for a in aligned)       # UTC, absolute


def test_no_password_reaches_the_journal(lab, catalogue):
    side, _, secrets = lab
    journal = run(catalogue.scenario("machine-account-reset"), catalogue.remediation("reset-machine-password"),
                  VagrantBackend, WINDOWS)
    text = journal.to_json()
    for user in ("alice", "bob", "admin"):
        for version in (1, 2):
            assert secrets.password(user, version) not in text
    assert "vagrant" not in re.sub(r'"backend": "vagrant"', "", text)        # nor the local admin's


def test_the_symptom_is_the_windows_code(lab, catalogue):
    journal = run(catalogue.scenario("machine-account-reset"), None, VagrantBackend, WINDOWS)
    symptom = next(e for e in journal.steps if e["phase"] == "symptoms" and e["verb"] == "logon")
    assert (symptom["outcome"], symptom["win32"], symptom["raw"]) == ("TRUST_FAILURE", 1789,
                                                                      "win32 1789, logon type 2")
    assert journal.verdict.value == "REPRODUCED"


def test_every_catalogue_lab_is_the_windows_labs_own():
    from trustlab.backends.vagrant.backend import unsupported_lab
    from trustlab.catalogue import load_default

    built = VagrantLab()
    assert {s.id: unsupported_lab(s.lab, built) for s in load_default().scenarios.values()} == {
        s.id: None for s in load_default().scenarios.values()}


def test_a_lab_other_than_the_built_one_is_unsupported(lab, catalogue):
    spec = catalogue.scenario("machine-account-reset")
    other = spec.model_copy(update={"lab": spec.lab.model_copy(update={"domain": "OTHER"})})
    journal = run(other, None, VagrantBackend, WINDOWS)
    assert journal.judgement.to_dict() == {"verdict": "UNSUPPORTED",
                               "reason": "lab: the Windows lab is built as CORP / corp.test with DC01 (machines.yaml)"}


def test_a_powered_off_client_answers_no_step_at_its_console(lab, catalogue):
    side, _, _ = lab
    b = backend_mod.VagrantBackend(catalogue.scenario("machine-account-reset").lab, WINDOWS)
    before = len(side.runs)
    assert b.do("power_off", {"computer": "LOANER01"}).status == "ok"
    result = b.do("logon", {"computer": "LOANER01", "user": "alice", "password": "current"})
    assert (result.status, result.output) == ("failed", ["LOANER01 is powered off"])
    assert len(side.runs) == before                                          # nothing was sent


def test_without_vagrant_the_lab_is_unavailable_with_the_reason(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(LabUnavailable, match="vagrant is not installed; build it once with"):
        VagrantLab(tmp_path).states()


def test_snapshot_names_from_yaml_are_checked_before_reaching_the_cli(tmp_path):
    from trustlab.backends.vagrant.machines import _snapshot

    assert _snapshot("before-trip_1") == "before-trip_1"
    with pytest.raises(ValueError, match=r"snapshot name '\$\(calc\)': use letters"):
        _snapshot("$(calc)")


def test_winrm_config_is_parsed():
    from trustlab.backends.vagrant.machines import parse_winrm_config

    text = "Host client\n  HostName 127.0.0.1\n  User vagrant\n  Password vagrant\n  Port 55986\n  RDPPort 53389\n"
    assert parse_winrm_config(text) == ("127.0.0.1", 55986)


def test_a_script_that_fails_is_a_failed_step_with_the_reason(lab, catalogue):
    side, windows, _ = lab
    clixml = ('#< CLIXML\r\n<Objs Version="1.1.0.1" xmlns="http://schemas.microsoft.com/powershell/2004/04">'
              '<S S="Error">Access is denied._x000D__x000A_</S></Objs>')
    b = backend_mod.VagrantBackend(catalogue.scenario("machine-account-reset").lab, WINDOWS)
    side.answer = lambda name, params: (clixml, 1) if name == "rotate_machine_password" else windows(name, params)
    result = b.do("rotate_machine_password", {"computer": "LOANER01"})
    assert result.status == "failed"
    assert result.output == ["rotate_machine_password: WinRMFailed: rotate_machine_password: exit 1: Access is denied."]
