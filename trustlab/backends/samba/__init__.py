"""A real domain: a Samba AD DC and a winbind member, each in its own network namespace (root, Linux)."""
from trustlab.backends.samba.backend import SambaBackend

__all__ = ["SambaBackend"]
