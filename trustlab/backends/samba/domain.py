"""A real lab's life: built from nothing, a golden healthy copy, reset to it, torn down, and cleaned up after a
crash. Each lab has its own name, namespaces (`tl-NAME-dc`, `tl-NAME-m`), veth pair, private /24 and folder under
the labs root; several can run side by side."""
from __future__ import annotations

import base64
import fcntl
import json
import os
import re
import secrets
import shutil
import stat
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator, Optional

from trustlab.backends.passwords import lab_password
from trustlab.backends.samba import dc as dc_mod
from trustlab.backends.samba import doctor, inplace, netns, processes
from trustlab.backends.samba import member as member_mod
from trustlab.backends.samba.node import Node
from trustlab.engine.backend import LabUnavailable
from trustlab.specs.lab import LabSpec

NAME = re.compile(r"[a-z0-9][a-z0-9-]{0,19}")
DEFAULT_ROOT = Path("/var/lib/trustlab/labs")
READER_NAME = "tl-oracle"
"""The directory reader of the DC-side oracle (oracle.py): a plain user whose password never expires, since the
admin's expires after 42 days of lab time and the oracle must still read the directory then."""
UF_NORMAL_DONT_EXPIRE = 0x200 | 0x10000       # NORMAL_ACCOUNT | DONT_EXPIRE_PASSWD (MS-ADTS 2.2.16)


def labs_root() -> Path:
    return Path(os.environ.get("TRUSTLAB_LABS", DEFAULT_ROOT))


class LabError(LabUnavailable):
    """A lab cannot be built, found or used; the message says why and what to do."""


@contextmanager
def _locked(root: Path) -> Iterator[None]:
    if not root.exists():
        root.mkdir(mode=0o700, parents=True)      # a new labs root is root's alone; an existing one is left as it is
    with open(root / ".lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _sockets(folder: str, names: list[str]) -> list[str]:
    return [n for n in names if stat.S_ISSOCK(os.lstat(os.path.join(folder, n)).st_mode)]


def copy_state(src: Path, dst: Path) -> None:
    """A node's files without its sockets (a stopped daemon leaves them; the next start makes new ones)."""
    shutil.copytree(src, dst, symlinks=True, ignore=_sockets)


@dataclass
class SambaLab:
    """One lab, by name; `everything`: its `clean()` removes every lab, not only this one (`lab clean --all`)."""

    name: str
    root: Path
    everything: bool = False
    timings: dict[str, float] = field(default_factory=dict, compare=False, repr=False)   # of the last `up()`

    def __post_init__(self) -> None:
        if not NAME.fullmatch(self.name):
            raise LabError(f"bad lab name {self.name!r}: 1-20 lower-case letters, digits or '-'")

    @classmethod
    def named(cls, name: str = "default", everything: bool = False) -> "SambaLab":
        return cls(name, labs_root(), everything)

    # --- where things are -----------------------------------------------------------------------------------------

    @property
    def dir(self) -> Path:
        return self.root / self.name

    @property
    def meta(self) -> dict:
        try:
            return json.loads((self.dir / "lab.json").read_text())
        except (OSError, ValueError):
            return {}

    @property
    def exists(self) -> bool:
        return (self.dir / "lab.json").exists()

    @property
    def index(self) -> int:
        return self.meta["index"]

    @property
    def spec(self) -> LabSpec:
        return LabSpec()

    def namespaces(self) -> list[str]:
        return [f"{netns.PREFIX}{self.name}-dc", f"{netns.PREFIX}{self.name}-m"]

    def _secret(self) -> bytes:
        return bytes.fromhex(json.loads((self.dir / "secrets.json").read_text())["seed"])

    def password(self, user: str, version: int) -> str:
        """The lab's password for a user at a version; derived from the lab's own secret, never written in specs
        or journals."""
        return lab_password(self._secret(), user, version)

    def passwords(self) -> list[str]:
        spec = self.spec
        return [self.password(u, v) for u in [*spec.all_users, "Administrator"] for v in range(0, 40)] + \
            [self.password(READER_NAME, 1)]

    def node(self, which: str) -> Node:
        i = self.index
        ns_dc, ns_m = self.namespaces()
        if which == "dc":
            return Node("dc", self.dir / "dc", ns_dc, f"tl{i}d", f"10.213.{i}.1",
                        self.dir / "dc" / "private" / "krb5.conf", secrets=self.passwords())
        return Node("member", self.dir / "member", ns_m, f"tl{i}m", f"10.213.{i}.2",
                    self.dir / "member" / "etc" / "krb5.conf", secrets=self.passwords())

    # --- life -------------------------------------------------------------------------------------------------------

    def up(self) -> str:
        """Build the lab from nothing (timings in `self.timings`). A half-built lab is torn down again."""
        if self.exists:
            raise LabError(f"lab {self.name!r} exists; `trustlab lab reset` or `trustlab lab down` it first")
        t0 = time.monotonic()
        with _locked(self.root):
            used = {json.loads(p.read_text()).get("index") for p in self.root.glob("*/lab.json")}
            index = next((i for i in range(1, 251) if i not in used), None)
            if index is None:
                raise LabError("250 labs exist already; `trustlab lab clean` removes them")
            self.dir.mkdir(parents=True, exist_ok=True)
            self.dir.chmod(0o700)      # the DC's database, keytabs and the lab's secret: root's alone
            secret_file = self.dir / "secrets.json"
            secret_file.write_text(json.dumps({"seed": secrets.token_hex(32)}))
            secret_file.chmod(0o600)
            (self.dir / "lab.json").write_text(json.dumps({"name": self.name, "index": index, "state": "building",
                                                           "subnet": f"10.213.{index}.0/24"}))
        try:
            self.timings = self._build(t0)
        except BaseException:
            self.down()
            raise
        self._set_state("up")
        return f"lab {self.name} up in {self.timings['up']:.1f} s ({self.meta['subnet']}, {self.dir})"

    def _build(self, t0: float) -> dict[str, float]:
        spec, timings = self.spec, {}
        dc, member = self.node("dc"), self.node("member")
        for ns in self.namespaces():
            netns.create(ns)
        netns.link(dc.ns, dc.dev, dc.address, member.ns, member.dev, member.address)
        for ns in self.namespaces():
            netns.resolver(ns, dc.address, spec.realm)
        timings["network"] = time.monotonic() - t0
        dc_mod.provision(dc, spec.realm, spec.domain, spec.dc, self.password("Administrator", 1))
        timings["provision"] = time.monotonic() - t0
        self._users(dc, spec)
        dc_mod.tls(dc, f"{spec.dc.lower()}.{spec.realm}")
        member_mod.configure(member, spec.domain, spec.realm, spec.workstations[0], None)
        copy_state(dc.dir, self.dir / "golden" / "dc")
        copy_state(member.dir, self.dir / "golden" / "member")
        timings["golden"] = time.monotonic() - t0
        dc_mod.start(dc, spec.realm)
        inplace.remember(self.dir, dc.ns)
        timings["up"] = time.monotonic() - t0
        return timings

    def _users(self, dc: Node, spec: LabSpec) -> None:
        """Users, the oracle's reader and the domain admin, written straight into the new database in one go."""
        base = dc_mod.base_dn(spec.realm)
        ldif = []
        for user, flags in [*((u, 512) for u in spec.all_users), (READER_NAME, UF_NORMAL_DONT_EXPIRE)]:
            pw = ('"' + self.password(user, 1) + '"').encode("utf-16-le")
            ldif.append(f"dn: CN={user},CN=Users,{base}\nobjectClass: user\nsAMAccountName: {user}\n"
                        f"userPrincipalName: {user}@{spec.realm}\nuserAccountControl: {flags}\n"
                        f"unicodePwd:: {base64.b64encode(pw).decode()}\n")
        dc.run("ldbadd", "-H", str(dc.dir / "private" / "sam.ldb"), stdin="\n".join(ldif), check=True)
        dc_mod.tool(dc, "group", "addmembers", "Domain Admins", spec.admin)

    def reset(self) -> float:
        """Back to the golden copy: DC running and healthy, member configured but not joined."""
        if not self.exists:
            raise LabError(f"no lab {self.name!r}; `trustlab lab up --backend samba` builds it")
        t0 = time.monotonic()
        dc, member = self.node("dc"), self.node("member")
        if self._reset_in_place(dc, member):
            return time.monotonic() - t0
        inplace.forget(self.dir)
        for node in (dc, member):
            node.stop_all(power_cut=True)         # both folders are copied anew: nothing of theirs is kept
        netns.set_link(dc.ns, dc.dev, True)
        netns.set_link(member.ns, member.dev, True)
        for node in (dc, member):
            shutil.rmtree(node.dir, ignore_errors=True)
            copy_state(self.dir / "golden" / node.name, node.dir)
        shutil.rmtree(self.dir / "scratch", ignore_errors=True)
        dc_mod.start(dc, self.spec.realm)
        inplace.remember(self.dir, dc.ns)
        return time.monotonic() - t0

    def _reset_in_place(self, dc: Node, member: Node) -> bool:
        """The DC keeps running (inplace.py) when it is the process last started from the golden copy and on real
        time: the member is stopped, the DC's other processes (tools, workers) too, its databases are restored in
        place, the member's folder copied, and the DC must answer ready(). Otherwise False: the full reset."""
        root = inplace.kept(self.dir, dc.ns)
        if root is None:
            return False
        member.stop_all(power_cut=True)           # its folder is copied anew
        keep = inplace.descendants(root) | dc_mod.workers(dc)
        processes.stop((set(netns.pids(dc.ns)) | set(processes.naming(str(dc.dir)))) - keep - {os.getpid()})
        netns.set_link(dc.ns, dc.dev, True)
        netns.set_link(member.ns, member.dev, True)
        try:
            inplace.restore(self.dir, dc.dir, self.dir / "golden" / "dc")
        except (OSError, RuntimeError):           # a database that will not open or lock: the full reset
            return False
        shutil.rmtree(member.dir, ignore_errors=True)
        copy_state(self.dir / "golden" / "member", member.dir)
        shutil.rmtree(self.dir / "scratch", ignore_errors=True)
        return dc_mod.ready(dc, self.spec.realm)

    def down(self) -> None:
        """Stop everything the lab runs and remove its namespaces, resolver files and folder."""
        for ns in self.namespaces():
            processes.stop(netns.pids(ns))
        processes.stop(processes.naming(str(self.dir)))
        for ns in self.namespaces():
            netns.delete(ns)
        shutil.rmtree(self.dir, ignore_errors=True)

    def clean(self) -> list[str]:
        return clean(self.root, None if self.everything else self.name)

    def _set_state(self, state: str) -> None:
        meta = self.meta
        meta["state"] = state
        (self.dir / "lab.json").write_text(json.dumps(meta))

    def status(self) -> dict:
        if not self.exists:
            leftovers = [ns for ns in self.namespaces() if ns in netns.existing()]
            return {"name": self.name, "state": "absent", "leftovers": leftovers}
        dc, member = self.node("dc"), self.node("member")
        return {"name": self.name, "state": self.meta.get("state"), "dir": str(self.dir),
                "subnet": self.meta.get("subnet"), "dc": f"{dc.address} ({'running' if dc.running() else 'stopped'})",
                "member": f"{member.address} ({'running' if member.running() else 'stopped'})"}


def all_labs(root: Optional[Path] = None) -> list[SambaLab]:
    root = root or labs_root()
    return [SambaLab(p.parent.name, root) for p in sorted(root.glob("*/lab.json"))]


def clean(root: Optional[Path] = None, name: Optional[str] = None) -> list[str]:
    """Remove every lab (or the one named, by its exact name) and everything a killed harness left behind: `tl-*`
    namespaces (or the named lab's two) and their processes, processes naming a lab folder, resolver files, lab
    folders, and probes of doctors that are gone. Returns what it removed."""
    root = root or labs_root()
    ours = set(SambaLab(name, root).namespaces()) if name else None     # the lab's own: `nc`, never `nc-x`

    def mine(ns: str) -> bool:
        return ns.startswith(netns.PREFIX) if ours is None else ns in ours

    removed = []
    with _locked(root):
        for ns in [n for n in netns.existing() if mine(n) or doctor.abandoned(n)]:
            processes.stop(netns.pids(ns))
            netns.delete(ns)
            removed.append(f"namespace {ns}")
        strays = processes.naming(str(root / name) + "/" if name else str(root) + "/")
        if strays:
            processes.stop(strays)
            removed.append(f"{len(strays)} process(es)")
        for folder in sorted(f for f in netns.NETNS_ETC.glob(f"{netns.PREFIX}*") if mine(f.name)) \
                if netns.NETNS_ETC.exists() else []:
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(f"{folder}")
        for entry in sorted(root.iterdir()):
            if entry.is_dir() and (name is None or entry.name == name):
                shutil.rmtree(entry, ignore_errors=True)
                removed.append(f"lab folder {entry}")
    return removed


def leftovers(prefix: str = "", root: Optional[Path] = None) -> list[str]:
    """What labs named with `prefix` (every lab: "") left on this host: namespaces, live processes (a zombie
    re-parented to init is dead), mounts, /etc/netns entries, lab folders, and Kerberos files where the host's
    own live (a lab keeps its keytabs and ccaches in its folder)."""
    root = root or labs_root()
    out = [f"namespace {n}" for n in netns.existing() if n.startswith(f"{netns.PREFIX}{prefix}")]
    out += [f"process {p} {processes.cmdline(p)[:80]}" for p in processes.naming(str(root / prefix))
            if processes.alive(p)]
    points = [line.split()[1] for line in Path("/proc/self/mounts").read_text().splitlines()]
    out += [f"mount {p}" for p in points
            if p.startswith((str(root / prefix), f"/run/netns/{netns.PREFIX}{prefix}")) or p == "/run/samba"]
    if netns.NETNS_ETC.exists():
        out += [f"file {p}" for p in netns.NETNS_ETC.glob(f"{netns.PREFIX}{prefix}*")]
    if root.exists():
        out += [f"folder {p}" for p in root.glob(f"{prefix}*") if p.is_dir()]
    out += [f"file {p}" for p in (Path("/etc/krb5.keytab"),) if p.exists()]
    out += [f"file {p}" for p in Path("/tmp").glob("krb5cc*")]
    return out
