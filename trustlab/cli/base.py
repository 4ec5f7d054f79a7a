"""What every command shares: the `trustlab` group, the catalogue in use, the one exit-2 path for bad input, and
the `--backend` option, which takes a name from the registry and hands the command the backend class."""
from __future__ import annotations

import functools
import signal
import sys
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator, Optional

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

from trustlab import backends
from trustlab.errors import BAD_INPUT, TrustlabError
from trustlab.specs import catalogue as catalogue_mod
from trustlab.specs.catalogue import Catalogue

FORMATS = ("rich", "plain", "json")


def console(fmt: str = "rich") -> Console:
    """Where a command prints: lines are never wrapped or cut (soft wrap); `plain` also has no colour."""
    return Console(highlight=False, soft_wrap=True, **({} if fmt == "rich" else {"color_system": None}))


def format_option():
    return click.option("--format", "fmt", type=click.Choice(FORMATS), default=None,
                        help="rich: tables and colour (the default on a terminal); plain: lines for logs and pipes, "
                             "nothing cut, no colour (the default when piped); json: for tools.")


def chosen_format(fmt: Optional[str]) -> str:
    return fmt or ("rich" if sys.stdout.isatty() else "plain")


@contextmanager
def progress(total: int, what: str, shown: Optional[Console] = None) -> Iterator[Callable[..., None]]:
    """A bar with the count, the total and the time left on long runs, on the terminal's stderr; silent when
    stderr is not a terminal (piped, CI logs). Yields `advance(label)`, called once per unit done (or with
    `done=N`, how many are done so far)."""
    shown = shown or Console(stderr=True)
    bar = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                   TextColumn("left"), TimeRemainingColumn(), console=shown, transient=True,
                   disable=not shown.is_terminal)
    with bar:
        task = bar.add_task(what, total=total)
        def advance(label: str = "", done: Optional[int] = None) -> None:
            bar.update(task, description=f"{what} {label}".rstrip(),
                       **({"advance": 1} if done is None else {"completed": done}))
        yield advance


class BadOutput(click.ClickException):
    """A path a command was told to write that it cannot: one line and exit 2, before anything runs."""

    exit_code = BAD_INPUT

    def show(self, file=None) -> None:
        click.echo(f"error: {self.format_message()}", err=True)


class Output(click.ParamType):
    """A path a command writes: a `file`, a `folder`, or `either` (a file, or a folder to write in). It is checked
    when the command line is read, before anything runs, so that a path under a file, or in a place that cannot be
    written, is one line and exit 2 rather than a traceback after a long run. A file's missing folders are made
    then, as pytest's --junitxml makes them; a folder is made when something is written in it."""

    name = "path"

    def __init__(self, kind: str = "file"):
        self.kind = kind

    def convert(self, value, param, ctx) -> Path:
        path = Path(value)
        problem = unwritable(path, self.kind)
        if problem:
            option = max(param.opts, key=len) if param is not None else "output"
            raise BadOutput(f"{option} {value}: {problem}")
        if self.kind == "file":
            path.parent.mkdir(parents=True, exist_ok=True)
        return path


def unwritable(path: Path, kind: str = "file") -> Optional[str]:
    """Why `path` cannot be written as a `file`, a `folder` or `either`, or None. Tried, not guessed from modes
    (root may write where the modes say no, and nobody writes to a read-only file system)."""
    try:
        if path.exists():
            if kind == "file" and path.is_dir():
                return "is a folder, not a file"
            if kind == "folder" and not path.is_dir():
                return "is a file, not a folder"
            if path.is_dir():
                tempfile.TemporaryFile(dir=path).close()
            else:
                open(path, "a").close()
            return None
        ancestor = path.absolute().parent
        while not ancestor.exists():
            ancestor = ancestor.parent
        if not ancestor.is_dir():
            return f"cannot be made: {ancestor} is a file"
        tempfile.TemporaryFile(dir=ancestor).close()
    except OSError as e:
        return f"cannot be written: {e.strerror or e}"
    return None


class Context:
    """The catalogue in use: the `--catalogue` folders or else the shipped one, and the `--add` folders beside it."""

    def __init__(self, dirs: tuple[Path, ...] = (), added: tuple[Path, ...] = ()):
        self.dirs, self.added = dirs, added            # as given on the command line
        self.folders = [*(dirs or (catalogue_mod.default_root(),)), *added]
        self._catalogue: Optional[Catalogue] = None

    @property
    def catalogue(self) -> Catalogue:
        if self._catalogue is None:
            self._catalogue = catalogue_mod.load_folders(self.folders)
        return self._catalogue


def bad_input(fn):
    """A trustlab error (bad input, no lab to be had): its lines on stderr, its exit status, nothing more run."""
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except TrustlabError as e:
            for line in e.lines():
                click.echo(line, err=True)
            sys.exit(e.code)
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


class Main(click.Group):
    """The catalogue options belong to the whole command line, so they may also follow the command
    (`trustlab run --add ci/trustlab`): they are moved in front of it before click parses."""

    ANYWHERE = ("--catalogue", "--add")

    def __call__(self, *args, **kwargs):
        """The real entry point (the `trustlab` script, `python -m trustlab`): a SIGTERM ends this process as Ctrl-C
        does, through its clean-up handlers (a lab it built is torn down), with status 143. An in-process caller
        (click's CliRunner, a test in pytest) calls `main.main()` instead and keeps its own handler."""
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
        return super().__call__(*args, **kwargs)

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        front, rest, i = [], [], 0
        while i < len(args):
            arg = args[i]
            if arg == "--":
                rest += args[i:]
                break
            width = 0 if arg.split("=", 1)[0] not in self.ANYWHERE else 1 if "=" in arg else 2
            (front if width else rest).extend(args[i:i + (width or 1)])
            i += width or 1
        return super().parse_args(ctx, front + rest)


FOLDER = click.Path(file_okay=False, path_type=Path)


@click.group(cls=Main, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="trustlab", message="trustlab %(version)s")
@click.option("--catalogue", "dirs", multiple=True, type=FOLDER,
              help="A catalogue folder (its scenarios/ and remediations/) to use instead of the shipped catalogue "
                   "(repeatable; also after the command).")
@click.option("--add", "added", multiple=True, type=FOLDER,
              help="A catalogue folder to use beside the shipped catalogue, or beside the --catalogue folders "
                   "(repeatable; also after the command).")
@click.pass_context
def main(ctx: click.Context, dirs: tuple[Path, ...], added: tuple[Path, ...]) -> None:
    """trustlab: reproduce Windows domain logon breakages and prove which repair procedures fix them.

    A catalogue folder holds scenario files in scenarios/ and remediation files in remediations/; nothing else in it
    is read.

    \b
    Examples:
      trustlab run                                  # the whole catalogue on the sim: the matrix
      trustlab run machine-account-reset -r repair-secure-channel-with-credential
      trustlab run --add ci/trustlab                # your own folder beside the shipped catalogue
      trustlab list
      trustlab validate my-scenarios/
    """
    ctx.obj = Context(dirs, added)
