"""`trustlab merge`: the shards of a matrix (`run --shard K/N` on several hosts) as one: one JUnit file, one report,
and the claims judged over every shard's runs."""
from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Optional

import click
from rich.text import Text

from trustlab import backends, errors
from trustlab.cli.base import Context, Output, bad_input, chosen_format, console, format_option, main
from trustlab.cli.report import read_records
from trustlab.cli.run import write_journals
from trustlab.runs.matrix import known_differences
from trustlab.specs.words import LANGUAGES


@main.command()
@click.argument("shards", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--junit", type=Output("file"),
              help="Write the merged JUnit XML here: the shards' JUnit files as one (or, given only journals, "
                   "the merged matrix's cases).")
@click.option("--report", "report_path", type=Output("file"),
              help="Write the merged matrix and every run as one self-contained HTML file (needs journals).")
@click.option("--journal", "journal_dir", type=Output("folder"),
              help="Write every shard's journals to this one folder.")
@click.option("--lang", default="en", type=click.Choice(LANGUAGES), show_default=True)
@format_option()
@click.pass_obj
@bad_input
def merge(obj: Context, shards: tuple[Path, ...], junit: Optional[Path], report_path: Optional[Path],
          journal_dir: Optional[Path], lang: str, fmt: Optional[str]) -> None:
    """Merge SHARDS: the JUnit files (*.xml) and journal folders (or *.json files) that `trustlab run --shard K/N
    --junit F --journal DIR` wrote on each host. Journals are judged together, with the catalogue in use (the same
    --add / --catalogue as the shards'), exactly as an unsharded run judges them; a run of the catalogue that no
    shard made, or one that two made, is said.

    \b
    Exit status: 0 when every claim holds over all the shards (and no merged JUnit case failed), 1 when not, when
    runs are missing, or when a shard holds runs the catalogue in use does not know (merge with the shards' --add /
    --catalogue), 2 on bad input (a file that is neither, shards that overlap).

    \b
    Examples:
      trustlab merge shard1.xml shard2.xml shard3.xml --junit junit.xml
      trustlab merge shard1/ shard2/ shard3/ --report report.html --junit junit.xml
    """
    from trustlab.engine.journal import Journal
    from trustlab.runs.records import UnknownRuns, merged
    from trustlab.views.junit import expected_cases, matrix_cases, merge_junit, write_junit
    from trustlab.views.report import write_report
    from trustlab.views.terminal import print_matrix

    fmt = chosen_format(fmt)
    out = console(fmt)
    xml = [p for p in shards if p.is_file() and p.suffix.lower() == ".xml"]
    records = read_records([p for p in shards if p not in xml]) if len(xml) < len(shards) else []
    journals = [r for r in records if isinstance(r, Journal)]
    if len(journals) < len(records):
        raise click.BadParameter("a training-session record is not a shard's run", param_hint="SHARDS")
    if report_path and not journals:
        raise click.UsageError("--report needs the shards' journals (their --journal folders)")
    ok = True
    totals = merge_junit(xml) if xml else None
    if totals is not None:
        unknown = sorted({c for cases in totals["cases"].values() for c in cases} - expected_cases(obj.catalogue))
        if unknown:
            raise UnknownRuns("JUnit case(s)", [f"{c} {n}" for c, n in unknown])
        if junit:
            merge_junit(xml, junit)
    matrices, missing = merged(journals, obj.catalogue) if journals else ([], [])
    for m in matrices:
        if m.backend in backends.BACKENDS:
            known_differences(m, obj.catalogue, backends.backend_class(m.backend), backends.backend_class(backends.MODEL),
                              journals[0].seed)
    if fmt == "json":
        data = [m.to_dict() for m in matrices]
        click.echo(json.dumps(data[0] if len(data) == 1 else data, indent=2, ensure_ascii=False))
    for m in matrices:
        if fmt != "json":
            print_matrix(m, out, lang)
        ok = ok and m.ok
    if missing:
        ok = False
        click.echo("\n".join([f"{len(missing)} run(s) of the catalogue in no shard:", *(f"  {m}" for m in missing)]),
                   err=True)
    if totals is not None:
        ok = ok and not (totals["failures"] or totals["errors"])
        wanted = expected_cases(obj.catalogue)
        for suite, cases in sorted(totals["cases"].items()):
            lost = sorted(wanted - cases)
            if lost:
                ok = False
                click.echo("\n".join([f"{suite}: {len(lost)} case(s) of the catalogue in no JUnit file:",
                                       *(f"  {c} {n}" for c, n in lost)]), err=True)
        if fmt != "json":
            out.print(Text(f"JUnit: {len(xml)} file(s), {totals['tests']} cases, {totals['failures']} failures, "
                           f"{totals['errors']} errors, {totals['skipped']} skipped"
                           + (f"; written to {junit}" if junit else ""),
                           style="bold green" if not (totals["failures"] or totals["errors"]) else "bold red"))
    elif junit:
        write_junit(junit, [c for m in matrices for c in matrix_cases(m)], time.time())
    if report_path:
        write_report(matrices, report_path, obj.catalogue)
    if journal_dir:
        write_journals(journal_dir, journals)
    sys.exit(errors.OK if ok else errors.FAILED)
