"""`trustlab lab ...` and `trustlab doctor`: real labs through their backend's face. The commands are the same for
every backend with a real lab; which options a lab takes, and what it needs, each backend says itself."""
from __future__ import annotations

import sys
from typing import Optional

import click

from trustlab import backends, errors
from trustlab.cli.base import BackendType, backend_option, bad_input, main
from trustlab.engine.backend import Backend, Check, LabOptions, RealLab


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
      trustlab lab clean                         # also what a killed run left behind
      trustlab lab up --backend vagrant --provider virtualbox   # Windows DC + client, 40-60 min
      trustlab lab verify --backend vagrant      # once on a new host: is the lab what trustlab assumes?
    """


def _real_lab(backend: type[Backend], name: Optional[str], provider: Optional[str]) -> RealLab:
    """The backend's real lab, after checking the options given against those its face says it takes."""
    given = {"name": name, "provider": provider}
    for option, value in given.items():
        if value is None:
            continue
        if option not in backend.lab_options:
            takes = ", ".join(f"--{o}" for o in backend.lab_options) or "no options"
            raise click.UsageError(f"the {backend.name} lab takes no --{option} (it takes {takes})")
        allowed = backend.lab_options[option]
        if allowed and value not in allowed:
            raise click.UsageError(f"--{option} {value!r} is not allowed; allowed: {', '.join(allowed)}")
    real = backend.real_lab(LabOptions(name, provider))
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
@_lab_command
def lab_reset(backend: type[Backend], name: Optional[str], provider: Optional[str]) -> None:
    """Return a lab to its golden healthy copy (every run does this itself before it starts).

    \b
    Examples:
      trustlab lab reset --backend samba
      trustlab lab reset --backend vagrant
    """
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
@_lab_command
def lab_clean(backend: type[Backend], name: Optional[str], provider: Optional[str]) -> None:
    """Remove a backend's labs (samba: every lab, or the one named) and whatever a killed run left behind.

    \b
    Examples:
      trustlab lab clean
      trustlab lab clean --name ci1
    """
    removed = _real_lab(backend, name, provider).clean()
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
