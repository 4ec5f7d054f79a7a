"""Network namespaces and the veth pair between them. Everything is named with the `tl-` prefix so that `clean`
can find what a killed harness left behind. Addresses live only inside the namespaces; nothing is routed out."""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

PREFIX = "tl-"
NETNS_ETC = Path("/etc/netns")


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
    out = _ip("netns", "pids", ns, check=False).stdout
    return [int(p) for p in out.split()]


def delete(ns: str) -> None:
    """Removing the namespace removes its veth end, and the peer with it."""
    if ns in existing():
        _ip("netns", "delete", ns, check=False)
    shutil.rmtree(NETNS_ETC / ns, ignore_errors=True)
