"""The Samba AD DC node: provisioning from nothing, start, and directory changes through samba-tool / ldb tools."""
from __future__ import annotations

import json
import select
import subprocess
from pathlib import Path
from typing import Optional

from trustlab.backends.command import Result
from trustlab.backends.samba import netns
from trustlab.backends.samba.node import CommandFailed, Node

WORKER = Path(__file__).with_name("samba_tool_worker.py")
TOOL_TIMEOUT = 60.0


class ToolWorker:
    """The DC's samba_tool_worker: started on first use under the DC's environment (namespace, /run/samba, clock);
    a new one when the DC's clock offset moved (libfaketime reads it at start) or the old one is gone (a DC restart
    or reset stops every process in its namespace, so it never outlives the files it opened)."""

    def __init__(self, dc: Node):
        self.offset = dc.offset
        self.proc = subprocess.Popen(dc.argv(["/usr/bin/python3", str(WORKER), str(dc.dir / "private" / "sam.ldb")]),
                                     env=dc.env(), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.DEVNULL, text=True, start_new_session=True)

    def fits(self, dc: Node) -> bool:
        return self.proc.poll() is None and self.offset == dc.offset

    def ask(self, request: dict) -> Result:
        ready: list = []
        try:
            self.proc.stdin.write(json.dumps(request) + "\n")
            self.proc.stdin.flush()
            ready, _, _ = select.select([self.proc.stdout], [], [], TOOL_TIMEOUT)   # read at the call (tests)
            line = self.proc.stdout.readline() if ready else ""
        except (OSError, ValueError):
            line = ""
        if not line:          # stuck past the deadline (as Node.run says it) or gone: a new worker next time
            self.stop()
            if not ready:
                return Result(124, stderr=f"timed out after {TOOL_TIMEOUT:.0f} s")
            return Result(1, stderr="the DC's samba-tool worker ended without an answer")
        answer = json.loads(line)
        return Result(answer["rc"], answer["out"])

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()


_workers: dict[Path, ToolWorker] = {}


def workers(dc: Node) -> set[int]:
    """The DC's live tool worker, as a set of pids (none or one)."""
    worker = _workers.get(dc.dir)
    return {worker.proc.pid} if worker is not None and worker.proc.poll() is None else set()


def _ask(dc: Node, request: dict) -> Result:
    worker = _workers.get(dc.dir)
    if worker is None or not worker.fits(dc):
        if worker is not None:
            worker.stop()
        worker = _workers[dc.dir] = ToolWorker(dc)
    return worker.ask(request)


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
    dc.start("samba", "-F", "--no-process-group", "-M", "single", "-s", str(dc.conf), ready=lambda: ready(dc, realm),
             timeout=60)


def tool(dc: Node, *args: str, check: bool = True) -> Result:
    """samba-tool against the DC's own database, under the DC's clock (so pwdLastSet is lab time): its command
    classes, run by the DC's long-lived tool worker (samba_tool_worker.py)."""
    result = _ask(dc, {"argv": [*args, "-H", str(dc.dir / "private" / "sam.ldb"), "-s", str(dc.conf)]})
    if check and result.failed:
        raise CommandFailed(f"{dc.name}: samba-tool {dc.redact(' '.join(args))} failed (rc {result.rc}): "
                            f"{dc.redact(result.output)[-600:]}")
    return result


def password_last_set(dc: Node, account: str) -> Optional[int]:
    """An account's pwdLastSet (NT time) from the DC's database, by the tool worker."""
    out = _ask(dc, {"pwdlastset": account}).stdout.strip()
    return int(out) if out.isdigit() else None


def modify(dc: Node, ldif: str) -> Result:
    return dc.run("ldbmodify", "-H", str(dc.dir / "private" / "sam.ldb"), stdin=ldif, check=True)


def base_dn(realm: str) -> str:
    return ",".join(f"DC={part}" for part in realm.split("."))
