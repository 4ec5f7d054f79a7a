"""The Windows lab's machines and their life cycle: Vagrant builds and destroys them (python-vagrant; `vagrant up`'s
output goes to `.vagrant/trustlab-up.log`, which every failure names), the provider's own tool does everything
inside a run (providers.py), and trustlab keeps a golden snapshot only after the preflight passed (built.py).
Every external command is an argument list; nothing goes through a shell."""
from __future__ import annotations

import json
import re
import shutil
import subprocess
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Optional

from trustlab.backends.vagrant import built as built_mod
from trustlab.backends.vagrant import extra, preflight
from trustlab.backends.vagrant.providers import OFF, RUNNING, Provider, provider, run
from trustlab.backends.vagrant.settings import PROVIDERS, Secrets, Settings, load, root
from trustlab.engine.backend import LabUnavailable

GOLDEN = "trustlab-golden"
SNAPSHOT_NAME = re.compile(r"^[A-Za-z0-9_.-]{1,48}$")
UP_LOG = "trustlab-up.log"
VERIFY_REPORT = "trustlab-verify.json"
STARTING = "starting"
# Seconds for Vagrant to name a started machine's WinRM address: above the 1800 s boot_timeout the Vagrantfile gives,
# which is how long vagrant-libvirt asks the libvirt boxes' guest agent (vagrant-libvirt driver.rb:83-87).
WINRM_CONFIG_DEADLINE = 1900
# What Vagrant says while the provider knows no address yet: winrm_not_ready (hashicorp/vagrant
# plugins/communicators/winrm/helper.rb:34-41, templates/locales/comm_winrm.yml:43-46), or a query that hangs.
NOT_READY = re.compile(r"not able to report an address|not yet ready|did not finish within", re.I)
WINRM_CONFIG_TIMEOUT = 120          # seconds one `vagrant winrm-config` may take before it is asked again
HOW_TO = ("build it once with `trustlab lab up --backend vagrant` (Vagrant with VirtualBox, Hyper-V or libvirt and "
          "about 40-60 minutes; see the README)")


def parse_winrm_config(text: str) -> tuple[str, int]:
    """Host and port from `vagrant winrm-config` (Vagrant forwards the guest's 5985 to a port on 127.0.0.1)."""
    host = re.search(r"^\s*HostName\s+(\S+)", text, re.M)
    port = re.search(r"^\s*Port\s+(\d+)", text, re.M)
    if not (host and port):
        raise LabUnavailable("`vagrant winrm-config` named no HostName and Port")
    return host.group(1), int(port.group(1))


class VagrantLab:
    """The Windows lab's machines; `provider` is the hypervisor `up` builds them with (None: Vagrant's choice)."""

    name = "vagrant"

    def __init__(self, folder: Optional[Path] = None, settings: Optional[Settings] = None,
                 provider: Optional[str] = None):
        self.dir = folder or root()
        self.settings = settings or load()
        self.provider_choice = provider
        self.dc, _ = self.settings.machine("dc")
        self.client, _ = self.settings.machine("client")
        self._windows: dict = {}             # the guests' Windows versions, once a preflight read them

    @property
    def log(self) -> Path:
        return self.dir / ".vagrant" / UP_LOG

    # --- Vagrant ---------------------------------------------------------------------------------------------------

    def require_vagrant(self) -> None:
        extra.require("vagrant")
        if shutil.which("vagrant") is None:
            raise LabUnavailable(f"vagrant is not installed; {HOW_TO}")
        if not (self.dir / "Vagrantfile").is_file():
            raise LabUnavailable(f"no Vagrantfile in {self.dir} (set TRUSTLAB_VAGRANT_ROOT to the checkout)")

    def _vagrant(self, method: str, *args, logged: bool = False, **kwargs):
        """A python-vagrant call; its failure becomes LabUnavailable naming the command and where its output is."""
        self.require_vagrant()
        vagrant = extra.require("vagrant")          # checked above; the module itself

        options = {"quiet_stdout": True, "quiet_stderr": True}
        if logged:
            self.log.parent.mkdir(parents=True, exist_ok=True)
            to_log = vagrant.make_file_cm(str(self.log))
            options = {"out_cm": to_log, "err_cm": to_log}
        client = vagrant.Vagrant(root=str(self.dir), **options)
        try:
            return getattr(client, method)(*args, **kwargs)
        except subprocess.CalledProcessError as e:
            command = " ".join(str(a) for a in e.cmd[1:3])
            where = f"its output is in {self.log}" if logged else f"run it in {self.dir} to see why"
            raise LabUnavailable(f"`vagrant {command}` failed (exit {e.returncode}); {where}") from None

    def states(self) -> dict[str, str]:
        """Each machine's state as Vagrant says it; `inaccessible` is a libvirt domain that runs but has no address
        yet (vagrant-libvirt driver.rb:175-182: the lease wait timed out), i.e. starting, not down."""
        return {s.name: STARTING if s.state == "inaccessible" else s.state for s in self._vagrant("status")}

    def provider(self, machine: str) -> str:
        """The provider a machine was created with (Vagrant records it under .vagrant/machines)."""
        for name in PROVIDERS:
            if (self.dir / ".vagrant" / "machines" / machine / name / "id").is_file():
                return name
        raise LabUnavailable(f"machine {machine} has not been created; {HOW_TO}")

    def machine_id(self, machine: str) -> str:
        ident = (self.dir / ".vagrant" / "machines" / machine / self.provider(machine) / "id").read_text().strip()
        if not re.fullmatch(r"[A-Za-z0-9_.{}-]+", ident):
            raise LabUnavailable(f"machine {machine} has an unexpected provider id")
        return ident

    def hardware(self, machine: str) -> tuple[Provider, str]:
        return provider(self.provider(machine)), self.machine_id(machine)

    def winrm_address(self, machine: str, deadline: float = WINRM_CONFIG_DEADLINE) -> tuple[str, int]:
        """Vagrant names a machine's address only once its provider knows one: on libvirt and Hyper-V not before the
        guest has a lease or its agent answers, so after a start it is asked again until it does, within a
        deadline. Any other failure (no such machine) is said at once."""
        end = time.monotonic() + deadline
        while True:
            try:
                return parse_winrm_config(run("vagrant", "winrm-config", machine, cwd=self.dir,
                                              timeout=WINRM_CONFIG_TIMEOUT).stdout)
            except LabUnavailable as e:
                if not NOT_READY.search(str(e)):
                    raise
                if time.monotonic() > end:
                    raise LabUnavailable(f"Vagrant named no WinRM address for {machine} within {deadline:g} s: "
                                         f"{e}") from None
            time.sleep(5)

    # --- the life cycle --------------------------------------------------------------------------------------------

    def up(self) -> str:
        """Build both machines, one after the other (the client's join needs the DC's users; vagrant-libvirt would
        bring them up in parallel), then check them and keep the golden snapshot. Each stage done is kept
        (stages.py), so that a failure resumes; every failure writes a redacted report and names it (failure.py)."""
        from trustlab.backends.vagrant import failure

        try:
            return self._up()
        except Exception as e:
            path = failure.write(self.dir, "lab up", e, getattr(e, "checks", ()), self._windows)
            if isinstance(e, LabUnavailable):
                failure.said(e, path)
                raise
            raise LabUnavailable(f"lab up failed: {type(e).__name__}: {e}\na redacted report for whoever fixes "
                                 f"the lab: {path}") from e

    def _up(self) -> str:
        from trustlab.backends.vagrant.guests import Guests
        from trustlab.backends.vagrant.stages import CLIENT_JOINED, DC_BUILT, PREFLIGHT_PASSED, Stages

        started = time.monotonic()
        stages = Stages(self.dir)
        self._windows = {}
        for machine, stage in ((self.dc, DC_BUILT), (self.client, CLIENT_JOINED)):
            state = self.states().get(machine)
            if stage in stages:
                if state not in ("running", STARTING):
                    self.start(machine)
                continue
            if state in (None, "not_created"):
                self._vagrant("up", vm_name=machine, provider=self.provider_choice, logged=True)
            else:                                   # made, but its provisioning did not finish: again
                self._vagrant("up", vm_name=machine, provider=self.provider_choice, provision=True, logged=True)
            stages.mark(stage)
        guests = Guests(self, Secrets(self.dir))
        try:
            checks = []
            if PREFLIGHT_PASSED not in stages:
                guests.dc.script("dc_accounts", {"Disable": ["vagrant"]})
            golden = datetime.now(timezone.utc).replace(microsecond=0)
            aligned = time.monotonic()
            for machine in (self.dc, self.client):
                guests.set_clock(machine, golden + timedelta(seconds=time.monotonic() - aligned))
            if PREFLIGHT_PASSED not in stages:
                checks = guests.preflight(lambda: golden + timedelta(seconds=time.monotonic() - aligned))
                self._windows = {"dc": guests.facts.dc.get("os"), "client": guests.facts.client.get("os")}
                preflight.require(checks, "lab up: no golden snapshot was taken")
                stages.mark(PREFLIGHT_PASSED, evaluation_end=guests.evaluation_ends())
            ends = stages.done[PREFLIGHT_PASSED]["evaluation_end"]
            for machine in (self.dc, self.client):
                guests[machine].stage_all()          # in the golden snapshot, so that runs find them there
        finally:
            guests.close()
        clock = golden + timedelta(seconds=round(time.monotonic() - aligned))     # what the snapshot's clocks say
        for machine in (self.dc, self.client):
            self.snapshot(machine, GOLDEN)
        built_mod.Built(self.provider(self.dc), clock.isoformat(), ends).save(self.dir)
        stages.forget()
        lines = [f"Windows lab up in {(time.monotonic() - started) / 60:.0f} min; golden snapshot taken ({self.dir})"]
        lines += [f"ok   {c.name}: {c.detail}" for c in checks] or ["the preflight had passed before (resumed)"]
        return "\n".join(lines)

    def built(self) -> built_mod.Built:
        return built_mod.load(self.dir)

    def status(self) -> dict[str, str]:
        states = self.states()
        info = {"folder": str(self.dir), "network": self.settings.network.prefix, "log": str(self.log)}
        for name, machine in self.settings.machines.items():
            info[name] = f"{machine.hostname} {machine.ip}: {states.get(name, 'unknown')}"
        try:
            record = self.built()
        except LabUnavailable:
            info["golden snapshot"] = "none (`trustlab lab up --backend vagrant` takes it after the preflight)"
            return info
        info["golden snapshot"] = f"{record.provider}, the guests' clocks at {record.golden_clock}"
        for name, machine in self.settings.machines.items():
            left = record.evaluation_left(name, 0)
            info[f"{name} evaluation"] = "not an evaluation image" if left is None else f"{left / 86400:.0f} days"
        report = self.dir / ".vagrant" / VERIFY_REPORT
        if report.is_file():
            seen = json.loads(report.read_text())
            info["lab verify"] = f"{seen.get('result')} ({seen.get('at')}; {report})"
        return info

    def require_running(self) -> None:
        states = self.states()
        down = [name for name in self.settings.machines if states.get(name) not in ("running", STARTING)]
        if down:
            raise LabUnavailable(f"the Windows lab is not running ({', '.join(f'{n}: {states.get(n)}' for n in down)}); "
                                 f"{HOW_TO}")

    def reset(self) -> float:
        """Both machines back to the golden snapshot; the DC first, so the client finds it when it resumes."""
        started = time.monotonic()
        self.require_vagrant()
        self.built()
        for machine in (self.dc, self.client):
            self.restore(machine, GOLDEN)
        return time.monotonic() - started

    def down(self) -> None:
        from trustlab.backends.vagrant.stages import Stages

        self._vagrant("destroy", logged=True)
        built_mod.forget(self.dir)
        Stages(self.dir).forget()
        (self.dir / ".vagrant" / VERIFY_REPORT).unlink(missing_ok=True)

    def clean(self) -> list[str]:
        """Vagrant keeps nothing of the lab's outside its machines (and their snapshots) and `.vagrant/`; on Hyper-V
        the lab's switch is trustlab's too."""
        hyperv = any((self.dir / ".vagrant" / "machines" / m / "hyperv" / "id").is_file() for m in (self.dc, self.client))
        self.down()
        removed = ["the Windows lab's machines, their snapshots and trustlab's record of them"]
        if hyperv:
            from trustlab.backends.vagrant.providers import LAB_SWITCH
            from trustlab.backends.vagrant.providers import hyperv as hyperv_host

            hyperv_host("remove_switch", SwitchName=LAB_SWITCH)
            removed.append(f"the Hyper-V switch {LAB_SWITCH}")
        return removed

    def verify(self) -> list:
        """The first-run smoke test (verify.py): each check with what it saw; the report is kept under .vagrant/."""
        from trustlab.backends.vagrant.verify import verify

        return verify(self)

    # --- one machine's hardware, through its provider's own tool ---------------------------------------------------

    def state(self, machine: str) -> str:
        tool, ident = self.hardware(machine)
        return tool.state(ident)

    def start(self, machine: str) -> None:
        tool, ident = self.hardware(machine)
        if tool.state(ident) != RUNNING:
            tool.start(ident)

    def power_off(self, machine: str) -> None:
        tool, ident = self.hardware(machine)
        if tool.state(ident) != OFF:
            tool.power_off(ident)

    def wait_off(self, machine: str, seconds: float) -> bool:
        """Until the machine is off (a shutdown from inside it), within a deadline; False if it is still on."""
        deadline = time.monotonic() + seconds
        while self.state(machine) != OFF:
            if time.monotonic() > deadline:
                return False
            time.sleep(3)
        return True

    def cable(self, machine: str, plugged: bool) -> None:
        tool, ident = self.hardware(machine)
        tool.cable(ident, self.settings.machines[machine].mac, plugged)

    def replace_nic(self, machine: str) -> str:
        tool, ident = self.hardware(machine)
        return tool.replace_nic(ident, self.settings.machines[machine].mac)

    def boot_clock(self, machine: str, seconds: float) -> bool:
        tool, ident = self.hardware(machine)
        return tool.boot_clock(ident, seconds)

    def snapshot(self, machine: str, name: str) -> None:
        tool, ident = self.hardware(machine)
        tool.snapshot(ident, _snapshot(name))

    def restore(self, machine: str, name: str) -> None:
        tool, ident = self.hardware(machine)
        tool.restore(ident, _snapshot(name))


def _snapshot(name: str) -> str:
    if not SNAPSHOT_NAME.fullmatch(name):
        raise ValueError(f"snapshot name {name!r}: use letters, digits, '_', '.' or '-' (at most 48)")
    return name
