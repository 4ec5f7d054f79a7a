"""What a fresh machine gets from `pip install`: the README's commands work as written, a sim-only user installs no
Windows-lab stack, and the licence the metadata names is there."""
from __future__ import annotations

import os
import re
import subprocess
import sys
import tomllib

from tests.conftest import ROOT

PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def _names(requirements: list[str]) -> set[str]:
    return {re.split(r"[\[<>=!~; ]", r, maxsplit=1)[0].lower() for r in requirements}


def test_the_test_extras_hold_what_the_tests_build_with():
    """test_wheel_ships_the_catalogue builds with --no-build-isolation: the build backend must come with `.[test]`."""
    build = _names(PYPROJECT["build-system"]["requires"])
    assert build <= _names(PYPROJECT["project"]["optional-dependencies"]["test"])


def test_the_windows_lab_stack_is_an_extra():
    base = _names(PYPROJECT["project"]["dependencies"])
    assert not base & {"pywinrm", "python-vagrant", "requests", "requests-ntlm", "pyspnego", "cryptography"}
    windows = _names(PYPROJECT["project"]["optional-dependencies"]["windows"])
    assert {"pywinrm", "python-vagrant"} <= windows
    assert "trustlab" in _names(PYPROJECT["project"]["optional-dependencies"]["test"])   # the vagrant tests need it


def without(modules: tuple[str, ...], code: str) -> subprocess.CompletedProcess:
    """Python running `code` (with `CliRunner` and the CLI's `main` imported) as if `modules` were not installed:
    importing them raises ImportError."""
    prelude = (f"import sys\nfor name in {modules!r}:\n    sys.modules[name] = None\n"
               "from click.testing import CliRunner\nfrom trustlab.cli import main\n")
    return subprocess.run([sys.executable, "-c", prelude + code], capture_output=True, text=True, cwd=ROOT,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})


def test_the_sim_never_imports_the_windows_lab_stack():
    done = without(("winrm", "vagrant", "requests"),
                   "r = CliRunner().invoke(main, ['run', 'machine-account-reset', '-r', 'reset-machine-password'])\n"
                   "assert r.exit_code == 0, r.output\n"
                   "import trustlab.backends.vagrant\n"
                   "print('ok')\n")
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr


def test_there_is_the_licence_the_metadata_names():
    assert PYPROJECT["project"]["license"] == "MIT"
    text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert text.startswith("MIT License") and "WITHOUT WARRANTY OF ANY KIND" in text


def test_without_the_windows_extra_the_vagrant_backend_says_how_to_get_it():
    done = without(("winrm", "vagrant"),
                   "for args in (['run', 'machine-account-reset', '--backend', 'vagrant'], ['lab', 'status', "
                   "'--backend', 'vagrant'], ['doctor', '--backend', 'vagrant']):\n"
                   "    r = CliRunner().invoke(main, args)\n"
                   "    print(r.exit_code, r.output.strip().splitlines()[0] if args[0] != 'doctor' else r.output)\n")
    lines = done.stdout.splitlines()
    assert done.returncode == 0, done.stderr
    wanted = "error: the Windows lab needs python-vagrant, which is not installed; pip install 'trustlab[windows]'"
    assert lines[0] == f"2 {wanted}" and lines[1] == f"2 {wanted}"
    assert "FAIL python packages: pywinrm, python-vagrant not installed: pip install 'trustlab[windows]'" in done.stdout
