"""The command table: every form is a step of the vocabulary or a console action, every usage shown reads back
as its own form, and a remediation written as commands is the same procedure as one written as steps."""
from __future__ import annotations

import pytest

from trustlab.specs import commands
from trustlab.specs.commands import CMD, PS, TABLE, parse, step_of
from trustlab.specs.remediation import Remediation
from trustlab.specs.steps import VERBS

EXAMPLES = {
    "wait DURATION (e.g. wait 1h)": "wait 1h",
    "Get-PnpDevice [-Class Net]": "Get-PnpDevice -Class Net",
    "Test-ComputerSecureChannel -Repair [-Credential CORP\\admin]": "Test-ComputerSecureChannel -Repair",
    "Test-ComputerSecureChannel [-Verbose]": "Test-ComputerSecureChannel",
    "Reset-ComputerMachinePassword [-Server DC01] [-Credential CORP\\admin]":
        "Reset-ComputerMachinePassword -Server DC01 -Credential CORP\\admin",
    "Add-Computer -DomainName CORP -Credential CORP\\admin [-NewName NAME] [-Restart]":
        "Add-Computer -DomainName CORP -Credential CORP\\admin -NewName LOANER02 -Restart",
    "Restart-Computer [-Force]": "Restart-Computer -Force",
    "Stop-Computer [-Force]": "Stop-Computer",
    "lock (Windows+L)": "lock",
    "gpupdate [/force]": "gpupdate /force",
    "w32tm /resync [/force]": "w32tm /resync /force",
    "check (trustlab: grade the fix)": "check",
    "hint (trustlab: the next hint)": "hint",
    "set NAME=VALUE (PowerShell: an alias of Set-Variable)": "set x=1",
    "Remove-Computer": "Remove-Computer",
}


def _forms():
    return [(name, form) for name, forms in TABLE.items() for form in forms]


def test_every_form_is_a_step_an_action_or_says_why_not():
    for name, form in _forms():
        assert (form.verb in VERBS) or form.action or form.unmodelled, name
        for behaviour in form.models:
            from trustlab.specs.reference import BEHAVIOURS
            assert behaviour in BEHAVIOURS


@pytest.mark.parametrize("name,form", _forms(), ids=lambda x: x if isinstance(x, str) else x.usage)
def test_every_usage_reads_back_as_its_own_form(name, form):
    line = EXAMPLES.get(form.usage, form.usage)
    shell = next(s for s in (CMD, PS, "signin") if s in form.shells)
    parsed = parse(line, shell)
    assert parsed is not None and parsed.usage == form.usage, (line, parsed)


def test_arguments():
    assert parse("Test-ComputerSecureChannel -Repair -Credential CORP\\admin", PS).args == {
        "credential": "domain_admin"}
    assert parse("test-computersecurechannel -repair", PS).args == {"credential": "none"}
    assert parse("Add-Computer -DomainName CORP -Credential CORP\\admin -NewName LOANER02", PS).args == {
        "credential": "domain_admin", "new_name": "LOANER02"}
    assert parse("wait 90m", CMD).args == {"for": "1h30m"}
    assert parse("wait soon", CMD) is None
    assert parse('netsh interface ipv4 set address "Ethernet 2" static 10.0.0.11 255.255.255.0', CMD).params == {
        "mask": "255.255.255.0",
        "adapter": "Ethernet 2", "ip": "10.0.0.11"}
    assert parse("Test-ComputerSecureChannel", CMD) is None            # a cmdlet is no cmd.exe command
    assert parse("set devmgr_show_nonpresent_devices=1", PS).action == "set_variable"


def test_a_remediation_written_as_commands_is_the_same_procedure():
    typed = Remediation.model_validate({"id": "typed", "title": "t", "steps": [
        {"local_admin_logon": {}},
        {"command": "Test-ComputerSecureChannel -Repair -Credential CORP\\admin"},
        {"command": "shutdown /r /t 0"}]})
    written = Remediation.model_validate({"id": "written", "title": "t", "steps": [
        {"local_admin_logon": {}}, {"repair_secure_channel": {"credential": "domain_admin"}}, {"reboot": {}}]})
    assert typed.steps == written.steps


def test_a_console_only_command_is_no_step():
    with pytest.raises(ValueError, match="'start devmgmt.msc' is not a command that is one step; allowed: "):
        step_of("start devmgmt.msc")
    assert commands.known("nltest", PS)[0] == "nltest /sc_verify:CORP"


CREDENTIALS = [
    ("Test-ComputerSecureChannel -Repair -Credential CORP\\admin", {"credential": "domain_admin"}),
    ("Test-ComputerSecureChannel -Repair -Credential admin@corp.test", {"credential": "domain_admin"}),
    ("Test-ComputerSecureChannel -Repair -Credential CORP\\bob", {"credential": "user"}),
    ("Reset-ComputerMachinePassword -Credential CORP\\alice", {"tool": "powershell", "credential": "user"}),
    ("netdom resetpwd /s:DC01 /ud:CORP\\bob /pd:*", {"tool": "netdom", "credential": "user"}),
    ("Add-Computer -DomainName CORP -Credential CORP\\helpdesk", {"credential": "joiner", "new_name": None}),
    ("Test-ComputerSecureChannel -Repair -Credential OTHERDOM\\admin",
     "OTHERDOM\\admin: OTHERDOM is not the lab's domain; allowed: CORP\\admin (the domain admin), a user of the lab "
     "(CORP\\alice, CORP\\bob: Access is denied, as Windows answers)"),
    ("Add-Computer -DomainName CORP -Credential CORP\\alice",
     "CORP\\alice: a plain user's Add-Computer is not modelled (Windows lets a user create up to 10 new computer "
     "accounts, ms-DS-MachineAccountQuota, and refuses one that exists); allowed: CORP\\admin (the domain admin), "
     "CORP\\helpdesk (the joiner)"),
    ("Test-ComputerSecureChannel -Repair -Credential CORP\\carol", "CORP\\carol: carol is no account of the lab"),
    ("Test-ComputerSecureChannel -Repair -Credential CORP\\helpdesk", "the joiner's rights on computer accounts"),
]


@pytest.mark.parametrize("line, meant", CREDENTIALS, ids=[c[0] for c in CREDENTIALS])
def test_a_credential_in_a_file_means_what_it_says_and_the_console_reads_it_the_same(line, meant, catalogue):
    """The admin, the joiner (joining), a plain user (resetting: Access is denied, as Windows answers), or a refusal
    that names what is allowed: in a remediation file's `command:` and at the console alike (one reading)."""
    from tests.training.test_console import machine

    shell = CMD if line.startswith("netdom") else PS
    if isinstance(meant, dict):
        verb, args = next(iter(step_of(line).items()))
        assert args == meant
    else:
        with pytest.raises(ValueError) as refused:
            step_of(line)
        assert meant in str(refused.value)
    lab = catalogue.scenario("machine-account-reset-reuse-blocked").lab          # a lab with the joiner helpdesk
    assert lab.joiner == "helpdesk"
    parsed = parse(line, shell, lab)
    assert (parsed.refused.text() if parsed.refused else parsed.args) == (meant if isinstance(meant, dict) else
                                                                          parsed.refused.text())
    if not isinstance(meant, dict):
        m = machine(catalogue, "machine-account-reset-reuse-blocked")
        for typed in (".\\Administrator", "x", *(["powershell"] if shell == PS else [])):
            m.feed(typed)
        assert m.feed(line) == f"[trustlab] {parsed.refused.text()}"


def test_a_plain_users_credential_in_a_remediation_does_not_fix_what_the_admins_does(tmp_path):
    """`-Credential CORP\\bob` was read as the admin's, and its claim held; it is a plain user's: Access is denied."""
    from click.testing import CliRunner

    from trustlab.cli import main

    (tmp_path / "remediations").mkdir()
    (tmp_path / "remediations" / "bob-repairs.yaml").write_text(
        "id: bob-repairs\ntitle: Repair with bob's credential\nfixes: [machine-account-reset]\nsteps:\n"
        "  - local_admin_logon: {}\n  - command: \"Test-ComputerSecureChannel -Repair -Credential CORP\\\\bob\"\n"
        "  - reboot: {}\n")
    r = CliRunner().invoke(main, ["run", "machine-account-reset", "-r", "bob-repairs", "--add", str(tmp_path)])
    assert r.exit_code == 1 and "Access is denied." in r.output and "DOES NOT HOLD" in r.output
    (tmp_path / "remediations" / "bob-repairs.yaml").write_text(
        "id: bob-repairs\ntitle: Rejoin as alice\nfixes: [machine-account-reset]\nsteps:\n"
        "  - local_admin_logon: {}\n  - command: \"Add-Computer -DomainName CORP -Credential CORP\\\\alice\"\n")
    r = CliRunner().invoke(main, ["validate", str(tmp_path / "remediations" / "bob-repairs.yaml")])
    assert r.exit_code == 2 and "bob-repairs.yaml:6:5: steps[1]: 'Add-Computer -DomainName CORP -Credential " \
                                "CORP\\alice': CORP\\alice: a plain user's Add-Computer is not modelled" in r.output
