"""The classroom: one exercise served to a class in the browser. Each seat is a training session of its own (its own
folder, its record the state, `training.session`) with the same console a trainee gets from `lab console`
(`training.console.Console`), drawn in a terminal widget (xterm.js, served from the package: nothing is loaded
from the internet); the trainer's page shows every seat live and hands out the records as one report.

- A seat's page and the trainer's page each need their own secret token (in the link; compared in constant time).
- A page reload redraws the seat from the server (its screen so far, its prompt); a server restart reads the class
  file and every seat's record again: the console resumes where the record leaves the machine (`Console._resume`),
  and the screen so far is kept beside the record.
- Sim seats only: the console is an in-process model, and nothing typed is ever run by a shell (a real lab's root
  shell is never served over the network).

`Classroom` is the class (its seats and their operations, no HTTP); `app()` is its Starlette application."""
from __future__ import annotations

import hmac
import json
import os
import secrets
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

from trustlab.engine.backend import Backend, LabOptions
from trustlab.engine.journal import StepEntry
from trustlab.specs.catalogue import Catalogue
from trustlab.specs.words import Words
from trustlab.training.console import Console, grade_lines, hint_line
from trustlab.training.record import TRAINEE, Checked, Noted, TrainingError
from trustlab.training.screens import mark
from trustlab.training.session import Session, training_root

FORMAT = 1
STATIC = Path(__file__).resolve().parent / "static"

WORDS = Words.by_language({
    "en": {"seat": "Seat {n}", "briefing": "What the user reports", "hint": "Hint", "check": "Check",
           "reset": "Reset", "reset_sure": "Click again to reset", "trainer": "Trainer: {scenario}",
           "typed": "commands typed", "hints": "hints", "checks": "last check", "since": "since the break",
           "report": "The class's report (HTML)", "records": "Every record (JSON)", "link": "link",
           "not_yet": "not checked", "fixed": "fixed", "solved_by": "solved by", "screen": "screen",
           "help": "Type at the broken computer as at its console: `help` lists the commands it knows.",
           "refused": "This link's token is not this seat's.", "min": "min", "resets": "resets"},
    "ja": {"seat": "座席 {n}", "briefing": "ユーザーからの報告", "hint": "ヒント", "check": "採点",
           "reset": "リセット", "reset_sure": "もう一度クリックでリセット", "trainer": "トレーナー: {scenario}",
           "typed": "入力したコマンド", "hints": "ヒント", "checks": "最後の採点", "since": "障害から",
           "report": "クラスのレポート (HTML)", "records": "すべての記録 (JSON)", "link": "リンク",
           "not_yet": "未採点", "fixed": "修正完了", "solved_by": "解決", "screen": "画面",
           "help": "壊れたコンピューターのコンソールと同じように入力します。`help` で使えるコマンドを表示します。",
           "refused": "このリンクのトークンはこの座席のものではありません。", "min": "分", "resets": "リセット"},
})


def same(given: Optional[str], expected: str) -> bool:
    """A token, compared in constant time."""
    return hmac.compare_digest((given or "").encode("utf-8"), expected.encode("utf-8"))


@dataclass
class Seat:
    n: int
    token: str
    console: Console
    screen: list[str] = field(default_factory=list)      # what the terminal has shown, chunk by chunk
    resets: int = 0

    @property
    def session(self) -> Session:
        return self.console.session


class Classroom:
    """A class: one scenario, N seats (each a sim training session), a trainer; kept in `folder`."""

    def __init__(self, folder: Path, catalogue: Catalogue, backend: type[Backend], data: dict[str, Any]):
        self.folder, self.catalogue, self.backend, self.data = folder, catalogue, backend, data
        self.scenario, self.lang, self.name = data["scenario"], data["lang"], data["name"]
        self.trainer_token = data["trainer"]
        self.seats: dict[int, Seat] = {}
        for seat in data["seats"]:
            self.seats[seat["n"]] = self._seat(seat["n"], seat["token"], seat.get("resets", 0))

    # --- the class file -----------------------------------------------------------------------------------------

    @staticmethod
    def folder_of(name: str) -> Path:
        return training_root() / f"classroom-{name}"

    @classmethod
    def open(cls, catalogue: Catalogue, backend: type[Backend], scenario: str, seats: int, lang: str = "en",
             name: str = "class", seed: int = 0) -> "Classroom":
        """The class `name`: as its file left it (a restart), else a new one with fresh tokens. More seats than
        before are added; a different scenario is refused (another name starts another class)."""
        if backend.has_lab:
            raise TrainingError("the classroom serves sim seats only: a real lab's shell is never served over the "
                                "network")
        catalogue.scenario(scenario)
        folder = cls.folder_of(name)
        file = folder / "classroom.json"
        if file.exists():
            data = json.loads(file.read_text(encoding="utf-8"))
            if data["scenario"] != scenario:
                raise TrainingError(f"the class {name!r} is on {data['scenario']}; `--name` starts another class")
        else:
            data = {"format": FORMAT, "name": name, "scenario": scenario, "lang": lang, "seed": seed,
                    "trainer": secrets.token_urlsafe(24), "seats": [], "started": time.time()}
        data["lang"] = lang
        have = {s["n"] for s in data["seats"]}
        data["seats"] += [{"n": n, "token": secrets.token_urlsafe(24)} for n in range(1, seats + 1) if n not in have]
        folder.mkdir(parents=True, exist_ok=True)
        os.chmod(folder, 0o700)
        room = cls(folder, catalogue, backend, data)
        room._save()
        return room

    def _save(self) -> None:
        self.data["seats"] = [{"n": s.n, "token": s.token, "resets": s.resets} for s in self.seats.values()]
        file = self.folder / "classroom.json"
        tmp = file.with_suffix(".tmp")
        tmp.write_text(json.dumps(self.data, indent=1), encoding="utf-8")
        os.chmod(tmp, 0o600)
        tmp.replace(file)

    def _options(self, n: int) -> LabOptions:
        return LabOptions(f"classroom-{self.name}-seat{n}")

    def _seat(self, n: int, token: str, resets: int) -> Seat:
        options = self._options(n)
        if Session.exists(self.backend, options):
            session = Session.open(self.catalogue, self.backend, options)
        else:
            session = Session.start(self.catalogue, self.scenario, self.backend, options, None, self.data["seed"],
                                    self.lang)
        seat = Seat(n, token, Console(session, self.lang), resets=resets)
        seat.screen = self._read_screen(n) or [seat.console.start()]
        if not self._screen_file(n).exists():
            self._write_screen(seat, seat.screen)
        return seat

    def _screen_file(self, n: int) -> Path:
        return self.folder / f"seat-{n}.screen.jsonl"

    def _read_screen(self, n: int) -> list[str]:
        file = self._screen_file(n)
        if not file.exists():
            return []
        return [json.loads(line) for line in file.read_text(encoding="utf-8").splitlines() if line]

    def _write_screen(self, seat: Seat, chunks: list[str], fresh: bool = False) -> None:
        with open(self._screen_file(seat.n), "w" if fresh else "a", encoding="utf-8") as f:
            for chunk in chunks:
                f.write(json.dumps(chunk, ensure_ascii=False) + "\n")

    def _show(self, seat: Seat, *chunks: str) -> None:
        shown = [c for c in chunks if c]
        seat.screen += shown
        self._write_screen(seat, shown)

    # --- what a seat does ---------------------------------------------------------------------------------------

    def seat(self, n: int, token: Optional[str]) -> Optional[Seat]:
        """The seat, if the token is its own."""
        seat = self.seats.get(n)
        return seat if seat is not None and same(token, seat.token) else None

    def state(self, seat: Seat) -> dict[str, Any]:
        c = seat.console
        return {"seat": seat.n, "screen": seat.screen, "prompt": c.prompt, "secret": c.secret,
                "briefing": seat.session.briefing(self.lang), "title": seat.session.record.title}

    def type(self, seat: Seat, line: str) -> dict[str, Any]:
        """A line typed at the seat's console (a secret one shown as stars)."""
        c = seat.console
        typed = "*" * len(line) if c.secret else line
        echo = c.prompt + typed
        shown = c.feed(line)
        if c.cleared:
            seat.screen = []
            self._write_screen(seat, [], fresh=True)
        else:
            self._show(seat, echo)
        self._show(seat, shown)
        return {"output": shown, "prompt": c.prompt, "secret": c.secret, "cleared": c.cleared}

    def hint(self, seat: Seat) -> dict[str, Any]:
        hint = seat.session.hint()
        shown = hint_line(hint, self.lang) if hint else mark("no_hint", self.lang)
        self._show(seat, "[" + WORDS.say("hint", self.lang) + "]", shown)
        return {"output": shown, "prompt": seat.console.prompt, "secret": seat.console.secret}

    def check(self, seat: Seat) -> dict[str, Any]:
        shown = "\n".join(grade_lines(seat.session.check(), self.lang))
        self._show(seat, "[" + WORDS.say("check", self.lang) + "]", shown)
        return {"output": shown, "prompt": seat.console.prompt, "secret": seat.console.secret}

    def reset(self, seat: Seat) -> dict[str, Any]:
        """The trainee's own reset: a fresh copy of the exercise; the record so far is archived."""
        session = seat.session.reset()
        seat.console = Console(session, self.lang)
        seat.resets += 1
        self._save()
        seat.screen = [mark("reset_done", self.lang), seat.console.start()]
        self._write_screen(seat, seat.screen, fresh=True)
        return self.state(seat)

    # --- what the trainer sees -------------------------------------------------------------------------------------

    def overview(self) -> dict[str, Any]:
        now = time.time()
        seats = []
        for seat in self.seats.values():
            record = seat.session.record
            typed = [e.command for e in record.entries if (isinstance(e, StepEntry) and e.by == TRAINEE and e.command)
                     or isinstance(e, Noted)]
            checks = record.moments(Checked)
            last = checks[-1] if checks else None
            seats.append({
                "n": seat.n, "token": seat.token, "screen": seat.console.screen, "prompt": seat.console.prompt,
                "typed": typed, "hints": record.hints_released, "of": record.hints,
                "check": last and {"passed": last.passed, "total": last.total, "verdict": last.verdict,
                                   "solved_by": last.solved_by, "caveats": [c[self.lang] for c in last.caveats]},
                "since": round(now - record.started_wall), "resets": seat.resets})
        return {"scenario": self.scenario, "lang": self.lang, "seats": seats}

    def records(self) -> list:
        return [seat.session.record for seat in self.seats.values()]


# --- HTTP ----------------------------------------------------------------------------------------------------------

def app(room: Classroom):
    """The class's pages and their API (Starlette). Every request names its token (`?t=` in a link, the
    `X-Trustlab-Token` header from the pages' scripts); a wrong one is refused (403) before anything is read."""
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import HTMLResponse, JSONResponse, Response
    from starlette.routing import Mount, Route
    from starlette.staticfiles import StaticFiles

    from trustlab.views.report import environment, render

    env = environment()
    headers = {"Referrer-Policy": "no-referrer", "X-Content-Type-Options": "nosniff", "Cache-Control": "no-store",
               "Content-Security-Policy": "default-src 'self'; style-src 'self' 'unsafe-inline'; "
                                          "img-src 'self' data:; frame-ancestors 'none'"}

    def token(request: Request) -> Optional[str]:
        return request.headers.get("x-trustlab-token") or request.query_params.get("t")

    def refused() -> Response:
        return HTMLResponse(WORDS.say("refused", room.lang), status_code=403, headers=headers)

    def seat_of(request: Request) -> Optional[Seat]:
        try:
            n = int(request.path_params["n"])
        except ValueError:
            return None
        return room.seat(n, token(request))

    def page(name: str, **values) -> HTMLResponse:
        html = env.get_template(name).render(words=WORDS.of(room.lang), lang=room.lang, **values)
        return HTMLResponse(html, headers=headers)

    async def seat_page(request: Request) -> Response:
        seat = seat_of(request)
        if seat is None:
            return refused()
        return page("classroom_seat.html.j2", seat=seat, token=token(request),
                    briefing=seat.session.briefing(room.lang), title=seat.session.record.title)

    async def seat_api(request: Request) -> Response:
        seat = seat_of(request)
        if seat is None:
            return JSONResponse({"error": "refused"}, status_code=403, headers=headers)
        what = request.path_params["what"]
        if what == "state" and request.method == "GET":
            return JSONResponse(room.state(seat), headers=headers)
        if request.method != "POST":
            return JSONResponse({"error": "POST"}, status_code=405, headers=headers)
        if what == "line":
            body = await request.json()
            line = body.get("line") if isinstance(body, dict) else None
            if not isinstance(line, str) or len(line) > 2000:
                return JSONResponse({"error": "a line of at most 2000 characters"}, status_code=400, headers=headers)
            return JSONResponse(room.type(seat, line.replace("\r", "").replace("\n", " ")), headers=headers)
        action = {"hint": room.hint, "check": room.check, "reset": room.reset}.get(what)
        if action is None:
            return JSONResponse({"error": "unknown"}, status_code=404, headers=headers)
        return JSONResponse(action(seat), headers=headers)

    def trainer_ok(request: Request) -> bool:
        return same(token(request), room.trainer_token)

    async def trainer_page(request: Request) -> Response:
        if not trainer_ok(request):
            return refused()
        return page("classroom_trainer.html.j2", token=token(request), scenario=room.scenario,
                    title=room.catalogue.scenario(room.scenario).title)

    async def trainer_api(request: Request) -> Response:
        if not trainer_ok(request):
            return JSONResponse({"error": "refused"}, status_code=403, headers=headers)
        what = request.path_params["what"]
        if what == "state":
            return JSONResponse(room.overview(), headers=headers)
        if what == "report":
            html = render(room.records(), room.catalogue, f"Classroom: {room.scenario}", room.lang)
            return HTMLResponse(html, headers={**headers, "Content-Disposition":
                                               f'attachment; filename="classroom-{room.name}.html"',
                                               "Content-Security-Policy": "default-src 'none'; style-src "
                                               "'unsafe-inline'; script-src 'unsafe-inline'; img-src data:"})
        if what == "records":
            return JSONResponse([r.to_dict() for r in room.records()], headers={
                **headers, "Content-Disposition": f'attachment; filename="classroom-{room.name}.json"'})
        return JSONResponse({"error": "unknown"}, status_code=404, headers=headers)

    return Starlette(routes=[
        Route("/seat/{n}", seat_page),
        Route("/seat/{n}/{what}", seat_api, methods=["GET", "POST"]),
        Route("/trainer", trainer_page),
        Route("/trainer/{what}", trainer_api),
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
    ])


def links(room: Classroom, base: str) -> list[tuple[str, str]]:
    """What `trustlab classroom` prints: the trainer's link, then one per seat."""
    out = [("trainer", f"{base}/trainer?t={room.trainer_token}")]
    out += [(f"seat {s.n}", f"{base}/seat/{s.n}?t={s.token}") for s in room.seats.values()]
    return out


class Serving:
    """A classroom served by uvicorn in a thread of this process, on a port of its own (tests, the benchmark and
    the screenshot script); `url` once it listens. Ends with the `with` block."""

    def __init__(self, room: Classroom, host: str = "127.0.0.1", port: int = 0):
        import uvicorn

        self.server = uvicorn.Server(uvicorn.Config(app(room), host=host, port=port, log_level="warning",
                                                    lifespan="off"))
        self.url = ""

    def __enter__(self) -> "Serving":
        import threading

        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the classroom server did not start")
            time.sleep(0.02)
        host, port = self.server.servers[0].sockets[0].getsockname()[:2]
        self.url = f"http://{host}:{port}"
        return self

    def __exit__(self, *exc) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
