"""`trustlab run`: one scenario (with a remediation), or the whole catalogue as the matrix."""
from __future__ import annotations

import sys
from pathlib import Path
from typing import Optional

import click
from rich.text import Text

from trustlab.cli.base import EXIT_FAILED, EXIT_OK, Context, backend_option, bad_input, console, main
from trustlab.cli.report import report_option
from trustlab.engine.backend import Backend
from trustlab.engine.judgement import Verdict
from trustlab.engine.matrix import run_matrix
from trustlab.engine.runner import run as run_one
from trustlab.guide import run_guide
from trustlab.profiles import PROFILES, load_profile
from trustlab.specs.remediation import Remediation, from_regression
from trustlab.views.junit import write_junit
from trustlab.views.report import write_report
from trustlab.views.terminal import print_journal, print_matrix


@main.command()
@click.argument("scenario", required=False)
@click.option("-r", "--remediation", help="A remediation to run after the break; without it the scenario only "
                                          "reproduces its symptoms.")
@backend_option()
@click.option("--profile", help=f"Behaviour profile: {', '.join(PROFILES)} or a profile YAML file "
                                "(default: the backend's own).")
@click.option("--seed", default=0, show_default=True, type=int, help="Seed of the lab's random timers.")
@click.option("--journal", "journal_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the journal (JSON) here; with no SCENARIO, a folder for one journal per run.")
@click.option("--junit", type=click.Path(dir_okay=False, path_type=Path), help="Write JUnit XML of the matrix.")
@click.option("--lang", default="en", type=click.Choice(["en", "ja"]), show_default=True,
              help="Language of the Windows messages shown.")
@report_option("the run (with no SCENARIO: the matrix, every run and the guide)")
@click.pass_obj
@bad_input
def run(obj: Context, scenario: Optional[str], remediation: Optional[str], backend: type[Backend],
        profile: Optional[str], seed: int, journal_path: Optional[Path], junit: Optional[Path], lang: str,
        report_path: Optional[Path]) -> None:
    """Run SCENARIO (with -r REMEDIATION), or, with no SCENARIO, the whole catalogue as a matrix.

    \b
    Exit status: 0 when every claim holds (or the single run is REPRODUCED / FIXED), 1 when not, 2 on bad input.

    \b
    Examples:
      trustlab run
      trustlab run seed-loaner-story --lang ja
      trustlab run seed-loaner-story -r remove-ghost-adapter --journal run.json
    """
    out = console()
    prof = load_profile(profile or backend.default_profile)
    cat = obj.catalogue
    if scenario is None:
        if remediation:
            raise click.UsageError("--remediation needs a SCENARIO")
        with out.status("running the catalogue") as status:
            m = run_matrix(cat, backend, prof, seed, progress=lambda s, r: status.update(f"{s} {r or ''}"))
        print_matrix(m, out)
        if junit:
            write_junit(m, junit)
        if report_path:
            write_report([m, run_guide(cat, backend, prof, seed, m)], report_path, cat)
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
    print_journal(journal, out, lang)
    if report_path:
        write_report([journal], report_path, cat)
    if replay:
        same = journal.verdict.value == spec.regression.verdict
        out.print(Text(f"regression: recorded {spec.regression.verdict}, replayed {journal.verdict.value}"
                       f"{'' if same else ' (CHANGED)'}", style="bold green" if same else "bold red"))
        sys.exit(EXIT_OK if same else EXIT_FAILED)
    if fix is not None and scenario in fix.fixes:
        holds = journal.verdict is Verdict.FIXED
        out.print(Text(f"claim {fix.id} fixes {scenario}: {'holds' if holds else 'DOES NOT HOLD'}",
                       style="bold green" if holds else "bold red"))
    if journal_path:
        journal.write(journal_path)
    sys.exit(EXIT_OK if journal.verdict in (Verdict.REPRODUCED, Verdict.FIXED) else EXIT_FAILED)
