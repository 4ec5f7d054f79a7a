"""A lint for Windows PowerShell 5.1 over tree-sitter-powershell's syntax tree (the grammar also knows PowerShell 7,
so 7-only syntax parses and must be refused here), and a C# check for Add-Type code. Besides syntax, it refuses the
classes of mistake the Windows lab has been found to make:

- `$args` inside a script block that is nested in another or handed to a command (`Where-Object { ... }`): there
  it is that block's own, empty, not the outer one's (about_Automatic_Variables: `$args` holds the undeclared
  arguments "passed to a function, script, or script block"). The Hyper-V cable control once matched no adapter so.
- A native exit code compared with 0 alone, for a program that also succeeds otherwise: pnputil returns 3010 and
  1641 for success with a restart needed or started (learn.microsoft.com "PnPUtil return values").
- `-NewName` given to Add-Computer or Rename-Computer without comparing it with the computer's current name first:
  an equal name raises NewNameIsOldName and does nothing (PowerShell Computer.cs), and Vagrant has renamed the
  guest before any provisioner runs (SC-8)."""
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
    "Get-DnsClient", "Get-DnsClientServerAddress", "Set-DnsClient", "Clear-DnsClientCache", "Disable-NetAdapterBinding",
    "Get-NetFirewallRule", "New-NetFirewallRule", "Remove-NetFirewallRule", "Get-NetFirewallAddressFilter",
    "Get-LocalUser", "Set-LocalUser", "Get-Service", "Restart-Service", "Get-Acl", "Get-DnsServerSetting",
    "Set-DnsServerSetting", "Get-DnsServerResourceRecord", "Remove-DnsServerResourceRecord",
    "Add-DnsServerResourceRecordA",
    "djoin.exe", "dsacls.exe", "dsmod.exe", "netdom.exe", "nltest.exe", "pnputil.exe", "shutdown.exe", "w32tm.exe",
}
# The Hyper-V module's cmdlets, which the host scripts (lab/hyperv) call module-qualified (`Hyper-V\Get-VM`), so that
# no other module's command of the same name runs.
HYPERV = {"Get-VM", "Start-VM", "Stop-VM", "Set-VM", "Checkpoint-VM", "Get-VMSnapshot", "Remove-VMSnapshot",
          "Restore-VMSnapshot", "Get-VMNetworkAdapter", "Add-VMNetworkAdapter", "Remove-VMNetworkAdapter",
          "Connect-VMNetworkAdapter", "Disconnect-VMNetworkAdapter", "Get-VMSwitch", "New-VMSwitch", "Remove-VMSwitch"}
HELPERS = {"Write-Answer", "Invoke-Native", "New-Credential", "Get-ErrorCode", "Get-LabAdapter", "Get-HiddenNic",
           "Wait-ActiveDirectory", "Get-EvaluationEnd", "Get-AdapterFacts", "Find-ADIdentity"}
# Programs whose documented success is more than exit code 0.
SUCCESS_CODES = {"pnputil.exe": (0, 3010, 1641)}
CURRENT_NAME = ("gethostname()", "computername")
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


def _ancestors(node: ts.Node):
    node = node.parent
    while node is not None:
        yield node
        node = node.parent


def _own_args(node: ts.Node) -> bool:
    """`$args` here is a nested block's own: two enclosing blocks, or one that is a command's argument."""
    blocks = [a for a in _ancestors(node) if a.type in ("script_block_expression", "function_statement")]
    if len(blocks) >= 2:
        return True
    return bool(blocks) and blocks[0].type == "script_block_expression" and blocks[0].parent.type != "command_name_expr"


def _compares_current_name(node: ts.Node) -> bool:
    """Inside an `if` whose condition compares something with the computer's current name."""
    for a in _ancestors(node):
        if a.type == "if_statement":
            condition = next((c for c in a.children if c.type == "pipeline"), None)
            text = condition.text.decode().lower() if condition is not None else ""
            if any(name in text for name in CURRENT_NAME) and ("-ne" in text or "-eq" in text):
                return True
    return False


def _new_name(node: ts.Node) -> bool:
    """A `-NewName` for Add-Computer/Rename-Computer, directly or as a splatted table's key."""
    text = node.text.decode().lower()
    if node.type == "command_parameter" and text == "-newname":
        command = node.parent.parent.child_by_field_name("command_name") or node.parent.parent.children[0]
        return command.text.decode().lower() in ("add-computer", "rename-computer")
    if node.type == "key_expression" and text == "newname":
        return True
    return node.type == "string_literal" and text in ("'newname'", '"newname"') and node.parent is not None \
        and any(a.type == "element_access" for a in _ancestors(node))


def _exit_code_problems(tree: ts.Tree, source: str) -> list[Problem]:
    """Exit codes compared with 0 alone in a script running a program with other success codes, and such a program
    run through Invoke-Native without its success codes."""
    runs = {tool for tool in SUCCESS_CODES if tool in source.lower()}
    if not runs:
        return []
    problems = []
    for node in _nodes(tree.root_node):
        line = node.start_point[0] + 1
        if node.type == "comparison_expression" and len(node.children) == 3:
            left, op, right = (c.text.decode().lower() for c in node.children)
            if op in ("-eq", "-ne") and right.strip() == "0" and ("exitcode" in left or "lastexitcode" in left):
                problems.append(Problem(line, f"compares an exit code with 0 alone; {', '.join(sorted(runs))} also "
                                              f"succeeds with {_others(runs)} (a restart needed or started)"))
        elif node.type == "command" and node.children[0].text.decode() == "Invoke-Native":
            text = node.text.decode().lower()
            for tool in runs:
                wanted = SUCCESS_CODES[tool]
                if tool in text and not ("-successcodes" in text and all(str(c) in text for c in wanted)):
                    problems.append(Problem(line, f"runs {tool} without -SuccessCodes @({', '.join(map(str, wanted))})"))
    return problems


def _unread_exit_codes(tree: ts.Tree, source: str) -> list[Problem]:
    """Invoke-Native runs whose exit code nothing reads: `(Invoke-Native ...).Lines`, or a result variable whose `.Ok`
    and `.ExitCode` the script never looks at. dsmod's refused reset was once `ok: true` so."""
    problems = []
    for node in _nodes(tree.root_node):
        if node.type != "command" or node.children[0].text.decode() != "Invoke-Native":
            continue
        line = node.start_point[0] + 1
        up = list(_ancestors(node))
        assigned = next((a for a in up if a.type == "assignment_expression"), None)
        target = assigned.children[0].text.decode().strip().lower() if assigned is not None else ""
        before = up[:up.index(assigned)] if assigned is not None else up
        if any(a.type == "member_access" for a in before) or not target.startswith("$") or "." in target:
            problems.append(Problem(line, "Invoke-Native's result is not kept: its exit code is never read"))
        elif not re.search(re.escape(target) + r"\.(ok|exitcode)\b", source, re.I):
            problems.append(Problem(line, f"{target}.Ok or .ExitCode is never read: a refusal would pass as done"))
    return problems


def _swallowed_not_found(node: ts.Node) -> bool:
    """`Get-AD... -Identity X -ErrorAction SilentlyContinue` (or Ignore): a missing object is a terminating error
    (ADIdentityNotFoundException), which -ErrorAction does not stop (about_Error_Handling; PowerShell/PowerShell
    #14819, by design)."""
    if node.type != "command" or not node.children[0].text.decode().lower().startswith("get-ad"):
        return False
    text = node.text.decode().lower()
    return "-identity" in text and re.search(r"-(?:erroraction|ea)(?::|\s+)\s*['\"]?(?:silentlycontinue|ignore|0|4)\b",
                                             text) is not None


def _others(tools: set[str]) -> str:
    return ", ".join(str(c) for tool in sorted(tools) for c in SUCCESS_CODES[tool] if c)


def lint(source: str, commands: set[str] = ALLOWED_COMMANDS | HELPERS) -> list[Problem]:
    tree = POWERSHELL.parse(source.encode("utf-8"))
    defined = {n.text.decode() for n in _nodes(tree.root_node) if n.type == "function_name"}
    allowed = commands | defined | {f"Hyper-V\\{c}" for c in HYPERV}
    problems = _exit_code_problems(tree, source) + _unread_exit_codes(tree, source)
    for node in _nodes(tree.root_node):
        line = node.start_point[0] + 1
        text = node.text.decode("utf-8", "replace")
        if node.type == "ERROR" or node.is_missing:
            problems.append(Problem(line, f"does not parse: {text[:40]!r}"))
        elif node.type == "pipeline_chain_tail":
            problems.append(Problem(line, f"`{text.strip()}` is PowerShell 7 only; use if/else"))
        elif node.type == "command_name" and text not in allowed:
            problems.append(Problem(line, f"command {text!r} is not on the allowlist"))
        elif node.type == "variable" and text.lower() == "$args" and _own_args(node):
            problems.append(Problem(line, "`$args` inside a nested script block is that block's own (empty here); "
                                          "pass values with param() or a variable"))
        elif _new_name(node) and not _compares_current_name(node):
            problems.append(Problem(line, "-NewName without comparing it with the current name first: an equal name "
                                          "raises NewNameIsOldName and joins nothing (SC-8)"))
        elif _swallowed_not_found(node):
            problems.append(Problem(line, "-ErrorAction does not stop Get-AD*'s terminating not-found "
                                          "(ADIdentityNotFoundException); use try/catch"))
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
