"""A lint for Windows PowerShell 5.1 over tree-sitter-powershell's syntax tree (the grammar also knows PowerShell 7,
so 7-only syntax parses and must be refused here), and a C# check for Add-Type code."""
from __future__ import annotations

import re
from dataclasses import dataclass

import tree_sitter as ts
import tree_sitter_c_sharp
import tree_sitter_powershell

POWERSHELL = ts.Parser(ts.Language(tree_sitter_powershell.language()))
CSHARP = ts.Parser(ts.Language(tree_sitter_c_sharp.language()))

# Every command a shipped script may run: Windows PowerShell 5.1 cmdlets (Microsoft.PowerShell.*, NetAdapter,
# NetTCPIP, DnsClient, PnpDevice, ActiveDirectory, ADDSDeployment, ServerManager, DnsServer), Windows programs, and
# the helpers `_common.ps1` defines.
ALLOWED_COMMANDS = {
    "Add-Computer", "Add-ADGroupMember", "Add-Type", "Get-Command", "ConvertFrom-Json", "ConvertTo-Json", "ConvertTo-SecureString",
    "Disable-ADAccount", "Enable-ADAccount", "ForEach-Object", "Get-ADComputer", "Get-ADDomain", "Get-ADUser",
    "Get-ChildItem", "Get-CimInstance", "Get-Date", "Get-DnsServerForwarder", "Get-ItemProperty", "Get-NetAdapter",
    "Get-NetIPAddress", "Get-PnpDevice", "Get-PnpDeviceProperty", "Import-Module", "Install-ADDSForest",
    "Install-WindowsFeature", "Join-Path", "New-ADUser", "New-Item", "New-NetIPAddress", "New-Object", "New-TimeSpan",
    "Remove-ADObject", "Remove-CimInstance", "Remove-Computer", "Remove-DnsServerForwarder", "Remove-Item",
    "Remove-NetIPAddress", "Rename-NetAdapter", "Reset-ComputerMachinePassword", "Resolve-DnsName", "Select-Object",
    "Set-ADAccountPassword", "Set-ADDefaultDomainPasswordPolicy", "Set-ADUser", "Set-Date", "Set-DnsClientServerAddress",
    "Set-Item", "Set-ItemProperty", "Set-NetIPInterface", "Set-Service", "Split-Path", "Start-Service", "Start-Sleep",
    "Stop-Service", "Test-ComputerSecureChannel", "Test-Path", "Where-Object", "Write-Output", "Out-Null",
    "djoin.exe", "dsmod.exe", "netdom.exe", "nltest.exe", "pnputil.exe", "shutdown.exe", "w32tm.exe",
}
HELPERS = {"Write-Answer", "Invoke-Native", "New-Credential", "Get-ErrorCode", "Get-LabAdapter"}
AUTOMATIC = {"$args", "$input", "$profile", "$host", "$error", "$matches", "$pid", "$pwd", "$home", "$true", "$false",
             "$null", "$_", "$psitem", "$this", "$myinvocation", "$executioncontext", "$lastexitcode"}
STRINGS = {"comment", "string_literal", "expandable_string_literal", "verbatim_string_characters",
           "verbatim_here_string_characters", "expandable_here_string_literal"}
CSHARP_NEWER_THAN_5 = [(r'\$"', "string interpolation"), (r"=>", "lambdas or expression bodies"),
                       (r"\bout var\b", "out variables"), (r"\?\.", "null-conditional access"),
                       (r"\bnameof\(", "nameof")]


@dataclass(frozen=True)
class Problem:
    line: int
    text: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.text}"


def _nodes(node: ts.Node):
    yield node
    for child in node.children:
        yield from _nodes(child)


def _inside(node: ts.Node, types: set[str]) -> bool:
    while node is not None:
        if node.type in types:
            return True
        node = node.parent
    return False


def lint(source: str, commands: set[str] = ALLOWED_COMMANDS | HELPERS) -> list[Problem]:
    tree = POWERSHELL.parse(source.encode("utf-8"))
    problems = []
    for node in _nodes(tree.root_node):
        line = node.start_point[0] + 1
        text = node.text.decode("utf-8", "replace")
        if node.type == "ERROR" or node.is_missing:
            problems.append(Problem(line, f"does not parse: {text[:40]!r}"))
        elif node.type == "pipeline_chain_tail":
            problems.append(Problem(line, f"`{text.strip()}` is PowerShell 7 only; use if/else"))
        elif node.type == "command_name" and text not in commands:
            problems.append(Problem(line, f"command {text!r} is not on the allowlist"))
        elif node.child_count == 0 and not _inside(node, STRINGS) and text in ("??", "?", "??=", "?."):
            problems.append(Problem(line, f"`{text}` is PowerShell 7 only"))
        elif node.type == "left_assignment_expression" and text.strip().lower() in AUTOMATIC:
            problems.append(Problem(line, f"assigns the automatic variable {text.strip()}"))
        elif node.type == "foreach_statement":
            loop = next((c for c in node.children if c.type == "variable"), None)
            if loop is not None and loop.text.decode().lower() in AUTOMATIC:
                problems.append(Problem(line, f"loops with the automatic variable {loop.text.decode()}"))
    for line, code in add_type_code(source):
        problems += [Problem(line + p.line - 1, f"C#: {p.text}") for p in lint_csharp(code)]
    return problems


def add_type_code(source: str) -> list[tuple[int, str]]:
    """The C# of every `Add-Type -TypeDefinition @' ... '@` (line of its first line, code)."""
    found = []
    for match in re.finditer(r"Add-Type\s+-TypeDefinition\s+@'\r?\n(.*?)\r?\n'@", source, re.S):
        found.append((source[:match.start(1)].count("\n") + 1, match.group(1)))
    return found


def lint_csharp(code: str) -> list[Problem]:
    tree = CSHARP.parse(code.encode("utf-8"))
    problems = [Problem(n.start_point[0] + 1, f"does not parse: {n.text.decode()[:40]!r}")
                for n in _nodes(tree.root_node) if n.type == "ERROR" or n.is_missing]
    for pattern, what in CSHARP_NEWER_THAN_5:
        for match in re.finditer(pattern, code):
            problems.append(Problem(code[:match.start()].count("\n") + 1,
                                    f"{what} need a newer C# than Windows PowerShell 5.1's compiler (C# 5)"))
    return problems
