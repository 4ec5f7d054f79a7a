"""A report opened in headless Chromium (Debian's `chromium`, driven by Playwright): what it logged, what it
asked the network for, and a screenshot. The tests use it to see a report as a reader does; the README's
screenshot is taken with it. Playwright comes with the test extras; no browser is downloaded."""
from __future__ import annotations

import shutil
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator, Optional

ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]


def chromium() -> Optional[str]:
    """The Chromium to use: Debian's, or `$PATH`'s."""
    return shutil.which("chromium") or shutil.which("chromium-browser")


@dataclass
class Opened:
    page: Any                                       # a Playwright page
    console: list[str] = field(default_factory=list)        # console messages of type error or warning
    errors: list[str] = field(default_factory=list)         # uncaught exceptions
    requests: list[str] = field(default_factory=list)       # every URL the page asked for, its own included


@contextmanager
def browser(width: int = 1500, height: int = 1000) -> Iterator[Any]:
    """A fresh Chromium profile in a temporary folder, headless, with nothing that phones home."""
    from playwright.sync_api import sync_playwright

    executable = chromium()
    if executable is None:
        raise RuntimeError("no chromium on PATH: apt-get install chromium")
    with tempfile.TemporaryDirectory(prefix="trustlab-chromium-") as profile, sync_playwright() as p:
        context = p.chromium.launch_persistent_context(profile, executable_path=executable, headless=True,
                                                       args=ARGS, viewport={"width": width, "height": height})
        try:
            yield context
        finally:
            context.close()


@contextmanager
def opened(context: Any, path: Path, screenshot: Optional[Path] = None, full_page: bool = False) -> Iterator[Opened]:
    """Open `path` in a new page of `context`; any request that is not the file itself is recorded and refused."""
    page = context.new_page()
    seen = Opened(page)
    own = Path(path).resolve().as_uri()
    page.on("console", lambda m: seen.console.append(f"{m.type}: {m.text}") if m.type in ("error", "warning")
            else None)
    page.on("pageerror", lambda e: seen.errors.append(str(e)))
    page.on("request", lambda r: seen.requests.append(r.url))
    page.route("**/*", lambda route: route.continue_() if route.request.url.split("#")[0] == own
               else route.abort())
    page.goto(own)
    page.wait_for_load_state("load")
    try:
        yield seen
        if screenshot is not None:
            page.screenshot(path=str(screenshot), full_page=full_page)
    finally:
        page.close()
