"""Every shipped PowerShell script parses (tree-sitter-powershell) and passes the Windows PowerShell 5.1 lint; the
lint itself refuses what it must."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.backends.vagrant.pslint import ALLOWED_COMMANDS, HELPERS, add_type_code, lint, lint_csharp
from tests.conftest import ROOT
from trustlab.backends.vagrant import powershell

SCRIPTS = ROOT / "lab" / "scripts"
ALL = sorted([*SCRIPTS.rglob("*.ps1"), *(ROOT / "lab" / "hyperv").glob("*.ps1")])
PACKAGE = "\n".join(p.read_text() for p in Path(powershell.__file__).parent.glob("*.py"))


@pytest.mark.parametrize("path", ALL, ids=lambda p: str(p.relative_to(ROOT / "lab")))
def test_shipped_script_parses_and_passes_the_ps51_lint(path):
    assert lint(path.read_text(encoding="utf-8")) == []


def test_the_bootstrap_itself_parses_and_passes_the_lint():
    call = powershell.invocation("logon", {"User": "alice"}, limit=10 ** 9)
    staged = powershell.invocation("logon", {"User": "alice"}, limit=0)
    codes = [powershell.decode(call.command), powershell.decode(staged.command)]
    codes += [powershell.decode(c) for s in staged.staged for c in (s.check, *s.commands)]
    codes.append(powershell.decode(powershell.present_command([s.path for s in powershell.staged_files()])))
    for code in codes:
        assert lint(code) == [], code


def test_every_script_the_backend_runs_is_shipped_and_every_shipped_one_is_used():
    used = set(re.findall(r'(?:script|read)\((?:\s*\w+,)?\s*"([a-z_]+)"', PACKAGE))
    assert used == set(powershell.names())


def test_step_and_probe_scripts_answer_in_json_and_provisioning_takes_settings():
    for name in powershell.names():
        assert "Write-Answer" in powershell.source(name), name
    for path in (SCRIPTS / "provision").glob("*.ps1"):
        assert "param([Parameter(Mandatory = $true)] [string] $Settings)" in path.read_text(), path.name


def test_the_logon_probe_carries_c_sharp_that_parses():
    [(line, code)] = add_type_code(powershell.source("logon"))
    assert line > 1 and "LogonUserW" in code and "LsaGetLogonSessionData" in code
    assert lint_csharp(code) == []


@pytest.mark.parametrize("source, problem", [
    ("Get-Date && Get-Date\n", "line 1: `&&` is PowerShell 7 only; use if/else"),
    ("Get-Date || Get-Date\n", "line 1: `||` is PowerShell 7 only; use if/else"),
    ("$a = $b ? 1 : 2\n", "line 1: does not parse"),
    ("$a = $null ?? 3\n", "line 1: does not parse"),
    ("Invoke-Expression $x\n", "line 1: command 'Invoke-Expression' is not on the allowlist"),
    ("\n$profile = 1\n", "line 2: assigns the automatic variable $profile"),
    ("foreach ($input in @(1)) { Write-Output $input }\n", "line 1: loops with the automatic variable $input"),
    ("Add-Type -TypeDefinition @'\npublic class A { int F() => 1; }\n'@\n",
     "line 2: C#: lambdas or expression bodies need a newer C# than Windows PowerShell 5.1's compiler (C# 5)"),
    ("Add-Type -TypeDefinition @'\npublic class A { int F() { return 1 } }\n'@\n", "line 2: C#: does not parse"),
    # the Hyper-V cable control as it was: the filter's $args is its own, empty
    ("& { $a = Get-VMNetworkAdapter | Where-Object { $_.MacAddress -eq $args[1] } } 'vm' 'mac'\n",
     "line 1: `$args` inside a nested script block is that block's own (empty here)"),
    ("Get-NetAdapter | Where-Object { $_.Name -eq $args[0] }\n",
     "line 1: `$args` inside a nested script block is that block's own (empty here)"),
    ("$run = Invoke-Native -FilePath 'pnputil.exe' -ArgumentList @('/remove-device', $id)\n",
     "line 1: runs pnputil.exe without -SuccessCodes @(0, 3010, 1641)"),
    ("$run = Invoke-Native -FilePath 'pnputil.exe' -SuccessCodes @(0, 3010, 1641)\nif ($run.ExitCode -eq 0) { }\n",
     "line 2: compares an exit code with 0 alone; pnputil.exe also succeeds with 3010, 1641"),
    ("& pnputil.exe /remove-device $id\nif ($LASTEXITCODE -ne 0) { }\n",
     "line 2: compares an exit code with 0 alone"),
    ("Add-Computer -DomainName corp.test -NewName $name -Force\n",
     "line 1: -NewName without comparing it with the current name first"),
    ("$arguments = @{ DomainName = 'corp.test'; NewName = $name }\n",
     "line 1: -NewName without comparing it with the current name first"),
    ("if ($name) {\n    $arguments['NewName'] = $name\n}\n",
     "line 2: -NewName without comparing it with the current name first"),
    # dsmod's refused reset once read as done: the exit code must be read
    ("$lines = (Invoke-Native -FilePath 'dsmod.exe' -ArgumentList @('computer', $dn, '-reset')).Lines\n",
     "line 1: Invoke-Native's result is not kept: its exit code is never read"),
    ("$run = Invoke-Native -FilePath 'djoin.exe' -ArgumentList @('/provision')\n$lines = $run.Lines\n",
     "line 1: $run.Ok or .ExitCode is never read"),
    # the re-read after Remove-ADObject: Get-ADComputer's not-found is terminating
    ("$a = Get-ADComputer -Identity $name -Properties @('Enabled') -ErrorAction SilentlyContinue\n",
     "line 1: -ErrorAction does not stop Get-AD*'s terminating not-found"),
    ("$sid = (Get-ADUser -Identity $joiner -ErrorAction Ignore).SID\n",
     "line 1: -ErrorAction does not stop Get-AD*'s terminating not-found"),
])
def test_the_lint_refuses(source, problem):
    assert any(str(p).startswith(problem) for p in lint(source)), [str(p) for p in lint(source)]


@pytest.mark.parametrize("source", [
    "& { param($Id) Get-VMNetworkAdapter | Where-Object { $_.Id -eq $Id } } 'vm'\n",
    "& { Write-Output $args[0] } 'a'\n",
    "if ([System.Net.Dns]::GetHostName() -ne $name) {\n    $arguments['NewName'] = $name\n}\n",
    "if ($env:COMPUTERNAME -ne $name) { Rename-Computer -NewName $name }\n",
    "$run = Invoke-Native -FilePath 'nltest.exe' -ArgumentList @('/sc_verify:CORP')\nif ($run.ExitCode -eq 0) { }\n",
    "$run = Invoke-Native -FilePath 'dsmod.exe' -ArgumentList @('computer')\n$ok = $run.Ok\n",
    "$a = Find-ADIdentity -Kind 'computer' -Identity $name\n",
    "Get-ADUser -Filter * -ErrorAction SilentlyContinue\n",
])
def test_the_lint_lets_the_right_forms_through(source):
    assert lint(source, ALLOWED_COMMANDS | HELPERS | {"Rename-Computer", "Get-VMNetworkAdapter"}) == []


def test_waiting_for_active_directory_ends_within_the_scripts_own_deadline():
    """Wait-ActiveDirectory waited up to 600 s inside a script WinRM terminates at 300 s: AD's own error never came."""
    import inspect
    import re as re_

    from trustlab.backends.vagrant.winrm import Client

    common = (SCRIPTS / "_common.ps1").read_text()
    body = common[common.index("function Wait-ActiveDirectory"):]
    waited = int(re_.search(r"\[int\] \$Seconds = (\d+)", body).group(1))
    deadline = inspect.signature(Client.script).parameters["deadline"].default
    assert waited + 30 <= deadline, (waited, deadline)


def _commands(script: str, branch: str) -> list[str]:
    """The commands of one `$Action -eq '...'` branch of a host script, in order (tree-sitter's command names)."""
    from tests.backends.vagrant.pslint import POWERSHELL, _nodes

    source = script.encode("utf-8")
    for node in _nodes(POWERSHELL.parse(source).root_node):
        if node.type in ("if_statement", "elseif_clause"):
            condition = next((c for c in node.children if c.type == "pipeline"), None)
            if condition is not None and condition.text.decode() == f"$Action -eq '{branch}'":
                block = next(c for c in node.children if c.type == "statement_block")
                return [n.text.decode().split("\\")[-1] for n in _nodes(block) if n.type == "command_name"]
    raise AssertionError(f"no branch {branch}")


def test_hyperv_stops_the_vm_before_applying_a_checkpoint_as_vagrant_does():
    """Vagrant halts, restores, starts (hashicorp/vagrant plugins/providers/hyperv/action.rb:261-283); host.ps1 applied
    the checkpoint to a running VM."""
    commands = _commands((ROOT / "lab" / "hyperv" / "host.ps1").read_text(), "restore")
    assert [c for c in commands if c in ("Stop-VM", "Restore-VMSnapshot", "Start-VM")] == \
        ["Stop-VM", "Restore-VMSnapshot", "Start-VM"]


def test_hyperv_puts_the_lab_adapter_back_on_the_lab_switch_before_every_start():
    """Vagrant's Configure connects every adapter to its switch at each up or reload (configure_vm.ps1:78-85,
    Set-VagrantVMSwitch); the trigger after it only added a missing lab adapter, so the lab one stayed on the Default
    Switch."""
    script = (ROOT / "lab" / "hyperv" / "configure.ps1").read_text()
    assert re.search(r"elseif \(\$lab\.SwitchName -ne \$SwitchName\) \{\s*#[^\n]*\n(?:\s*#[^\n]*\n)*\s*"
                     r"Hyper-V\\Connect-VMNetworkAdapter -VMNetworkAdapter \$lab -SwitchName \$SwitchName", script)


def test_secure_time_seeding_is_off_on_every_guest():
    """STS takes time from TLS handshakes through the NAT route every guest has and could pull a jumped clock back."""
    base = (SCRIPTS / "provision" / "base.ps1").read_text()
    assert re.search(r"W32Time\\Config' -Name 'UtilizeSslTimeData' -Value 0 -Type DWord", base)


@given(cmdlet=st.sampled_from(["Get-ADComputer", "Get-ADUser", "Get-ADObject"]),
       option=st.sampled_from(["-ErrorAction", "-EA", "-erroraction"]),
       joiner=st.sampled_from([" ", ":"]),
       value=st.sampled_from(["SilentlyContinue", "'SilentlyContinue'", '"Ignore"', "Ignore", "0", "4"]))
def test_every_spelling_of_a_swallowed_not_found_is_refused(cmdlet, option, joiner, value):
    """-ErrorAction, its alias -EA and the ActionPreference numbers (SilentlyContinue 0, Ignore 4) all leave
    Get-AD*'s terminating not-found unstopped (about_CommonParameters; PowerShell/PowerShell#14819)."""
    source = f"$a = {cmdlet} -Identity $name {option}{joiner}{value}\n"
    assert any("terminating not-found" in str(p) for p in lint(source)), source
