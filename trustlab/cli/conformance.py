"""`trustlab conformance` and `trustlab calibrate`: the model against a real lab, and the experiments that settle
what the reference leaves open."""
from __future__ import annotations

import sys
from pathlib import Path
from typing import Optional

import click

from trustlab import backends
from trustlab.cli.base import EXIT_FAILED, EXIT_OK, Context, backend_option, bad_input, console, main
from trustlab.cli.report import report_option
from trustlab.engine.backend import Backend
from trustlab.profiles import load_profile


@main.command()
@backend_option("samba", with_lab=True, help="The real backend to compare the sim with.")
@click.option("--profile", help="The sim's profile to compare with (default: the backend's own, e.g. samba for "
                                "samba, windows for vagrant; or a file `trustlab calibrate` wrote).")
@click.option("--scenario", "only", multiple=True, help="Only this scenario (repeatable).")
@report_option("the comparisons (each diverging pair's journals side by side)")
@click.pass_obj
@bad_input
def conformance(obj: Context, backend: type[Backend], profile: Optional[str], only: tuple[str, ...],
                report_path: Optional[Path]) -> None:
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
    from trustlab.views.report import write_report
    from trustlab.views.terminal import print_conformance

    out = console()
    with out.status("comparing") as status:
        prof = load_profile(profile or backend.default_profile)
        results = check(obj.catalogue, backend, backends.backend_class(backends.MODEL), prof, only,
                        progress=lambda label: status.update(label))
    print_conformance(results, summary(results), out)
    if report_path:
        write_report(results, report_path, obj.catalogue)
    sys.exit(EXIT_OK if summary(results)["divergences"] == 0 else EXIT_FAILED)


@main.command()
@backend_option("vagrant", help="The backend to run the experiments on.")
@click.option("--base", default="windows", show_default=True, help="The profile the observations start from.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=Path("profiles/observed-vagrant.yaml"),
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
    from trustlab.calibration import calibrate as measure

    shown = console()
    with shown.status("calibrating") as status:
        result = measure(backend, load_profile(base), progress=lambda e: status.update(e.question))
    for finding in result.findings:
        switch = f" -> {finding.experiment.switch}: {finding.value}" if finding.experiment.switch else ""
        shown.print(f"{finding.experiment.question}\n  {finding.journal.verdict.value}: observed "
                    f"{finding.probe.get('outcome')}{switch}", markup=False, highlight=False)
    result.write(out, name)
    shown.print(f"wrote {out}", markup=False, highlight=False)
    sys.exit(EXIT_OK if all(f.settled for f in result.findings) else EXIT_FAILED)
