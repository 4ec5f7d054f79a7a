"""The shape of the package: the engine is handed backends and never looks them up, nothing above the backends
speaks for one by name, and the import name is the project's own."""
from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

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
        elif isinstance(node, ast.Import):
            out |= {alias.name for alias in node.names}
    return out


def test_no_engine_module_imports_the_backends():
    offenders = {str(p.relative_to(ROOT)): sorted(m for m in _imports(p) if m.startswith("trustlab.backends"))
                 for p in _modules(PACKAGE / "engine")}
    assert {k: v for k, v in offenders.items() if v} == {}


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
