"""The `trustlab` command line: the group and its shared options in `base`, one module per group of commands."""
from trustlab.cli.base import main
from trustlab.cli import catalogue, conformance, explore, lab, merge, report, run  # noqa: F401  (each registers its commands)
from trustlab.cli import training  # noqa: F401,E402  (after lab: it adds to the lab group and takes over `lab reset`)

__all__ = ["main"]
