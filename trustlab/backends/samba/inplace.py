"""A DC that keeps running through a reset (issue 23): its databases are put back to the golden content in place,
file by file in tdb transactions, instead of stopping the DC, copying its folder and starting it again (about 1 s of
CPU to be ready, then samba_dnsupdate, samba_spnupdate and samba_kcc finding nothing to do).

Every database of the DC on Debian 12's samba 4.17 is a tdb (sam.ldb's @PARTITION says `backendStore: tdb`; `file`
says "TDB database version 6" for sam.ldb, its partitions, secrets/idmap/privilege/share/hklm .ldb and the .tdb
files). ldb notices another process's change only through the tdb sequence number (lib/ldb/ldb_tdb/ldb_tdb.c:410
`seq != ldb_kv->tdb_seqnum`; ldb_kv_cache.c:426 reloads its cache), so every write here is made with the sequence
number enabled and moved (tdb_enable_seqnum, tdb_increment_seqnum_nonblock), as ldb opens them (TDB_SEQNUM,
ldb_tdb.c:526). State of the live daemons (connections, locks, leases, names, messaging: smbXsrv_*, locking,
brlock, leases, names, smbd_cleanupd, mutex, serverid, messages, smbprofile) is left alone; the member is stopped
first, so no connection of its remains.

The module is python3-tdb's (Debian; python3-samba depends on it), loaded from the system's dist-packages by file:
the harness's Python is another 3.11 build of the same ABI."""
from __future__ import annotations

import importlib.util
import json
import os
from pathlib import Path
from typing import Any, Optional

from trustlab.backends.samba import netns, processes

VOLATILE = ("smbXsrv_", "locking.tdb", "brlock.tdb", "leases.tdb", "names.tdb", "smbd_cleanupd.tdb", "mutex.tdb",
            "serverid.tdb", "messages.tdb", "smbprofile.tdb")
TDB_MUTEX_LOCKING = 4096   # tdb.h; python3-tdb has no constant. smbd opens gencache.tdb and netlogon_creds_cli.tdb
#                            with mutexes, and such a file refuses an open without the flag (EINVAL)
TDB_SO = Path("/usr/lib/python3/dist-packages/tdb.cpython-311-x86_64-linux-gnu.so")
PROCESS = "dc-process.json"            # in the lab's folder: the DC process last started from the golden copy
RESTORED = "restored-seqnums.json"     # in the lab's folder: the .ldb sequence numbers the last restore left


def _tdb() -> Any:
    spec = importlib.util.spec_from_file_location("tdb", TDB_SO)
    if spec is None or spec.loader is None:
        raise OSError(f"python3-tdb is missing ({TDB_SO})")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_module: Optional[Any] = None


def tdb() -> Any:
    global _module
    if _module is None:
        _module = _tdb()
    return _module


def databases(folder: Path) -> list[Path]:
    return sorted(p.relative_to(folder) for p in folder.rglob("*") if p.suffix in (".ldb", ".tdb") and p.is_file()
                  and not p.name.startswith(VOLATILE))


def _open(path: Path, mode: int) -> Any:
    try:
        return tdb().Tdb(str(path), 0, tdb().DEFAULT, mode)
    except OSError:
        return tdb().Tdb(str(path), 0, TDB_MUTEX_LOCKING, mode)


def records(path: Path) -> dict[bytes, bytes]:
    """A tdb's records, read under its all-record read lock (a writer's transaction is not seen half done; the lock
    needs a read-write open: a read-only one says "Locking error")."""
    db = _open(path, os.O_RDWR)
    try:
        db.read_lock_all()
        try:
            return {key: db.get(key) for key in db.keys()}
        finally:
            db.read_unlock_all()
    finally:
        db.close()


def seqnums(folder: Path, rels: list[Path]) -> dict[str, Optional[int]]:
    out: dict[str, Optional[int]] = {}
    for rel in rels:
        try:
            db = _open(folder / rel, os.O_RDONLY)
        except OSError:      # absent, or being made anew by its daemon: unknown, equal to no number
            out[str(rel)] = None
            continue
        out[str(rel)] = db.seqnum
        db.close()
    return out


def restore_file(live: Path, want: dict[bytes, bytes]) -> int:
    """The live tdb's records made `want`, in one transaction with the sequence number moved; the records written."""
    db = _open(live, os.O_RDWR)
    db.enable_seqnum()
    changed = 0
    db.transaction_start()
    try:
        for key in list(db.keys()):
            if key not in want:
                db.delete(key)
                changed += 1
        for key, value in want.items():
            if db.get(key) != value:
                db.store(key, value, tdb().REPLACE)
                changed += 1
        if changed:
            db.increment_seqnum_nonblock()
        db.transaction_commit()
    except BaseException:
        db.transaction_cancel()
        raise
    finally:
        db.close()
    return changed


_GOLDEN: dict[tuple[str, float], dict[bytes, bytes]] = {}


def _golden(path: Path) -> dict[bytes, bytes]:
    """A golden file's records, read once per process (the golden copy does not change while the lab exists)."""
    key = (str(path), path.stat().st_mtime)
    if key not in _GOLDEN:
        _GOLDEN[key] = records(path)
    return _GOLDEN[key]


def restore(lab_dir: Path, dc_dir: Path, golden: Path) -> int:
    """Every database of the DC back to golden; the records written. An .ldb whose sequence number is the one the
    last restore left is skipped (ldb writes every .ldb with TDB_SEQNUM, so any write moved it); the plain .tdb files
    (smbd's dbwrap does not always ask for TDB_SEQNUM) are always compared."""
    state = lab_dir / RESTORED
    try:
        last = json.loads(state.read_text())
    except (OSError, ValueError):
        last = {}
    rels = [rel for rel in databases(golden) if (dc_dir / rel).exists()]
    ldbs = [rel for rel in rels if rel.suffix == ".ldb"]
    now = seqnums(dc_dir, ldbs)
    changed = 0
    for rel in rels:
        if rel.suffix == ".ldb" and last.get(str(rel)) is not None and now.get(str(rel)) == last[str(rel)]:
            continue
        changed += restore_file(dc_dir / rel, _golden(golden / rel))
    state.write_text(json.dumps(seqnums(dc_dir, ldbs)))
    return changed


def forget(lab_dir: Path) -> None:
    """A full reset: the DC's files are new, the process too."""
    for name in (PROCESS, RESTORED):
        (lab_dir / name).unlink(missing_ok=True)


def _started(pid: int) -> int:
    try:
        return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[19])
    except (OSError, IndexError, ValueError):
        return -1


def root_process(ns: str) -> Optional[int]:
    """The DC's `samba` root process: the oldest `samba` in its namespace."""
    found = [p for p in netns.pids(ns) if processes.program(p) == "samba" and processes.alive(p)]
    return min(found, key=_started) if found else None


def remember(lab_dir: Path, ns: str) -> None:
    """Right after the DC started from the golden copy: which process it is (pid and start time)."""
    pid = root_process(ns)
    (lab_dir / PROCESS).write_text(json.dumps({"pid": pid, "started": _started(pid) if pid else None}))


def on_real_time(pid: int) -> bool:
    """No libfaketime in the process (/proc/PID/maps; not /proc/PID/environ, which samba's setproctitle
    overwrites): it was started at lab time +0 and judges expiry on real time, as the golden DC does."""
    try:
        return "libfaketime" not in Path(f"/proc/{pid}/maps").read_text()
    except OSError:
        return False


def kept(lab_dir: Path, ns: str) -> Optional[int]:
    """The DC's root process when it is the one last started from the golden copy (not restarted, moved in time or
    skewed since: each of those starts a new process) and on real time; else None."""
    try:
        known = json.loads((lab_dir / PROCESS).read_text())
    except (OSError, ValueError):
        return None
    pid = root_process(ns)
    if pid is None or pid != known["pid"] or _started(pid) != known["started"] or not on_real_time(pid):
        return None
    return pid


def descendants(root: int) -> set[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    out, todo = {root}, [root]
    while todo:
        for child in children.get(todo.pop(), []):
            if child not in out:
                out.add(child)
                todo.append(child)
    return out
