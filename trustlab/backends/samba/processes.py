"""Finding and stopping a lab's processes, including those that re-parent to init (smbd and winbindd call setsid,
the member's on-demand samba-dcerpcd/rpcd_* outlive their parent)."""
from __future__ import annotations

import os
import signal
import time
from pathlib import Path
from typing import Iterable


def _stat_state(pid: int) -> str | None:
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return text.rsplit(")", 1)[1].split()[0]


def alive(pid: int) -> bool:
    """Gone or a zombie counts as dead: `kill -0` says a zombie is alive."""
    state = _stat_state(pid)
    return state is not None and state not in ("Z", "X")


def cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def program(pid: int) -> str:
    """The process's own name (/proc/PID/comm): samba retitles its command line (`samba: root process`)."""
    try:
        return Path(f"/proc/{pid}/comm").read_text().strip()
    except OSError:
        return ""


def naming(fragment: str) -> list[int]:
    """Every process whose command line names `fragment` (a lab's or a node's folder)."""
    me = os.getpid()
    out = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and int(entry.name) != me and fragment in cmdline(int(entry.name)):
            out.append(int(entry.name))
    return out


def stop(pids: Iterable[int], timeout: float = 5.0) -> None:
    """TERM, then KILL what is still alive after `timeout` (0: KILL at once); returns when none is alive. What
    libfaketime left of the stopped processes goes with them (`faketime_leftovers`)."""
    pids = [p for p in set(pids) if p != os.getpid()]
    stopping = list(pids)
    try:
        _signal(pids, timeout)
    finally:
        faketime_leftovers(p for p in stopping if not alive(p))


def _signal(pids: list[int], timeout: float) -> None:
    for sig in (signal.SIGTERM, signal.SIGKILL) if timeout else (signal.SIGKILL,):
        for p in pids:
            try:
                os.kill(p, sig)
            except ProcessLookupError:
                pass
        deadline = time.monotonic() + (timeout if sig == signal.SIGTERM else 10.0)
        while time.monotonic() < deadline and any(alive(p) for p in pids):
            time.sleep(0.02)
        pids = [p for p in pids if alive(p)]
        if not pids:
            return


def faketime_leftovers(pids: Iterable[int]) -> None:
    """The /dev/shm semaphore and shared memory libfaketime 0.9.10 made in each of these (dead) processes, named by
    its pid (ft_shm_create, src/libfaketime.c:400-484): a process killed, or exec'd away, never ran the destructor
    that removes them (ft_cleanup, :594-616). Only the given pids': never another run's."""
    for p in pids:
        for name in (f"/dev/shm/sem.faketime_sem_{p}", f"/dev/shm/faketime_shm_{p}"):
            try:
                os.unlink(name)
            except OSError:
                pass
