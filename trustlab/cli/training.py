"""Training on the `lab` group: `lab break|check|hint|solve|record|console|shell|login`, `lab reset`'s fresh copy of
a broken exercise, and `trustlab console SCENARIO`. Every command finds the session through the backend's face
(`keeps_lab`, `attach`, `login`, the real lab's folder); none knows a backend by name."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Optional

import click

from trustlab import errors
from trustlab.cli.base import Context, Output, backend_option, bad_input, main
from trustlab.cli.lab import lab, lab_options
from trustlab.engine.backend import Backend, LabOptions
from trustlab.specs.words import LANGUAGES
from trustlab.training import terminal as app
from trustlab.training.console import Console, grade_lines, hint_line
from trustlab.training.record import SOLUTION, Checked
from trustlab.training.screens import mark
from trustlab.training.session import Session
from trustlab.views.training import print_record

LANG = click.option("--lang", default="en", type=click.Choice(LANGUAGES), show_default=True,
                    help="Language of what the trainee reads.")


def _session_options(default: str = "sim"):
    """The options every training command takes: where the exercise runs."""
    def decorate(fn):
        fn = click.option("--provider", help="The hypervisor of a lab that takes one (vagrant).")(fn)
        fn = click.option("--name", help="The lab's name (samba), or the session's name on the sim (several "
                                         "trainees side by side); default `default`.")(fn)
        fn = backend_option(default, help="The backend the exercise runs on.")(fn)
        return bad_input(fn)
    return decorate


_session_command = _session_options()


def _open(obj: Context, backend: type[Backend], name: Optional[str], provider: Optional[str]) -> Session:
    return Session.open(obj.catalogue, backend, lab_options(backend, name, provider))


def _flags(backend: type[Backend], name: Optional[str]) -> str:
    return f" --backend {backend.name}" + (f" --name {name}" if name else "")


@lab.command("break")
@click.argument("scenario")
@click.option("--profile", help="Behaviour profile (default: the backend's own).")
@click.option("--seed", default=0, show_default=True, type=int, help="Seed of the lab's random timers.")
@LANG
@click.pass_obj
@_session_command
def lab_break(obj: Context, scenario: str, profile: Optional[str], seed: int, lang: str, backend: type[Backend],
              name: Optional[str], provider: Optional[str]) -> None:
    """Build or reset a lab, break it as SCENARIO says and leave it broken for a trainee. Prints only the
    briefing (what the user reports), never the break.

    \b
    Examples:
      trustlab lab break seed-loaner-story                  # the sim: then `trustlab lab console`
      sudo trustlab lab break password-changed-elsewhere --backend samba --name t13-demo
    """
    session = Session.start(obj.catalogue, scenario, backend, lab_options(backend, name, provider), profile, seed,
                            lang)
    session.close()
    click.echo(session.briefing(lang))
    flags = _flags(backend, name)
    way = "trustlab lab console" + flags if not backend.keeps_lab else f"trustlab lab shell{flags}"
    click.echo(mark("handover", lang, way=way, flags=flags))


@lab.command("check")
@click.option("--report", "report", type=Output("file"),
              help="Also write the session as a timeline in a self-contained HTML report.")
@LANG
@click.option("--json", "as_json", is_flag=True, help="Print the grade as JSON.")
@click.pass_obj
@_session_command
def lab_check(obj: Context, report: Optional[Path], lang: str, as_json: bool, backend: type[Backend],
              name: Optional[str], provider: Optional[str]) -> None:
    """Grade the live lab: one line per condition, the score, the time taken, and the next hint when a condition
    fails. Exit 0 only when all pass.

    \b
    Examples:
      trustlab lab check
      trustlab lab check --backend samba --name t13-demo --lang ja
    """
    session = _open(obj, backend, name, provider)
    grade = session.check()
    session.close()
    _report(session, report, lang)
    if as_json:
        click.echo(json.dumps(session.record.moments(Checked)[-1].to_dict(), ensure_ascii=False, indent=2))
    else:
        click.echo("\n".join(grade_lines(grade, lang)))
    sys.exit(errors.OK if grade.fixed else errors.FAILED)


@lab.command("hint")
@LANG
@click.pass_obj
@_session_command
def lab_hint(obj: Context, lang: str, backend: type[Backend], name: Optional[str], provider: Optional[str]) -> None:
    """The next hint of the exercise (every hint given is in the record).

    \b
    Examples:
      trustlab lab hint
    """
    session = _open(obj, backend, name, provider)
    hint = session.hint()
    click.echo(hint_line(hint, lang) if hint else mark("no_hint", lang))


@lab.command("solve")
@click.option("--report", "report", type=Output("file"),
              help="Also write the session as a timeline in a self-contained HTML report.")
@LANG
@click.pass_obj
@_session_command
def lab_solve(obj: Context, report: Optional[Path], lang: str, backend: type[Backend], name: Optional[str],
              provider: Optional[str]) -> None:
    """Run the scenario's official remediation on the live lab (the trainer's skip, and a demonstration), then
    grade it.

    \b
    Examples:
      trustlab lab solve
    """
    session = _open(obj, backend, name, provider)
    remediation = obj.catalogue.remediation(session.record.solution)
    click.echo(f"solution: {remediation.id}: {remediation.title}")
    grade = session.solve()
    for entry in session.steps():
        if entry.by == SOLUTION:
            click.echo(f"  {entry.clock:>10}  {entry.step}  [{entry.status}]"
                       + (f" -> {entry.outcome}" if entry.outcome is not None else ""))
            for line in entry.output:
                click.echo(f"              | {line}")
    session.close()
    _report(session, report, lang)
    click.echo("\n".join(grade_lines(grade, lang)))
    sys.exit(errors.OK if grade.fixed else errors.FAILED)


@lab.command("record")
@click.option("--report", "report", type=Output("file"),
              help="Also write the session as a timeline in a self-contained HTML report.")
@LANG
@click.option("--json", "as_json", is_flag=True, help="Print the record's JSON (docs/training.md has its form).")
@click.option("--all", "every", is_flag=True, help="Also list the steps of the break (the answer).")
@click.pass_obj
@_session_command
def lab_record(obj: Context, report: Optional[Path], lang: str, as_json: bool, every: bool,
               backend: type[Backend], name: Optional[str], provider: Optional[str]) -> None:
    """The session's record, as a trainer reads it: what was done with lab time and real time, each check and
    hint, the score.

    \b
    Examples:
      trustlab lab record
      trustlab lab record --json > alice-session.json
      trustlab lab record --lang ja --report alice.html
    """
    session = _open(obj, backend, name, provider)
    _report(session, report, lang)
    if as_json:
        click.echo(json.dumps(session.record.to_dict(), ensure_ascii=False, indent=2))
    else:
        print_record(session.record, every, lang)


def _report(session, path: Optional[Path], lang: str = "en") -> None:
    """`--report FILE`: the session's record drawn as a timeline (trustlab.views.report)."""
    if path is not None:
        from trustlab.views.report import write_report

        write_report([session.record], path, title=f"Training: {session.record.scenario}", lang=lang)


@lab.command("console")
@LANG
@click.pass_obj
@_session_command
def lab_console(obj: Context, lang: str, backend: type[Backend], name: Optional[str],
                provider: Optional[str]) -> None:
    """Type at the exercise's broken computer: the commands a technician types, answered by the lab.

    \b
    Examples:
      trustlab lab console
      trustlab lab console --lang ja
    """
    _type_at(_open(obj, backend, name, provider), lang)


@main.command("console")
@click.argument("scenario")
@click.option("--name", help="The session's name (default `console`).")
@click.option("--seed", default=0, show_default=True, type=int, help="Seed of the lab's random timers.")
@LANG
@click.pass_obj
@bad_input
def console_command(obj: Context, scenario: str, name: Optional[str], seed: int, lang: str) -> None:
    """Break SCENARIO on the sim and type at its broken computer (`lab break` then `lab console`).

    \b
    Examples:
      trustlab console seed-loaner-story
      trustlab console seed-loaner-story --lang ja
    """
    from trustlab.backends import MODEL, backend_class

    _type_at(Session.start(obj.catalogue, scenario, backend_class(MODEL), LabOptions(name or "console"), None, seed,
                           lang), lang)


def _type_at(session: Session, lang: str) -> None:
    """The console on a session's lab until Ctrl-D; the lab is released (a live real lab stays up)."""
    try:
        app.run(Console(session, lang), history=app.history_file(session.folder.path))
    finally:
        session.close()


def _login(backend: type[Backend], name: Optional[str], provider: Optional[str], machine: str) -> None:
    login = backend.login(lab_options(backend, name, provider), machine)
    click.echo(login.how)
    if login.argv:
        done = subprocess.run(login.argv, env={**os.environ, **login.env})
        sys.exit(done.returncode)


@lab.command("shell")
@click.argument("machine", default="member", type=click.Choice(["member", "dc"]))
@_session_options("samba")
def lab_shell(machine: str, backend: type[Backend], name: Optional[str], provider: Optional[str]) -> None:
    """A shell on a lab machine with its tools working (samba: wbinfo, net, smbclient, kinit in the machine's
    namespace, with its own /run/samba, KRB5_CONFIG and KRB5CCNAME).

    \b
    Examples:
      sudo trustlab lab shell --name t13-demo
      sudo trustlab lab shell dc
    """
    _login(backend, name, provider, machine)


@lab.command("login")
@click.argument("machine", default="client", type=click.Choice(["client", "dc"]))
@_session_options("vagrant")
def lab_login(machine: str, backend: type[Backend], name: Optional[str], provider: Optional[str]) -> None:
    """Open (or say how to open) a lab machine's own console or remote desktop (vagrant: `vagrant rdp`).

    \b
    Examples:
      trustlab lab login
      trustlab lab login dc --provider libvirt
    """
    _login(backend, name, provider, machine)
