"""`trustlab classroom SCENARIO`: the exercise served to a class in the browser (trustlab.views.classroom)."""
from __future__ import annotations

import click

from trustlab.cli.base import Context, bad_input, main
from trustlab.specs.words import LANGUAGES


@main.command("classroom")
@click.argument("scenario")
@click.option("--seats", default=2, show_default=True, type=click.IntRange(1, 200), help="How many trainees.")
@click.option("--lang", default="en", type=click.Choice(LANGUAGES), show_default=True,
              help="Language of the pages and the consoles.")
@click.option("--bind", default="127.0.0.1", show_default=True,
              help="The address to serve on: 127.0.0.1 for this machine only; a class network's own address to "
                   "serve a room.")
@click.option("--port", default=8421, show_default=True, type=click.IntRange(1, 65535), help="The port.")
@click.option("--name", default="class", show_default=True,
              help="The class's name: its seats keep their state under it across restarts; another name starts "
                   "another class.")
@click.option("--seed", default=0, show_default=True, type=int, help="Seed of the labs' random timers.")
@click.pass_obj
@bad_input
def classroom(obj: Context, scenario: str, seats: int, lang: str, bind: str, port: int, name: str, seed: int) -> None:
    """Serve SCENARIO to a class: one page per seat (the briefing, the console in the browser, Hint, Check and
    Reset) and a trainer's page that shows every seat live and hands out the records as one report. Each link
    carries its own secret token. Sim seats only: nothing typed reaches a shell. Stop with Ctrl-C; started again
    with the same --name, every seat goes on where it was.

    \b
    Examples:
      trustlab classroom seed-loaner-story --seats 12
      trustlab classroom seed-loaner-story --seats 12 --lang ja --bind 192.0.2.10 --port 8421
    """
    import uvicorn

    from trustlab.backends import MODEL, backend_class
    from trustlab.views.classroom import Classroom, app, links

    room = Classroom.open(obj.catalogue, backend_class(MODEL), scenario, seats, lang, name, seed)
    host = f"[{bind}]" if ":" in bind else bind
    click.echo(f"classroom {name}: {scenario}, {len(room.seats)} seats, kept in {room.folder}")
    for who, link in links(room, f"http://{host}:{port}"):
        click.echo(f"  {who:>8}: {link}")
    if bind in ("0.0.0.0", "::"):
        click.echo("  (served on every address: give the trainees this machine's address on the class network)")
    uvicorn.run(app(room), host=bind, port=port, log_level="warning")
