"""`trustlab run --backend samba --jobs 2`: two labs side by side, each worker with its own, the matrix judged as one
and as the sim with the samba profile judges it; the labs the workers built are gone afterwards."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys

import yaml

from tests.conftest import ROOT, lab_name
from trustlab.backends.samba.domain import leftovers

PAIR = ("machine-account-reset", "password-changed-elsewhere")
REPAIR = "repair-secure-channel-with-credential"


def _trustlab(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "trustlab", *args], capture_output=True, text=True, timeout=600)


def test_two_jobs_run_the_matrix_on_two_labs_and_tear_them_down(samba_ready, tmp_path):
    folder = tmp_path / "small"
    (folder / "scenarios").mkdir(parents=True)
    (folder / "remediations").mkdir()
    for sid in PAIR:
        shutil.copy(ROOT / "scenarios" / f"{sid}.yaml", folder / "scenarios")
    spec = yaml.safe_load((ROOT / "remediations" / f"{REPAIR}.yaml").read_text())
    spec["fixes"] = ["machine-account-reset"]                 # the one claim of the small catalogue
    (folder / "remediations" / f"{REPAIR}.yaml").write_text(yaml.safe_dump(spec, sort_keys=False))
    name = lab_name("jobs")
    real = _trustlab("--catalogue", str(folder), "run", "--backend", "samba", "--jobs", "2",
                     "--name", name, "--format", "json")
    try:
        assert real.returncode == 0, real.stderr
        model = _trustlab("--catalogue", str(folder), "run", "--profile", "samba", "--format", "json")
        got, expected = json.loads(real.stdout), json.loads(model.stdout)
        assert (got["backend"], expected["backend"]) == ("samba", "sim")
        assert {k: v for k, v in got.items() if k != "backend"} == {k: v for k, v in expected.items()
                                                                   if k != "backend"}
        assert got["claims"] == [{"scenario": "machine-account-reset", "remediation": REPAIR, "verdict": "FIXED",
                                  "holds": True, "contradicted_by": []}]
        assert leftovers(name) == []                       # each worker tore down the lab it built
    finally:
        for worker in (f"{name}-0", f"{name}-1"):          # the labs this test made, each by its name
            if leftovers(worker):
                _trustlab("lab", "clean", "--backend", "samba", "--name", worker)
