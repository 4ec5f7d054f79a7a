"""The commands a technician types, and the step each one is: one table, shared by every backend (the sim's
console, a remediation written as commands, and any lab that does the step). A command the table knows but the
model does not cover is listed with the reason, never faked.

`parse(line, shell)` reads one line as cmd.exe (`cmd`) or Windows PowerShell (`ps`) would see it and says which
step it is (`Parsed.verb` and `.args`), or what the console does itself (`Parsed.action`: the Device Manager, an
environment variable, a change of shell), or why it is not modelled (`Parsed.unmodelled`)."""
from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, field, replace
from typing import Callable, Optional

from trustlab.specs import durations
from trustlab.specs.lab import LabSpec
from trustlab.specs.words import Words

CMD, PS = "cmd", "ps"
BOTH = frozenset({CMD, PS})


@dataclass(frozen=True)
class Parsed:
    """One line, understood: a step (`verb`, `args`), or a console action, and what the console needs to show it."""

    usage: str                                # the form it matched, as `help` lists it
    verb: Optional[str] = None
    args: dict = field(default_factory=dict)
    action: Optional[str] = None              # what the console does itself, without a step
    screen: str = ""                          # how the console shows the result
    params: dict = field(default_factory=dict)   # what was typed that the console checks against the lab
    unmodelled: Optional[str] = None          # known to Windows, not to the model: the reason
    refused: Optional["CredentialRefused"] = None   # a credential that is none the lab can stand for


@dataclass(frozen=True)
class Form:
    """One way a command is typed. `match(words, flags)` gives the arguments or None; `words` are the tokens after
    the program name, `flags` the `-Name value` / `/name:value` pairs, all with their case kept."""

    usage: str
    shells: frozenset
    match: Callable[[list[str], dict[str, str]], Optional[dict]]
    verb: Optional[str] = None
    action: Optional[str] = None
    screen: str = ""
    unmodelled: Optional[str] = None
    models: tuple[str, ...] = ()

    def parsed(self, got: dict) -> Parsed:
        args = got.pop("args", {})
        return Parsed(self.usage, self.verb, args, self.action, self.screen or (self.verb or self.action or ""),
                      got, self.unmodelled)


def _exact(*words: str):
    """The words after the program, exactly these (case-insensitive), and no flags."""
    want = [w.lower() for w in words]

    def match(rest: list[str], flags: dict) -> Optional[dict]:
        return {} if [w.lower() for w in rest] == want and not flags else None
    return match


def _switch(name: str, domain_arg: bool = True):
    """nltest's `/name:DOMAIN` (the domain kept for the console to check)."""
    def match(rest: list[str], flags: dict) -> Optional[dict]:
        if rest or list(flags) != [name]:
            return None
        return {"domain": flags[name]} if domain_arg and flags[name] else ({} if not domain_arg else None)
    return match


def _ps(required: tuple[str, ...] = (), optional: tuple[str, ...] = (), switches: tuple[str, ...] = (),
        build: Callable[[dict], dict] = lambda f: {}):
    """A cmdlet's named parameters (`-Name value`) and switches (`-Repair`), in any order."""
    allowed = {p.lower() for p in (*required, *optional)}
    flags_ok = {s.lower() for s in switches}

    def match(rest: list[str], flags: dict) -> Optional[dict]:
        if rest:
            return None
        given = {k.lower(): v for k, v in flags.items()}
        if not all(r.lower() in given for r in required):
            return None
        for key, value in given.items():
            if key in flags_ok and value == "":
                continue
            if key not in allowed or value == "":
                return None
        out = dict(given)
        out["args"] = build(given)
        return out
    return match


def _flags_only(*names: str):
    """No words, exactly these `/flags` (any case)."""
    want = {n.lower() for n in names}

    def match(rest: list[str], flags: dict) -> Optional[dict]:
        return {} if not rest and {k.lower() for k in flags} == want else None
    return match


def _credential(flags: dict) -> dict:
    """The account typed after -Credential, read against the lab by `parse` (none typed: `none`)."""
    return {"credential": flags.get("credential")}


STANDARD_LAB = LabSpec(joiner="helpdesk")
"""The lab a remediation file's commands are read against (a remediation fits many scenarios): the domain CORP, the
admin `admin`, the help desk's joiner `helpdesk` (the Windows lab's, and the SC-7 scenario's), users alice and bob."""

CREDENTIAL_TEXTS = Words({
    "other domain": {"en": "{typed}: {domain} is not the lab's domain; allowed: {allowed}",
                     "ja": "{typed}: {domain} はラボのドメインではありません。使えるもの: {allowed}"},
    "no account": {"en": "{typed}: {user} is no account of the lab; allowed: {allowed}",
                   "ja": "{typed}: {user} はラボのアカウントではありません。使えるもの: {allowed}"},
    "joiner resets": {"en": "{typed}: the joiner's rights on computer accounts are the help desk's delegation, not "
                            "modelled for a reset; allowed: {allowed}",
                      "ja": "{typed}: 参加用アカウントのコンピューター アカウントに対する権限は委任次第で、リセットには"
                            "モデル化されていません。使えるもの: {allowed}"},
    "user joins": {"en": "{typed}: a plain user's Add-Computer is not modelled (Windows lets a user create up to 10 "
                         "new computer accounts, ms-DS-MachineAccountQuota, and refuses one that exists); allowed: "
                         "{allowed}",
                   "ja": "{typed}: 一般ユーザーの Add-Computer はモデル化されていません (新しいコンピューター アカウント"
                         "は ms-DS-MachineAccountQuota の 10 個まで作れ、既存のものは拒否されます)。使えるもの: {allowed}"},
})


@dataclass(frozen=True)
class CredentialRefused:
    """A typed credential that is none of the accounts the lab can stand for, and why (in each language)."""

    key: str
    params: dict

    def text(self, lang: str = "en") -> str:
        return CREDENTIAL_TEXTS.texts[self.key][lang].format(**self.params)


def account_of(typed: str) -> tuple[str, str]:
    """(domain, user) of `DOMAIN\\user`, `user@realm` or `user` (no domain: "")."""
    domain, slash, user = typed.rpartition("\\")
    if not slash and "@" in typed:
        user, _, domain = typed.partition("@")
    return domain, user


def credential(typed: str, lab: LabSpec, joins: bool) -> "str | CredentialRefused":
    """`-Credential DOMAIN\\user` (or `user@realm`, or `user`) as the step's `credential`, for a command that
    `joins` a domain (Add-Computer) or resets a computer account (Test-ComputerSecureChannel -Repair,
    Reset-ComputerMachinePassword, netdom resetpwd /ud:): the lab's admin is `domain_admin`; its joiner, joining, is
    `joiner`; a plain user of the lab, resetting, is `user` (Windows answers "Access is denied": the account has no
    right to reset the computer account's password, SC-4); anything else is refused, naming what is allowed. The one
    reading of a credential: a remediation file's `command:` (against `STANDARD_LAB`) and the console (against its
    own lab) both ask it."""
    domain, user = account_of(typed)
    def account(name: str) -> str:
        return lab.domain + "\\" + name

    users = ", ".join(account(u) for u in lab.users)
    allowed = ", ".join([f"{account(lab.admin)} (the domain admin)"]
                        + ([f"{account(lab.joiner)} (the joiner)"] if joins and lab.joiner else [])
                        + ([] if joins else [f"a user of the lab ({users}: Access is denied, as Windows answers)"]))
    said = {"typed": typed, "domain": domain, "user": user, "allowed": allowed}
    if domain and domain.upper() not in (lab.domain, lab.realm.upper()):
        return CredentialRefused("other domain", said)
    name = user.lower()
    if name == lab.admin.lower():
        return "domain_admin"
    if lab.joiner and name == lab.joiner.lower():
        return "joiner" if joins else CredentialRefused("joiner resets", said)
    if name in (u.lower() for u in lab.users):
        return CredentialRefused("user joins", said) if joins else "user"
    return CredentialRefused("no account", said)


def _wait(rest: list[str], flags: dict) -> Optional[dict]:
    if len(rest) != 1 or flags:
        return None
    try:
        return {"args": {"for": durations.format(durations.parse(rest[0]))}}
    except ValueError:
        return None


def _one(rest: list[str], flags: dict) -> Optional[dict]:
    return {"target": rest[0]} if len(rest) == 1 and not flags else None


def _netsh(rest: list[str], flags: dict) -> Optional[dict]:
    """`netsh interface ipv4 set address name="Ethernet 2" static 10.0.0.11 255.255.255.0 [gateway]`."""
    words = [w for w in rest]
    head = [w.lower() for w in words[:4]]
    if head[:2] not in (["interface", "ipv4"], ["interface", "ip"]) or head[2:4] != ["set", "address"]:
        return None
    tail = words[4:]
    name = None
    if tail and tail[0].lower().startswith("name="):
        name, tail = tail[0][5:], tail[1:]
    elif tail:
        name, tail = tail[0], tail[1:]
    if not name or len(tail) < 2 or tail[0].lower() != "static":
        return None
    mask = tail[2] if len(tail) > 2 else ""
    return {"adapter": name, "ip": tail[1], "mask": mask}


def prefix_of(mask: str) -> Optional[int]:
    """A dotted subnet mask (255.255.255.0) as a prefix length (24); None when it is no mask."""
    try:
        parts = [int(p) for p in mask.split(".")]
    except ValueError:
        return None
    if len(parts) != 4 or any(not 0 <= p <= 255 for p in parts):
        return None
    bits = "".join(f"{p:08b}" for p in parts)
    return bits.count("1") if "01" not in bits else None


def _shutdown(kind: str):
    def match(rest: list[str], flags: dict) -> Optional[dict]:
        keys = {k.lower() for k in flags}
        delay = rest == [] or ("t" in keys and len(rest) == 1 and rest[0].isdigit())
        if not delay or kind not in keys or not keys <= {kind, "t", "f"}:
            return None
        return {}
    return match


def _pnp_remove(rest: list[str], flags: dict) -> Optional[dict]:
    if "remove-device" not in {k.lower() for k in flags}:
        return None
    device = flags.get("remove-device") or (rest[0] if len(rest) == 1 else "")
    return {"device": device} if device else None


def _set(rest: list[str], flags: dict) -> Optional[dict]:
    if flags:
        return None
    if not rest:
        return {"name": ""}
    text = " ".join(rest)
    name, eq, value = text.partition("=")
    return {"name": name, "value": value} if eq and name else {"name": text}


def _profile(rest: list[str], flags: dict) -> Optional[dict]:
    """`Get-CimInstance Win32_UserProfile | Where-Object LocalPath -like "*\\alice" | Remove-CimInstance`."""
    shape = ["win32_userprofile", "|", "where-object", "localpath", "|", "remove-ciminstance"]
    if [w.lower() for w in rest] != shape or list(flags) != ["like"]:
        return None
    user = flags["like"].replace("/", "\\").rsplit("\\", 1)[-1].strip("*")
    return {"args": {"user": user}, "user": user} if user else None


_ANY = lambda rest, flags: {"rest": rest}                                            # noqa: E731
WORLD = frozenset({CMD, PS, "signin"})   # what the technician's hands do works at any screen

# program name (lower case) -> its forms, first match wins.
TABLE: dict[str, list[Form]] = {
    # --- the physical world: the cable, the power button, the clock on the wall ---------------------------------
    "unplug": [Form("unplug", WORLD, _exact(), "unplug", models=("LG-2",))],
    "plug": [Form("plug", WORLD, _exact(), "plug", models=("LG-2",))],
    "wait": [Form("wait DURATION (e.g. wait 1h)", WORLD, _wait, "wait")],
    "power": [Form("power off", WORLD, _exact("off"), "power_off"),
              Form("power on", WORLD, _exact("on"), "power_on")],
    # --- the network --------------------------------------------------------------------------------------------
    "ipconfig": [Form("ipconfig", BOTH, _exact(), "network", screen="ipconfig", models=("NW-1", "NW-5")),
                 Form("ipconfig /all", BOTH, _flags_only("all"), "network", screen="ipconfig_all",
                      models=("NW-1", "NW-5")),
                 Form("ipconfig /renew", BOTH, _flags_only("renew"), "network", screen="ipconfig_renew",
                      models=("NW-1", "NW-5")),
                 Form("ipconfig /flushdns", BOTH, _flags_only("flushdns"), action="flushdns")],
    "gpupdate": [Form("gpupdate [/force]", BOTH, lambda r, f: {} if not r and set(f) <= {"force", "target"} else
                      None, "refresh_policy", screen="gpupdate", models=("TM-2",))],
    "ping": [Form("ping DC01", BOTH, _one, "network", screen="ping")],
    "netsh": [Form('netsh interface ipv4 set address name="Ethernet 2" static 10.0.0.11 255.255.255.0', BOTH,
                   _netsh, "configure_ip", screen="configure_ip", models=("NW-2",))],
    "new-netipaddress": [Form("New-NetIPAddress -InterfaceAlias \"Ethernet 2\" -IPAddress 10.0.0.11 -PrefixLength 24",
                              frozenset({PS}), _ps(("InterfaceAlias", "IPAddress"), ("PrefixLength",
                                                                                      "DefaultGateway")),
                              "configure_ip", screen="configure_ip", models=("NW-2",))],
    # --- devices (NW-3, NW-4) -----------------------------------------------------------------------------------
    "start": [Form("start devmgmt.msc", BOTH, _exact("devmgmt.msc"), action="devmgmt", models=("NW-3",))],
    "devmgmt.msc": [Form("devmgmt.msc", BOTH, _exact(), action="devmgmt", models=("NW-3",))],
    "get-pnpdevice": [Form("Get-PnpDevice [-Class Net]", frozenset({PS}), _ps((), ("Class",)), "network",
                           screen="pnpdevice", models=("NW-3",))],
    "pnputil": [Form("pnputil /enum-devices /disconnected", BOTH,
                     lambda r, f: {} if not r and {k.lower() for k in f} == {"enum-devices", "disconnected"}
                     else None, "network", screen="pnputil_disconnected", models=("NW-3",)),
                Form("pnputil /enum-devices", BOTH,
                     lambda r, f: {} if not r and {k.lower() for k in f} == {"enum-devices"} else None,
                     "network", screen="pnputil", models=("NW-3",)),
                Form('pnputil /remove-device "DEVICE"', BOTH, _pnp_remove, action="remove_device",
                     models=("NW-3", "NW-4"))],
    # --- the secure channel (SC-1 .. SC-6) ----------------------------------------------------------------------
    "nltest": [Form("nltest /sc_verify:CORP", BOTH, _switch("sc_verify"), "verify_secure_channel",
                    screen="nltest", models=("SC-1", "SC-2")),
               Form("nltest /sc_query:CORP", BOTH, _switch("sc_query"), "secure_channel", screen="sc_query",
                    models=("SC-2",)),
               Form("nltest /sc_reset:CORP", BOTH, _switch("sc_reset"), "reset_secure_channel",
                    screen="nltest", models=("SC-6",)),
               Form("nltest /sc_change_pwd:CORP", BOTH, _switch("sc_change_pwd"), "rotate_machine_password",
                    screen="sc_change_pwd", models=("MP-1",))],
    "test-computersecurechannel": [
        Form("Test-ComputerSecureChannel -Repair [-Credential CORP\\admin]", frozenset({PS}),
             _ps(("Repair",), ("Credential", "Server"), ("Repair", "Verbose"), _credential),
             "repair_secure_channel", screen="tcsc_repair", models=("SC-3", "SC-4")),
        Form("Test-ComputerSecureChannel [-Verbose]", frozenset({PS}), _ps((), ("Server",), ("Verbose",)),
             "verify_secure_channel", screen="tcsc", models=("SC-3",))],
    "reset-computermachinepassword": [
        Form("Reset-ComputerMachinePassword [-Server DC01] [-Credential CORP\\admin]", frozenset({PS}),
             _ps((), ("Server", "Credential"), (), lambda f: {"tool": "powershell", **_credential(f)}),
             "reset_machine_password", screen="quiet", models=("SC-5",))],
    "netdom": [Form("netdom resetpwd /s:DC01 /ud:CORP\\admin /pd:*", BOTH,
                    lambda r, f: ({"args": {"tool": "netdom", "credential": f.get("ud")}, "server": f.get("s"),
                                   "credential": f.get("ud")}
                                  if [w.lower() for w in r] == ["resetpwd"]
                                  and {k.lower() for k in f} == {"s", "ud", "pd"} else None),
                    "reset_machine_password", screen="netdom", models=("SC-5",))],
    "add-computer": [Form("Add-Computer -DomainName CORP -Credential CORP\\admin [-NewName NAME] [-Restart]",
                          frozenset({PS}),
                          _ps(("DomainName",), ("Credential", "NewName"), ("Restart", "Force"),
                              lambda f: {**_credential(f), "new_name": f.get("newname") or None}),
                          "rejoin_domain", screen="rejoin", models=("SC-7", "SC-8"))],
    "remove-computer": [Form("Remove-Computer", frozenset({PS}), _ANY, unmodelled=(
        "the model leaves and joins in one step (SC-7: Remove-Computer, restart, Add-Computer, restart); type "
        "Add-Computer -DomainName CORP -Credential CORP\\admin [-NewName NAME] to do both"))],
    "get-ciminstance": [Form('Get-CimInstance Win32_UserProfile | Where-Object LocalPath -like "*\\alice" | '
                             'Remove-CimInstance', frozenset({PS}), _profile, "delete_profile")],
    # --- restarts and sessions ----------------------------------------------------------------------------------
    "restart-computer": [Form("Restart-Computer [-Force]", frozenset({PS}), _ps((), (), ("Force",)), "reboot",
                              screen="restart")],
    "stop-computer": [Form("Stop-Computer [-Force]", frozenset({PS}), _ps((), (), ("Force",)), "power_off",
                           screen="restart")],
    "shutdown": [Form("shutdown /r /t 0", BOTH, _shutdown("r"), "reboot", screen="restart"),
                 Form("shutdown /s /t 0", BOTH, _shutdown("s"), "power_off", screen="restart"),
                 Form("shutdown /l", BOTH, _shutdown("l"), "sign_out", screen="signed_out")],
    "logoff": [Form("logoff", BOTH, _exact(), "sign_out", screen="signed_out")],
    "lock": [Form("lock (Windows+L)", BOTH, _exact(), action="lock", models=("LG-4",))],
    # --- time (LG-8) ----------------------------------------------------------------------------------------------
    "time": [Form("time /t", frozenset({CMD}), lambda r, f: {} if not r and list(f) in ([], ["t"]) else None,
                  "read_clock", screen="time", models=("LG-8",))],
    "get-date": [Form("Get-Date", frozenset({PS}), _exact(), "read_clock", screen="time", models=("LG-8",))],
    "w32tm": [Form("w32tm /resync [/force]", BOTH,
                   lambda r, f: {} if not r and "resync" in f and set(f) <= {"resync", "force", "nowait"} else None,
                   "sync_time", screen="resync", models=("LG-8",)),
              Form("w32tm /query /status", BOTH,
                   lambda r, f: {} if not r and {k.lower() for k in f} == {"query", "status"} else None,
                   "read_clock", screen="w32tm_status", models=("LG-8",))],
    # --- the prompt itself ----------------------------------------------------------------------------------------
    "set": [Form("set devmgr_show_nonpresent_devices=1", frozenset({CMD}), _set, action="set_env",
                 models=("NW-3",)),
            Form("set NAME=VALUE (PowerShell: an alias of Set-Variable)", frozenset({PS}), _set,
                 action="set_variable")],
    "powershell": [Form("powershell", frozenset({CMD}), _exact(), action="powershell")],
    "exit": [Form("exit", BOTH, _exact(), action="exit")],
    "cls": [Form("cls", BOTH, _exact(), action="cls")],
    "whoami": [Form("whoami", BOTH, _exact(), action="whoami")],
    "hostname": [Form("hostname", BOTH, _exact(), action="hostname")],
    "help": [Form("help", BOTH, _exact(), action="help")],
    "check": [Form("check (trustlab: grade the fix)", BOTH, _exact(), action="check")],
    "hint": [Form("hint (trustlab: the next hint)", BOTH, _exact(), action="hint")],
}


# Real commands of cmd.exe and Windows PowerShell that the table does not model: the console says "not modelled
# here" for them, and keeps Windows' "not recognized" for a word Windows would not know either (a typo). cmd's
# built-ins and the System32 tools a technician types (learn.microsoft.com, Windows commands reference), and the
# cmdlets of the modules a technician meets first.
REAL_CMD = frozenset("""
arp assoc attrib bcdedit cd chdir chkdsk cipher clip color copy date del dir diskpart dism driverquery echo erase
eventvwr find findstr fsutil getmac gpresult icacls klist md mkdir mklink more move mstsc net net1 netstat nslookup
path pathping pause popd pushd rd reg ren rename rmdir robocopy route runas sc schtasks sconfig set setx sfc
shutdown sort start systeminfo taskkill tasklist timeout title tracert tree type ver vol wevtutil where wmic xcopy
control ncpa.cpl sysdm.cpl compmgmt.msc services.msc eventvwr.msc gpedit.msc lusrmgr.msc dsa.msc regedit notepad
""".split())
REAL_PS = frozenset(w.lower() for w in """
Get-ChildItem Set-Location Get-Content Get-Service Restart-Service Start-Service Stop-Service Get-Process
Stop-Process Get-EventLog Get-WinEvent Get-NetAdapter Get-NetIPAddress Get-NetIPConfiguration Remove-NetIPAddress
Set-NetIPAddress Get-DnsClientServerAddress Set-DnsClientServerAddress Clear-DnsClientCache Resolve-DnsName
Test-NetConnection Test-Connection Get-ComputerInfo Get-LocalUser Get-LocalGroupMember Rename-Computer
Get-ADComputer Get-ADUser Set-ADAccountPassword Get-Item Get-ItemProperty Set-ItemProperty New-Item Remove-Item
Get-Help Get-Command Write-Output Clear-Host Get-History Get-Date Get-PnpDevice Disable-NetAdapter
Enable-NetAdapter Restart-NetAdapter Get-Acl Get-HotFix
""".split())


def real(name: str, shell: str) -> bool:
    """A command Windows has that the table does not model (in either shell)."""
    key = name.lower()
    if key.endswith(".exe"):
        key = key[:-4]
    return key in REAL_CMD or key in REAL_PS


def tokens(line: str) -> list[str]:
    """Words as cmd and PowerShell split them: spaces, with "quoted parts" kept together; backslashes are
    ordinary characters (CORP\\admin)."""
    lexer = shlex.shlex(line, posix=True)
    lexer.whitespace_split, lexer.escape = True, ""
    try:
        return list(lexer)
    except ValueError:                      # an unclosed quote: take the rest as one word, as cmd does
        return line.split()


_FLAG = re.compile(r"^[-/](?P<name>[A-Za-z_][\w-]*)(?::(?P<value>.*))?$")


def split(words: list[str], ps: bool) -> tuple[list[str], dict[str, str]]:
    """Plain words, and `/name[:value]` or `-Name [value]` flags (a PowerShell parameter takes the next word as its
    value unless that is a flag too)."""
    rest, flags, i = [], {}, 0
    while i < len(words):
        word = words[i]
        match = _FLAG.match(word) if len(word) > 1 else None
        if match and not re.fullmatch(r"-?\d+[wdhms]?", word):
            name, value = match.group("name"), match.group("value")
            if value is None and word.startswith("-") and i + 1 < len(words) and not _FLAG.match(words[i + 1]):
                value, i = words[i + 1], i + 1
            flags[name.lower() if not ps else name] = value or ""
        else:
            rest.append(word)
        i += 1
    return rest, {k.lower(): v for k, v in flags.items()}


def program(line: str) -> str:
    words = tokens(line.strip())
    return words[0] if words else ""


def parse(line: str, shell: str, lab: LabSpec = STANDARD_LAB) -> Optional[Parsed]:
    """The command on `line` as `shell` sees it, its credential read against `lab`; None when no form of the table
    matches (see `known`)."""
    words = tokens(line.strip())
    if not words:
        return None
    name, rest = words[0].lower(), words[1:]
    for form in TABLE.get(name, []):
        if shell not in form.shells:
            continue
        plain, flags = split(rest, shell == PS)
        if name == "netsh":                 # netsh takes name="X" words, not flags
            plain, flags = rest, {}
        got = form.match(plain, flags)
        if got is not None:
            return _with_credential(form.parsed(dict(got)), lab)
    return None


def _with_credential(parsed: Parsed, lab: LabSpec) -> Parsed:
    if "credential" not in parsed.args:
        return parsed
    typed = parsed.args["credential"]
    read = "none" if typed is None else credential(typed, lab, joins=parsed.verb == "rejoin_domain")
    if isinstance(read, CredentialRefused):
        return replace(parsed, refused=read)
    account = {} if typed is None else {"account": account_of(typed)[1]}
    return replace(parsed, args={**parsed.args, "credential": read}, params={**parsed.params, **account})


def known(name: str, shell: str) -> list[str]:
    """The forms of a program that `shell` has, for a line that matched none of them."""
    return [f.usage for f in TABLE.get(name.lower(), []) if shell in f.shells]


def usages(shell: str) -> list[str]:
    return [f.usage for forms in TABLE.values() for f in forms if shell in f.shells]


def step_of(line: str) -> dict:
    """A remediation's `- command: "..."`, as the step it is (`{verb: args}`); ValueError says what is allowed.
    Commands are read as PowerShell first (where a technician types them), then as cmd."""
    for shell in (PS, CMD):
        parsed = parse(line, shell)
        if parsed is None:
            continue
        if parsed.unmodelled:
            raise ValueError(f"'{line}' is not modelled: {parsed.unmodelled}")
        if parsed.refused:
            raise ValueError(f"'{line}': {parsed.refused.text()}")
        if parsed.verb is None or parsed.params.get("rest"):
            break
        return {parsed.verb: parsed.args}
    allowed = sorted({f.usage for forms in TABLE.values() for f in forms if f.verb and not f.unmodelled})
    raise ValueError(f"'{line}' is not a command that is one step; allowed: " + "; ".join(allowed))


PIPE = "\\|"   # a pipe inside a table cell (GitHub's tables)


def markdown() -> str:
    """The table as docs/training.md shows it (a test keeps the two equal)."""
    rows = ["| typed | where | the step, or what the console does | behaviour |", "|---|---|---|---|"]
    for forms in TABLE.values():
        for f in forms:
            where = "any screen" if "signin" in f.shells else "/".join(sorted(f.shells))
            what = f"`{f.verb}`" if f.verb else (f"the console: {f.action}" if f.action else "not modelled")
            typed = f.usage.replace("|", PIPE)
            rows.append(f"| `{typed}` | {where} | {what} | {', '.join(f.models)} |")
    return "\n".join(rows) + "\n"
