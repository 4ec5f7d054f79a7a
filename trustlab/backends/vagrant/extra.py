"""The Windows lab's own Python dependencies (pywinrm, python-vagrant and their crypto stack) come with
`pip install 'trustlab[windows]'`, so a sim-only user never installs them. They are imported only when a Windows
lab is used; missing, they say how to get them instead of a traceback."""
from __future__ import annotations

from importlib import import_module
from types import ModuleType

from trustlab.engine.backend import Check, LabUnavailable

PACKAGES = {"winrm": "pywinrm", "vagrant": "python-vagrant", "requests": "requests"}
HOW = "pip install 'trustlab[windows]'"


def missing() -> list[str]:
    """The distributions of the Windows lab's stack that cannot be imported here."""
    out = []
    for module, distribution in PACKAGES.items():
        try:
            import_module(module)
        except ImportError:
            out.append(distribution)
    return out


def require(module: str) -> ModuleType:
    """`module` of the Windows lab's stack, or LabUnavailable saying how to install the stack."""
    try:
        return import_module(module)
    except ImportError:
        raise LabUnavailable(f"the Windows lab needs {PACKAGES[module]}, which is not installed; {HOW}") from None


def check() -> Check:
    absent = missing()
    return Check("python packages", not absent,
                 f"{', '.join(absent)} not installed: {HOW}" if absent else
                 ", ".join(PACKAGES.values()) + " installed")
