"""How a shipped PowerShell script runs on a lab machine with values from YAML, without any value becoming code.

The command line is always the same bootstrap, `powershell -EncodedCommand ...`. The script's parameters travel as
one base64 literal of JSON; base64 has no character PowerShell gives meaning to, so no value (quotes, `$()`,
backticks, newlines, non-ASCII) can change what runs. The bootstrap decodes the JSON and splats it onto the script.
A script too long for the command line (cmd.exe's 8,191 characters) is first written to a file on the machine in
base64 chunks, then run from there. Scripts print one `TRUSTLAB-JSON:` line: the probe's structured answer."""
from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from trustlab.specs import shipped

SCRIPTS = shipped.path("lab", "scripts")
MARKER = "TRUSTLAB-JSON:"
COMMAND_LINE_LIMIT = 8191          # cmd.exe; WinRM's shell runs the command through it
CHUNK = 2400                       # base64 characters of script per staging command (stays under the limit)
STAGE_DIR = r"C:\ProgramData\trustlab\scripts"
EXE = "powershell.exe -NoLogo -NoProfile -NonInteractive -ExecutionPolicy Bypass -EncodedCommand "

# The only code that runs besides the shipped scripts; `{data}` and the bodies are base64 literals. The shared
# helpers (`_common.ps1`) are dot-sourced first, so the script's own `param()` block stays its first statement.
# Setting the console's encoding throws "The handle is invalid" where the host has no console; WinRM's shell has its
# code page set already (WINRS_CODEPAGE 65001), so a failure there changes nothing.
_PRELUDE = (
    "$ErrorActionPreference = 'Stop'; $ProgressPreference = 'SilentlyContinue'; "
    "try {{ [Console]::OutputEncoding = New-Object System.Text.UTF8Encoding $false }} catch {{ }}; "
    "$td = [System.Text.Encoding]::UTF8.GetString([System.Convert]::FromBase64String('{data}')); "
    "$tp = @{{}}; foreach ($tv in (ConvertFrom-Json $td).PSObject.Properties) {{ $tp[$tv.Name] = $tv.Value }}; "
)
_INLINE = _PRELUDE + (
    ". ([ScriptBlock]::Create([System.Text.Encoding]::UTF8.GetString([System.Convert]::FromBase64String('{common}')))); "
    "& ([ScriptBlock]::Create([System.Text.Encoding]::UTF8.GetString([System.Convert]::FromBase64String('{body}')))) @tp"
)
_STAGED = _PRELUDE + ". '{common}'; & '{body}' @tp"
_STAGE = (
    "$ErrorActionPreference = 'Stop'; New-Item -ItemType Directory -Force -Path '{dir}' | Out-Null; "
    "[System.IO.File]::AppendAllText('{path}.part', '{chunk}')"
)
_COMMIT = (
    "$ErrorActionPreference = 'Stop'; $tb = [System.IO.File]::ReadAllText('{path}.part'); "
    "[System.IO.File]::WriteAllBytes('{path}', [System.Convert]::FromBase64String($tb)); "
    "Remove-Item -LiteralPath '{path}.part'"
)
_PRESENT = ("if (Test-Path -LiteralPath '{path}') {{ 'present' }} "
            "else {{ Remove-Item -LiteralPath '{path}.part' -ErrorAction SilentlyContinue; 'absent' }}")


@dataclass(frozen=True)
class Staged:
    """A script file put on the machine once (per script version): `check` says whether it is there already."""

    path: str
    check: str
    commands: tuple[str, ...]


@dataclass(frozen=True)
class Invocation:
    script: str
    command: str
    staged: tuple[Staged, ...] = ()


@lru_cache(maxsize=None)
def source(name: str) -> str:
    """A shipped script's text."""
    return (SCRIPTS / f"{name}.ps1").read_text(encoding="utf-8")


def names() -> list[str]:
    """Every shipped step and probe script (provisioning scripts live in `scripts/provision/`)."""
    return sorted(p.stem for p in SCRIPTS.glob("*.ps1") if not p.name.startswith("_"))


def encoded(code: str) -> str:
    """`code` as PowerShell's -EncodedCommand takes it: base64 of UTF-16LE."""
    return base64.b64encode(code.encode("utf-16-le")).decode("ascii")


def encode(code: str) -> str:
    """A command line running `code`."""
    return EXE + encoded(code)


def _b64(text: str) -> str:
    return base64.b64encode(text.encode("utf-8")).decode("ascii")


def data(params: dict[str, Any]) -> str:
    """The parameters as the base64 literal the bootstrap decodes; JSON keeps types (strings, numbers, booleans)."""
    return _b64(json.dumps(params, ensure_ascii=False, sort_keys=True))


def _stage(name: str, body: str) -> Staged:
    digest = hashlib.sha256(body.encode("utf-8")).hexdigest()[:16]
    path = f"{STAGE_DIR}\\{name}-{digest}.ps1"
    encoded = base64.b64encode(b"\xef\xbb\xbf" + body.encode("utf-8")).decode("ascii")  # BOM: PS 5.1 reads UTF-8
    commands = tuple(encode(_STAGE.format(dir=STAGE_DIR, path=path, chunk=encoded[i:i + CHUNK]))
                     for i in range(0, len(encoded), CHUNK))
    return Staged(path, encode(_PRESENT.format(path=path)), commands + (encode(_COMMIT.format(path=path)),))


def invocation(name: str, params: dict[str, Any], limit: int = COMMAND_LINE_LIMIT) -> Invocation:
    common, body = source("_common"), source(name)
    inline = encode(_INLINE.format(data=data(params), common=_b64(common), body=_b64(body)))
    if len(inline) <= limit:
        return Invocation(name, inline)
    staged = (_stage("_common", common), _stage(name, body))
    return Invocation(name, encode(_STAGED.format(data=data(params), common=staged[0].path, body=staged[1].path)),
                      staged)


def staged_files() -> list[Staged]:
    """Every file the shipped scripts are staged in (those too long for the command line), once each."""
    found: dict[str, Staged] = {}
    for name in names():
        for staged in invocation(name, {}).staged:
            found.setdefault(staged.path, staged)
    return list(found.values())


def present_command(paths: list[str]) -> str:
    """One command line that prints which of `paths` (trustlab's own staging paths, no quotes in them) exist."""
    listed = ", ".join(f"'{path}'" for path in paths)
    return encode(f"foreach ($tp in @({listed})) {{ if (Test-Path -LiteralPath $tp) {{ $tp }} }}")


def decode(command: str) -> str:
    """The PowerShell a command line runs (for tests and `--debug` output)."""
    return base64.b64decode(command.removeprefix(EXE)).decode("utf-16-le")


def answer(stdout: str) -> dict[str, Any]:
    """The script's structured answer: its last `TRUSTLAB-JSON:` line."""
    for line in reversed(stdout.splitlines()):
        if line.startswith(MARKER):
            return json.loads(line[len(MARKER):])
    raise ValueError("the script printed no TRUSTLAB-JSON answer")
