"""`trustlab conformance` and `trustlab calibrate`: the model against a real lab, and the experiments that settle
what the reference leaves open."""
from __future__ import annotations

import sys
from pathlib import Path
from typing import Optional

import click

from trustlab import backends, errors
from trustlab.cli.base import Context, Output, backend_option, bad_input, console, main, progress
from trustlab.cli.report import report_option
from trustlab.engine.backend import Backend
from trustlab.specs import catalogue as catalogue_mod
from trustlab.specs.profiles import load_profile


@main.command()
@backend_option("samba", with_lab=True, help="The real backend to compare the sim with.")
@click.option("--profile", help="The sim's profile to compare with (default: the backend's own, e.g. samba for "
                                "samba, windows for vagrant; or a file `trustlab calibrate` wrote).")
@click.option("--scenario", "only", multiple=True,
              help="Only this scenario: an ID of the catalogue or a scenario file, e.g. one `--explore` wrote "
                   "(repeatable).")
@click.option("--explore", "explore", type=click.IntRange(min=1), metavar="N",
              help="Instead of the catalogue: N scenarios generated from the vocabulary (differential search).")
@click.option("--seed", default=0, show_default=True, type=int, help="With --explore: the same seed, the same "
                                                                     "scenarios.")
@click.option("--out", type=Output("folder"), default=Path("divergences"),
              show_default=True, help="With --explore: where each divergence is written as a scenario file.")
@report_option("the comparisons (each diverging pair's journals side by side)")
@click.pass_obj
@bad_input
def conformance(obj: Context, backend: type[Backend], profile: Optional[str], only: tuple[str, ...],
                explore: Optional[int], seed: int, out: Path, report_path: Optional[Path]) -> None:
    """Run every scenario and remediation claim on the sim (with the backend's profile) and on the real backend,
    and compare each probe's outcome step by step; or, with --explore N, N scenarios Hypothesis generates from the
    vocabulary, each divergence shrunk and written as a scenario file.

    Exit status 1 when any probe diverges.

    \b
    Examples:
      sudo trustlab conformance
      sudo trustlab conformance --scenario machine-account-reset
      sudo trustlab conformance --explore 100 --seed 1
      sudo trustlab conformance --scenario divergences/diff-1a2b3c4d.yaml
      TRUSTLAB_VAGRANT=1 trustlab conformance --backend vagrant --profile profiles/observed-vagrant.yaml
    """
    from trustlab.runs.conformance import conformance as check
    from trustlab.runs.conformance import summary
    from trustlab.views.report import write_report
    from trustlab.views.terminal import print_conformance, print_differential

    shown = console()
    prof = load_profile(profile or backend.default_profile)
    model = backends.backend_class(backends.MODEL)
    if explore:
        from trustlab.runs.differential import search

        so_far = []

        def advanced(r) -> None:
            so_far[:] = [r]
            advance(f"{r.per_minute:.0f}/min, {len(r.findings)} divergences", done=r.examples)

        try:
            with progress(explore, "generating and comparing") as advance:
                result = search(backend, model, prof, explore, seed, out=out, progress=advanced)
        except (KeyboardInterrupt, SystemExit):          # Ctrl-C, SIGTERM: what was found so far is still said
            if so_far:
                shown.print(f"stopped after {so_far[0].examples} of {explore} generated scenarios", markup=False)
                print_differential(so_far[0], shown)
            raise
        print_differential(result, shown)
        if report_path:
            write_report([f.comparison for f in result.findings], report_path, obj.catalogue)
        sys.exit(errors.FAILED if result.unexplained else errors.OK)
    catalogue = obj.catalogue
    files = [Path(o) for o in only if Path(o).suffix in (".yaml", ".yml") and Path(o).is_file()]
    if files:
        catalogue = catalogue_mod.Catalogue()
        for path in files:
            spec, src = catalogue_mod.load_file(path)
            catalogue.scenarios[spec.id], catalogue.sources[spec.id] = spec, src
        only = tuple(catalogue.scenarios)
    with shown.status("comparing") as status:
        results = check(catalogue, backend, model, prof, only, progress=lambda label: status.update(label))
    print_conformance(results, summary(results), shown)
    if report_path:
        write_report(results, report_path, catalogue)
    sys.exit(errors.OK if summary(results)["divergences"] == 0 else errors.FAILED)


@main.command()
@backend_option("vagrant", help="The backend to run the experiments on.")
@click.option("--base", default="windows", show_default=True, help="The profile the observations start from.")
@click.option("--out", type=Output("file"), default=Path("profiles/observed-vagrant.yaml"),
              show_default=True, help="Where the observed behaviour profile is written.")
@click.option("--name", default="observed", show_default=True, help="The written profile's name.")
@bad_input
def calibrate(backend: type[Backend], base: str, out: Path, name: str) -> None:
    """Run the experiments that settle the open questions of the behaviour reference on BACKEND and write the
    observed behaviour profile (`--profile FILE` uses it; on the sim it reads back the base profile).

    \b
    Examples:
      trustlab calibrate --backend vagrant
      trustlab run --profile profiles/observed-vagrant.yaml
    """
    from trustlab.runs.calibration import calibrate as measure

    shown = console()
    with shown.status("calibrating") as status:
        result = measure(backend, load_profile(base), progress=lambda e: status.update(e.question))
    for finding in result.findings:
        switch = f" -> {finding.experiment.switch}: {finding.value}" if finding.experiment.switch else ""
        shown.print(f"{finding.experiment.question}\n  {finding.journal.verdict.value}: observed "
                    f"{finding.probe.outcome if finding.probe else None}{switch}", markup=False, highlight=False)
    result.write(out, name)
    shown.print(f"wrote {out}", markup=False, highlight=False)
    sys.exit(errors.OK if all(f.settled for f in result.findings) else errors.FAILED)
