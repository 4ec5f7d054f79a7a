"""The `trustlab` command line: the group and its shared options in `base`, one module per group of commands."""
from trustlab.cli import (  # noqa: F401  (each registers its commands)
    catalogue,
    conformance,
    explore,
    lab,
    merge,
    report,
    run,
    training,  # noqa: F401,E402  (after lab: it adds to the lab group and takes over `lab reset`)
)
from trustlab.cli.base import main

__all__ = ["main"]
