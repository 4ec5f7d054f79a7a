"""The top-level Vagrantfile: `vagrant validate` and the project's own checks of what validate misses.

Validation needs two stand-ins, both in vagrant-shim/ and both unable to do anything but let validation run: the
Ruby winrm gem (Debian's vagrant lacks it) and VirtualBox's VBoxManage (answering only `--version`, so Vagrant
validates the `virtualbox` block). The `libvirt` block is validated by Debian's vagrant-libvirt plugin. The `hyperv`
block can only be validated on a Windows host; the own checks cover its boxes."""
from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from tests.conftest import ROOT
from trustlab.backends.passwords import lab_password
from trustlab.backends.vagrant import settings as settings_mod
from trustlab.backends.vagrant.settings import Settings

SHIM = Path(__file__).parent / "vagrant-shim"
MACHINES = ROOT / "lab" / "machines.yaml"
needs_vagrant = pytest.mark.skipif(shutil.which("vagrant") is None and os.environ.get("CI") != "true",
                                   reason="vagrant is not installed (.ci/run installs Debian's)")


def copy_lab(tmp_path: Path) -> Path:
    """The Vagrantfile with what it reads, in a folder of its own (validate writes .vagrant/ beside it)."""
    shutil.copy(ROOT / "Vagrantfile", tmp_path / "Vagrantfile")
    shutil.copytree(ROOT / "lab", tmp_path / "lab")
    return tmp_path


def validate(folder: Path, provider: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "RUBYLIB": str(SHIM), "VAGRANT_HOME": str(folder / ".vagrant.d"),
           "VAGRANT_CHECKPOINT_DISABLE": "1", "VAGRANT_DEFAULT_PROVIDER": provider,
           "PATH": f"{SHIM / 'bin'}:{os.environ['PATH']}"}
    return subprocess.run(["vagrant", "validate"], cwd=folder, env=env, capture_output=True, text=True, timeout=300)


@needs_vagrant
@pytest.mark.parametrize("provider", ["virtualbox", "libvirt"])
def test_vagrant_validates_the_vagrantfile(tmp_path, provider):
    done = validate(copy_lab(tmp_path), provider)
    assert done.returncode == 0, done.stderr + done.stdout
    assert "Vagrantfile validated successfully." in done.stdout
    secrets = tmp_path / ".vagrant" / "trustlab-secrets.json"
    assert secrets.stat().st_mode & 0o777 == 0o600                    # the lab seed is private


@needs_vagrant
@pytest.mark.parametrize("provider, old, new, message", [
    ("virtualbox", "m.vm.hostname = ", "m.vm.hostnam = ", "The following settings shouldn't exist: hostnam"),
    ("virtualbox", "vb.memory = ", "vb.memoryy = ", "VirtualBox Provider:\n* The following settings shouldn't exist: memoryy"),
    ("libvirt", "lv.clock_offset = ", "lv.clock_offsett = ", "Libvirt Provider:\n* The following settings shouldn't exist: clock_offsett"),
])
def test_vagrant_validate_catches_a_broken_setting(tmp_path, provider, old, new, message):
    folder = copy_lab(tmp_path)
    text = (folder / "Vagrantfile").read_text()
    assert old in text
    (folder / "Vagrantfile").write_text(text.replace(old, new, 1))
    done = validate(folder, provider)
    assert done.returncode == 1
    assert message in done.stdout + done.stderr


@needs_vagrant
def test_ruby_and_python_derive_the_same_passwords(tmp_path):
    """The Vagrantfile provisions users with passwords the backend must know: the same rule in both languages."""
    folder = copy_lab(tmp_path)
    seed = settings_mod.Secrets(folder).seed()
    ruby = ('require "openssl"; seed = [ARGV[0]].pack("H*"); '
            'puts "Tl#{ARGV[2]}-" + OpenSSL::HMAC.hexdigest("SHA256", seed, "#{ARGV[1]}:#{ARGV[2]}")[0, 20] + "!x"')
    for user, version in [("alice", 1), ("admin", 1), ("bob", 7)]:
        out = subprocess.run(["ruby", "-e", ruby, seed.hex(), user, str(version)], capture_output=True, text=True,
                             check=True).stdout.strip()
        assert out == lab_password(seed, user, version)
    source = (ROOT / "Vagrantfile").read_text()
    assert 'OpenSSL::HMAC.hexdigest("SHA256", lab_seed, "#{user}:#{version}")[0, 20] + "!x"' in source


def test_the_shipped_settings_have_no_problems():
    assert settings_mod.load().problems() == []


def settings_with(change) -> Settings:
    data = yaml.safe_load(MACHINES.read_text())
    change(data)
    return Settings.model_validate(data)


@pytest.mark.parametrize("change, problem", [
    (lambda d: d["machines"]["client"].update(ip="192.168.56.10"),
     "machines.client.ip: 192.168.56.10 is also dc's address"),
    (lambda d: d["machines"]["client"].update(ip="10.0.0.5"),
     "machines.client.ip: 10.0.0.5 is not a host address of 192.168.56.0/24"),
    (lambda d: d["machines"]["client"].update(hostname="LOANER-LAPTOP-0001"),
     "machines.client.hostname: 'LOANER-LAPTOP-0001' is 18 characters; a NetBIOS name has at most 15"),
    (lambda d: (d["machines"]["client"]["boxes"].update(hyperv="peru/windows-10-enterprise-x64-eval"),
                d["box_providers"].update({"peru/windows-10-enterprise-x64-eval": ["libvirt", "virtualbox"]})),
     "machines.client.boxes.hyperv: peru/windows-10-enterprise-x64-eval is not published for hyperv "
     "(it is for: libvirt, virtualbox)"),
    (lambda d: (d["machines"]["client"]["boxes"].update(libvirt="peru/windows-10-enterprise-x64-eval"),
                d["box_providers"].update({"peru/windows-10-enterprise-x64-eval": ["libvirt", "virtualbox"]})),
     "machines.client.boxes.libvirt: peru/windows-10-enterprise-x64-eval, while gusztavvargadr/windows-11 is "
     "published for libvirt too; use the same box on every provider where it is published"),
    (lambda d: d.update(joiner="bob"), "joiner: 'bob' is also a user or the admin; the joining account is its own"),
    (lambda d: d["machines"]["dc"]["boxes"].update(parallels="x/y"),
     "machines.dc.boxes: unknown provider 'parallels'; allowed: virtualbox, hyperv, libvirt"),
    (lambda d: d["machines"]["client"].update(mac="08:00:27:7A:10:01"),
     "machines: two machines have the same MAC address"),
    (lambda d: d.update(users=["alice"]), "users: the default lab has alice, bob and the admin admin"),
])
def test_own_checks_find_what_validate_misses(change, problem):
    assert problem in settings_with(change).problems()


def test_unknown_keys_in_machines_yaml_are_errors(tmp_path):
    from trustlab.specs.errors import SpecError

    bad = tmp_path / "machines.yaml"
    bad.write_text(MACHINES.read_text().replace("    cpus: 2\n", "    cpus: 2\n    cpu: 4\n", 1))
    with pytest.raises(SpecError) as caught:
        settings_mod.load(bad)
    assert "machines.yaml" in str(caught.value) and "cpu" in str(caught.value)


@needs_vagrant
def test_provisioning_gets_every_setting_its_scripts_read(tmp_path):
    """The Vagrantfile's settings (built in Ruby) against what the provisioning scripts read from them, and the
    passwords in them against the rule the backend uses."""
    import base64
    import json
    import re

    folder = copy_lab(tmp_path)
    ruby = 'module Vagrant; def self.configure(*); end; end; load "Vagrantfile"; puts settings_for(ARGV[0])'
    provision = folder / "lab" / "scripts" / "provision"
    aliases = {"lab": [], "machine": ["machine"], "user": ["users", 0], "admin": ["users", 0]}
    seed = settings_mod.Secrets(folder).seed()
    read = set()
    for machine in ("dc", "client"):
        out = subprocess.run(["ruby", "-e", ruby, machine], cwd=folder, capture_output=True, text=True, check=True)
        data = json.loads(base64.b64decode(out.stdout.strip()))
        assert data["machine"]["hostname"] == ("DC01" if machine == "dc" else "LOANER01")
        assert {u["name"]: (u["password"], u["role"]) for u in data["users"]} == {
            "alice": (lab_password(seed, "alice", 1), "user"), "bob": (lab_password(seed, "bob", 1), "user"),
            "admin": (lab_password(seed, "admin", 1), "admin"), "helpdesk": (lab_password(seed, "helpdesk", 1), "joiner")}
        assert data["administrator_password"] == lab_password(seed, "Administrator", 1)
        for script in provision.glob("*.ps1"):
            for var, path in re.findall(r"\$(lab|machine|user|admin)\.([a-z_]+(?:\.[a-z_]+)*)", script.read_text()):
                node = data
                for key in aliases[var] + path.split("."):
                    node = node[key]                 # a KeyError names what the Vagrantfile does not pass
                read.add(f"{var}.{path}")
    assert {"lab.realm", "lab.safe_mode_password", "lab.administrator_password", "lab.policies.max_password_age_days",
            "machine.mac", "machine.role", "lab.network.prefix_length", "user.password", "user.role",
            "lab.machine.hostname"} <= read


RECORDER = r'''
require "json"
class Recorder
  def initialize(path, log)
    @path, @log = path, log
  end

  def method_missing(name, *args, **kw, &block)
    key = @path + [name.to_s]
    @log << { "call" => key.join("."), "args" => args.map(&:to_s), "kw" => kw.map { |k, v| [k.to_s, v.to_s] }.to_h }
    child = Recorder.new(key, @log)
    # A trigger's Ruby block runs on the host at `vagrant up`, never while the Vagrantfile is read.
    if block && name != :ruby
      block.arity == 2 ? block.call(child, Recorder.new(key + ["override"], @log)) : block.call(child)
    end
    child
  end

  def respond_to_missing?(*)
    true
  end
end
module Vagrant
  LOG = []
  def self.configure(*)
    yield Recorder.new(["config"], LOG)
  end
end
load "Vagrantfile"
puts JSON.generate({ "calls" => Vagrant::LOG, "experimental" => ENV["VAGRANT_EXPERIMENTAL"] })
'''


@needs_vagrant
def test_the_vagrantfile_declares_what_the_fixes_rely_on(tmp_path):
    """What `vagrant validate` cannot show: the lab network is never configured by Vagrant, has no DHCP server and
    no route out; Hyper-V's management adapter goes to a named switch and a trigger adds the lab adapter before
    every start; libvirt's machines are in the system instance; Vagrant reaches the DC with Basic after promotion."""
    import json

    folder = copy_lab(tmp_path)
    done = subprocess.run(["ruby", "-e", RECORDER], cwd=folder, capture_output=True, text=True, check=True)
    recorded = json.loads(done.stdout)
    calls = recorded["calls"]
    networks = [c for c in calls if c["call"] == "config.vm.define.vm.network"]
    assert {c["kw"]["ip"]: (c["kw"]["auto_config"], c["kw"]["virtualbox__intnet"], c["kw"]["libvirt__forward_mode"],
                            c["kw"]["libvirt__dhcp_enabled"], c["kw"]["mac"]) for c in networks} == {
        "192.168.56.10": ("false", "trustlab", "none", "false", "0800277A1001"),
        "192.168.56.11": ("false", "trustlab", "none", "false", "0800277A1002")}
    hyperv = [c for c in calls if c["call"] == "config.vm.define.vm.provider.override.vm.network"]
    assert [c["kw"] for c in hyperv] == [{"bridge": "Default Switch"}] * 2
    triggers = [c for c in calls if c["call"] == "config.vm.define.vm.provider.override.trigger.before"]
    assert [(c["args"], c["kw"]) for c in triggers] == [
        (["VagrantPlugins::HyperV::Action::StartInstance"], {"type": "action"})] * 2
    assert "typed_triggers" in recorded["experimental"]
    libvirt = {name: [c["args"] for c in calls if c["call"] == f"config.vm.define.vm.provider.{name}="]
               for name in ("uri", "qemu_use_session", "nic_model_type")}
    assert libvirt == {"uri": [["qemu:///system"]] * 2, "qemu_use_session": [["false"]] * 2,    # trustlab's URI too
                       "nic_model_type": [["e1000e"]] * 2}           # no virtio-only driver options to refuse a swap
    assert {c["kw"]["libvirt__network_name"] for c in networks} == {"trustlab"}     # not named after the folder
    transports = [c["args"] for c in calls if c["call"] == "config.vm.define.winrm.transport="]
    assert transports == [["plaintext"]]                                  # the DC only
    source = (ROOT / "Vagrantfile").read_text()
    assert '"-File", File.join(ROOT, "lab", "hyperv", "configure.ps1"), "-VMId", vm.id,' in source
