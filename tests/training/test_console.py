"""The console driven with scripted input: the seed story's exact screens in English and Japanese, solved the
article's way (its dead ends included) and the right way, and the screens of its other paths."""
from __future__ import annotations

import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from prompt_toolkit.history import InMemoryHistory
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output.plain_text import PlainTextOutput

from tests.training.scripts import ARTICLE, RIGHT, transcript
from trustlab.backends.sim import SimBackend
from trustlab.engine.backend import LabOptions
from trustlab.training import terminal as app
from trustlab.training.console import Console
from trustlab.training.record import Noted
from trustlab.training.session import Session

SCREENS = Path(__file__).parent / "screens"


@pytest.fixture(autouse=True)
def training_home(tmp_path, monkeypatch):
    monkeypatch.setenv("TRUSTLAB_TRAINING", str(tmp_path))


def machine(catalogue, scenario="seed-loaner-story", lang="en") -> Console:
    return Console(Session.start(catalogue, scenario, SimBackend, LabOptions(), None, 0, lang), lang)


@pytest.mark.parametrize("lang", ["en", "ja"])
@pytest.mark.parametrize("way,script", [("article", ARTICLE), ("right", RIGHT)])
def test_the_seed_story_screens(catalogue, way, script, lang):
    m = machine(catalogue, lang=lang)
    assert transcript(m, script) == (SCREENS / f"seed-{way}-{lang}.txt").read_text(encoding="utf-8")
    assert m.session.record.score["verdict"] == "FIXED"


def test_the_article_way_is_recorded_step_by_step(catalogue):
    m = machine(catalogue)
    transcript(m, ARTICLE)
    entries = m.session.record.entries
    typed = [e.command for e in entries if getattr(e, "by", None) == "trainee" or isinstance(e, Noted)]
    assert typed[:4] == ["CORP\\alice", ".\\Administrator", "ipconfig",
                         'netsh interface ipv4 set address name="Ethernet 2" static 10.0.0.11 255.255.255.0 (Yes)']
    notes = [e.note for e in entries if isinstance(e, Noted)]
    assert "PowerShell: `set` is Set-Variable; no environment variable changed" in notes
    assert "Device Manager opened" in notes
    verbs = [e.verb for e in m.session.steps() if e.by == "trainee"]
    assert verbs.count("configure_ip") == 2 and "reinstall_adapter" in verbs and "delete_profile" in verbs


def feed(m: Console, *lines: str) -> list[str]:
    return [m.feed(line) for line in lines]


def test_unknown_commands_answer_as_cmd_and_powershell(catalogue):
    m = machine(catalogue)
    feed(m, ".\\Administrator", "x")
    assert m.feed("dri") == ("'dri' is not recognized as an internal or external command,\n"
                             "operable program or batch file.\n"
                             "[trustlab] this console knows ipconfig, ping, nltest, netdom, pnputil, powershell, "
                             "w32tm, ...; `help` lists every command")
    assert m.feed("Reset-ComputerMachinePassword").splitlines()[-1] == \
        "[trustlab] Reset-ComputerMachinePassword is a PowerShell command: type `powershell` first"
    assert m.feed("nltest /dsgetdc:CORP") == ("[trustlab] this console knows these forms of nltest: nltest "
                                              "/sc_verify:CORP; nltest /sc_query:CORP; nltest /sc_reset:CORP; "
                                              "nltest /sc_change_pwd:CORP")
    m.feed("powershell")
    assert m.feed("Remove-Computer -Force").startswith("[trustlab] not modelled: the model leaves and joins in one "
                                                       "step (SC-7")
    assert m.feed("time").splitlines()[-1] == "[trustlab] time is a cmd.exe command here: `exit` back to cmd first"


def test_unknown_command_in_japanese(catalogue):
    m = machine(catalogue, lang="ja")
    feed(m, ".\\Administrator", "x")
    assert m.feed("dri").splitlines()[:2] == ["'dri' は、内部コマンドまたは外部コマンド、",
                                              "操作可能なプログラムまたはバッチ ファイルとして認識されていません。"]


def test_sign_in_screen(catalogue):
    m = machine(catalogue, "machine-account-reset")
    assert m.prompt == "User name: "
    assert m.feed("CONTOSO\\alice") == "[trustlab] this lab's domain is CORP"
    assert m.feed("carol") == "[trustlab] the lab's users are alice, bob, admin (and .\\Administrator, the local one)"
    assert m.feed("alice@corp.test") == "" and m.secret and m.prompt == "Password: "
    assert m.feed("hunter2") == "[trustlab] type `current` or `previous`" and m.secret
    assert m.feed("current") == ("The trust relationship between this workstation and the primary domain failed.\n"
                                 "[trustlab] 1789 0xC000018D TRUST_FAILURE")
    ja = machine(catalogue, "machine-account-reset", "ja")
    feed(ja, "CORP\\alice")
    assert ja.feed("current").splitlines()[0] == "このワークステーションとプライマリ ドメインとの信頼関係に失敗しました。"


def test_repair_with_credential_asks_for_the_password_and_keeps_none(catalogue):
    m = machine(catalogue, "machine-account-reset")
    feed(m, ".\\Administrator", "x", "powershell")
    assert m.feed("Test-ComputerSecureChannel -Repair -Credential OTHERDOM\\admin") == \
        ("[trustlab] OTHERDOM\\admin: OTHERDOM is not the lab's domain; allowed: CORP\\admin (the domain admin), a "
         "user of the lab (CORP\\alice, CORP\\bob: Access is denied, as Windows answers)")
    assert m.feed("Test-ComputerSecureChannel -Repair -Credential CORP\\bob") == ""         # a plain user: asked,
    assert m.prompt == "Password for user CORP\\bob: "                                     # then refused as Windows
    assert m.feed("x").splitlines()[1:] == ["Cannot reset the secure channel password for the computer account in "
                                            "the domain CORP. Access is denied.", "False"]
    assert m.feed("Test-ComputerSecureChannel -Repair -Credential CORP\\admin") == ""
    assert m.secret and m.prompt == "Password for user CORP\\admin: "
    assert m.feed("S3cret!typed") == ("[trustlab] the lab uses CORP\\admin's own password; what you type is neither "
                                      "checked nor kept\n"
                                      "The secure channel between the local computer and the domain CORP is in good "
                                      "condition.\nTrue")
    assert "S3cret!typed" not in m.session.folder.file.read_text()
    assert m.feed("Test-ComputerSecureChannel") == "True"
    feed(m, "exit")
    assert m.feed("nltest /sc_query:CORP") == ("Flags: b0 HAS_IP  HAS_TIMESERV\nTrusted DC Name \\\\DC01.corp.test\n"
                                              "Trusted DC Connection Status Status = 0 0x0 NERR_Success\n"
                                              "The command completed successfully")
    assert m.feed("netdom resetpwd /s:DC01 /ud:CORP\\admin /pd:*") == ""
    assert m.prompt == "Type the password associated with the domain user: "
    assert m.feed("x").splitlines()[1:] == ["The machine account password for the local machine has been "
                                            "successfully reset.", "The command completed successfully."]


def test_time_screens_and_resync(catalogue):
    m = machine(catalogue, "clock-months-off")
    feed(m, ".\\Administrator", "x")
    assert m.feed("time /t") == ("[trustlab] the model keeps lab time, no calendar: LOANER01's clock is at -200d, "
                                 "DC01's at +0s (from the lab's start); LOANER01 is 200d behind (Kerberos allows "
                                 "5m, TM-3); the reference has no text for this command")
    assert m.feed("w32tm /resync") == "The command completed successfully."
    assert "LOANER01 is in step" in m.feed("w32tm /query /status")


def test_lock_unlock_and_power(catalogue):
    m = machine(catalogue, "password-changed-elsewhere")
    feed(m, "CORP\\alice", "previous", "plug")
    assert m.feed("lock") == "[trustlab] LOANER01 is locked (CORP\\alice); type the password to unlock"
    assert m.secret and m.prompt == "Password for CORP\\alice: "
    assert m.feed("current") == ""                        # a DC-checked unlock refreshes the cache (LG-4)
    assert m.prompt == "C:\\Users\\alice>"
    assert m.feed("power off") == "[trustlab] LOANER01 is off; `power on` starts it"
    assert m.prompt == "(LOANER01 is off) "
    assert m.feed("ipconfig") == "[trustlab] LOANER01 is off; `power on` starts it"
    assert m.feed("power on") == "[trustlab] LOANER01 restarts; the sign-in screen shows"
    assert m.feed("check").splitlines()[-1] == "all conditions hold: fixed"


def test_the_console_resumes_where_the_record_left_it(catalogue):
    m = machine(catalogue)
    feed(m, ".\\Administrator", "x", "unplug")
    again = Console(Session.open(catalogue, SimBackend, LabOptions()), "en")
    assert again.prompt == "C:\\Users\\Administrator>"
    assert "signed in as LOANER01\\Administrator" in again.start()


def test_completion_offers_the_table_at_each_screen(catalogue):
    m = machine(catalogue)
    assert "CORP\\alice" in m.words() and ".\\Administrator" in m.words()
    feed(m, ".\\Administrator", "x")
    words = m.words()
    assert {"ipconfig", "nltest /sc_verify:CORP", "start devmgmt.msc", "powershell"} <= set(words)
    assert "Test-ComputerSecureChannel -Repair" not in words
    m.feed("powershell")
    assert "Test-ComputerSecureChannel -Repair" in m.words()


def test_the_prompt_toolkit_front_end_with_a_pipe(catalogue):
    m = machine(catalogue, "hidden-adapter")
    out = StringIO()
    history = InMemoryHistory()
    with create_pipe_input() as pipe:
        pipe.send_text(".\\Administrator\rsecret-typed\ripconfig\rpnputil /enum-devices /disconnected\r")
        pipe.close()
        app.run(m, input=pipe, output=PlainTextOutput(out), history=history)
    shown = out.getvalue()
    assert "Autoconfiguration IPv4 Address. . : 169.254." in shown
    assert "Status:                     Disconnected" in shown
    assert "secret-typed" not in shown
    assert list(history.load_history_strings()) == ["pnputil /enum-devices /disconnected", "ipconfig",
                                                    ".\\Administrator"]


def test_the_console_commands_open_on_a_pipe_and_keep_a_history(tmp_path):
    """`trustlab console` and `lab console` as a user starts them (a process, lines on its stdin)."""
    env = {**os.environ, "TRUSTLAB_TRAINING": str(tmp_path)}
    for argv in (["console", "seed-loaner-story", "--name", "pipe"], ["lab", "console", "--name", "pipe"]):
        done = subprocess.run([sys.executable, "-m", "trustlab", *argv], input="help\n", env=env,
                              capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        assert "User name:" in done.stdout and "Traceback" not in done.stderr
    assert (tmp_path / "sim-pipe" / "console-history").exists()
