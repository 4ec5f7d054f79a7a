"""Issue 21's console findings, one test each: what a trainee types is what the lab does, the console answers as
Windows does (or says, marked, that the model does not cover it), in the language asked, and the command line's own
examples and pointers work."""
from __future__ import annotations

import time

import pytest
from click.testing import CliRunner

from trustlab.backends.samba.backend import SambaBackend
from trustlab.backends.sim import SimBackend
from trustlab.cli import main
from trustlab.engine.backend import LabOptions
from trustlab.specs import tools
from trustlab.training.console import Console
from trustlab.training.record import Checked, Noted, TrainingError
from trustlab.training.session import Session

NETSH = 'netsh interface ipv4 set address name="Ethernet 2" static {ip} {mask}'


@pytest.fixture(autouse=True)
def training_home(tmp_path, monkeypatch):
    monkeypatch.setenv("TRUSTLAB_TRAINING", str(tmp_path))


def machine(catalogue, scenario="seed-loaner-story", lang="en", profile=None, name=None) -> Console:
    return Console(Session.start(catalogue, scenario, SimBackend, LabOptions(name), profile, 0, lang), lang)


def feed(m: Console, *lines: str) -> list[str]:
    return [m.feed(line) for line in lines]


def ghost_removed(catalogue, **kw) -> Console:
    """The seed story with the hidden adapter gone (the official way): the address is free to enter."""
    m = machine(catalogue, **kw)
    feed(m, ".\\Administrator", "x", "pnputil /remove-device \"Ethernet\"")
    return m


# --- the address typed is the address entered (NW-5) ---------------------------------------------------------

def test_a_wrong_address_stays_wrong_and_the_lab_behaves_accordingly(catalogue):
    m = ghost_removed(catalogue)
    assert m.feed(NETSH.format(ip="192.168.1.50", mask="255.255.255.0")) == "Ethernet 2: 192.168.1.50"
    shown = m.feed("ipconfig")
    assert "   IPv4 Address. . . . . . . . . . . : 192.168.1.50" in shown.splitlines()
    assert "10.0.0.11" not in shown
    assert "does not answer" in m.feed("ping DC01")
    grade = m.session.grade()
    assert not grade.fixed and any(not c.passed and "network" in c.seen["en"] for c in grade.lines)
    steps = [e for e in m.session.steps() if e.verb == "configure_ip"]
    assert steps[-1].args["address"] == "192.168.1.50/24"            # the record has what was typed


def test_another_free_address_of_the_dcs_subnet_works(catalogue):
    m = ghost_removed(catalogue)
    m.feed(NETSH.format(ip="10.0.0.50", mask="255.255.255.0"))
    assert "answers" in m.feed("ping DC01")


def test_a_mask_that_leaves_the_dc_off_the_subnet_does_not(catalogue):
    m = ghost_removed(catalogue)
    m.feed(NETSH.format(ip="10.0.0.50", mask="255.255.255.252"))
    assert "does not answer" in m.feed("ping DC01")


def test_the_dcs_own_address_is_a_conflict_ipconfig_shows_the_apipa_address(catalogue):
    m = ghost_removed(catalogue)
    m.feed(NETSH.format(ip="10.0.0.10", mask="255.255.255.0"))
    shown = m.feed("ipconfig /all").splitlines()
    assert "   IPv4 Address. . . . . . . . . . . : 10.0.0.10(Duplicate)" in shown
    assert any(line.startswith("   Autoconfiguration IPv4 Address. . : 169.254.") for line in shown)
    assert "does not answer" in m.feed("ping DC01")


def test_a_typed_address_that_is_no_address_is_refused_as_netsh_does(catalogue):
    m = ghost_removed(catalogue)
    assert m.feed(NETSH.format(ip="10.0.0.300", mask="255.255.255.0")) == \
        "Invalid address parameter (10.0.0.300). It should be a valid IPv4 address."
    assert m.feed(NETSH.format(ip="10.0.0.30", mask="255.0.255.0")) == "Invalid mask parameter (255.0.255.0)."


def test_the_duplicate_address_dialog_asks_every_time(catalogue):
    m = machine(catalogue)
    feed(m, ".\\Administrator", "x")
    line = NETSH.format(ip="10.0.0.11", mask="255.255.255.0")
    for _ in range(3):
        assert m.feed(line).startswith("The IP address 10.0.0.11 you have entered")
        assert m.prompt.startswith("Do you want to enter a different IP address")
        assert m.feed("Yes") == "[trustlab] Yes: back to the dialog; nothing applied"
    assert m.feed(line).startswith("The IP address 10.0.0.11")
    m.feed("No")
    assert m.feed(line).startswith("The IP address 10.0.0.11")   # the hidden adapter still holds it: asked again


def test_answering_no_leaves_the_hidden_adapter_holding_the_address_and_the_grade_says_so(catalogue):
    m = machine(catalogue)
    feed(m, ".\\Administrator", "x", NETSH.format(ip="10.0.0.11", mask="255.255.255.0"), "No", "logoff",
         "CORP\\alice", "current")
    shown = m.feed("check")
    assert "[trustlab] note: the hidden adapter Ethernet still holds 10.0.0.11, the address of Ethernet 2" in shown
    checked = m.session.record.moments(Checked)[-1]
    assert checked.verdict == "FIXED" and checked.caveats[0]["en"].startswith("the hidden adapter Ethernet")
    assert "非表示のアダプター Ethernet" in checked.caveats[0]["ja"]
    right = ghost_removed(catalogue, name="right")
    feed(right, NETSH.format(ip="10.0.0.11", mask="255.255.255.0"), "logoff", "CORP\\alice", "current")
    assert "note:" not in right.feed("check")


# --- Windows' own commands --------------------------------------------------------------------------------------

def test_gpupdate_refreshes_computer_policy_or_says_why_it_cannot(catalogue):
    m = machine(catalogue)
    feed(m, ".\\Administrator", "x")
    failed = m.feed("gpupdate /force").splitlines()
    assert failed[:3] == ["Updating policy...", "",
                          "Computer policy could not be updated successfully. The following errors were encountered:"]
    assert failed[-1] == tools.GP_NO_DC
    feed(m, 'pnputil /remove-device "Ethernet"', NETSH.format(ip="10.0.0.11", mask="255.255.255.0"))
    assert m.feed("gpupdate /force").splitlines() == tools.GPUPDATE_OK
    assert "not recognized" not in m.feed("gpupdate")


def test_ipconfig_prints_adapter_blocks_with_the_apipa_address_and_media_state(catalogue):
    m = machine(catalogue)
    feed(m, ".\\Administrator", "x")
    shown = m.feed("ipconfig").splitlines()
    assert shown[:5] == ["", "Windows IP Configuration", "", "Ethernet adapter Ethernet 2:", ""]
    apipa = next(line for line in shown if "Autoconfiguration IPv4 Address" in line)
    assert apipa.startswith("   Autoconfiguration IPv4 Address. . : 169.254.")
    assert "   Subnet Mask . . . . . . . . . . . : 255.255.0.0" in shown
    assert "Ethernet adapter Ethernet:" not in shown                         # the hidden one: not present
    assert m.feed("ipconfig").splitlines() == shown                          # the same address each time
    every = m.feed("ipconfig /all").splitlines()
    assert "   Host Name . . . . . . . . . . . . : LOANER01" in every and "   DHCP Enabled. . . . . . . . . . . : Yes" in every
    m.feed("unplug")
    assert "   Media State . . . . . . . . . . . : Media disconnected" in m.feed("ipconfig").splitlines()


def test_ipconfig_flushdns_and_renew(catalogue):
    m = machine(catalogue)
    feed(m, ".\\Administrator", "x")
    assert m.feed("ipconfig /flushdns").splitlines()[-1] == "Successfully flushed the DNS Resolver Cache."
    assert isinstance(m.session.record.entries[-1], Noted)
    assert m.feed("ipconfig /renew").splitlines()[-1] == ("An error occurred while renewing interface Ethernet 2 : "
                                                         "unable to contact your DHCP server. Request has timed out.")
    feed(m, 'pnputil /remove-device "Ethernet"', NETSH.format(ip="10.0.0.11", mask="255.255.255.0"))
    assert m.feed("ipconfig /renew").splitlines()[-1] == ("The operation failed as no adapter is in the state "
                                                         "permissible for this operation.")


def test_w32tm_resync_force(catalogue):
    m = machine(catalogue, "clock-months-off")
    feed(m, ".\\Administrator", "x")
    assert m.feed("w32tm /resync /force") == "The command completed successfully."
    assert "LOANER01 is in step" in m.feed("w32tm /query /status")


def test_nltest_as_a_plain_user_is_access_denied_as_windows_says_it(catalogue):
    m = machine(catalogue, "password-changed-elsewhere")
    feed(m, "CORP\\alice", "previous", "plug")
    shown = m.feed("nltest /sc_verify:CORP")
    assert shown == "I_NetLogonControl failed: Status = 5 0x5 ERROR_ACCESS_DENIED"
    assert "local_admin_logon" not in shown
    m.feed("powershell")
    assert m.feed("Test-ComputerSecureChannel") == "Test-ComputerSecureChannel : Access is denied."


def test_a_real_command_the_model_does_not_cover_is_not_modelled_here_never_not_recognized(catalogue):
    m = machine(catalogue)
    feed(m, ".\\Administrator", "x")
    for line in ("dir", "net use", "nslookup DC01", "arp -a", "tracert DC01", "systeminfo"):
        shown = m.feed(line)
        assert shown.startswith("[trustlab] not modelled here: ") and "not recognized" not in shown, line
    m.feed("powershell")
    assert m.feed("Get-NetAdapter").startswith("[trustlab] not modelled here: Get-NetAdapter")
    assert "is not recognized as the name of a cmdlet" in m.feed("Get-NetAdaptr")    # a typo: Windows' own words


# --- Device Manager (NW-3) ----------------------------------------------------------------------------------

def test_view_show_hidden_devices_shows_the_dimmed_adapter_on_windows_10_and_11(catalogue):
    m = machine(catalogue)
    feed(m, ".\\Administrator", "x", "start devmgmt.msc")                    # no variable set (the default profile)
    assert "Ethernet  (dimmed: not present)" in m.feed("view hidden")


def test_the_profile_switch_for_the_variable_and_the_why_as_a_hint_not_at_once(catalogue, tmp_path):
    profile = tmp_path / "old-windows.yaml"
    profile.write_text("name: windows-7\nhidden_devices_need_variable: true\n", encoding="utf-8")
    m = machine(catalogue, profile=str(profile))
    feed(m, ".\\Administrator", "x", "start devmgmt.msc")
    shown = m.feed("view hidden")
    assert "dimmed" not in shown and "devmgr_show_nonpresent_devices" not in shown and "[trustlab]" not in shown
    feed(m, "close", "set devmgr_show_nonpresent_devices=1", "start devmgmt.msc")
    assert "Ethernet  (dimmed: not present)" in m.feed("view hidden")
    hints = [h.en for h in catalogue.scenario("seed-loaner-story").hints]
    assert any("Show hidden devices" in h and "Windows 7" in h for h in hints)


# --- languages and questions ---------------------------------------------------------------------------------

def test_signed_in_signed_out_and_uninstalled_in_japanese(catalogue):
    m = machine(catalogue, lang="ja")
    assert m.feed(".\\Administrator") and m.feed("x") == "[trustlab] LOANER01\\Administrator としてサインインしました"
    assert m.feed('pnputil /remove-device "Ethernet"') == "[trustlab] Ethernet をアンインストールしました"
    assert m.feed("logoff") == "[trustlab] サインアウトしました。サインイン画面が表示されます"
    shown = "\n".join(feed(m, ".\\Administrator", "x", "start devmgmt.msc", 'uninstall "Ethernet 2"', "no"))
    assert "Ethernet 2 をアンインストールしました" in shown
    for english in ("signed in", "signed out", "uninstalled"):
        assert english not in shown


def test_close_at_a_yes_no_question_is_not_an_answer(catalogue):
    m = machine(catalogue)
    feed(m, ".\\Administrator", "x", "start devmgmt.msc", "view hidden", 'uninstall "Ethernet"')
    assert m.feed("close") == "[trustlab] answer yes or no"
    assert m.prompt.startswith("Uninstall Device: Ethernet.")
    assert [a["name"] for a in m._adapters()] == ["Ethernet", "Ethernet 2"]  # nothing uninstalled
    assert "uninstalled Ethernet" in m.feed("no")
    feed(m, "close")
    m.feed(NETSH.format(ip="10.0.0.11", mask="255.255.255.0"))             # no clash left: applied
    n = machine(catalogue, name="second")
    feed(n, ".\\Administrator", "x", NETSH.format(ip="10.0.0.11", mask="255.255.255.0"))
    assert n.feed("close") == "[trustlab] answer yes or no" and n.prompt.startswith("Do you want to enter")


# --- the command line -------------------------------------------------------------------------------------------

def test_lab_record_takes_lang(catalogue):
    cli = CliRunner()
    assert cli.invoke(main, ["lab", "break", "seed-loaner-story"]).exit_code == 0
    cli.invoke(main, ["lab", "hint"])
    out = cli.invoke(main, ["lab", "record", "--lang", "ja"]).output
    assert "トレーニング セッション: seed-loaner-story" in out and "ヒント 1 (要求)" in out
    assert "ローカル管理者" in out                                          # the hint's own Japanese text


def test_lab_reset_defaults_to_the_sim_like_the_training_commands(catalogue):
    cli = CliRunner()
    assert cli.invoke(main, ["lab", "break", "seed-loaner-story"]).exit_code == 0
    out = cli.invoke(main, ["lab", "reset"])
    assert out.exit_code == 0 and "a fresh copy of the exercise" in out.output


def test_lab_break_help_second_example_is_an_exercise_the_samba_lab_can_give(catalogue):
    helptext = CliRunner().invoke(main, ["lab", "break", "--help"]).output
    example = next(line for line in helptext.splitlines() if "--backend samba" in line).split()
    scenario = example[example.index("break") + 1]
    from trustlab.engine.plan import plan
    assert all(SambaBackend.unsupported_reason(a.verb) is None for a in plan(catalogue.scenario(scenario)))
    started = time.monotonic()                           # and one it cannot is refused at once, no lab built
    with pytest.raises(TrainingError, match="cannot give this exercise, so nothing was handed over: break"):
        Session.start(catalogue, "seed-loaner-story", SambaBackend, LabOptions("h21-never-built"))
    assert time.monotonic() - started < 1


def test_lab_console_on_vagrant_points_to_where_training_runs(catalogue):
    out = CliRunner().invoke(main, ["lab", "console", "--backend", "vagrant"]).output
    assert "training runs on the sim" in out and "lab break SCENARIO --backend vagrant" not in out
