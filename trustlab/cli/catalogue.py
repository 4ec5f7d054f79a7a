"""The catalogue's commands: list, show, validate, and the schema and language reference for editors."""
from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Optional

import click
from rich.table import Table
from rich.text import Text

from trustlab import catalogue as catalogue_mod
from trustlab.cli.base import EXIT_BAD_INPUT, Context, bad_input, console, main, print_problems
from trustlab.catalogue import UnknownEntry
from trustlab.reference import BEHAVIOURS
from trustlab.reference import text as reference_text
from trustlab.specs.errors import SpecError
from trustlab.specs.schema import KINDS, json_schema
from trustlab.views.language import render as render_language


@main.command("list")
@click.option("--tag", help="Only entries with this tag.")
@click.pass_obj
@bad_input
def list_(obj: Context, tag: Optional[str]) -> None:
    """List the catalogue's scenarios and remediations.

    \b
    Examples:
      trustlab list
      trustlab list --tag seed
    """
    out, cat = console(), obj.catalogue
    scenarios = Table("scenario", "title", "models", "tags", title="scenarios")
    for s in sorted(cat.scenarios.values(), key=lambda s: s.id):
        if tag is None or tag in s.tags:
            scenarios.add_row(s.id, s.title, " ".join(s.models), " ".join(s.tags))
    out.print(scenarios)
    remediations = Table("remediation", "title", "claims to fix", title="remediations")
    for r in sorted(cat.remediations.values(), key=lambda r: r.id):
        if tag is None or tag in r.tags:
            remediations.add_row(r.id, r.title, ", ".join(r.fixes) or "nothing")
    out.print(remediations)


@main.command()
@click.argument("ident")
@click.pass_obj
@bad_input
def show(obj: Context, ident: str) -> None:
    """Show a scenario or remediation: its steps, symptoms or checks, and the behaviour IDs it cites.

    \b
    Example:
      trustlab show stale-snapshot-one-rotation
    """
    out, cat = console(), obj.catalogue
    spec = cat.scenarios.get(ident) or cat.remediations.get(ident)
    if spec is None:
        cat.scenario(ident)   # raises with suggestions
    out.print(Text(f"{spec.id}: {spec.title}", style="bold"))
    out.print(Text(f"file: {cat.sources[spec.id].file}", style="dim"))
    if spec.description:
        out.print(spec.description.rstrip())
    if hasattr(spec, "symptoms"):
        out.print(Text(f"affected: {spec.user} at {spec.computer}", style="dim"))
        sections = [("setup", spec.setup), ("break", spec.break_), ("symptoms", spec.symptoms)]
    else:
        out.print(f"claims to fix: {', '.join(spec.fixes) or 'nothing'}")
        sections = [("steps", spec.steps), ("verify" + ("" if spec.verify else " (default)"), spec.checks)]
    for name, steps in sections:
        out.print(Text(name, style="bold cyan"))
        for step in steps:
            out.print(f"  - {step}")
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
        print_problems(e, "")
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
