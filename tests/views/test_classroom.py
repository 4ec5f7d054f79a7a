"""The classroom in real headless Chromium (Debian's, driven by Playwright): two seats, one solves the seed story and
one resets, the trainer's page shows both, a wrong token is refused, a reload and a server restart keep a seat where
it was, the record is what was typed, and nothing typed reaches a shell."""
from __future__ import annotations

import json
import os
import subprocess
import time
import urllib.error
import urllib.request

import pytest

from tests.training.scripts import RIGHT
from trustlab.backends.sim import SimBackend
from trustlab.engine.journal import StepEntry
from trustlab.training.record import TRAINEE, Noted
from trustlab.views import browser as chromium
from trustlab.views.classroom import Classroom, Serving


@pytest.fixture(autouse=True)
def training_home(tmp_path, monkeypatch):
    monkeypatch.setenv("TRUSTLAB_TRAINING", str(tmp_path))


@pytest.fixture(autouse=True)
def no_shell(monkeypatch):
    """Nothing a trainee types may start a process: any attempt fails the test."""
    def refuse(*args, **kwargs):
        raise AssertionError(f"a process was started: {args!r}")
    monkeypatch.setattr(subprocess, "Popen", refuse)
    monkeypatch.setattr(os, "system", refuse)


@pytest.fixture(scope="module")
def context():
    if chromium.chromium() is None:
        if os.environ.get("CI") == "true":
            pytest.fail("CI must have chromium (.ci/run installs it)")
        pytest.skip("no chromium on this machine (apt-get install chromium)")
    with chromium.browser(width=1300, height=900) as ctx:
        yield ctx


def open_page(context, url: str, served: str):
    """A page that may ask only the classroom's own server for anything."""
    page = context.new_page()
    page.errors, page.asked = [], []
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    page.on("console", lambda m: page.errors.append(m.text) if m.type == "error" else None)
    page.on("request", lambda r: page.asked.append(r.url))
    page.route("**/*", lambda route: route.continue_() if route.request.url.startswith(served) else route.abort())
    page.goto(url)
    return page


def until(page, predicate: str, seconds: float = 20) -> None:
    """Wait for `predicate` in the page, asked from here (the pages' CSP forbids the in-page eval of
    wait_for_function)."""
    deadline = time.monotonic() + seconds
    while not page.evaluate(predicate):
        assert time.monotonic() < deadline, predicate
        time.sleep(0.02)


def settle(page) -> None:
    until(page, "() => !!(window.classroom && window.classroom.ready && window.classroom.busy === 0)")


def type_lines(page, lines: list[str]) -> None:
    page.locator("#terminal").click()
    for line in lines:
        page.keyboard.type(line)
        page.keyboard.press("Enter")
        settle(page)


def screen(page, showing: str = "") -> str:
    """The terminal's rows as drawn (a page in front draws at its next frame), once they show `showing`."""
    page.bring_to_front()
    deadline = time.monotonic() + 10
    while True:
        rows = "\n".join(page.locator(".xterm-rows > div").all_inner_texts())
        if showing in rows or time.monotonic() > deadline:
            return rows
        time.sleep(0.05)


def typed_in(room: Classroom, n: int) -> list[str]:
    record = room.seats[n].session.record
    return [e.command for e in record.entries
            if (isinstance(e, StepEntry) and e.by == TRAINEE and e.command) or isinstance(e, Noted)]


def test_two_seats_one_solves_one_resets_and_the_trainer_sees_both(context, catalogue, tmp_path):
    room = Classroom.open(catalogue, SimBackend, "seed-loaner-story", 2)
    with Serving(room) as served:
        one = open_page(context, f"{served.url}/seat/1?t={room.seats[1].token}", served.url)
        two = open_page(context, f"{served.url}/seat/2?t={room.seats[2].token}", served.url)
        for page in (one, two):
            settle(page)
            assert "seven months in the drawer" in page.inner_text("#briefing")
        type_lines(one, RIGHT[:-1])                                     # the right way, all but `check`
        assert "The user name or password" not in screen(one)
        one.click("#check")
        settle(one)
        assert "all conditions hold: fixed" in screen(one, "all conditions hold")
        passwords = [RIGHT[i + 1] for i, line in enumerate(RIGHT[:-1]) if line in (".\\Administrator", "CORP\\alice")]
        assert all(f"Password: {'*' * len(p)}" in "\n".join(room.seats[1].screen) for p in passwords)

        type_lines(two, [".\\Administrator", "x", "ipconfig"])
        two.click("#hint")
        settle(two)
        assert "hint 1/4:" in screen(two, "hint 1/4:")
        two.click("#reset")
        two.click("#reset")                                              # the second click within 5 s resets
        settle(two)
        assert "a fresh copy of the exercise" in screen(two, "a fresh copy") and two.locator("#reset").inner_text() == "Reset"
        assert room.seats[2].console.prompt == "User name: " and room.seats[2].resets == 1

        trainer = open_page(context, f"{served.url}/trainer?t={room.trainer_token}", served.url)
        until(trainer, "() => !!document.body.dataset.polled")
        row1, row2 = trainer.locator("#seat-1"), trainer.locator("#seat-2")
        assert "4/4 FIXED" in row1.locator(".check").inner_text() and "trainee" in row1.locator(".check").inner_text()
        assert row1.locator(".typed code").all_inner_texts()[-1] == "logoff" or \
            "ping DC01" in row1.locator(".typed").inner_text()
        assert row2.locator(".resets").inner_text() == "1" and row2.locator(".typed code").count() == 0
        assert row2.locator(".hints").inner_text() == "0/4"              # the reset's fresh record
        two.locator("#terminal").click()
        type_lines(two, [".\\Administrator", "x"])
        until(trainer, "() => document.querySelector('#seat-2 .typed code') !== null")
        assert trainer.locator("#seat-2 .typed code").first.inner_text() == ".\\Administrator"   # live

        with trainer.expect_download() as download:                     # the records, one report for the class
            trainer.click("#report")
        html = open(download.value.path(), encoding="utf-8").read()
        assert html.count('class="session"') == 2 and "score 4/4 (100%)" in html

        typed = RIGHT[:-1]
        answers = {i + 1 for i, line in enumerate(typed) if line in (".\\Administrator", "CORP\\alice")} | \
            {i for i, line in enumerate(typed) if line == "no"}      # a password, the driver question's answer
        asked = [line for i, line in enumerate(typed) if i not in answers]
        recorded = typed_in(room, 1)                                    # the record is what was typed, in order
        assert len(recorded) == len(asked) and all(r.startswith(a) for r, a in zip(recorded, asked)), recorded
        assert not any(typed[i] in r.split() for i in answers if typed[i] != "no" for r in recorded)
        for page in (one, two, trainer):
            assert page.errors == []
            assert all(url.startswith(served.url) for url in page.asked)


def test_a_wrong_token_is_refused(context, catalogue):
    room = Classroom.open(catalogue, SimBackend, "seed-loaner-story", 2)
    with Serving(room) as served:
        other = room.seats[2].token
        for path in (f"/seat/1?t={other}", "/seat/1?t=", "/seat/1", f"/trainer?t={room.seats[1].token}",
                     f"/seat/3?t={other}", "/trainer/report?t=x"):
            with pytest.raises(urllib.error.HTTPError) as refused:
                urllib.request.urlopen(served.url + path)
            assert refused.value.code == 403, path
        request = urllib.request.Request(f"{served.url}/seat/1/line", data=json.dumps({"line": "ipconfig"}).encode(),
                                         headers={"X-Trustlab-Token": other, "Content-Type": "application/json"})
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(request)
        assert refused.value.code == 403 and room.seats[1].session.record.entries[-1].phase != "remediation"
        page = open_page(context, f"{served.url}/seat/1?t={other}", served.url)
        assert "not this seat's" in page.inner_text("body") and page.locator("#terminal").count() == 0


def test_a_seat_survives_a_reload_and_a_server_restart(context, catalogue):
    room = Classroom.open(catalogue, SimBackend, "seed-loaner-story", 1)
    token = room.seats[1].token
    with Serving(room) as served:
        page = open_page(context, f"{served.url}/seat/1?t={token}", served.url)
        settle(page)
        type_lines(page, [".\\Administrator", "x", "ipconfig"])
        before = screen(page, "169.254.")
        page.reload()
        settle(page)
        assert screen(page, "169.254.") == before and "169.254." in before
    again = Classroom.open(catalogue, SimBackend, "seed-loaner-story", 1)   # the server started anew
    assert again.seats[1].token == token and again.trainer_token == room.trainer_token
    with Serving(again) as served:
        page = open_page(context, f"{served.url}/seat/1?t={token}", served.url)
        settle(page)
        assert "169.254." in screen(page, "169.254.") and screen(page).rstrip().endswith("C:\\Users\\Administrator>")
        type_lines(page, ["hostname"])
        assert "LOANER01" in screen(page, "LOANER01\nC:")
    assert typed_in(again, 1) == [".\\Administrator", "ipconfig"]
