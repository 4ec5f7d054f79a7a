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

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tests.test_layout import FLOORS, MAY_REACH_BACKENDS, floor_of  # noqa: E402  (the rules the tests enforce)

LEGACY = {"outcomes": "specs", "profiles": "specs", "durations": "specs", "reference": "specs", "shipped": "specs",
          "catalogue": "specs", "console": "training", "training": "training", "records": "runs",
          "differential": "runs", "explorer": "runs", "strategies": "runs", "calibration": "runs", "guide": "runs",
          "engine.matrix": "runs", "engine.conformance": "runs"}
"""The earlier layout's loose modules, on the floor their concept belongs to."""


def floor(module: str) -> str:
    parts = module.split(".")[1:]
    for key in (".".join(parts[:2]), parts[0] if parts else ""):
        if key in LEGACY:
            return LEGACY[key]
    return floor_of(module)


def climbs(importer: str, imported: str) -> bool:
    """The rules of tests/test_layout.py, on modules placed by `floor`."""
    a, b = floor(importer), floor(imported)
    if b == "__init__":                      # `from trustlab import X` names X, counted as X
        return False
    if b == "backends":
        return a not in MAY_REACH_BACKENDS
    if a == "backends":
        return b not in ("errors", "specs", "engine", "backends")
    return b in FLOORS and a in FLOORS and FLOORS[b] > FLOORS[a]


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
