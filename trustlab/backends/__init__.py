"""Backends realise a lab: a registry by name, imported only when asked for."""
from __future__ import annotations

from importlib import import_module

BACKENDS = {
    "sim": "trustlab.backends.sim:SimBackend",
    "samba": "trustlab.backends.samba:SambaBackend",
    "vagrant": "trustlab.backends.vagrant:VagrantBackend",
}


def backend_class(name: str):
    if name not in BACKENDS:
        raise ValueError(f"unknown backend {name!r}; allowed: {', '.join(BACKENDS)}")
    module, _, attr = BACKENDS[name].partition(":")
    return getattr(import_module(module), attr)
