"""Network namespaces and the veth pair between them. Everything is named with the `tl-` prefix so that `clean`
can find what a killed harness left behind. Addresses live only inside the namespaces; nothing is routed out.

The checks made often (which processes are in a namespace, does a port answer, does the DC's DNS give an SRV record)
run in this process, not as spawned `ip netns pids`, `python3 -c` or `host` (they were a tenth of a run's CPU): the
processes from /proc/*/ns/net, and TCP and DNS from a short-lived thread that entered the namespace with setns(2)
(a network namespace is per thread, so the harness's own threads stay where they are)."""
from __future__ import annotations

import ctypes
import os
import random
import shutil
import socket
import struct
import subprocess
import threading
from pathlib import Path
from typing import Callable, TypeVar

PREFIX = "tl-"
NETNS_ETC = Path("/etc/netns")
NETNS_RUN = Path("/run/netns")          # where `ip netns add` binds each namespace (iproute2's NETNS_RUN_DIR)
CLONE_NEWNET = 0x40000000
T = TypeVar("T")


def _ip(*args: str, check: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run(["ip", *args], capture_output=True, text=True, check=check)


def existing() -> list[str]:
    out = _ip("netns", "list", check=False).stdout
    return [line.split()[0] for line in out.splitlines() if line.strip()]


def create(name: str) -> None:
    if name not in existing():
        _ip("netns", "add", name)
    _ip("-n", name, "link", "set", "lo", "up")


def link(ns_a: str, dev_a: str, addr_a: str, ns_b: str, dev_b: str, addr_b: str, prefix: int = 24) -> None:
    """A veth pair with one end in each namespace; the host never holds either end."""
    _ip("link", "add", dev_a, "netns", ns_a, "type", "veth", "peer", "name", dev_b, "netns", ns_b)
    for ns, dev, addr in ((ns_a, dev_a, addr_a), (ns_b, dev_b, addr_b)):
        _ip("-n", ns, "addr", "add", f"{addr}/{prefix}", "dev", dev)
        _ip("-n", ns, "link", "set", dev, "up")


def set_link(ns: str, dev: str, up: bool) -> None:
    _ip("-n", ns, "link", "set", dev, "up" if up else "down")


def resolver(ns: str, nameserver: str, search: str) -> None:
    """`ip netns exec` binds /etc/netns/NS/resolv.conf over /etc/resolv.conf for commands in NS."""
    folder = NETNS_ETC / ns
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "resolv.conf").write_text(f"search {search}\nnameserver {nameserver}\n")


def pids(ns: str) -> list[int]:
    """The processes in namespace `ns`, as `ip netns pids` finds them: /proc/PID/ns/net is the file
    /run/netns/NS is bound to (same device and inode)."""
    try:
        target = os.stat(NETNS_RUN / ns)
    except OSError:
        return []
    out = []
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                st = os.stat(f"/proc/{entry.name}/ns/net")
            except OSError:
                continue
            if (st.st_ino, st.st_dev) == (target.st_ino, target.st_dev):
                out.append(int(entry.name))
    return out


def _inside(ns: str, action: Callable[[], T]) -> T:
    """`action()` run by a thread of its own that has entered namespace `ns` (libc's setns: Python 3.11 has no
    os.setns); its exception raised here."""
    box: dict = {}

    def body() -> None:
        try:
            fd = os.open(NETNS_RUN / ns, os.O_RDONLY)
            try:
                if ctypes.CDLL(None, use_errno=True).setns(fd, CLONE_NEWNET) != 0:
                    raise OSError(ctypes.get_errno(), f"setns {ns}")
                box["value"] = action()
            finally:
                os.close(fd)
        except BaseException as error:   # noqa: BLE001 (handed to the caller)
            box["error"] = error

    thread = threading.Thread(target=body, name=f"in {ns}")
    thread.start()
    thread.join()
    if "error" in box:
        raise box["error"]
    return box["value"]


def answers(ns: str, address: str, ports: tuple[int, ...], timeout: float = 0.5) -> bool:
    """From namespace `ns`, does every one of `ports` at `address` accept a TCP connection?"""
    def connect() -> bool:
        for port in ports:
            socket.create_connection((address, port), timeout).close()
        return True
    try:
        return _inside(ns, connect)
    except OSError:
        return False


def has_srv(ns: str, server: str, name: str, timeout: float = 1.0) -> bool:
    """From namespace `ns`, a DNS query for the SRV records of `name` to `server` (UDP 53, RFC 1035 4.1): true when
    the answer is NOERROR with at least one record, what `host -t SRV` reports as "has SRV record"."""
    qid = random.randrange(65536)
    query = struct.pack(">HHHHHH", qid, 0x0100, 1, 0, 0, 0) + b"".join(
        bytes([len(label)]) + label.encode() for label in name.split(".")) + b"\0" + struct.pack(">HH", 33, 1)

    def ask() -> bool:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
            sock.settimeout(timeout)
            sock.sendto(query, (server, 53))
            data = sock.recv(4096)
        rid, flags, _, count = struct.unpack(">HHHH", data[:8])
        return rid == qid and flags & 0xF == 0 and count > 0
    try:
        return _inside(ns, ask)
    except OSError:
        return False


def delete(ns: str) -> None:
    """Removing the namespace removes its veth end, and the peer with it."""
    if ns in existing():
        _ip("netns", "delete", ns, check=False)
    shutil.rmtree(NETNS_ETC / ns, ignore_errors=True)
