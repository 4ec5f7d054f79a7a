"""The `trustlab` command line."""
from __future__ import annotations

import functools
import json
import os
import signal
import sys
from pathlib import Path
from typing import Optional

import click
from rich.console import Console
from rich.table import Table
from rich.text import Text

from trustlab import catalogue as catalogue_mod
from trustlab.backends import BACKENDS
from trustlab.catalogue import Catalogue, UnknownEntry
from trustlab.engine.backend import LabUnavailable
from trustlab.engine.matrix import run_matrix
from trustlab.engine.runner import run as run_one
from trustlab.engine.verdict import Verdict
from trustlab.profiles import PROFILES, UnknownProfile, load_profile
from trustlab.reference import BEHAVIOURS
from trustlab.specs.errors import SpecError
from trustlab.specs.remediation import Remediation, from_regression
from trustlab.specs.schema import KINDS, json_schema
from trustlab.views.junit import write_junit
from trustlab.views.language import render as render_language
from trustlab.views.terminal import print_journal, print_matrix

EXIT_OK, EXIT_FAILED, EXIT_BAD_INPUT = 0, 1, 2


def _console() -> Console:
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


def _bad_input(fn):
    """Bad input (or no lab to be had): every problem on stderr, exit 2, nothing run."""
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except SpecError as e:
            for problem in e.problems:
                click.echo(str(problem), err=True)
            click.echo(f"{len(e.problems)} problem(s); nothing was run", err=True)
            sys.exit(EXIT_BAD_INPUT)
        except (UnknownEntry, UnknownProfile, LabUnavailable) as e:
            click.echo(f"error: {e}", err=True)
            sys.exit(EXIT_BAD_INPUT)
    return wrapper


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


@main.command()
@click.argument("scenario", required=False)
@click.option("-r", "--remediation", help="A remediation to run after the break; without it the scenario only "
                                          "reproduces its symptoms.")
@click.option("--backend", default="sim", show_default=True, type=click.Choice(sorted(BACKENDS)))
@click.option("--profile", default="windows", show_default=True,
              help=f"Behaviour profile: {', '.join(PROFILES)} or a profile YAML file.")
@click.option("--seed", default=0, show_default=True, type=int, help="Seed of the lab's random timers.")
@click.option("--journal", "journal_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the journal (JSON) here; with no SCENARIO, a folder for one journal per run.")
@click.option("--junit", type=click.Path(dir_okay=False, path_type=Path), help="Write JUnit XML of the matrix.")
@click.option("--lang", default="en", type=click.Choice(["en", "ja"]), show_default=True,
              help="Language of the Windows messages shown.")
@click.pass_obj
@_bad_input
def run(obj: Context, scenario: Optional[str], remediation: Optional[str], backend: str, profile: str, seed: int,
        journal_path: Optional[Path], junit: Optional[Path], lang: str) -> None:
    """Run SCENARIO (with -r REMEDIATION), or, with no SCENARIO, the whole catalogue as a matrix.

    \b
    Exit status: 0 when every claim holds (or the single run is REPRODUCED / FIXED), 1 when not, 2 on bad input.

    \b
    Examples:
      trustlab run
      trustlab run seed-loaner-story --lang ja
      trustlab run seed-loaner-story -r remove-ghost-adapter --journal run.json
    """
    console = _console()
    prof = load_profile(profile)
    cat = obj.catalogue
    if scenario is None:
        if remediation:
            raise click.UsageError("--remediation needs a SCENARIO")
        with console.status("running the catalogue") as status:
            m = run_matrix(cat, backend, prof, seed, progress=lambda s, r: status.update(f"{s} {r or ''}"))
        print_matrix(m, console)
        if junit:
            write_junit(m, junit)
        if journal_path:
            journal_path.mkdir(parents=True, exist_ok=True)
            for journal in [*m.reproduced.values(), *m.cells.values()]:
                journal.write(journal_path / f"{journal.scenario}--{journal.remediation or 'reproduce'}.json")
        sys.exit(EXIT_OK if m.ok else EXIT_FAILED)
    spec = cat.scenario(scenario)
    fix: Optional[Remediation] = cat.remediation(remediation) if remediation else None
    replay = spec.regression is not None and fix is None
    if replay:
        fix = from_regression(spec)
    journal = run_one(spec, fix, backend, prof, seed)
    print_journal(journal, console, lang)
    if replay:
        same = journal.verdict["verdict"] == spec.regression.verdict
        console.print(Text(f"regression: recorded {spec.regression.verdict}, replayed {journal.verdict['verdict']}"
                           f"{'' if same else ' (CHANGED)'}", style="bold green" if same else "bold red"))
        sys.exit(EXIT_OK if same else EXIT_FAILED)
    if fix is not None and scenario in fix.fixes:
        holds = journal.verdict["verdict"] == Verdict.FIXED.value
        console.print(Text(f"claim {fix.id} fixes {scenario}: {'holds' if holds else 'DOES NOT HOLD'}",
                           style="bold green" if holds else "bold red"))
    if journal_path:
        journal.write(journal_path)
    good = {Verdict.REPRODUCED.value, Verdict.FIXED.value}
    sys.exit(EXIT_OK if journal.verdict["verdict"] in good else EXIT_FAILED)


@main.command("list")
@click.option("--tag", help="Only entries with this tag.")
@click.pass_obj
@_bad_input
def list_(obj: Context, tag: Optional[str]) -> None:
    """List the catalogue's scenarios and remediations.

    \b
    Examples:
      trustlab list
      trustlab list --tag seed
    """
    console, cat = _console(), obj.catalogue
    scenarios = Table("scenario", "title", "models", "tags", title="scenarios")
    for s in sorted(cat.scenarios.values(), key=lambda s: s.id):
        if tag is None or tag in s.tags:
            scenarios.add_row(s.id, s.title, " ".join(s.models), " ".join(s.tags))
    console.print(scenarios)
    remediations = Table("remediation", "title", "claims to fix", title="remediations")
    for r in sorted(cat.remediations.values(), key=lambda r: r.id):
        if tag is None or tag in r.tags:
            remediations.add_row(r.id, r.title, ", ".join(r.fixes) or "nothing")
    console.print(remediations)


@main.command()
@click.argument("ident")
@click.pass_obj
@_bad_input
def show(obj: Context, ident: str) -> None:
    """Show a scenario or remediation: its steps, symptoms or checks, and the behaviour IDs it cites.

    \b
    Example:
      trustlab show stale-snapshot-one-rotation
    """
    console, cat = _console(), obj.catalogue
    spec = cat.scenarios.get(ident) or cat.remediations.get(ident)
    if spec is None:
        cat.scenario(ident)   # raises with suggestions
    console.print(Text(f"{spec.id}: {spec.title}", style="bold"))
    console.print(Text(f"file: {cat.sources[spec.id].file}", style="dim"))
    if spec.description:
        console.print(spec.description.rstrip())
    if hasattr(spec, "symptoms"):
        console.print(Text(f"affected: {spec.user} at {spec.computer}", style="dim"))
        sections = [("setup", spec.setup), ("break", spec.break_), ("symptoms", spec.symptoms)]
    else:
        console.print(f"claims to fix: {', '.join(spec.fixes) or 'nothing'}")
        sections = [("steps", spec.steps), ("verify" + ("" if spec.verify else " (default)"), spec.checks)]
    for name, steps in sections:
        console.print(Text(name, style="bold cyan"))
        for step in steps:
            console.print(f"  - {step}")
    console.print(Text("sources", style="bold cyan"))
    for ident_ in spec.models:
        console.print(f"  {ident_}: {BEHAVIOURS[ident_]}")


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.pass_obj
def validate(obj: Context, paths: tuple[Path, ...]) -> None:
    """Check scenario and remediation files: every problem with file:line:column, key and what is allowed.

    With no PATHS, the catalogue in use. Claims may refer to scenarios of the catalogue.

    \b
    Examples:
      trustlab validate
      trustlab validate scenarios/my-new-breakage.yaml
    """
    try:
        if paths:
            context = None
            try:
                context = obj.catalogue
            except SpecError:
                pass
            cat = catalogue_mod.load(paths, context=context)
        else:
            cat = obj.catalogue
    except SpecError as e:
        for problem in e.problems:
            click.echo(str(problem), err=True)
        click.echo(f"{len(e.problems)} problem(s)", err=True)
        sys.exit(EXIT_BAD_INPUT)
    click.echo(f"ok: {len(cat.scenarios)} scenario(s), {len(cat.remediations)} remediation(s)")


@main.command()
@click.argument("kind", default="scenario", type=click.Choice(sorted(KINDS)))
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write to a file.")
def schema(kind: str, output: Optional[Path]) -> None:
    """Print the JSON Schema of scenario, remediation or profile files, for editors.

    \b
    Example (VS Code with the YAML extension):
      trustlab schema scenario -o .vscode/scenario.schema.json
      # then in a scenario file:  # yaml-language-server: $schema=../.vscode/scenario.schema.json
    """
    text = json.dumps(json_schema(kind), indent=2) + "\n"
    if output:
        output.write_text(text, encoding="utf-8")
    else:
        click.echo(text, nl=False)


@main.group()
def lab() -> None:
    """Real labs: build, inspect, reset and remove them (`--backend samba` or `--backend vagrant`).

    \b
    Examples:
      trustlab lab up --backend samba            # a Samba AD DC + winbind member, about 10 s
      trustlab lab status --backend samba
      trustlab lab reset --backend samba         # back to the golden healthy copy, about 1 s
      trustlab lab down --backend samba          # everything it made is gone
      trustlab lab clean                         # also what a killed run left behind
      trustlab lab up --backend vagrant --provider virtualbox   # Windows DC + client, 40-60 min
    """


def _real_lab(backend: str, name: Optional[str]):
    if backend == "vagrant":
        from trustlab.backends.vagrant.machines import VagrantLab

        return VagrantLab()
    if backend != "samba":
        raise click.UsageError(f"`lab` manages real labs; --backend {backend} has none (allowed: samba, vagrant)")
    from trustlab.backends.samba.doctor import require
    from trustlab.backends.samba.domain import SambaLab

    require()
    return SambaLab.named(name or os.environ.get("TRUSTLAB_SAMBA_LAB", "default"))


_backend_option = click.option("--backend", default="samba", show_default=True,
                               type=click.Choice(["samba", "vagrant"]))
_name_option = click.option("--name", help="The lab's name (default: $TRUSTLAB_SAMBA_LAB or `default`); "
                                           "labs with different names run side by side.")


@lab.command("up")
@_backend_option
@_name_option
@_bad_input
@click.option("--provider", type=click.Choice(["virtualbox", "hyperv", "libvirt"]),
              help="vagrant only: the hypervisor (default: Vagrant's own choice).")
def lab_up(backend: str, name: Optional[str], provider: Optional[str]) -> None:
    """Build a lab from nothing and keep a golden healthy copy of it.

    \b
    Examples:
      trustlab lab up --backend samba --name ci1
      trustlab lab up --backend vagrant --provider virtualbox
    """
    real = _real_lab(backend, name)
    if backend == "vagrant":
        timings = real.up(provider)
        click.echo(f"Windows lab up in {timings['up'] / 60:.0f} min; golden snapshot taken ({real.dir})")
        return
    timings = real.up()
    click.echo(f"lab {real.name} up in {timings['up']:.1f} s ({real.meta['subnet']}, {real.dir})")


@lab.command("status")
@_backend_option
@_name_option
@_bad_input
def lab_status(backend: str, name: Optional[str]) -> None:
    """Show a lab: state, subnet, folder, DC and member.

    \b
    Example:
      trustlab lab status --backend samba
    """
    for key, value in _real_lab(backend, name).status().items():
        click.echo(f"{key}: {value}")


@lab.command("reset")
@_backend_option
@_name_option
@_bad_input
def lab_reset(backend: str, name: Optional[str]) -> None:
    """Return a lab to its golden healthy copy (DC running, member configured, not joined).

    \b
    Example:
      trustlab lab reset --backend samba
    """
    real = _real_lab(backend, name)
    click.echo(f"lab {real.name} reset in {real.reset():.1f} s")


@lab.command("down")
@_backend_option
@_name_option
@_bad_input
def lab_down(backend: str, name: Optional[str]) -> None:
    """Stop a lab and remove its processes, namespaces and folder.

    \b
    Example:
      trustlab lab down --backend samba
    """
    real = _real_lab(backend, name)
    real.down()
    click.echo(f"lab {real.name} is down")


@lab.command("clean")
@_backend_option
@click.option("--name", help="Only this lab (default: every lab).")
@_bad_input
def lab_clean(backend: str, name: Optional[str]) -> None:
    """Remove every lab (or the one named) and whatever a killed run left behind (namespaces, processes, files).

    \b
    Examples:
      trustlab lab clean
      trustlab lab clean --name ci1
    """
    real = _real_lab(backend, name)
    if backend == "vagrant":
        real.down()
        click.echo("destroyed the Windows lab's machines and their snapshots")
        return
    from trustlab.backends.samba.domain import clean

    removed = clean(name=name)
    click.echo("\n".join(f"removed {item}" for item in removed) if removed else "nothing to clean")


@main.command()
@click.option("--backend", default="samba", show_default=True, type=click.Choice(["samba", "vagrant"]))
def doctor(backend: str) -> None:
    """Check what a real backend needs from this machine, and say what is missing.

    \b
    Examples:
      sudo trustlab doctor
      trustlab doctor --backend vagrant
    """
    if backend == "vagrant":
        from trustlab.backends.vagrant.doctor import checks as vagrant_checks

        results = vagrant_checks()
        for check in results:
            click.echo(f"{'ok  ' if check.ok else 'FAIL'} {check.name}: {check.detail}")
        sys.exit(EXIT_OK if all(c.ok for c in results) else EXIT_FAILED)
    from trustlab.backends.samba.doctor import NOT_NEEDED, checks

    results = checks()
    for check in results:
        click.echo(f"{'ok  ' if check.ok else 'FAIL'} {check.name}: {check.detail}")
    click.echo(NOT_NEEDED)
    sys.exit(EXIT_OK if all(c.ok for c in results) else EXIT_FAILED)


@main.command()
@click.option("--backend", default="samba", show_default=True, type=click.Choice(["samba", "vagrant"]))
@click.option("--profile", help="The sim's profile to compare with (default: samba for samba, windows for vagrant, "
                                "or a file `trustlab calibrate` wrote).")
@click.option("--scenario", "only", multiple=True, help="Only this scenario (repeatable).")
@click.pass_obj
@_bad_input
def conformance(obj: Context, backend: str, profile: Optional[str], only: tuple[str, ...]) -> None:
    """Run every scenario and remediation claim on the sim (with the backend's profile) and on the real backend,
    and compare each probe's outcome step by step.

    Exit status 1 when any probe diverges.

    \b
    Examples:
      sudo trustlab conformance
      sudo trustlab conformance --scenario machine-account-reset
      TRUSTLAB_VAGRANT=1 trustlab conformance --backend vagrant --profile profiles/observed-vagrant.yaml
    """
    from trustlab.engine.conformance import conformance as check, summary
    from trustlab.views.terminal import print_conformance

    console = _console()
    with console.status("comparing") as status:
        prof = load_profile(profile or ("windows" if backend == "vagrant" else backend))
        results = check(obj.catalogue, backend, prof, only,
                        progress=lambda label: status.update(label))
    print_conformance(results, summary(results), console)
    sys.exit(EXIT_OK if summary(results)["divergences"] == 0 else EXIT_FAILED)


@main.command()
@click.argument("scenario")
@click.option("-r", "--remediation", required=True, help="The remediation whose claim (or whose run) to explore.")
@click.option("--backend", default="sim", show_default=True, type=click.Choice(sorted(BACKENDS)))
@click.option("--profile", default="windows", show_default=True, help="windows, samba or a profile YAML file.")
@click.option("--examples", default=200, show_default=True, type=int, help="How many schedules to try.")
@click.option("--seed", type=int, help="The same seed draws the same schedules.")
@click.option("--derandomize/--no-derandomize", default=os.environ.get("CI") == "true", show_default="on in CI",
              help="Seed the search from the scenario and remediation ids, not from randomness (repeatable in CI).")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=Path("scenarios/found"),
              show_default=True, help="Where a counterexample is written as a scenario file.")
@click.option("--database", type=click.Path(file_okay=False, path_type=Path), default=Path(".hypothesis/trustlab"),
              show_default=True, help="Hypothesis example database: known failures are tried first, also in CI (not with --seed, "
                   "which repeats exactly from the seed alone).")
@click.pass_obj
@_bad_input
def explore(obj: Context, scenario: str, remediation: str, backend: str, profile: str, examples: int,
            seed: Optional[int], derandomize: bool, out: Path, database: Path) -> None:
    """Let Hypothesis vary timing, order and background events of SCENARIO and REMEDIATION and check the claims:
    the symptoms reproduce, and a remediation that claims to fix the scenario fixes it.

    A counterexample is shrunk, printed as readable steps and written as a scenario file that `trustlab run`
    replays exactly. Exit status 1 when one is found.

    \b
    Examples:
      trustlab explore clock-months-off -r unplug-cached-logon-wait-reboot --examples 300 --seed 1
      trustlab explore password-changed-elsewhere -r unplug-cached-logon-wait-reboot --derandomize
    """
    from trustlab.explorer import explore as search, write_regression
    from trustlab.views.terminal import print_exploration

    cat, prof, console = obj.catalogue, load_profile(profile), _console()
    spec, fix = cat.scenario(scenario), cat.remediation(remediation)
    with console.status("exploring") as status:
        result = search(spec, fix, backend, prof, examples, seed, derandomize, database,
                        progress=lambda r: status.update(f"{r.examples} schedules, {r.rate:.0f}/s, "
                                                         f"{len(r.classes)} outcome classes"))
    written = write_regression(result.failure, spec, fix, out, seed) if result.failure else None
    print_exploration(result, written, console)
    sys.exit(EXIT_FAILED if result.failure else EXIT_OK)


@main.command()
@click.option("--backend", default="vagrant", show_default=True, type=click.Choice(sorted(BACKENDS)))
@click.option("--base", default="windows", show_default=True, help="The profile the observations start from.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=Path("profiles/observed-vagrant.yaml"),
              show_default=True, help="Where the observed behaviour profile is written.")
@click.option("--name", default="observed", show_default=True, help="The written profile's name.")
@_bad_input
def calibrate(backend: str, base: str, out: Path, name: str) -> None:
    """Run the experiments that settle the open questions of windows-behaviour.md on BACKEND and write the
    observed behaviour profile (`--profile FILE` uses it; on the sim it reads back the base profile).

    \b
    Examples:
      trustlab calibrate --backend vagrant
      trustlab run --profile profiles/observed-vagrant.yaml
    """
    from trustlab.calibration import calibrate as measure

    console = _console()
    with console.status("calibrating") as status:
        result = measure(backend, load_profile(base), progress=lambda e: status.update(e.question))
    for finding in result.findings:
        switch = f" -> {finding.experiment.switch}: {finding.value}" if finding.experiment.switch else ""
        console.print(f"{finding.experiment.question}\n  {finding.journal.verdict['verdict']}: observed "
                      f"{finding.probe.get('outcome')}{switch}", markup=False, highlight=False)
    result.write(out, name)
    console.print(f"wrote {out}", markup=False, highlight=False)
    sys.exit(EXIT_OK if all(f.settled for f in result.findings) else EXIT_FAILED)


@main.command()
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write to a file.")
def docs(output: Optional[Path]) -> None:
    """Print the scenario-language reference (docs/scenario-language.md) generated from the vocabulary.

    \b
    Example:
      trustlab docs -o docs/scenario-language.md
    """
    text = render_language()
    if output:
        output.write_text(text, encoding="utf-8")
    else:
        click.echo(text, nl=False)


if __name__ == "__main__":
    main()
