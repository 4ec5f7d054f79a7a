"""`trustlab run`: one scenario (with a remediation), or the whole catalogue as the matrix."""
from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Optional

import click
from rich.text import Text

from trustlab import backends, errors
from trustlab.cli.base import (
    BadOutput,
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
from trustlab.engine.journal import Journal
from trustlab.engine.runner import run as run_one
from trustlab.runs.claims import Claim, judged
from trustlab.runs.guide import run_guide
from trustlab.runs.matrix import key, known_differences, lab_variable, planned, run_matrix, using_lab
from trustlab.runs.matrix import shard as shard_runs
from trustlab.specs.profiles import PROFILES, load_profile
from trustlab.specs.remediation import from_regression
from trustlab.specs.words import LANGUAGES
from trustlab.views.junit import matrix_cases, run_case, write_junit
from trustlab.views.report import write_report
from trustlab.views.terminal import print_journal, print_matrix
from trustlab.views.words import say

KEPT = "a journal of the same name is replaced; other files there are left as they are"


class ShardType(click.ParamType):
    """`K/N`: shard K (from 1) of N."""

    name = "K/N"

    def convert(self, value, param, ctx):
        if isinstance(value, tuple):
            return value
        k, slash, n = str(value).partition("/")
        if not (slash and k.isdigit() and n.isdigit() and int(n) >= 1):
            self.fail(f"{value!r} is not K/N (e.g. 2/3: the second of three shards)", param, ctx)
        if not 1 <= int(k) <= int(n):
            self.fail(f"{value!r}: K must be between 1 and N ({n})", param, ctx)
        return int(k), int(n)


def write_journals(folder: Path, journals: list[Journal]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for journal in journals:
        journal.write(folder / f"{key(journal)}.json")
    click.echo(f"wrote {len(journals)} journals to {folder}/ ({KEPT})", err=True)


@main.command()
@click.argument("scenario", required=False)
@click.option("-r", "--remediation", help="A remediation to run after the break; without it the scenario only "
                                          "reproduces its symptoms.")
@backend_option()
@click.option("--profile", help=f"Behaviour profile: {', '.join(PROFILES)} or a profile YAML file "
                                "(default: the backend's own).")
@click.option("--seed", default=0, show_default=True, type=int, help="Seed of the lab's random timers.")
@click.option("--journal", "journal_path", type=Output("either"),
              help=f"Write the journal (JSON). One run: this file, or SCENARIO--REMEDIATION.json in this folder if it "
                   f"is one. The matrix: a folder (made if need be) with one journal per run; {KEPT}.")
@click.option("--junit", type=Output("file"),
              help="Write JUnit XML: of the matrix (a case per reproduction, claim and found counterexample), or of "
                   "the one run.")
@click.option("--lang", default="en", type=click.Choice(LANGUAGES), show_default=True,
              help="Language of what is shown: the Windows messages and trustlab's own words.")
@click.option("--shard", "shard_of", type=ShardType(),
              help="With no SCENARIO: run only shard K of N of the matrix (the same split on every host; a claim "
                   "and its known counterexamples stay together); `trustlab merge` judges the shards together.")
@click.option("--jobs", default=1, show_default=True, type=click.IntRange(min=1),
              help="With no SCENARIO: spread the runs over N worker processes, each with a lab of its own on a "
                   "backend with real labs (NAME-0 .. NAME-(N-1), torn down at the end if they built them).")
@click.option("--name", "lab",
              help="The lab to run on, on a backend with named labs (samba; default $TRUSTLAB_SAMBA_LAB or "
                   "`default`); with --jobs N the labs NAME-0 .. NAME-(N-1) (default jobs-0 ..).")
@format_option()
@report_option("the run (with no SCENARIO: the matrix, every run and the guide)")
@click.pass_obj
@bad_input
def run(obj: Context, scenario: Optional[str], remediation: Optional[str], backend: type[Backend],
        profile: Optional[str], seed: int, journal_path: Optional[Path], junit: Optional[Path], lang: str,
        shard_of: Optional[tuple[int, int]], jobs: int, lab: str, fmt: Optional[str],
        report_path: Optional[Path]) -> None:
    """Run SCENARIO (with -r REMEDIATION), or, with no SCENARIO, the whole catalogue as a matrix. SCENARIO is an ID
    of the catalogue, or a scenario file (a counterexample `trustlab explore` wrote, wherever it is).

    A claim holds when its run is FIXED and no known counterexample (scenarios/found/) within the claim still
    fails; a found file replays its recorded schedule.

    \b
    Exit status: 0 when every claim holds (or the single run is REPRODUCED / FIXED and its claim holds, or a found
    file replays as recorded), 1 when not, 2 on bad input.

    \b
    Examples:
      trustlab run
      trustlab run --junit junit.xml --journal journals/
      trustlab run --shard 2/3 --junit shard2.xml --journal shard2/
      trustlab run --backend samba --jobs 2
      trustlab run machine-account-reset --backend samba --name ci1
      trustlab run seed-loaner-story --lang ja
      trustlab run seed-loaner-story -r remove-ghost-adapter --journal run.json
    """
    fmt = chosen_format(fmt)
    if scenario is None and journal_path is not None and journal_path.exists() and not journal_path.is_dir():
        raise BadOutput(f"--journal {journal_path}: is a file; with no SCENARIO, --journal names a folder")
    prof = load_profile(profile or backend.default_profile)
    if lab is not None and lab_variable(backend) is None:
        named = [n for n in backends.names(with_lab=True) if lab_variable(backends.backend_class(n))]
        raise click.UsageError(f"the {backend.name} backend has no named labs; --name is for {', '.join(named)}")
    if scenario is None:
        if remediation:
            raise click.UsageError("--remediation needs a SCENARIO")
        with using_lab(backend, lab if jobs == 1 else None):
            _matrix(obj.catalogue, backend, prof, seed, fmt, lang, shard_of, jobs, lab or "jobs", junit,
                    journal_path, report_path)
    for given, option in ((shard_of, "--shard"), (jobs != 1, "--jobs")):
        if given:
            raise click.UsageError(f"{option} splits the matrix: it takes no SCENARIO")
    with using_lab(backend, lab):
        _one(obj.catalogue, scenario, remediation, backend, prof, seed, fmt, lang, junit, journal_path, report_path)


def _matrix(cat, backend: type[Backend], prof, seed: int, fmt: str, lang: str, shard_of, jobs: int, lab: str,
            junit: Optional[Path], journal_path: Optional[Path], report_path: Optional[Path]) -> None:
    started = time.time()
    runs = shard_runs(cat, *shard_of) if shard_of else None
    with progress(len(runs) if runs is not None else planned(cat), "running the catalogue") as advance:
        m = run_matrix(cat, backend, prof, seed, progress=advance, runs=runs, shard_of=shard_of, jobs=jobs, lab=lab)
    known_differences(m, cat, backend, backends.backend_class(backends.MODEL), seed)
    if fmt == "json":
        click.echo(json.dumps(m.to_dict(), indent=2, ensure_ascii=False))
    else:
        print_matrix(m, console(fmt), lang)
    if junit:
        write_junit(junit, matrix_cases(m), started)
    if report_path:
        write_report([m, run_guide(cat, backend, prof, seed, m)], report_path, cat)
    if journal_path:
        write_journals(journal_path, m.journals())
    sys.exit(errors.OK if m.ok else errors.FAILED)


def _one(cat, scenario: str, remediation: Optional[str], backend: type[Backend], prof, seed: int, fmt: str,
         lang: str, junit: Optional[Path], journal_path: Optional[Path], report_path: Optional[Path]) -> None:
    """One run: a scenario alone or with a remediation (its claim judged), or a found file replayed."""
    started = time.time()
    if scenario.endswith((".yaml", ".yml")) and Path(scenario).is_file():      # a file: a counterexample written
        cat = cat.with_files([Path(scenario)])                                # outside the catalogue, say
        scenario = Path(scenario).stem
    spec = cat.scenario(scenario)
    replaying = spec.regression is not None and remediation is None
    fix = from_regression(spec) if replaying else cat.remediation(remediation) if remediation else None
    journal = run_one(spec, fix, backend, prof, seed)
    claim = judged(cat, journal, backend, prof, seed) if not replaying else None
    out = console(fmt)
    if fmt == "json":
        click.echo(journal.to_json(), nl=False)
    else:
        print_journal(journal, out, lang)
    if report_path:
        write_report([journal], report_path, cat)
    if replaying:
        ok = journal.verdict.value == spec.regression.verdict
        if fmt != "json":
            out.print(Text(say("regression", lang, recorded=spec.regression.verdict, replayed=journal.verdict.value)
                           + ("" if ok else say("regression changed", lang)),
                           style="bold green" if ok else "bold red"))
    else:
        ok = claim.holds
        if claim.claimed and claim.remediation and fmt != "json":
            out.print(Text(say("claim holds" if ok else "claim broken", lang, remediation=fix.id,
                               scenario=scenario), style="bold green" if ok else "bold red"))
            for r in claim.contradicting:
                out.print(Text(say("contradicted", lang, found=r.found, verdict=r.journal.verdict.value),
                               style="red"))
    if junit:
        whole = claim or Claim(spec.id, None, journal)
        write_junit(junit, [run_case(whole, time.time() - started, spec.regression)], started)
    if journal_path:
        target = journal_path / f"{key(journal)}.json" if journal_path.is_dir() else journal_path
        target.parent.mkdir(parents=True, exist_ok=True)
        journal.write(target)
    sys.exit(errors.OK if ok else errors.FAILED)
