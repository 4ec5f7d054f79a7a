"""The Windows lab's settings (`machines.yaml`, shared with the top-level Vagrantfile), its secrets, and the checks
`vagrant validate` does not make: unique addresses inside the lab network, NetBIOS names of at most 15 characters,
the same box on every provider it is published for, and agreement with the default lab of the scenarios."""
from __future__ import annotations

import ipaddress
import json
import os
import secrets
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from trustlab.backends.passwords import lab_password
from trustlab.specs import shipped
from trustlab.specs.lab import LabSpec

PROVIDERS = ("virtualbox", "hyperv", "libvirt")
NETBIOS_MAX = 15
# One libvirt connection for trustlab's virsh and vagrant-libvirt: the Vagrantfile gives `lv.uri` the same variable,
# and vagrant-libvirt then ignores LIBVIRT_DEFAULT_URI (0.11.2 config.rb:848-862 `_default_uri`, 925-937
# `finalize!`: the URI is worked out only when `uri` is unset), so a LIBVIRT_DEFAULT_URI never splits them
# (`trustlab doctor` says when it differs from the lab's).
LIBVIRT_URI_VARIABLE = "TRUSTLAB_LIBVIRT_URI"
LIBVIRT_URI = os.environ.get(LIBVIRT_URI_VARIABLE) or "qemu:///system"


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Network(Strict):
    prefix: str
    libvirt_name: str = "trustlab"      # the libvirt network's name (the Vagrantfile's libvirt__network_name)


class Guest(Strict):
    hostname: str
    ip: str
    mac: str = Field(pattern=r"^([0-9A-F]{2}:){5}[0-9A-F]{2}$")
    memory: int = Field(ge=2048)
    cpus: int = Field(ge=1)
    role: Literal["dc", "client"]
    boxes: dict[str, str]


class Policies(Strict):
    max_password_age_days: int = Field(ge=1, le=999)
    cached_logons_count: int = Field(ge=0, le=50)


class Settings(Strict):
    domain: str
    realm: str
    network: Network
    machines: dict[str, Guest]
    users: list[str]
    admin: str
    joiner: str
    policies: Policies
    box_providers: dict[str, list[str]]

    def machine(self, role: str) -> tuple[str, Guest]:
        return next((name, m) for name, m in self.machines.items() if m.role == role)

    def problems(self) -> list[str]:
        """What would make the lab unbuildable or not the scenarios' lab; empty when it is fine."""
        found = []
        net = ipaddress.ip_network(self.network.prefix)
        seen: dict[str, str] = {}
        for name, m in self.machines.items():
            if len(m.hostname) > NETBIOS_MAX:
                found.append(f"machines.{name}.hostname: {m.hostname!r} is {len(m.hostname)} characters; "
                             f"a NetBIOS name has at most {NETBIOS_MAX}")
            address = ipaddress.ip_address(m.ip)
            if address not in net or address in (net.network_address, net.broadcast_address):
                found.append(f"machines.{name}.ip: {m.ip} is not a host address of {net}")
            if m.ip in seen:
                found.append(f"machines.{name}.ip: {m.ip} is also {seen[m.ip]}'s address")
            seen.setdefault(m.ip, name)
            for provider, box in m.boxes.items():
                if provider not in PROVIDERS:
                    found.append(f"machines.{name}.boxes: unknown provider {provider!r}; allowed: {', '.join(PROVIDERS)}")
                elif provider not in self.box_providers.get(box, []):
                    found.append(f"machines.{name}.boxes.{provider}: {box} is not published for {provider} "
                                 f"(it is for: {', '.join(self.box_providers.get(box, [])) or 'nothing listed'})")
                else:
                    found += [f"machines.{name}.boxes.{provider}: {box}, while {other} is published for {provider} "
                              f"too; use the same box on every provider where it is published"
                              for other in sorted(set(m.boxes.values()) - {box})
                              if provider in self.box_providers.get(other, [])]
        macs = [m.mac for m in self.machines.values()]
        if len(set(macs)) != len(macs):
            found.append("machines: two machines have the same MAC address")
        if len(self.domain) > NETBIOS_MAX:
            found.append(f"domain: {self.domain!r} is longer than a NetBIOS domain name may be ({NETBIOS_MAX})")
        roles = sorted(m.role for m in self.machines.values())
        if roles != ["client", "dc"]:
            found.append(f"machines: the lab needs one dc and one client, has {', '.join(roles)}")
            return found
        spec = LabSpec()
        _, dc = self.machine("dc")
        _, client = self.machine("client")
        if (self.domain, self.realm, dc.hostname, [client.hostname]) != (spec.domain, spec.realm, spec.dc,
                                                                           spec.workstations):
            found.append(f"the default lab is {spec.domain} / {spec.realm} with {spec.dc} and "
                         f"{', '.join(spec.workstations)}; the Vagrantfile would build another")
        if (self.users, self.admin) != (spec.users, spec.admin):
            found.append(f"users: the default lab has {', '.join(spec.users)} and the admin {spec.admin}")
        if self.joiner in (*self.users, self.admin):
            found.append(f"joiner: {self.joiner!r} is also a user or the admin; the joining account is its own")
        return found


def load(path: Path | None = None) -> Settings:
    from trustlab.specs.source import load_yaml_model

    path = path or shipped.path("lab", "machines.yaml")
    return load_yaml_model(path, Settings)


def root(checkout: Path = Path(__file__).resolve().parents[3]) -> Path:
    """Where the Vagrantfile is: TRUSTLAB_VAGRANT_ROOT, else the checkout this package runs from, else (installed
    from a wheel, which carries the Vagrantfile and lab/ under trustlab/_shipped) a lab folder of the user's made
    from them: Vagrant keeps its state in `.vagrant/` beside the Vagrantfile, which site-packages is no place for."""
    env = os.environ.get("TRUSTLAB_VAGRANT_ROOT")
    if env:
        return Path(env)
    if (checkout / "Vagrantfile").is_file():
        return checkout
    return lab_folder()


def lab_folder() -> Path:
    """$XDG_DATA_HOME/trustlab/windows-lab (~/.local/share/...), its Vagrantfile and lab/ the installed package's,
    refreshed on every call so that an upgrade reaches them; `.vagrant/` there is the lab's own."""
    import shutil

    data = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    folder = Path(data) / "trustlab" / "windows-lab"
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(shipped.path("Vagrantfile"), folder / "Vagrantfile")
    shutil.copytree(shipped.path("lab"), folder / "lab", dirs_exist_ok=True)
    return folder


class Secrets:
    """The lab's secret seed, in `.vagrant/trustlab-secrets.json` beside the Vagrantfile (mode 0600); the Vagrantfile
    creates it the same way when it provisions first. Passwords derive from it and are never written anywhere."""

    def __init__(self, folder: Path):
        self.path = folder / ".vagrant" / "trustlab-secrets.json"
        self._seed: bytes | None = None

    def seed(self) -> bytes:
        """Read once: every step that signs someone in needs it."""
        if self._seed is None:
            if not self.path.exists():
                self.path.parent.mkdir(parents=True, exist_ok=True)
                fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
                with os.fdopen(fd, "w") as f:
                    json.dump({"seed": secrets.token_hex(32)}, f)
            self._seed = bytes.fromhex(json.loads(self.path.read_text())["seed"])
        return self._seed

    def password(self, user: str, version: int) -> str:
        return lab_password(self.seed(), user, version)
