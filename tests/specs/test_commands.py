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
