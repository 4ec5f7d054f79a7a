"""The in-process simulated domain: deterministic, virtual time, no privileges."""
from lab.backends.sim.backend import SimBackend

__all__ = ["SimBackend"]
