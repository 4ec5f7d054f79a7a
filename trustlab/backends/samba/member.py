"""The winbind domain member node: its configuration, join and leave, winbindd, and the wbinfo checks."""
from __future__ import annotations

import re
from typing import Optional

from trustlab.backends.command import Result
from trustlab.backends.samba.node import Node

STATUS = re.compile(r"(NT_STATUS_[A-Z_]+)(?: \((0x[0-9a-fA-F]+)\))?")


def configure(member: Node, domain: str, realm: str, netbios: str, machine_password_timeout: Optional[int]) -> None:
    m = member.dir
    for sub in ("etc", "run", "log", "private", "state", "cache", "lock"):
        (m / sub).mkdir(parents=True, exist_ok=True)
    timeout = "" if machine_password_timeout is None else \
        f"\tmachine password timeout = {machine_password_timeout}\n"
    member.conf.write_text(f"""[global]
\tworkgroup = {domain}
\trealm = {realm.upper()}
\tnetbios name = {netbios}
\tsecurity = ADS
\tkerberos method = secrets only
\twinbind offline logon = yes
\tidmap config * : backend = tdb
\tidmap config * : range = 3000-7999
\tidmap config {domain} : backend = rid
\tidmap config {domain} : range = 10000-999999
\tinterfaces = lo {member.dev}
\tbind interfaces only = yes
\tprivate dir = {m / 'private'}
\tstate directory = {m / 'state'}
\tcache directory = {m / 'cache'}
\tlock directory = {m / 'lock'}
\tpid directory = {m / 'run'}
\tncalrpc dir = {m / 'run' / 'ncalrpc'}
\twinbindd socket directory = {m / 'run' / 'winbindd'}
\tlog file = {m / 'log' / '%m.log'}
\tdedicated keytab file = {m / 'private' / 'krb5.keytab'}
{timeout}""")
    member.krb5_conf.write_text(f"[libdefaults]\n\tdefault_realm = {realm.upper()}\n\tdns_lookup_realm = false\n"
                                "\tdns_lookup_kdc = true\n")


def join(member: Node, user: str, password: str) -> Result:
    return member.run("net", "ads", "join", "-s", str(member.conf), "-U", f"{user}%{password}", timeout=60)


def leave(member: Node, user: str, password: str) -> Result:
    return member.run("net", "ads", "leave", "-s", str(member.conf), "-U", f"{user}%{password}", timeout=60)


def changetrustpw(member: Node) -> Result:
    return member.run("net", "ads", "changetrustpw", "-s", str(member.conf), timeout=60)


def start_winbindd(member: Node) -> None:
    member.start("winbindd", "-F", "--no-process-group", "-s", str(member.conf),
                 ready=lambda: member.run("wbinfo", "-p", timeout=5).succeeded, timeout=20)


def control(member: Node, state: str) -> Result:
    """`smbcontrol winbindd offline|online`: winbindd alone is slow to notice a link change (samba-lab.md)."""
    return member.run("smbcontrol", "-s", str(member.conf), "winbindd", state, timeout=10)


def status_of(text: str) -> tuple[Optional[str], Optional[int]]:
    """The NT_STATUS name and code in a tool's output, if any."""
    match = STATUS.search(text)
    if not match:
        return None, None
    return match.group(1), int(match.group(2), 16) if match.group(2) else None
