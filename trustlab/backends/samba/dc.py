"""The Samba AD DC node: provisioning from nothing, start, and directory changes through samba-tool / ldb tools."""
from __future__ import annotations

from trustlab.backends.command import Result
from trustlab.backends.samba import netns
from trustlab.backends.samba.node import Node


def provision(dc: Node, realm: str, domain: str, host: str, admin_password: str) -> None:
    for sub in ("etc", "run", "log"):
        (dc.dir / sub).mkdir(parents=True, exist_ok=True)
    empty = dc.dir / "etc" / "empty.conf"
    empty.write_text("")       # the host's stock smb.conf must not leak shares and paths into the lab
    if dc.conf.exists():
        dc.conf.unlink()
    d = dc.dir
    dc.run("samba-tool", "domain", "provision", f"--configfile={empty}", f"--targetdir={d}",
           f"--realm={realm.upper()}", f"--domain={domain}", "--server-role=dc", "--dns-backend=SAMBA_INTERNAL",
           f"--host-name={host.lower()}", f"--host-ip={dc.address}", f"--adminpass={admin_password}",
           f"--option=interfaces = lo {dc.dev}", "--option=bind interfaces only = yes",
           "--option=dns forwarder = 127.0.0.9",        # nothing listens there: unknown names fail fast
           f"--option=pid directory = {d / 'run'}", f"--option=ncalrpc dir = {d / 'run' / 'ncalrpc'}",
           f"--option=winbindd socket directory = {d / 'run' / 'winbindd'}",
           f"--option=log file = {d / 'log' / '%m.log'}", timeout=180, check=True)


def tls(dc: Node, fqdn: str) -> None:
    """The DC's TLS key and certificate, made here (2048-bit, in milliseconds) instead of by the DC's first start
    (4096-bit, seconds): the golden copy then starts as fast as every reset."""
    folder = dc.dir / "private" / "tls"
    folder.mkdir(parents=True, exist_ok=True)
    dc.run("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(folder / "key.pem"),
           "-out", str(folder / "cert.pem"), "-days", "3650", "-subj", f"/CN={fqdn}", check=True)
    (folder / "ca.pem").write_bytes((folder / "cert.pem").read_bytes())
    (folder / "key.pem").chmod(0o600)


def ready(dc: Node, realm: str) -> bool:
    """DNS gives the DC's LDAP SRV record, LDAP, Kerberos and SMB accept connections (checked from the DC's namespace
    in this process) and RPC answers (`wbinfo --ping-dc`)."""
    if not netns.has_srv(dc.ns, dc.address, f"_ldap._tcp.{realm}"):
        return False
    if not netns.answers(dc.ns, dc.address, (389, 88, 445)):
        return False
    return dc.run("wbinfo", "--ping-dc", timeout=5).succeeded   # RPC answers too: ports open a moment before it does


def start(dc: Node, realm: str) -> None:
    dc.start("samba", "-F", "--no-process-group", "-M", "single", "-s", str(dc.conf), ready=lambda: ready(dc, realm), timeout=60)


def tool(dc: Node, *args: str, check: bool = True) -> Result:
    """samba-tool against the DC's own database, under the DC's clock (so pwdLastSet is lab time)."""
    return dc.run("samba-tool", *args, "-H", str(dc.dir / "private" / "sam.ldb"), "-s", str(dc.conf), check=check)


def modify(dc: Node, ldif: str) -> Result:
    return dc.run("ldbmodify", "-H", str(dc.dir / "private" / "sam.ldb"), stdin=ldif, check=True)


def base_dn(realm: str) -> str:
    return ",".join(f"DC={part}" for part in realm.split("."))
