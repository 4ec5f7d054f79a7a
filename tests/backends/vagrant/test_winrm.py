"""The real pywinrm client path against a WS-Management endpoint on 127.0.0.1 (tests/backends/vagrant/wsman.py):
what trustlab sends and how it reads the answers. Not Windows behaviour."""
from __future__ import annotations

import pytest
from winrm.exceptions import InvalidCredentialsError, WSManFaultError

from tests.backends.vagrant.wsman import Endpoint as Server
from tests.backends.vagrant.wsman import PowerShellSide, Reply
from trustlab.backends.vagrant import powershell
from trustlab.backends.vagrant.winrm import Client, Endpoint, WinRMDeadline, WinRMFailed

JA = "このワークステーションとプライマリ ドメインとの信頼関係に失敗しました。"


@pytest.fixture(autouse=True)
def ntlm_users(tmp_path, monkeypatch):
    users = tmp_path / "ntlm-users"
    users.write_text("LOANER01:vagrant:vagrant\n:vagrant:vagrant\n")
    monkeypatch.setenv("NTLM_USER_FILE", str(users))


def client(server: Server, password: str = "vagrant", **kw) -> Client:
    return Client(Endpoint("127.0.0.1", server.port, "vagrant", password, **kw), operation_timeout=5)


def test_ntlm_with_encryption_runs_the_whole_shell_life_cycle():
    with Server(lambda command: Reply([b"hello\r\n"]), {"vagrant": "vagrant"}) as server:
        out = client(server).run("hostname")
    assert (out.rc, out.stdout) == (0, "hello\r\n")
    assert [s.action for s in server.seen] == ["Create", "Command", "Receive", "Signal", "Delete"]
    assert all(s.auth == "ntlm" and s.encrypted for s in server.seen)
    assert len({s.connection for s in server.seen}) == 1
    assert server.seen[0].codepage == "65001"                      # UTF-8 output
    assert server.seen[3].signal == "terminate"


def test_one_connection_serves_many_commands():
    with Server(lambda command: Reply([b"ok"]), {"vagrant": "vagrant"}) as server:
        c = client(server)
        for _ in range(3):
            assert c.run("hostname").stdout == "ok"
    assert len({s.connection for s in server.seen}) == 1 and server.handshakes == 1


def test_a_dropped_connection_is_resumed_for_what_is_safe_to_repeat():
    with Server(lambda command: Reply([b"part one ", b"part two"]), {"vagrant": "vagrant"}) as server:
        server.drop = {"Receive"}
        out = client(server).run("type file.txt")
    assert out.stdout == "part one part two"
    assert server.handshakes == 2                                       # a fresh, freshly sealed session
    assert [s.action for s in server.seen].count("Command") == 1       # the command itself ran once


def test_a_wrong_password_is_refused():
    with Server(lambda command: Reply([b"x"]), {"vagrant": "vagrant"}) as server:
        with pytest.raises(InvalidCredentialsError, match="credentials were rejected"):
            client(server, password="wrong").run("hostname")
    assert server.seen == []                                          # nothing reached WS-Management


def test_basic_is_refused_unless_explicitly_allowed():
    with pytest.raises(ValueError, match="only when explicitly allowed"):
        Client(Endpoint("127.0.0.1", 5985, "vagrant", "vagrant", transport="basic"))
    with Server(lambda command: Reply([b"ok"]), {"vagrant": "vagrant"}, auth="basic") as server:
        out = client(server, transport="basic", allow_basic=True).run("hostname")
    assert out.stdout == "ok"
    assert {(s.auth, s.encrypted) for s in server.seen} == {("basic", False)}


def test_chunked_output_is_joined_before_decoding():
    data = (JA + "\r\n").encode("utf-8")
    chunks = [data[:7], data[7:20], data[20:]]                       # split inside multi-byte characters
    with Server(lambda command: Reply(list(chunks), code=3), {"vagrant": "vagrant"}) as server:
        out = client(server).run("nltest")
    assert (out.rc, out.stdout) == (3, JA + "\r\n")
    assert [s.action for s in server.seen].count("Receive") == 3


def test_the_deadline_terminates_a_command_that_never_finishes():
    with Server(lambda command: Reply(running=True), {"vagrant": "vagrant"}) as server:
        with pytest.raises(WinRMDeadline, match="longer than 1.5 s"):
            client(server).run("ping -t 10.0.0.1", deadline=1.5)
    actions = [s.action for s in server.seen]
    assert actions.count("Receive") >= 1 and actions[-2:] == ["Signal", "Delete"]


def test_a_fault_is_raised_with_its_reason():
    fault = ("2147942402", "The system cannot find the file specified.")
    with Server(lambda command: Reply(fault=fault), {"vagrant": "vagrant"}) as server:
        with pytest.raises(WSManFaultError) as caught:
            client(server).run("missing.exe")
    assert caught.value.wsman_fault_code == 2147942402
    assert caught.value.reason == "The system cannot find the file specified."
    assert [s.action for s in server.seen] == ["Create", "Command", "Delete"]


def test_long_scripts_are_staged_once_and_parameters_arrive_as_data():
    params = {"User": "o'brien", "Domain": "CORP", "Password": "p\"a$(x)`n\nß信", "Kind": "interactive"}
    side = PowerShellSide(lambda name, data: ({"win32": 1789, "logon_type": -1, "cached": False}, 0))
    with Server(side, {"vagrant": "vagrant"}) as server:
        c = client(server)
        first = c.script("logon", params)
        commands_first = [s.command for s in server.seen if s.action == "Command"]
        second = c.script("logon", params)
    assert first == second == {"win32": 1789, "logon_type": -1, "cached": False}
    assert side.runs == [("logon", params), ("logon", params)]
    call = powershell.invocation("logon", params)
    assert call.staged and len(commands_first) == sum(len(s.commands) + 1 for s in call.staged) + 1
    assert all(len(c) <= powershell.COMMAND_LINE_LIMIT for c in commands_first)
    commands_second = [s.command for s in server.seen if s.action == "Command"][len(commands_first):]
    assert commands_second == [call.command]                          # staged files are reused


def test_non_ascii_answers_survive():
    side = PowerShellSide(lambda name, data: ({"lines": [JA], "now": "2026-11-25T00:00:00Z"}, 0))
    with Server(side, {"vagrant": "vagrant"}) as server:
        assert client(server).script("machine_state", {}) == {"lines": [JA], "now": "2026-11-25T00:00:00Z"}


def test_a_script_that_dies_reports_powershells_error_text():
    clixml = ('#< CLIXML\r\n<Objs Version="1.1.0.1" xmlns="http://schemas.microsoft.com/powershell/2004/04">'
              '<S S="Error">Access is denied._x000D__x000A_</S></Objs>')
    side = PowerShellSide(lambda name, data: (clixml, 1))
    with Server(side, {"vagrant": "vagrant"}) as server:
        with pytest.raises(WinRMFailed, match=r"machine_state: exit 1: .*Access is denied\."):
            client(server).script("machine_state", {})


def test_after_a_restore_staged_files_are_asked_for_in_one_call_and_missing_ones_staged_again():
    side = PowerShellSide(lambda name, data: ({"win32": 0, "logon_type": 2}, 0))
    with Server(side, {"vagrant": "vagrant"}) as server:
        c = client(server)
        c.stage_all()                                          # before the golden snapshot
        staged = set(side.files)
        assert staged == {s.path for s in powershell.staged_files()}
        lost = next(p for p in staged if "\\logon-" in p)
        side.files.pop(lost)                                   # the restored disk is older than this one file
        before = len(server.seen)
        c.forget_staged()
        assert [s.action for s in server.seen[before:]].count("Command") == 1     # one question for all of them
        assert c.staged == staged - {lost}
        c.script("logon", {"User": "alice", "Domain": "CORP", "Password": "x"})
        assert lost in side.files                               # staged again before it ran
