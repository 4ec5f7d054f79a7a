"""The `trustlab` command line: the group and its shared options in `base`, one module per group of commands; each
registers its commands on import, in any order."""
from trustlab.cli import catalogue, classroom, conformance, explore, lab, merge, report, run, training  # noqa: F401
from trustlab.cli.base import main

__all__ = ["main"]
