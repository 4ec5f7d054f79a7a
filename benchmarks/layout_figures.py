"""The package's shape in figures: files, lines, the largest class and function, and the imports that climb a floor.

Usage: python benchmarks/layout_figures.py [PACKAGE_DIR]

The floors are the ones `tests/test_layout.py` enforces (cli and the pytest plugin -> views -> runs -> training ->
engine -> specs; backends -> engine, specs). Modules of the earlier layout that stood loose at the top level are
placed on the floor their concept belongs to, so the same figures can be taken of a tree from before the re-partition.
"""
from __future__ import annotations

import ast
import sys
from pathlib import Path

FLOORS = {"specs": 0, "engine": 1, "training": 2, "runs": 3, "views": 4, "cli": 5, "pytest_plugin": 5,
          "backends": 1.5}
LEGACY = {"outcomes": "specs", "profiles": "specs", "durations": "specs", "reference": "specs", "shipped": "specs",
          "catalogue": "specs", "console": "training", "training": "training", "records": "runs",
          "differential": "runs", "explorer": "runs", "strategies": "runs", "calibration": "runs", "guide": "runs",
          "errors": "specs", "engine.matrix": "runs", "engine.conformance": "runs"}


def floor_of(module: str) -> float | None:
    parts = module.split(".")[1:]            # without "trustlab"
    if not parts:
        return None
    name = ".".join(parts[:2]) if ".".join(parts[:2]) in LEGACY else parts[0]
    name = LEGACY.get(name, name)
    return FLOORS.get(name)


def climbs(importer: str, imported: str) -> bool:
    a, b = floor_of(importer), floor_of(imported)
    if a is None or b is None:
        return False
    if a == 1.5:                             # a backend may use the engine and the specs only
        return b not in (0, 1, 1.5)
    if b == 1.5:                             # only cli and the plugin may reach into the backends
        return a != 5
    return b > a


def main() -> None:
    package = Path(sys.argv[1] if len(sys.argv) > 1 else Path(__file__).resolve().parent.parent / "trustlab")
    files = sorted(package.rglob("*.py"))
    lines = 0
    classes, functions, arrows = [], [], []
    for path in files:
        text = path.read_text(encoding="utf-8")
        lines += len(text.splitlines())
        module = "trustlab." + ".".join(path.relative_to(package).with_suffix("").parts)
        module = module.removesuffix(".__init__")
        tree = ast.parse(text)
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef):
                classes.append((node.end_lineno - node.lineno + 1, f"{module}.{node.name}"))
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                functions.append((node.end_lineno - node.lineno + 1, f"{module}.{node.name}"))
            elif isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("trustlab"):
                if climbs(module, node.module):
                    arrows.append(f"{module} -> {node.module}")
            elif isinstance(node, ast.Import):
                arrows += [f"{module} -> {a.name}" for a in node.names
                           if a.name.startswith("trustlab") and climbs(module, a.name)]
    top = [p for p in files if p.parent == package and p.name not in ("__init__.py", "__main__.py")]
    print(f"files: {len(files)}, lines: {lines:,}, loose modules at the top level: {len(top)}")
    for kind, items in (("class", classes), ("function", functions)):
        size, name = max(items)
        print(f"largest {kind}: {name} ({size} lines)")
    print(f"imports that climb a floor: {len(arrows)}")
    for arrow in sorted(set(arrows)):
        print(f"  {arrow}")


if __name__ == "__main__":
    main()
