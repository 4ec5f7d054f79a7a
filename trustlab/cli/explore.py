"""`trustlab explore`: Hypothesis varies timing, order and background events, and checks the claims."""
from __future__ import annotations

import json
import os
import shlex
import sys
from pathlib import Path
from typing import Optional

import click

from trustlab import backends, errors
from trustlab.cli.base import (
    Context,
    Output,
    backend_option,
    bad_input,
    chosen_format,
    console,
    format_option,
    main,
    progress,
)
from trustlab.cli.report import report_option
from trustlab.engine.backend import Backend
from trustlab.specs.profiles import load_profile


@main.command()
@click.argument("scenario")
@click.option("-r", "--remediation", required=True, help="The remediation whose claim (or whose run) to explore.")
@backend_option()
@click.option("--profile", help="windows, samba or a profile YAML file (default: the backend's own).")
@click.option("--examples", default=200, show_default=True, type=click.IntRange(min=1),
              help="How many schedules to try (at least 1).")
@click.option("--seed", type=int, help="The same seed draws the same schedules.")
@click.option("--derandomize/--no-derandomize", default=os.environ.get("CI") == "true", show_default="on in CI",
              help="Seed the search from the scenario and remediation ids, not from randomness (repeatable in CI).")
@click.option("--out", type=Output("folder"), default=Path("scenarios/found"),
              show_default=True, help="Where a counterexample is written as a scenario file.")
@click.option("--database", type=Output("folder"), default=Path(".hypothesis/trustlab"),
              show_default=True, help="Hypothesis example database: known failures are tried first, also in CI "
                                      "(not with --seed, which repeats exactly from the seed alone).")
@report_option("the exploration (its counterexample against the plain run)")
@format_option()
@click.option("--vary-timing", is_flag=True,
              help="Also vary what the files do not declare: the time between the procedure's steps (0 s to 2 h) "
                   "and background events it does not list (a reboot, a cable flap, 15 min to 2 days passing).")
@click.pass_obj
@bad_input
def explore(obj: Context, scenario: str, remediation: str, backend: type[Backend], profile: Optional[str],
            examples: int, seed: Optional[int], derandomize: bool, out: Path, database: Path,
            vary_timing: bool, report_path: Optional[Path], fmt: Optional[str]) -> None:
    """Let Hypothesis vary timing, order and background events of SCENARIO and REMEDIATION and check the claims:
    the symptoms reproduce, and a remediation that claims to fix the scenario fixes it.

    A counterexample is shrunk (steps that do nothing dropped), printed as readable steps and written as a
    scenario file that `trustlab run` replays exactly; the command that replays it is printed, as it must be typed
    here. Exit status 1 when one is found.

    \b
    Examples:
      trustlab explore clock-months-off -r unplug-cached-logon-wait-reboot --examples 300 --seed 1
      trustlab explore password-changed-elsewhere -r unplug-cached-logon-wait-reboot --derandomize
      trustlab explore machine-account-reset -r reset-machine-password --vary-timing
    """
    from trustlab.runs.explorer import explore as search
    from trustlab.runs.explorer import write_regression
    from trustlab.views.report import counterexample, write_report
    from trustlab.views.terminal import print_exploration

    fmt = chosen_format(fmt)
    cat, prof, shown = obj.catalogue, load_profile(profile or backend.default_profile), console(fmt)
    spec, fix = cat.scenario(scenario), cat.remediation(remediation)
    with progress(examples, "exploring") as advance:
        result = search(spec, fix, backend, prof, examples, seed, derandomize, database,
                        progress=lambda r: advance(f"{r.rate:.0f}/s, {len(r.classes)} outcome classes",
                                                   done=r.examples), vary_timing=vary_timing)
    written = write_regression(result.failure, spec, fix, out, seed) if result.failure else None
    replay = replay_command(obj, written, backend, profile) if written else None
    if fmt == "json":
        data = result.to_dict()
        if written:
            data["counterexample"].update(written=str(written), replay=replay)
        click.echo(json.dumps(data, indent=2, ensure_ascii=False))
    else:
        print_exploration(result, written, shown, replay, fmt)
    if report_path:
        write_report([counterexample(result, spec, fix, backend, prof)], report_path, cat)
    sys.exit(errors.FAILED if result.failure else errors.OK)


def replay_command(obj: Context, written: Path, backend: type[Backend], profile: Optional[str]) -> str:
    """The command that replays a counterexample, as it must be typed where `explore` ran: the catalogue options
    that were given, the file by its ID when it lies in a folder of the catalogue in use, else by its path; the
    backend and profile when they are not the defaults."""
    inside = any(folder.resolve() in written.resolve().parents for folder in obj.folders)
    argv = ["trustlab", *(a for d in obj.dirs for a in ("--catalogue", str(d))),
            *(a for d in obj.added for a in ("--add", str(d))), "run", written.stem if inside else str(written)]
    if backend.name != backends.MODEL:
        argv += ["--backend", backend.name]
    if profile:
        argv += ["--profile", profile]
    return shlex.join(argv)
