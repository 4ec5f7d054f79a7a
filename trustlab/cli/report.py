"""`trustlab report` (journals and session records as one HTML file) and `trustlab guide` (the troubleshooting
guide, generated from runs), and the `--report FILE` option the other commands share."""
from __future__ import annotations

import sys
from pathlib import Path
from typing import Optional

import click

from trustlab import errors
from trustlab.cli.base import Context, Output, backend_option, bad_input, main
from trustlab.engine.backend import Backend
from trustlab.specs.profiles import PROFILES, load_profile
from trustlab.specs.words import LANGUAGES


def report_option(what: str):
    return click.option("--report", "report_path", type=Output("file"),
                        help=f"Write {what} as one self-contained HTML file here.")


def read_records(paths) -> list:
    """The journals and session records of `paths`; what is not one is bad input (exit 2), named."""
    from trustlab.runs.records import read

    return read(paths)


@main.command()
@click.argument("journals", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("-o", "--out", type=Output("file"), default=Path("report.html"),
              show_default=True, help="The HTML file to write.")
@click.option("--title", help="The report's title.")
@click.pass_obj
@bad_input
def report(obj: Context, journals: tuple[Path, ...], out: Path, title: Optional[str]) -> None:
    """Draw JOURNALS (journal or training-session JSON files, or folders of them) as one self-contained HTML file:
    the matrix they make, every run as a timeline, counterexamples against the plain run, the same run on two
    backends or profiles side by side, training sessions, and the guide when a first look at every scenario is
    among them (`trustlab guide --journal DIR` writes those).

    \b
    Examples:
      trustlab run --journal runs/ && trustlab report runs/ -o report.html
      trustlab guide --journal runs/ >/dev/null && trustlab report runs/
    """
    from trustlab.views.report import write_report

    records = read_records(journals)
    write_report(records, out, obj.catalogue, title)
    click.echo(f"wrote {out} ({len(records)} record(s))")
    sys.exit(errors.OK)


@main.command()
@click.option("--lang", default="en", type=click.Choice(LANGUAGES), show_default=True)
@click.option("--format", "fmt", default="md", type=click.Choice(["md", "html"]), show_default=True)
@backend_option()
@click.option("--profile", help=f"Behaviour profile: {', '.join(PROFILES)} or a profile YAML file "
                                "(default: the backend's own).")
@click.option("--seed", default=0, show_default=True, type=int)
@click.option("-o", "--out", type=Output("file"), help="Write here, not to stdout.")
@click.option("--journal", "journal_dir", type=Output("folder"),
              help="Also write every journal the guide was built from (one JSON file per run) to this folder.")
@click.pass_obj
@bad_input
def guide(obj: Context, lang: str, fmt: str, backend: type[Backend], profile: Optional[str], seed: int,
          out: Optional[Path], journal_dir: Optional[Path]) -> None:
    """The troubleshooting guide: from what a technician sees (the sign-in message and code, `nltest
    /sc_verify`, the network adapter, the offline/online difference) to the causes that show exactly that, and
    per cause the procedures the lab proved to fix it, those that do not and what they make worse. It is
    generated from the matrix and a first look at every scenario, run now on BACKEND.

    \b
    Examples:
      trustlab guide > guide.md
      trustlab guide --lang ja --format html -o guide.ja.html
    """
    from trustlab.runs.guide import run_guide
    from trustlab.views.guide import markdown
    from trustlab.views.report import guide_page

    built = run_guide(obj.catalogue, backend, load_profile(profile or backend.default_profile), seed)
    text = markdown(built, lang) if fmt == "md" else guide_page(built, lang)
    if journal_dir:
        journal_dir.mkdir(parents=True, exist_ok=True)
        for (sid, rid), journal in built.journals.items():
            journal.write(journal_dir / f"{sid}--{rid or 'reproduce'}.json")
    if out:
        out.write_text(text, encoding="utf-8")
    else:
        click.echo(text, nl=False)
    sys.exit(errors.OK)
