"""The catalogue's commands: list, show, validate, and the schema and language reference for editors."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Optional

import click
from rich.table import Table
from rich.text import Text

from trustlab.cli.base import Context, Output, bad_input, chosen_format, console, format_option, main
from trustlab.engine.journal import json_schema as journal_schema
from trustlab.specs import catalogue as catalogue_mod
from trustlab.specs.catalogue import UnknownEntry
from trustlab.specs.reference import BEHAVIOURS
from trustlab.specs.reference import text as reference_text
from trustlab.specs.schema import KINDS, json_schema
from trustlab.views.language import render as render_language
from trustlab.views.terminal import step_text


def _entry(spec, cat) -> dict:
    """A scenario or remediation as data: what `list --format json` and `show --format json` print."""
    out = {"id": spec.id, "kind": "scenario" if hasattr(spec, "symptoms") else "remediation", "title": spec.title,
           "file": str(cat.sources[spec.id].file), "models": list(spec.models), "tags": list(spec.tags)}
    if out["kind"] == "remediation":
        out["fixes"] = list(spec.fixes)
        out["provided"] = {sid: [c.model_dump(mode="json") for c in conditions]
                           for sid, conditions in spec.provided.items()}
    return out


TITLE_ROOM = 40
"""Columns a table of the catalogue needs beside its longest ID to be worth drawing."""


@main.command("list")
@click.option("--tag", help="Only entries with this tag.")
@format_option()
@click.pass_obj
@bad_input
def list_(obj: Context, tag: Optional[str], fmt: Optional[str]) -> None:
    """List the catalogue's scenarios and remediations.

    \b
    Examples:
      trustlab list
      trustlab list --tag seed
      trustlab list --format json | jq -r '.remediations[].id'
    """
    cat, fmt = obj.catalogue, chosen_format(fmt)
    scenarios = [s for _, s in sorted(cat.scenarios.items()) if tag is None or tag in s.tags]
    remediations = [r for _, r in sorted(cat.remediations.items()) if tag is None or tag in r.tags]
    longest = max([len(spec.id) for spec in (*scenarios, *remediations)] or [0])
    if fmt == "rich" and console().width < longest + TITLE_ROOM:
        fmt = "plain"                                     # a table this narrow would cut IDs: lines instead
    if fmt == "json":
        click.echo(json.dumps({"scenarios": [_entry(s, cat) for s in scenarios],
                               "remediations": [_entry(r, cat) for r in remediations]}, indent=2,
                              ensure_ascii=False))
        return
    if fmt == "plain":
        for heading, specs, detail in (("scenario", scenarios, lambda s: f"models {' '.join(s.models)}"),
                                       ("remediation", remediations,
                                        lambda r: f"claims to fix {', '.join(r.fixes) or 'nothing'}")):
            width = max([len(heading)] + [len(s.id) for s in specs])
            click.echo(f"{heading:<{width}}  title")
            for spec in specs:
                tags = f"; tags {' '.join(spec.tags)}" if spec.tags else ""
                click.echo(f"{spec.id:<{width}}  {spec.title} ({detail(spec)}{tags})")
            click.echo()
        return
    out = console(fmt)
    table = Table(title="scenarios")
    table.add_column("scenario", no_wrap=True, min_width=longest)
    for name in ("title", "models", "tags"):
        table.add_column(name, overflow="fold")
    for s in scenarios:
        table.add_row(s.id, s.title, " ".join(s.models), " ".join(s.tags))
    out.print(table)
    table = Table(title="remediations")
    table.add_column("remediation", no_wrap=True, min_width=longest)
    table.add_column("title", overflow="fold")
    table.add_column("claims to fix", overflow="fold")
    for r in remediations:
        table.add_row(r.id, r.title, ", ".join(r.fixes) or "nothing")
    out.print(table)


@main.command()
@click.argument("ident")
@format_option()
@click.pass_obj
@bad_input
def show(obj: Context, ident: str, fmt: Optional[str]) -> None:
    """Show a scenario or remediation: its steps with every argument they run with (defaults included), its
    symptoms or checks, and the behaviour IDs it cites.

    \b
    Examples:
      trustlab show stale-snapshot-one-rotation
      trustlab show repair-secure-channel-local-admin --format json
    """
    cat, fmt = obj.catalogue, chosen_format(fmt)
    spec = cat.entry(ident)
    if hasattr(spec, "symptoms"):
        sections = [("setup", spec.setup), ("break", spec.break_), ("symptoms", spec.symptoms)]
        if spec.regression:
            sections.append(("regression steps", spec.regression.steps))
    else:
        sections = [("steps", spec.steps), ("verify" + ("" if spec.verify else " (default)"), spec.checks)]
        if spec.background:
            sections.append(("background", spec.background))
    if fmt == "json":
        data = {**_entry(spec, cat), "description": spec.description,
                "sections": {name: [step_text(step) for step in steps] for name, steps in sections}}
        if hasattr(spec, "symptoms"):
            data["affected"] = {"user": spec.user, "computer": spec.computer}
        click.echo(json.dumps(data, indent=2, ensure_ascii=False))
        return
    out = console(fmt)
    out.print(Text(f"{spec.id}: {spec.title}", style="bold"))
    out.print(Text(f"file: {cat.sources[spec.id].file}", style="dim"))
    if spec.description:
        out.print(spec.description.rstrip())
    if hasattr(spec, "symptoms"):
        out.print(Text(f"affected: {spec.user} at {spec.computer}", style="dim"))
    else:
        out.print(f"claims to fix: {', '.join(spec.fixes) or 'nothing'}")
        for sid, conditions in spec.provided.items():
            out.print(f"  {sid}: only provided {'; '.join(str(c) for c in conditions)}")
    for name, steps in sections:
        out.print(Text(name, style="bold cyan"))
        for step in steps:
            out.print(f"  - {step_text(step)}")
    out.print(Text("sources (`trustlab reference ID` for the whole entry)", style="bold cyan"))
    for ident_ in spec.models:
        out.print(f"  {ident_}: {BEHAVIOURS[ident_]}")


@main.command()
@click.argument("ident", required=False)
@bad_input
def reference(ident: Optional[str]) -> None:
    """Show what the behaviour reference says under a behaviour ID, with its source; with no ID, list them all.

    \b
    Examples:
      trustlab reference
      trustlab reference SC-7
    """
    if ident is None:
        for key, summary in BEHAVIOURS.items():
            click.echo(f"{key:6} {summary}")
        return
    entry = reference_text(ident.upper())
    if entry is None:
        raise UnknownEntry(f"no behaviour ID {ident!r} in the reference; `trustlab reference` lists them")
    click.echo(entry)


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.pass_obj
@bad_input
def validate(obj: Context, paths: tuple[Path, ...]) -> None:
    """Check scenario and remediation files: every problem with file:line:column, key and what is allowed.

    With no PATHS, the catalogue in use. Claims may refer to scenarios of the catalogue in use and of the catalogue
    folder each file lies in (as the pytest plugin judges it); the other files there are read, not judged.

    \b
    Examples:
      trustlab validate
      trustlab validate scenarios/my-new-breakage.yaml
      trustlab validate ci/trustlab/remediations/my-fix.yaml     # claims of ci/trustlab/scenarios/ are known
    """
    if paths:
        own = {catalogue_mod.catalogue_folder(p) for p in paths if p.exists()} - {None}
        context, _ = catalogue_mod.load_each(catalogue_mod.files_in([*obj.folders, *sorted(own)]))
        cat = catalogue_mod.load(paths, context=context)
    else:
        cat = obj.catalogue
    click.echo(f"ok: {len(cat.scenarios)} scenario(s), {len(cat.remediations)} remediation(s)")


@main.command()
@click.argument("kind", default="scenario", type=click.Choice(sorted([*KINDS, "journal"])))
@click.option("-o", "--output", type=Output("file"), help="Write to a file.")
def schema(kind: str, output: Optional[Path]) -> None:
    """Print the JSON Schema of scenario, remediation or profile files, for editors, or of journals, for tools
    that read them.

    \b
    Examples (VS Code with the YAML extension):
      trustlab schema scenario -o .vscode/scenario.schema.json
      # then in a scenario file:  # yaml-language-server: $schema=../.vscode/scenario.schema.json
      trustlab schema journal -o journal.schema.json
    """
    text = json.dumps(journal_schema() if kind == "journal" else json_schema(kind), indent=2) + "\n"
    if output:
        output.write_text(text, encoding="utf-8")
    else:
        click.echo(text, nl=False)


@main.command()
@click.option("-o", "--output", type=Output("file"), help="Write to a file.")
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
