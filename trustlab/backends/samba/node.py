"""One node of a real lab (the DC or the member): its folder, its namespace, and how to run things inside it.

Every command and daemon of a node runs as `ip netns exec NS sh -c 'mount --bind RUN /run/samba && exec ...'`:
libwbclient and friends use the compiled-in /run/samba, and `ip netns exec` gives each call a private mount
namespace, so the host's /run/samba is never touched (samba-lab.md). Kerberos always gets the node's own config and
ccache, so nothing lands in /etc/krb5.keytab or /tmp/krb5cc_*. Time travel is libfaketime with a fixed offset,
applied when a daemon (re)starts."""
from __future__ import annotations

import os
import shlex
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Optional, Sequence

from trustlab.backends.command import Result
from trustlab.backends.samba import netns, processes

FAKETIME_LIB = Path("/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1")
# libfaketime 0.9.10 makes /dev/shm/sem.faketime_sem_PID and faketime_shm_PID in each process it is preloaded into
# that finds no FAKETIME_SHARED (ft_shm_init -> ft_shm_create, src/libfaketime.c:400-484) and removes them only in that
# process's destructor (ft_cleanup, :594-616). Preloaded into `ip`, the pair is made by `ip`, which then execs `sh`
# and the tool: no destructor runs, a pair leaks per tool run. So LD_PRELOAD is set for the last program alone.
WRAP = ('mount --bind "$0" /run/samba && if [ -n "$TRUSTLAB_PRELOAD" ]; then export LD_PRELOAD="$TRUSTLAB_PRELOAD"; '
        'fi && exec "$@"')


class CommandFailed(RuntimeError):
    pass


@dataclass
class Node:
    name: str            # "dc" or "member"
    dir: Path
    ns: str
    dev: str
    address: str
    krb5_conf: Path
    offset: int = 0      # seconds ahead of real time (libfaketime)
    secrets: Sequence[str] = ()   # strings never to show in errors

    @property
    def run_dir(self) -> Path:
        return self.dir / "run"

    @property
    def conf(self) -> Path:
        return self.dir / "etc" / "smb.conf"

    @property
    def log_dir(self) -> Path:
        return self.dir / "log"

    def env(self, faked: bool = True) -> dict[str, str]:
        env = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "LANG": "C.UTF-8", "HOME": str(self.dir),
               "KRB5_CONFIG": str(self.krb5_conf), "KRB5CCNAME": f"FILE:{self.dir / 'ccache'}",
               "LDB_MODULES_DISABLE_DEEPBIND": "1"}
        if self.offset and faked:
            env.update({"TRUSTLAB_PRELOAD": str(FAKETIME_LIB), "FAKETIME": f"{self.offset:+d}s",
                        "FAKETIME_DONT_RESET": "1"})
        return env

    def argv(self, args: Sequence[str]) -> list[str]:
        return ["ip", "netns", "exec", self.ns, "sh", "-c", WRAP, str(self.run_dir), *args]

    def run(self, *args: str, timeout: float = 60, check: bool = False, stdin: Optional[str] = None,
            faked: bool = True) -> Result:
        """`faked=False` runs a tool on real time: probes such as `host` misbehave under libfaketime."""
        try:
            proc = subprocess.run(self.argv(args), env=self.env(faked), input=stdin, capture_output=True, text=True,
                                  timeout=timeout)
            result = Result(proc.returncode, proc.stdout, proc.stderr)
        except subprocess.TimeoutExpired:
            result = Result(124, stderr=f"timed out after {timeout:.0f} s")
        if check and result.failed:
            raise CommandFailed(f"{self.name}: {self.redact(' '.join(map(shlex.quote, args)))} failed "
                                f"(rc {result.rc}): {self.redact(result.output)[-600:]}")
        return result

    def redact(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, "***")
        return text

    def start(self, *args: str, ready=None, timeout: float = 20) -> None:
        """Start a daemon in the foreground mode it supports (-F), detached; wait until `ready()` is true."""
        self.log_dir.mkdir(parents=True, exist_ok=True)
        log = open(self.log_dir / f"{Path(args[0]).name}.out", "ab")
        subprocess.Popen(self.argv(args), env=self.env(), stdout=log, stderr=subprocess.STDOUT,
                         stdin=subprocess.DEVNULL, start_new_session=True)
        log.close()
        if ready is None:
            return
        deadline = time.monotonic() + timeout
        while not ready():
            if time.monotonic() > deadline:
                raise CommandFailed(f"{self.name}: {args[0]} not ready after {timeout:.0f} s; see {self.log_dir}")
            time.sleep(0.05)

    def stop_all(self, power_cut: bool = False) -> None:
        """Every process in the node's namespace, and any that names the node's folder (re-parented helpers).
        `power_cut`: SIGKILL at once, nothing said to anyone (a power cut, or a state about to be discarded); else
        TERM, then KILL after 5 s."""
        pids = set(netns.pids(self.ns)) | set(processes.naming(str(self.dir)))
        pids.discard(os.getpid())
        processes.stop(pids, timeout=0.0 if power_cut else 5.0)

    def running(self) -> bool:
        return bool(netns.pids(self.ns))

    def runs(self, daemon: str) -> bool:
        """Is a live process of `daemon` (its program's name) in the node's namespace?"""
        return any(processes.program(p) == daemon and processes.alive(p) for p in netns.pids(self.ns))
