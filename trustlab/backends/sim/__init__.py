"""The in-process simulated domain: deterministic, virtual time, no privileges."""
from trustlab.backends.sim.backend import SimBackend

__all__ = ["SimBackend"]
