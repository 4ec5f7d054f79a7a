from __future__ import annotations

import subprocess
import sys
import zipfile

import pytest

from tests.conftest import ROOT
from trustlab.specs.catalogue import NotACatalogue, UnknownEntry, default_root, load, load_folders
from trustlab.specs.reference import BEHAVIOURS

REQUIRED_SCENARIOS = {"seed-loaner-story", "hidden-adapter", "password-changed-elsewhere", "password-expired",
                      "machine-account-reset", "stale-snapshot-one-rotation", "stale-snapshot-two-rotations",
                      "duplicate-computer-name", "computer-account-deleted", "computer-account-disabled",
                      "clock-months-off"}
REQUIRED_REMEDIATIONS = {"seed-checklist", "repair-secure-channel-with-credential",
                         "repair-secure-channel-local-admin", "reset-machine-password", "netdom-resetpwd",
                         "rejoin-domain", "remove-ghost-adapter", "reinstall-adapter",
                         "unplug-cached-logon-wait-reboot", "lock-unlock-new-password", "delete-user-profile"}


def test_catalogue_has_the_required_entries(catalogue):
    assert REQUIRED_SCENARIOS <= set(catalogue.scenarios)
    assert REQUIRED_REMEDIATIONS <= set(catalogue.remediations)


def test_every_scenario_cites_known_behaviour_ids(catalogue):
    for s in catalogue.scenarios.values():
        assert s.models and set(s.models) <= set(BEHAVIOURS)


def test_the_seed_checklist_claims_the_seed_story(catalogue):
    assert "seed-loaner-story" in catalogue.remediation("seed-checklist").fixes


def test_unknown_ids_suggest_close_ones(catalogue):
    with pytest.raises(UnknownEntry, match="did you mean machine-account-reset"):
        catalogue.scenario("machine-account")
    with pytest.raises(UnknownEntry, match=r"^no scenario 'machine-acount-reset'; did you mean machine-account-reset"):
        catalogue.scenario("machine-acount-reset")
    with pytest.raises(UnknownEntry, match="^no remediation 'reset-machine-pasword'; did you mean "
                                           "reset-machine-password\\?$"):
        catalogue.remediation("reset-machine-pasword")


def test_default_root_is_the_checkout():
    assert default_root() == ROOT


def test_wheel_ships_the_catalogue(tmp_path):
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-w", str(tmp_path),
                    str(ROOT)], check=True, capture_output=True)
    wheel = next(tmp_path.glob("trustlab-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    assert "trustlab/_shipped/scenarios/seed-loaner-story.yaml" in names
    assert "trustlab/_shipped/remediations/seed-checklist.yaml" in names
    assert "trustlab/_shipped/lab/machines.yaml" in names and "trustlab/_shipped/lab/scripts/logon.ps1" in names
    assert not [n for n in names if n.startswith("lab/")]             # no top-level `lab` package
    assert [n for n in names if n.endswith(".dist-info/licenses/LICENSE")]
    metadata = zipfile.ZipFile(wheel).read(next(n for n in names if n.endswith(".dist-info/METADATA"))).decode()
    assert "Requires-Dist: pywinrm>=0.5; extra == 'windows'" in metadata and "License-Expression: MIT" in metadata
    target = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "--target", str(target), str(wheel)],
                   check=True, capture_output=True)
    out = subprocess.run([sys.executable, "-c", "from trustlab.specs.catalogue import load_default, default_root; "
                          "c = load_default(); print(default_root(), len(c.scenarios), len(c.remediations))"],
                         cwd=tmp_path, env={"PYTHONPATH": str(target), "PATH": "/usr/bin:/bin"},
                         capture_output=True, text=True, check=True).stdout.split()
    assert out[0].endswith("trustlab/_shipped") and int(out[1]) >= 11 and int(out[2]) >= 11
    # the Windows lab from a wheel: `lab up` looked for the Vagrantfile in site-packages' parent (issue 22)
    assert "trustlab/_shipped/Vagrantfile" in names
    folder = subprocess.run([sys.executable, "-c", "from trustlab.backends.vagrant.settings import root; print(root())"],
                            cwd=tmp_path, env={"PYTHONPATH": str(target), "PATH": "/usr/bin:/bin",
                                               "XDG_DATA_HOME": str(tmp_path / "data"), "HOME": str(tmp_path)},
                            capture_output=True, text=True, check=True).stdout.strip()
    assert folder == str(tmp_path / "data" / "trustlab" / "windows-lab")
    assert (tmp_path / "data/trustlab/windows-lab/Vagrantfile").read_text() == (ROOT / "Vagrantfile").read_text()
    assert (tmp_path / "data/trustlab/windows-lab/lab/scripts/provision/base.ps1").is_file()


def test_user_folders_load_on_their_own(tmp_path, catalogue):
    (tmp_path / "scenarios").mkdir()
    src = ROOT / "scenarios" / "machine-account-reset.yaml"
    (tmp_path / "scenarios" / "machine-account-reset.yaml").write_text(src.read_text())
    cat = load([tmp_path])
    assert list(cat.scenarios) == ["machine-account-reset"]


def _own_folder(root):
    (root / "scenarios").mkdir(parents=True)
    (root / "remediations").mkdir()
    (root / "scenarios" / "my-reset.yaml").write_text(
        (ROOT / "scenarios" / "machine-account-reset.yaml").read_text().replace("id: machine-account-reset",
                                                                                 "id: my-reset"))
    (root / "remediations" / "just-reboot.yaml").write_text(
        "id: just-reboot\ntitle: Reboot\nfixes: [my-reset, machine-account-reset]\nsteps:\n  - reboot: {}\n")
    return root


def test_a_catalogue_folder_is_its_scenarios_and_remediations_and_nothing_else(tmp_path):
    own = _own_folder(tmp_path / "own")
    (own / ".github" / "workflows").mkdir(parents=True)
    (own / ".github" / "workflows" / "ci.yml").write_text("on: push\njobs: {test: {runs-on: ubuntu-latest}}\n")
    (own / "docker-compose.yml").write_text("services: {db: {image: postgres}}\n")
    cat = load_folders([default_root(), own])
    assert "my-reset" in cat.scenarios and "just-reboot" in cat.remediations
    assert ("machine-account-reset", "just-reboot") in cat.claims()            # a claim on a shipped scenario


def test_the_same_folder_twice_is_read_once(tmp_path):
    cat = load_folders([default_root(), ROOT])
    assert len(cat.scenarios) == len(load_folders([ROOT]).scenarios)


def test_a_folder_without_scenarios_or_remediations_is_not_a_catalogue(tmp_path):
    (tmp_path / "x.yaml").write_text("services: {}\n")
    with pytest.raises(NotACatalogue) as err:
        load_folders([tmp_path])
    assert str(err.value) == (f"{tmp_path}: not a catalogue folder: it has no scenarios/ or remediations/ folder "
                              f"(a catalogue folder holds its scenario files in scenarios/ and its remediation files "
                              f"in remediations/)")
    with pytest.raises(NotACatalogue, match="no-such-folder: no such folder"):
        load_folders([tmp_path / "no-such-folder"])
