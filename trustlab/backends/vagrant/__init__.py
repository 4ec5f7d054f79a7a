"""The Windows lab: a Windows Server DC and a Windows client built by the top-level Vagrantfile, driven over WinRM."""
from trustlab.backends.vagrant.backend import VagrantBackend

__all__ = ["VagrantBackend"]
