"""The shape of the package (docs/architecture.md): every module stands on a floor and no import climbs one, the
engine is handed backends and never looks them up, nothing above the backends speaks for one by name, and the
import name is the project's own."""
from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT
from trustlab import backends

PACKAGE = ROOT / "trustlab"


def _modules(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*.py"))


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            out.add(node.module)
            if node.module == "trustlab":                     # `from trustlab import backends`: the module named
                out |= {f"trustlab.{alias.name}" for alias in node.names}
        elif isinstance(node, ast.Import):
            out |= {alias.name for alias in node.names}
    return out


FLOORS = {"errors": 0, "specs": 1, "engine": 2, "training": 3, "runs": 4, "views": 5, "cli": 6, "pytest_plugin": 6,
          "backends": 2.5, "__main__": 6, "__init__": 0}
"""The floors, bottom up (docs/architecture.md): an import may skip floors downwards but never climb. The backends
stand beside the floors: they use the engine and the specs, and only the command line and the plugin (and the
backends themselves) reach them, through the registry."""
MAY_REACH_BACKENDS = {"cli", "pytest_plugin", "__main__", "backends"}


def floor_of(module: str) -> str:
    """The floor a module `trustlab.X...` stands on: its first part below the package."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def _arrows() -> list[tuple[str, str, str]]:
    """(importer, imported, where) for every import of trustlab by trustlab, functions' imports included."""
    out = []
    for path in _modules(PACKAGE):
        importer = "trustlab." + ".".join(path.relative_to(PACKAGE).with_suffix("").parts)
        for imported in _imports(path):
            if imported == "trustlab" or imported.startswith("trustlab."):
                out.append((importer.removesuffix(".__init__"), imported, str(path.relative_to(ROOT))))
    return out


def test_every_module_stands_on_a_floor():
    loose = sorted(p.name for p in PACKAGE.glob("*.py") if p.stem not in FLOORS)
    assert loose == []                                          # a new concept goes into its floor's folder
    assert sorted(p.name for p in PACKAGE.iterdir() if p.is_dir() and p.name not in FLOORS and
                  not p.name.startswith(("_", "."))) == []


def test_no_import_climbs_a_floor():
    climbing = [f"{where}: {a} -> {b}" for a, b, where in _arrows()
                if floor_of(b) not in ("backends", "__init__") and floor_of(a) != "backends"
                and FLOORS[floor_of(b)] > FLOORS[floor_of(a)]]
    assert climbing == []


def test_the_backends_use_the_engine_and_the_specs_only():
    above = [f"{where}: {a} -> {b}" for a, b, where in _arrows()
             if floor_of(a) == "backends" and floor_of(b) not in ("errors", "specs", "engine", "backends")]
    assert above == []


def test_only_the_command_line_and_the_plugin_reach_the_backends():
    reaching = [f"{where}: {a} -> {b}" for a, b, where in _arrows()
                if floor_of(b) == "backends" and floor_of(a) not in MAY_REACH_BACKENDS]
    assert reaching == []


def test_the_layout_rules_can_fail(tmp_path, monkeypatch):
    """The rules above are not vacuous: a module of the engine that imports a view, and a view that imports the
    registry, are caught."""
    fake = tmp_path / "trustlab"
    (fake / "engine").mkdir(parents=True)
    (fake / "views").mkdir()
    (fake / "engine" / "x.py").write_text("from trustlab.views.terminal import print_journal\n")
    (fake / "views" / "y.py").write_text("from trustlab import backends\n")
    monkeypatch.setattr(sys.modules[__name__], "PACKAGE", fake)
    monkeypatch.setattr(sys.modules[__name__], "ROOT", tmp_path)
    with pytest.raises(AssertionError):
        test_no_import_climbs_a_floor()
    with pytest.raises(AssertionError):
        test_only_the_command_line_and_the_plugin_reach_the_backends()


def test_nothing_above_the_backends_compares_a_backend_name():
    names = set(backends.BACKENDS)
    found = []
    for path in _modules(PACKAGE):
        if (PACKAGE / "backends") in path.parents:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Compare):
                for side in [node.left, *node.comparators]:
                    if isinstance(side, ast.Constant) and side.value in names:
                        found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert found == []


def test_a_project_with_its_own_lab_package_runs_its_tests_beside_trustlab(tmp_path):
    """trustlab's pytest plugin is loaded by every pytest run in the environment; its import name must not clash
    with a project's own `lab` package."""
    (tmp_path / "lab").mkdir()
    (tmp_path / "lab" / "__init__.py").write_text("ANSWER = 42\n")
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_own.py").write_text("import lab\n\n\ndef test_own_lab():\n    assert lab.ANSWER == 42\n")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests"], cwd=tmp_path,
                          env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "1 passed" in done.stdout
    plugins = subprocess.run([sys.executable, "-c", "import importlib.metadata as m; print([e.value for e in "
                              "m.entry_points(group='pytest11') if e.name == 'trustlab'])"],
                             cwd=tmp_path, env=env, capture_output=True, text=True, check=True).stdout
    assert "trustlab.pytest_plugin" in plugins                     # the plugin was there, and did not get in the way
