"""`trustlab explore`: Hypothesis varies timing, order and background events, and checks the claims."""
from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Optional

import click

from trustlab import errors
from trustlab.cli.base import Context, Output, backend_option, bad_input, console, main, progress
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
@click.option("--vary-timing", is_flag=True,
              help="Also vary what the files do not declare: the time between the procedure's steps (0 s to 2 h) "
                   "and background events it does not list (a reboot, a cable flap, 15 min to 2 days passing).")
@click.pass_obj
@bad_input
def explore(obj: Context, scenario: str, remediation: str, backend: type[Backend], profile: Optional[str],
            examples: int, seed: Optional[int], derandomize: bool, out: Path, database: Path,
            vary_timing: bool, report_path: Optional[Path]) -> None:
    """Let Hypothesis vary timing, order and background events of SCENARIO and REMEDIATION and check the claims:
    the symptoms reproduce, and a remediation that claims to fix the scenario fixes it.

    A counterexample is shrunk, printed as readable steps and written as a scenario file that `trustlab run`
    replays exactly. Exit status 1 when one is found.

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

    cat, prof, shown = obj.catalogue, load_profile(profile or backend.default_profile), console()
    spec, fix = cat.scenario(scenario), cat.remediation(remediation)
    with progress(examples, "exploring") as advance:
        result = search(spec, fix, backend, prof, examples, seed, derandomize, database,
                        progress=lambda r: advance(f"{r.rate:.0f}/s, {len(r.classes)} outcome classes",
                                                   done=r.examples), vary_timing=vary_timing)
    written = write_regression(result.failure, spec, fix, out, seed) if result.failure else None
    print_exploration(result, written, shown)
    if report_path:
        write_report([counterexample(result, spec, fix, backend, prof)], report_path, cat)
    sys.exit(errors.FAILED if result.failure else errors.OK)
