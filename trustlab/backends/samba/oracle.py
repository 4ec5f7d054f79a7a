"""The DC's own answer beside every probe of the Samba lab (issue 19): what winbind shows is one client's view (it
sets up an NTLM session before NETLOGON, goes offline when the session is refused, and `wbinfo -t` reports that
session's status), so each probe also asks the DC itself, with clients trustlab did not write: impacket for
NETLOGON, Kerberos and the SMB session (oracle_worker.py), ldapsearch for the computer object.

It asks from the DC's namespace (the DC answers whatever the member's cable does), under the DC's clock (Kerberos
refuses a client outside the lab's faked time: KRB_AP_ERR_SKEW), with the member's current secret read from its
secrets.tdb, as a computer of its own (ORACLE_NAME), never replacing winbind's channel. The directory is read as
a reader whose password never expires (the lab's admin's expires after 42 days of lab time)."""
from __future__ import annotations

import json
import re
import select
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import Any, Optional

from trustlab.backends.samba import processes
from trustlab.backends.samba.dc import base_dn
from trustlab.backends.samba.domain import READER_NAME, SambaLab
from trustlab.backends.samba.node import FAKETIME_LIB, Node
from trustlab.backends.samba.state import SambaState
from trustlab.engine.backend import OK, StepResult
from trustlab.engine.dc_answer import ComputerObject, DcAnswer
from trustlab.specs.lab import LabSpec
from trustlab.specs.steps import VERBS, Family

ORACLE_NAME = "TLORACLE"          # at most 15 characters: the DC refuses longer computer names (schannel_state_tdb.c)
READER = READER_NAME
WORKER = Path(__file__).with_name("oracle_worker.py")
PRELOADED = 'if [ -n "$0" ]; then export LD_PRELOAD="$0"; fi; exec "$@"'
ANSWER_TIMEOUT = 30.0
NT_EPOCH = 11644473600
UF_ACCOUNTDISABLE = 0x2


def member_secret(secrets_tdb: Path, domain: str) -> Optional[str]:
    """The member's current machine password as winbind holds it: `SECRETS/MACHINE_PASSWORD/<DOMAIN>` in its
    secrets.tdb, a NUL-terminated string (source3/include/secrets.h); `tdbdump` prints bytes it cannot show as
    \\XX. None when the member holds none (not joined)."""
    if not secrets_tdb.exists():
        return None
    done = subprocess.run(["tdbdump", "-k", f"SECRETS/MACHINE_PASSWORD/{domain.upper()}", str(secrets_tdb)],
                          capture_output=True, timeout=10)
    if done.returncode != 0:
        return None
    raw = re.sub(rb"\\([0-9A-Fa-f]{2})", lambda m: bytes([int(m.group(1), 16)]), done.stdout.rstrip(b"\n"))
    return raw.rstrip(b"\0").decode("utf-8")


def computer_object(dc: Node, fqdn: str, base: str, account: str,
                    reader: tuple[str, str]) -> Optional[ComputerObject]:
    """The computer object over LDAPS (Samba refuses simple binds on plain LDAP: `ldap server require strong
    auth`), by ldapsearch in the DC's namespace; the reader's password goes on its stdin. None: no answer."""
    env = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "LANG": "C.UTF-8", "HOME": "/nonexistent",
           "LDAPTLS_CACERT": str(dc.dir / "private" / "tls" / "ca.pem"), "LDAPTLS_REQCERT": "demand"}
    argv = ["ip", "netns", "exec", dc.ns, "ldapsearch", "-LLL", "-o", "ldif-wrap=no", "-o", "nettimeout=5", "-x",
            "-H", f"ldaps://{fqdn}", "-D", reader[0], "-y", "/dev/stdin", "-b", base,
            f"(sAMAccountName={account})", "userAccountControl", "pwdLastSet", "msDS-KeyVersionNumber"]
    try:
        done = subprocess.run(argv, input=reader[1], capture_output=True, text=True, env=env, timeout=15)
    except subprocess.TimeoutExpired:
        return None
    if done.returncode != 0:
        return None
    fields = dict(re.findall(r"^([A-Za-z-]+):{1,2} (.*)$", done.stdout, re.M))
    if "dn" not in fields:
        return ComputerObject(exists=False)
    set_at = int(fields.get("pwdLastSet", 0))
    age = round(time.time() + dc.offset - (set_at / 1e7 - NT_EPOCH), 1) if set_at else None
    kvno = fields.get("msDS-KeyVersionNumber")
    return ComputerObject(exists=True, disabled=bool(int(fields.get("userAccountControl", 0)) & UF_ACCOUNTDISABLE),
                          password_age=age, key_version=int(kvno) if kvno else None)


class Worker:
    """One long-lived oracle_worker in the DC's namespace under one clock offset; a new one when the offset moves
    (libfaketime reads it at start) or when the old one died (a reset stops every process in the namespace)."""

    def __init__(self, dc: Node):
        self.offset = dc.offset
        env = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "LANG": "C.UTF-8", "HOME": "/nonexistent",
               "KRB5_CONFIG": "/dev/null", "KRB5CCNAME": "MEMORY:", "PYTHONDONTWRITEBYTECODE": "1"}
        preload = ""
        if dc.offset:       # preloaded into the worker alone, not the `ip` and `sh` that exec it (node.py WRAP)
            preload = str(FAKETIME_LIB)
            env.update({"FAKETIME": f"{int(dc.offset):+d}s", "FAKETIME_DONT_RESET": "1"})
        argv = ["ip", "netns", "exec", dc.ns, "sh", "-c", PRELOADED, preload, sys.executable, "-u", str(WORKER)]
        self.proc = subprocess.Popen(argv, env=env,
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                     text=True, start_new_session=True)

    def fits(self, dc: Node) -> bool:
        return self.proc.poll() is None and self.offset == dc.offset

    def ask(self, request: dict[str, Any]) -> dict[str, Any]:
        try:
            self.proc.stdin.write(json.dumps(request) + "\n")
            self.proc.stdin.flush()
            ready, _, _ = select.select([self.proc.stdout], [], [], ANSWER_TIMEOUT)
            line = self.proc.stdout.readline() if ready else ""
            return json.loads(line) if line else self._dead()
        except (OSError, ValueError):
            return self._dead()

    def _dead(self) -> dict[str, Any]:
        self.stop()
        return {"status": "NO_ANSWER", "answered": False}

    def stop(self) -> None:
        """Its stdin closed, the worker ends by itself (libfaketime's destructor removes its /dev/shm pair); one
        that does not is killed, and what libfaketime left of it removed."""
        try:
            self.proc.stdin.close()
            self.proc.wait(timeout=3)
        except (OSError, subprocess.TimeoutExpired):
            self.proc.kill()
            self.proc.wait()
            processes.faketime_leftovers([self.proc.pid])


class AsksTheDc:
    """Mixed into SambaBackend first: every probe the lab did carries the DC's own answer (`StepResult.dc`); a probe
    refused (the console guard, a computer that is off) or unsupported asks nothing. Its `close()` calls
    `stop_asking()`."""

    state: SambaState
    lab: LabSpec
    domain: SambaLab
    dc_node: Node
    member_node: Node
    reason: Optional[str]
    _worker: Optional[Worker] = None

    def do(self, verb: str, args: dict[str, Any]) -> StepResult:
        result = super().do(verb, args)
        if self.reason is None and result.status == OK and VERBS[verb].family is Family.PROBE:
            user = args.get("user") if verb == "logon" else None
            result = replace(result, dc=self.ask_dc(user, args.get("password", "current")))
        return result

    def ask_dc(self, user: Optional[str] = None, password: str = "current") -> DcAnswer:
        """The DC's answer now: to the member's current secret (NETLOGON, Kerberos, the NTLM session), to a user's
        password (Kerberos), and its computer object."""
        t0 = time.monotonic()
        spec, dc = self.lab, self.dc_node
        account = f"{self.state.member.name}$"
        common = {"dc_ip": dc.address, "domain": spec.domain, "realm": spec.realm, "computer_name": ORACLE_NAME}
        secret = member_secret(self.member_node.dir / "private" / "secrets.tdb", spec.domain)
        asked: list[dict[str, Any]] = []
        statuses: dict[str, Optional[str]] = {"netlogon": None, "kerberos": None, "session": None, "user": None}
        if secret is not None:
            for key, request in (("netlogon", {"probe": "netlogon", "account": account}),
                                 ("kerberos", {"probe": "kerberos", "principal": account}),
                                 ("session", {"probe": "session", "user": account})):
                answer = self._ask({**common, **request, "secret": secret})
                statuses[key] = answer["status"]
                asked.append(answer)
        if user is not None and user in self.state.versions:
            answer = self._ask({**common, "probe": "kerberos", "principal": user,
                                "secret": self._password(user, password)})
            statuses["user"] = answer["status"]
            asked.append(answer)
        fqdn = f"{spec.dc.lower()}.{spec.realm}"
        reader = (f"{READER}@{spec.realm}", self.domain.password(READER, 1))
        account_state = computer_object(dc, fqdn, base_dn(spec.realm), account, reader)
        answered = any(a["answered"] for a in asked) or account_state is not None
        return DcAnswer(answered, **statuses, account=account_state, seconds=round(time.monotonic() - t0, 3))

    def _ask(self, request: dict[str, Any]) -> dict[str, Any]:
        if self._worker is None or not self._worker.fits(self.dc_node):
            self.stop_asking()
            self._worker = Worker(self.dc_node)
        return self._worker.ask(request)

    def stop_asking(self) -> None:
        if self._worker is not None:
            self._worker.stop()
            self._worker = None
