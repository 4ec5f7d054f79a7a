"""`trustlab lab ...` and `trustlab doctor`: real labs through their backend's face. The commands are the same for
every backend with a real lab; which options a lab takes, and what it needs, each backend says itself."""
from __future__ import annotations

import sys
from dataclasses import replace
from typing import Optional

import click

from trustlab import backends, errors
from trustlab.cli.base import BackendType, backend_option, bad_input, main
from trustlab.engine.backend import Backend, Check, LabOptions, RealLab
from trustlab.specs.words import LANGUAGES
from trustlab.training.record import TrainingError
from trustlab.training.screens import mark
from trustlab.training.session import Session


class LabGroup(click.Group):
    """Its help ends with the backends that have a real lab, read from the registry."""

    def format_epilog(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = []
        for name in backends.names(with_lab=True):
            options = backends.backend_class(name).lab_options
            rows.append((name, ", ".join(f"--{o} " + ("|".join(v) if v else o.upper()) for o, v in options.items())
                         or "no options"))
        with formatter.section("Backends with a real lab"):
            formatter.write_dl(rows)


@main.group(cls=LabGroup)
def lab() -> None:
    """Real labs: build, inspect, reset and remove them (`--backend NAME`).

    \b
    Examples:
      trustlab lab up --backend samba            # a Samba AD DC + winbind member, about 10 s
      trustlab lab status --backend samba
      trustlab lab reset --backend samba         # back to the golden healthy copy, about 1 s
      trustlab lab down --backend samba          # everything it made is gone
      trustlab lab clean --backend samba         # the lab, also what a killed run of it left behind
      trustlab lab up --backend vagrant --provider virtualbox   # Windows DC + client, 40-60 min
      trustlab lab verify --backend vagrant      # once on a new host: is the lab what trustlab assumes?
    """


def lab_options(backend: type[Backend], name: Optional[str], provider: Optional[str]) -> LabOptions:
    """The options given, checked against those the backend's face says its lab takes (a backend with no real lab,
    the sim, takes --name: a training session's)."""
    takes = dict(backend.lab_options) if backend.has_lab else {"name": ()}
    for option, value in (("name", name), ("provider", provider)):
        if value is None:
            continue
        if option not in takes:
            raise click.UsageError(f"the {backend.name} lab takes no --{option} "
                                   f"(it takes {', '.join('--' + o for o in takes) or 'no options'})")
        if takes[option] and value not in takes[option]:
            raise click.UsageError(f"--{option} {value!r} is not allowed; allowed: {', '.join(takes[option])}")
    return LabOptions(name, provider)


def _real_lab(backend: type[Backend], name: Optional[str], provider: Optional[str], every: bool = False) -> RealLab:
    """The backend's real lab, after checking the options given (`every`: all its labs, for `lab clean --all`)."""
    options = replace(lab_options(backend, name, provider), every=every)
    real = backend.real_lab(options) if backend.has_lab else None
    if real is None:
        raise click.UsageError(f"the {backend.name} backend has no real lab")
    return real


def _lab_command(fn):
    """The options every `lab` subcommand takes."""
    fn = click.option("--provider", help="The hypervisor, for a lab that takes one (vagrant: virtualbox, hyperv "
                                         "or libvirt; default: Vagrant's own choice).")(fn)
    fn = click.option("--name", help="The lab's name, for a lab that takes one (samba: default "
                                     "$TRUSTLAB_SAMBA_LAB or `default`; labs with different names run side by "
                                     "side).")(fn)
    fn = backend_option("samba", with_lab=True, help="The backend whose real lab this is.")(fn)
    return bad_input(fn)


@lab.command("up")
@_lab_command
def lab_up(backend: type[Backend], name: Optional[str], provider: Optional[str]) -> None:
    """Build a lab from nothing and keep a golden healthy copy of it.

    \b
    Examples:
      trustlab lab up --backend samba --name ci1
      trustlab lab up --backend vagrant --provider virtualbox
    """
    click.echo(_real_lab(backend, name, provider).up())


@lab.command("status")
@_lab_command
def lab_status(backend: type[Backend], name: Optional[str], provider: Optional[str]) -> None:
    """Show a lab: its state, its machines and where it keeps its files.

    \b
    Examples:
      trustlab lab status --backend samba
      trustlab lab status --backend vagrant
    """
    for key, value in _real_lab(backend, name, provider).status().items():
        click.echo(f"{key}: {value}")


@lab.command("reset")
@click.option("--lang", default="en", type=click.Choice(LANGUAGES), show_default=True,
              help="Language of what the trainee reads.")
@click.option("--provider", help="The hypervisor, for a lab that takes one (vagrant).")
@click.option("--name", help="The lab's name (samba), or the training session's name (sim).")
@backend_option(help="The backend of the lab, or of the training session.")
@click.pass_obj
@bad_input
def lab_reset(obj, lang: str, backend: type[Backend], name: Optional[str], provider: Optional[str]) -> None:
    """With a training session on the lab: a fresh copy of the same broken exercise (the trainee's own reset; the
    record so far is archived). Without one: a real lab back to its golden healthy copy (every run does this itself
    before it starts).

    \b
    Examples:
      trustlab lab reset                              # the trainee's exercise on the sim, broken again
      trustlab lab reset --backend samba --name ci1   # a samba lab: its exercise anew, or its golden copy
    """
    options = lab_options(backend, name, provider)
    if Session.exists(backend, options):
        session = Session.open(obj.catalogue, backend, options).reset()
        session.close()
        click.echo(mark("reset_done", lang))
        click.echo(session.briefing(lang))
        return
    if not backend.has_lab:
        raise TrainingError(f"no training session on the {backend.name} lab"
                            f"{' ' + repr(name) if name else ''} to reset, and it has no real lab; "
                            f"`trustlab lab break SCENARIO` starts an exercise")
    real = _real_lab(backend, name, provider)
    click.echo(f"lab {real.name} reset in {real.reset():.1f} s")


@lab.command("down")
@_lab_command
def lab_down(backend: type[Backend], name: Optional[str], provider: Optional[str]) -> None:
    """Remove a lab: its machines, processes, snapshots and files.

    \b
    Examples:
      trustlab lab down --backend samba
      trustlab lab down --backend vagrant
    """
    real = _real_lab(backend, name, provider)
    real.down()
    click.echo(f"lab {real.name} is down")


@lab.command("verify")
@_lab_command
def lab_verify(backend: type[Backend], name: Optional[str], provider: Optional[str]) -> None:
    """Check, once on a new host, that a built lab is what trustlab assumes; each check with what it saw.

    \b
    Examples:
      trustlab lab verify --backend vagrant
    """
    real = _real_lab(backend, name, provider)
    verify = getattr(real, "verify", None)
    if verify is None:
        raise click.UsageError(f"the {backend.name} lab has no first-run check")
    sys.exit(errors.OK if _report(verify()) else errors.FAILED)


def _report(results: list[Check]) -> bool:
    """One line per check; whether all passed."""
    for check in results:
        click.echo(f"{'ok  ' if check.ok else 'FAIL'} {check.name}: {check.detail}")
    return all(c.ok for c in results)


@lab.command("clean")
@click.option("--all", "every", is_flag=True,
              help="Every lab of the backend on this host, other people's too (samba), and what killed runs of any "
                   "left behind; not with --name.")
@_lab_command
def lab_clean(every: bool, backend: type[Backend], name: Optional[str], provider: Optional[str]) -> None:
    """Remove a lab (the one the other lab commands use: samba's `--name`, default $TRUSTLAB_SAMBA_LAB or
    `default`) and whatever a killed run of it left behind; `--all`: every lab on this host.

    \b
    Examples:
      trustlab lab clean --backend samba --name ci1
      trustlab lab clean --backend samba --all
    """
    if every and (name or "name" not in backend.lab_options):
        raise click.UsageError("--all takes no --name" if name else
                               f"the {backend.name} backend's labs have no names: --all is for those that do")
    removed = _real_lab(backend, name, provider, every).clean()
    click.echo("\n".join(f"removed {item}" for item in removed) if removed else "nothing to clean")


@main.command()
@click.option("--backend", default="samba", show_default=True, type=BackendType(),
              help="The backend whose needs to check.")
def doctor(backend: type[Backend]) -> None:
    """Check what a backend needs from this machine, and say what is missing.

    \b
    Examples:
      sudo trustlab doctor
      trustlab doctor --backend vagrant
    """
    ok = _report(backend.doctor())
    if backend.doctor_note:
        click.echo(backend.doctor_note)
    sys.exit(errors.OK if ok else errors.FAILED)
