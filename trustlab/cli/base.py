"""What every command shares: the `trustlab` group, the catalogue in use, the one exit-2 path for bad input, and
the `--backend` option, which takes a name from the registry and hands the command the backend class."""
from __future__ import annotations

import functools
import signal
import sys
from pathlib import Path
from typing import Optional

import click
from rich.console import Console

from trustlab import backends
from trustlab import catalogue as catalogue_mod
from trustlab.backends import UnknownBackend
from trustlab.catalogue import Catalogue, UnknownEntry
from trustlab.engine.backend import LabUnavailable
from trustlab.profiles import UnknownProfile
from trustlab.specs.errors import SpecError

EXIT_OK, EXIT_FAILED, EXIT_BAD_INPUT = 0, 1, 2


def console() -> Console:
    return Console(highlight=False, soft_wrap=True)


class Context:
    def __init__(self, dirs: tuple[Path, ...]):
        self.dirs = dirs
        self._catalogue: Optional[Catalogue] = None

    @property
    def catalogue(self) -> Catalogue:
        if self._catalogue is None:
            self._catalogue = (catalogue_mod.load(self.dirs) if self.dirs else catalogue_mod.load_default())
        return self._catalogue


def print_problems(error: SpecError, tail: str) -> None:
    for problem in error.problems:
        click.echo(str(problem), err=True)
    click.echo(f"{len(error.problems)} problem(s){tail}", err=True)


def bad_input(fn):
    """Bad input (or no lab to be had): every problem on stderr, exit 2, nothing run."""
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except SpecError as e:
            print_problems(e, "; nothing was run")
            sys.exit(EXIT_BAD_INPUT)
        except (UnknownEntry, UnknownProfile, UnknownBackend, LabUnavailable) as e:
            click.echo(f"error: {e}", err=True)
            sys.exit(EXIT_BAD_INPUT)
    return wrapper


class BackendType(click.Choice):
    """A backend name from the registry (those with a real lab only, if asked), converted to the backend class.
    The choices are read from the registry when shown or checked, so a registered backend is offered at once."""

    def __init__(self, with_lab: bool = False):
        self.with_lab = with_lab
        super().__init__((), case_sensitive=True)

    @property
    def choices(self) -> tuple[str, ...]:
        return tuple(backends.names(self.with_lab))

    @choices.setter
    def choices(self, _value) -> None:
        """click sets the choices once; they come from the registry instead."""

    def convert(self, value, param, ctx):
        if isinstance(value, type):
            return value
        return backends.backend_class(super().convert(value, param, ctx))


def backend_option(default: str = backends.MODEL, with_lab: bool = False, help: str = "The backend to run on."):
    return click.option("--backend", default=default, show_default=True, type=BackendType(with_lab), help=help)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--catalogue", "dirs", multiple=True, type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="A folder of scenario and remediation files to use instead of the shipped catalogue "
                   "(repeatable).")
@click.pass_context
def main(ctx: click.Context, dirs: tuple[Path, ...]) -> None:
    """trustlab: reproduce Windows domain logon breakages and prove which repair procedures fix them.

    \b
    Examples:
      trustlab run                                  # the whole catalogue on the sim: the matrix
      trustlab run machine-account-reset -r repair-secure-channel-with-credential
      trustlab list
      trustlab validate my-scenarios/
    """
    ctx.obj = Context(dirs)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))   # clean-up handlers run on SIGTERM as on Ctrl-C
