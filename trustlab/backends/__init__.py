"""Backends realise a lab. The registry names them; a name becomes a backend class here, once, at the edges (the
CLI's `--backend`, the plugin's `--trustlab-backend`), and everything else is handed the class. Adding a backend is
one folder and one line below. A backend's module is imported only when asked for."""
from __future__ import annotations

from importlib import import_module

from trustlab.engine.backend import Backend
from trustlab.errors import TrustlabError

BACKENDS = {
    "sim": "trustlab.backends.sim:SimBackend",
    "samba": "trustlab.backends.samba:SambaBackend",
    "vagrant": "trustlab.backends.vagrant:VagrantBackend",
}
MODEL = "sim"
"""The model: the default backend, and the one every real backend is checked against (conformance)."""


class UnknownBackend(TrustlabError, LookupError):
    """A backend name the registry does not have."""


def names(with_lab: bool = False) -> list[str]:
    """Every registered backend, or those with a real lab that `trustlab lab ...` manages."""
    return [n for n in BACKENDS if not with_lab or backend_class(n).has_lab]


def backend_class(name: str) -> type[Backend]:
    if name not in BACKENDS:
        raise UnknownBackend(f"unknown backend {name!r}; allowed: {', '.join(BACKENDS)}")
    module, _, attr = BACKENDS[name].partition(":")
    return getattr(import_module(module), attr)
