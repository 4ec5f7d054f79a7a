"""The real-hypervisor tier: trustlab's own libvirt provider (trustlab.backends.vagrant.libvirt.Libvirt) driven against
a real QEMU guest that vagrant-libvirt made, every effect checked from inside the guest over ssh, with figures.

Usage (root; Debian's qemu-system-x86 qemu-utils libvirt-daemon-system libvirt-clients vagrant vagrant-libvirt
mmdebstrap ovmf syslinux mtools dosfstools systemd-boot-efi fdisk):

    python benchmarks/libvirt_real.py [--name NAME] [--cache DIR] [--memory MiB]

It starts libvirtd and virtlogd if none answers (qemu.conf's user/group set to root for them, restored after), builds
the small Debian box once into the cache (benchmarks/hypervisor/build_box.sh), brings one guest up with
benchmarks/hypervisor/Vagrantfile, then: the lab network, a cable pulled and plugged live, paused and resumed,
a shutdown waited out, a cable, a NIC swap (vagrant-libvirt's virtio card, MAC kept) and a clock offset set on the
shut-off domain and seen at the next boot, readiness after a start, snapshots running and off, a revert undoing
what came after, and a UEFI `<loader type='pflash'>` domain refused. Everything it made (named NAME-*) is removed
at the end, also on failure; daemons it started are stopped. Prints one JSON line per check and figure, exits 1
if a check failed. Seconds are wall time on this machine's load (printed with each figure)."""
from __future__ import annotations

import argparse
import ipaddress
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from trustlab.backends.vagrant.libvirt import Libvirt
from trustlab.backends.vagrant.providers import OFF, PAUSED, RUNNING, STOPPING, ToolFailed

HERE = Path(__file__).resolve().parent / "hypervisor"
URI = "qemu:///system"
QEMU_CONF = Path("/etc/libvirt/qemu.conf")
NETWORK_RUN = Path("/run/libvirt/network")
INSECURE_KEY = "/usr/share/rubygems-integration/all/gems/vagrant-*/keys/vagrant"
MAC = "08:00:27:5a:10:01"
FAILED: list[str] = []


def out(what: str, **kw) -> None:
    print(json.dumps({"what": what, **kw, "load": round(os.getloadavg()[0], 1)}), flush=True)


def check(what: str, ok: bool, **kw) -> None:
    out(what, ok=ok, **kw)
    if not ok:
        FAILED.append(what)


def sh(*argv: str, check_rc: bool = True, timeout: float = 1800, env=None, cwd=None) -> subprocess.CompletedProcess:
    done = subprocess.run(list(argv), capture_output=True, text=True, timeout=timeout, env=env, cwd=cwd)
    if check_rc and done.returncode:
        raise RuntimeError(f"{' '.join(argv[:4])}: rc {done.returncode}: {(done.stderr or done.stdout)[-600:]}")
    return done


def virsh(*args: str, check_rc: bool = True) -> subprocess.CompletedProcess:
    return sh("virsh", "-c", URI, *args, check_rc=check_rc, timeout=300)


def timed(fn, *args, **kwargs):
    started = time.monotonic()
    result = fn(*args, **kwargs)
    return round(time.monotonic() - started, 2), result


def free_subnets(count: int) -> list[str]:
    """/24s under 192.168.0.0/16 that no route on this host reaches (a lab network beside vboxnet0 must not take
    one in use: vagrant-libvirt#617)."""
    routes = [ipaddress.ip_network(r.split()[0], strict=False) for r in sh("ip", "-4", "route").stdout.splitlines()
              if r and r.split()[0][0].isdigit()]
    found = []
    for third in range(200, 250):
        net = ipaddress.ip_network(f"192.168.{third}.0/24")
        if not any(net.overlaps(r) for r in routes):
            found.append(str(net))
        if len(found) == count:
            return found
    raise RuntimeError("no free 192.168.2xx.0/24 on this host")


class Hypervisor:
    """libvirtd/virtlogd for the run: the host's if one answers, else started here and stopped after."""

    def __init__(self, work: Path):
        self.work, self.started, self.conf_saved = work, [], None
        self.run_files: set[Path] = set()        # /run/libvirt/network before libvirtd started

    def up(self) -> None:
        if virsh("version", check_rc=False).returncode == 0:
            out("libvirtd already answers; used as it is")
            return
        self.run_files = set(NETWORK_RUN.glob("*"))
        self.conf_saved = self.work / "qemu.conf.orig"
        shutil.copy2(QEMU_CONF, self.conf_saved)
        text = QEMU_CONF.read_text()
        text = re.sub(r'^#?user = "[^"]*"', 'user = "root"', text, count=1, flags=re.M)
        text = re.sub(r'^#?group = "[^"]*"', 'group = "root"', text, count=1, flags=re.M)
        QEMU_CONF.write_text(text)          # else every `virsh define` re-probes QEMU as libvirt-qemu
        for daemon, pidfile in (("virtlogd", "/run/virtlogd.pid"), ("libvirtd", "/run/libvirtd.pid")):
            sh(daemon, "-d")
            deadline = time.monotonic() + 30
            while not Path(pidfile).exists() and time.monotonic() < deadline:
                time.sleep(0.2)
            self.started.append((daemon, int(Path(pidfile).read_text())))
        seconds, _ = timed(virsh, "version")
        out("libvirtd and virtlogd started", pids=self.started, first_virsh_s=seconds)

    def down(self) -> None:
        for daemon, pid in reversed(self.started):
            cmd = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")[0].decode() if Path(f"/proc/{pid}").exists() \
                else ""
            if cmd.endswith(daemon):
                os.kill(pid, signal.SIGTERM)
                for _ in range(100):
                    if not Path(f"/proc/{pid}").exists():
                        break
                    time.sleep(0.1)
        if self.started:
            self._leftovers()
        if self.conf_saved:
            shutil.copy2(self.conf_saved, QEMU_CONF)

    def _leftovers(self) -> None:
        """What a stopped libvirtd leaves (called only for one started here): what was not in /run/libvirt/network
        before it started (its networks' runtime folders, `autostarted`, `nwfilter.leases`), its empty
        LIBVIRT_* iptables chains and the jumps to them (removed only when empty: no other libvirt network needs
        them)."""
        for path in set(NETWORK_RUN.glob("*")) - self.run_files:
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path, ignore_errors=True)
            else:
                path.unlink(missing_ok=True)
        for tool in ("iptables", "ip6tables"):
            for table, chains in (("filter", ("INPUT", "FORWARD", "OUTPUT")), ("nat", ("POSTROUTING",)),
                                  ("mangle", ("POSTROUTING",))):
                listing = sh(tool, "-t", table, "-S", check_rc=False).stdout
                own = sorted(set(re.findall(r"^-N (LIBVIRT_\w+)$", listing, re.M)))
                if any(re.search(rf"^-A {c} ", listing, re.M) for c in own):
                    continue                                   # still in use
                for chain in chains:
                    for c in own:
                        sh(tool, "-t", table, "-D", chain, "-j", c, check_rc=False)
                for c in own:
                    sh(tool, "-t", table, "-X", c, check_rc=False)


class Guest:
    """The guest over its management network (the lease libvirt's dnsmasq gave), with Vagrant's insecure key."""

    def __init__(self, domain: str, key: Path):
        self.domain, self.key = domain, key

    def address(self) -> str:
        said = virsh("domifaddr", self.domain, "--source", "lease", check_rc=False).stdout
        found = re.search(r"ipv4\s+([\d.]+)/", said)
        return found.group(1) if found else ""

    def run(self, command: str, timeout: float = 60) -> subprocess.CompletedProcess:
        address = self.address()
        if not address:
            return subprocess.CompletedProcess([], 255, "", "no lease")
        try:
            return sh("ssh", "-q", "-i", str(self.key), "-o", "StrictHostKeyChecking=no", "-o",
                      "UserKnownHostsFile=/dev/null", "-o", "ConnectTimeout=5", "-o", "BatchMode=yes",
                      f"vagrant@{address}", command, check_rc=False, timeout=timeout)
        except subprocess.TimeoutExpired:
            return subprocess.CompletedProcess([], 255, "", "timeout")

    def wait(self, deadline: float = 1200) -> float:
        """Seconds until the guest answers ssh."""
        started = time.monotonic()
        while time.monotonic() - started < deadline:
            if self.run("true", timeout=20).returncode == 0:
                return round(time.monotonic() - started, 1)
            time.sleep(2)
        raise RuntimeError(f"{self.domain}: no ssh within {deadline:g} s")

    def lab_nic(self) -> dict:
        """The lab card as the guest sees it: interface, driver, MAC, carrier."""
        said = self.run(f"i=$(ip -o link | grep -i {MAC} | cut -d: -f2 | tr -d ' '); echo $i; "
                        f"cat /sys/class/net/$i/address /sys/class/net/$i/carrier; "
                        f"basename $(readlink /sys/class/net/$i/device/driver)").stdout.split()
        return dict(zip(("interface", "mac", "carrier", "driver"), said))

    def pings(self, address: str) -> bool:
        return self.run(f"ping -c1 -W2 {address}").returncode == 0

    def clock_minus_host(self) -> int:
        return int(self.run("date -u +%s").stdout) - int(time.time())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--name", default=f"tlhv-{os.getpid()}", help="every VM, network, pool is NAME-*")
    parser.add_argument("--cache", default=os.environ.get("TRUSTLAB_HV_CACHE",
                                                          str(Path.home() / ".cache" / "trustlab" / "hypervisor")))
    parser.add_argument("--memory", default="640")
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    cache = Path(args.cache)
    cache.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f"{args.name}-", dir=cache))
    hypervisor = Hypervisor(work)
    env = dict(os.environ, VAGRANT_HOME=str(work / "vagrant.d"), VAGRANT_DEFAULT_PROVIDER="libvirt",
               LIBVIRT_DEFAULT_URI=URI)
    out("run", name=args.name, work=str(work), cores=os.cpu_count(), loadavg=os.getloadavg())
    try:
        hypervisor.up()
        run_tier(args, cache, work, env)
    except Exception as e:                      # a failure is reported, then everything is removed
        check("the tier ran to its end", False, error=f"{type(e).__name__}: {e}")
    finally:
        try:
            teardown(args.name, work, env)
        finally:
            hypervisor.down()
            shutil.rmtree(work, ignore_errors=True)
    out("done", failed=FAILED)
    return 1 if FAILED else 0


def run_tier(args, cache: Path, work: Path, env: dict) -> None:
    name = args.name
    box = cache / "trustlab-debian12.box"
    if not box.exists():
        seconds, done = timed(sh, "bash", str(HERE / "build_box.sh"), str(box))
        out("box build (mmdebstrap + image)", s=seconds, said=done.stdout.strip())
    key = work / "insecure_key"
    shutil.copy(next(Path("/").glob(INSECURE_KEY.lstrip("/"))), key)
    key.chmod(0o600)
    seconds, _ = timed(sh, "vagrant", "box", "add", "--name", f"{name}-debian12", str(box), env=env)
    out("vagrant box add", s=seconds)
    pool = work / "pool"
    pool.mkdir()
    virsh("pool-define-as", f"{name}-pool", "dir", "--target", str(pool))
    virsh("pool-start", f"{name}-pool")
    mgmt, lab = free_subnets(2)
    lab_net = ipaddress.ip_network(lab)
    host_lab, guest_lab = str(lab_net.network_address + 1), str(lab_net.network_address + 10)
    lab_dir = work / "lab"
    lab_dir.mkdir()
    shutil.copy(HERE / "Vagrantfile", lab_dir / "Vagrantfile")
    env.update(TRUSTLAB_HV_NAME=name, TRUSTLAB_HV_BOX=f"{name}-debian12", TRUSTLAB_HV_LAB_IP=guest_lab,
               TRUSTLAB_HV_MAC=MAC, TRUSTLAB_HV_URI=URI, TRUSTLAB_HV_MGMT=mgmt, TRUSTLAB_HV_MEMORY=args.memory,
               TRUSTLAB_HV_WORK=str(work))
    seconds, _ = timed(sh, "vagrant", "up", "--no-parallel", "--provider", "libvirt", env=env, cwd=lab_dir)
    out("vagrant up (one guest, fresh)", s=seconds, management=mgmt, lab=lab)
    ident = (lab_dir / ".vagrant" / "machines" / "vm1" / "libvirt" / "id").read_text().strip()
    tool, guest = Libvirt(), Guest(f"{name}-vm1", key)

    # The lab network: named, on the run's own subnet, the host holding its first address (vagrant-libvirt).
    net = virsh("net-dumpxml", f"{name}-lab").stdout
    check("lab network named and on its own subnet", f"address='{host_lab}'" in net and "<forward" not in net,
          subnet=lab)
    # The lab address by MAC (as the project's base.ps1 sets it), DHCP on whichever card is the management one: the
    # kernel's names follow the probe order, which a NIC swap changes.
    guest.run(f"printf '[Match]\\nMACAddress={MAC}\\n\\n[Network]\\nAddress={guest_lab}/{lab_net.prefixlen}\\n' | "
              f"sudo tee /etc/systemd/network/10-lab.network >/dev/null && "
              f"printf '[Match]\\nName=eth*\\n\\n[Network]\\nDHCP=ipv4\\n' | "
              f"sudo tee /etc/systemd/network/20-mgmt.network >/dev/null && "
              f"sudo rm -f /etc/systemd/network/eth0.network && sudo systemctl restart systemd-networkd")
    time.sleep(5)
    guest.wait(300)                         # the management lease is taken anew
    nic = guest.lab_nic()
    check("the lab card is vagrant-libvirt's virtio with the lab MAC", nic.get("driver") == "virtio_net"
          and nic.get("mac") == MAC, guest=nic,
          xml=[line.strip() for line in virsh("dumpxml", ident, "--inactive").stdout.splitlines()
               if "iommu" in line or "model type" in line])
    check("the guest reaches the host over the lab network", guest.pings(host_lab))

    # Cables on the running domain.
    down_s, _ = timed(tool.cable, ident, MAC, False)
    time.sleep(2)
    unplugged = (guest.lab_nic().get("carrier"), guest.pings(host_lab))
    up_s, _ = timed(tool.cable, ident, MAC, True)
    time.sleep(3)
    plugged = (guest.lab_nic().get("carrier"), guest.pings(host_lab))
    check("cable pulled and plugged on a running domain, seen inside", unplugged == ("0", False)
          and plugged == ("1", True), unplug_s=down_s, plug_s=up_s, unplugged=unplugged, plugged=plugged)

    # Paused: its own state, and start resumes it.
    virsh("suspend", ident)
    paused = tool.state(ident)
    resume_s, _ = timed(tool.start, ident)
    check("paused is its own state and start resumes it", paused == PAUSED and tool.state(ident) == RUNNING
          and guest.run("true").returncode == 0, state=paused, start_s=resume_s)

    # Running snapshot: a marker written after it is gone after the revert.
    guest.run("echo before > /tmp/marker; sync")
    snap_s, _ = timed(tool.snapshot, ident, f"{name}-run")
    guest.run("echo after > /tmp/marker; sync")
    revert_s, _ = timed(tool.restore, ident, f"{name}-run")
    answer_s = guest.wait(300)
    check("running snapshot and revert", guest.run("cat /tmp/marker").stdout.strip() == "before",
          snapshot_s=snap_s, revert_s=revert_s, ssh_after_revert_s=answer_s)

    # An ACPI shutdown (virsh shutdown; the box runs logind): `in shutdown` is its own state, not off, and a cable
    # change waits it out, then changes the definition only.
    virsh("shutdown", ident)
    asked, first = time.monotonic(), RUNNING
    while first == RUNNING and time.monotonic() - asked < 300:     # until the guest acts on the ACPI request
        first = tool.state(ident)
    cable_s, _ = timed(tool.cable, ident, MAC, False)
    check("a shutdown is waited out before the cable changes", first in (STOPPING, OFF) and tool.state(ident) == OFF
          and "<link state='down'/>" in virsh("dumpxml", ident, "--inactive").stdout,
          first_state_after_running=first, waited_out=first == STOPPING, cable_s=cable_s,
          acpi_to_first_s=round(time.monotonic() - asked - cable_s, 1))
    tool.cable(ident, MAC, True)
    off_snap_s, _ = timed(tool.snapshot, ident, f"{name}-off")         # cable in, virtio, clock utc
    out("snapshot of the shut-off domain", s=off_snap_s)
    off_cable_s, _ = timed(tool.cable, ident, MAC, False)
    out("cable pulled on the shut-off domain", s=off_cable_s)
    nic_s, model = timed(tool.replace_nic, ident, MAC)
    clock_s, _ = timed(tool.boot_clock, ident, -90 * 86400)
    out("replace_nic and boot_clock on the shut-off domain", replace_nic_s=nic_s, model=model, boot_clock_s=clock_s)

    # Readiness after a start, and every change seen from inside at that boot.
    start_s, _ = timed(tool.start, ident)
    lease_started = time.monotonic()
    while not guest.address() and time.monotonic() - lease_started < 600:
        time.sleep(1)
    lease_s = round(time.monotonic() - lease_started, 1)
    ssh_s = guest.wait()
    out("readiness after a start", start_s=start_s, address_s=lease_s, ssh_s=ssh_s)
    nic = guest.lab_nic()
    check("NIC swapped at the next boot, the MAC kept", nic.get("driver") == model == "e1000e"
          and nic.get("mac") == MAC, guest=nic)
    offset = guest.clock_minus_host()
    check("the clock offset acts at the next cold boot", abs(offset + 90 * 86400) < 120, guest_minus_host=offset)
    check("the guest boots with the cable pulled", not guest.pings(host_lab), carrier=nic.get("carrier"),
          note="booted unplugged, e1000e shows carrier 0; pulled while running it keeps carrier 1 (docs)")
    plug_s, _ = timed(tool.cable, ident, MAC, True)
    time.sleep(3)
    check("plugged live again", guest.pings(host_lab), s=plug_s)
    tool.cable(ident, MAC, False)
    time.sleep(3)
    hidden = (guest.lab_nic().get("carrier"), guest.pings(host_lab))
    tool.cable(ident, MAC, True)
    check("e1000e: a cable pulled while running stops traffic while the guest still sees a link",
          hidden == ("1", False), carrier_and_ping=hidden)

    # The shut-off snapshot undoes the NIC, the clock and the cable; --running boots it.
    restore_s, _ = timed(tool.restore, ident, f"{name}-off")
    ssh_s = guest.wait()
    nic = guest.lab_nic()
    check("reverting the off snapshot undoes NIC, clock and cable", nic.get("driver") == "virtio_net"
          and abs(guest.clock_minus_host()) < 120 and guest.pings(host_lab), restore_s=restore_s, ssh_s=ssh_s,
          guest=nic)
    power_s, _ = timed(tool.power_off, ident)
    check("power off", tool.state(ident) == OFF, s=power_s)

    # UEFI as libvirt pflash: no internal snapshot on this libvirt; trustlab says so before virsh does.
    uefi(name, work, tool)


def uefi(name: str, work: Path, tool: Libvirt) -> None:
    code = Path("/usr/share/OVMF/OVMF_CODE_4M.fd")
    nvram = work / "uefi_VARS.fd"
    shutil.copy(Path("/usr/share/OVMF/OVMF_VARS_4M.fd"), nvram)
    disk = work / "uefi.qcow2"                 # a disk to snapshot: without one libvirt says "nothing selected"
    sh("qemu-img", "create", "-q", "-f", "qcow2", str(disk), "64M")
    xml = work / "uefi.xml"
    xml.write_text(f"<domain type='qemu'><name>{name}-uefi</name><memory unit='MiB'>128</memory><vcpu>1</vcpu>"
                   f"<features><acpi/></features><os><type arch='x86_64' machine='q35'>hvm</type><loader readonly='yes' type='pflash'>{code}"
                   f"</loader><nvram>{nvram}</nvram></os><devices><disk type='file' device='disk'><driver name='qemu' "
                   f"type='qcow2'/><source file='{disk}'/><target dev='vda' bus='virtio'/></disk></devices></domain>")
    virsh("define", str(xml))
    ident = f"{name}-uefi"
    libvirt_says = virsh("snapshot-create-as", ident, "probe", check_rc=False)
    try:
        tool.snapshot(ident, "golden")
        said = "taken"
    except ToolFailed as e:
        said = str(e)
    version = virsh("version", "--daemon").stdout
    check("a <loader type='pflash'> domain: trustlab refuses with the reason",
          ("takes no internal snapshot" in said) == ("pflash" in libvirt_says.stderr), trustlab=said,
          virsh=libvirt_says.stderr.strip(), libvirt=re.findall(r"daemon: ([\d.]+)", version))


def teardown(name: str, work: Path, env: dict) -> None:
    """Everything NAME-*: Vagrant's machine and networks, then any domain, network, pool, box left."""
    lab_dir = work / "lab"
    if (lab_dir / "Vagrantfile").exists():
        sh("vagrant", "destroy", "-f", env=env, cwd=lab_dir, check_rc=False)
    if virsh("version", check_rc=False).returncode:
        return
    for domain in virsh("list", "--all", "--name", check_rc=False).stdout.split():
        if domain.startswith(f"{name}-"):
            virsh("destroy", domain, check_rc=False)
            virsh("undefine", domain, "--snapshots-metadata", "--nvram", check_rc=False)
    for network in virsh("net-list", "--all", "--name", check_rc=False).stdout.split():
        if network.startswith(f"{name}-"):
            virsh("net-destroy", network, check_rc=False)
            virsh("net-undefine", network, check_rc=False)
    pool = f"{name}-pool"
    for volume in virsh("vol-list", pool, check_rc=False).stdout.splitlines()[2:]:
        if volume.split():
            virsh("vol-delete", "--pool", pool, volume.split()[0], check_rc=False)
    virsh("pool-destroy", pool, check_rc=False)
    virsh("pool-undefine", pool, check_rc=False)
    sh("vagrant", "box", "remove", "-f", f"{name}-debian12", env=env, check_rc=False)
    for leftover in NETWORK_RUN.glob(f"{name}-*"):
        shutil.rmtree(leftover) if leftover.is_dir() else leftover.unlink(missing_ok=True)


if __name__ == "__main__":
    sys.exit(main())
