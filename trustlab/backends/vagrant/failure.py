"""The report the first real host sends back: every failure of `lab up`, of the preflight or of `lab verify` writes
`.vagrant/trustlab-failure-<time>.json` (what failed, the checks, the commands trustlab ran on this host and the
scripts on the guests with what they answered, the tail of `vagrant up`'s log, and the versions of Vagrant, its
plugins, the boxes, the provider's tool and Windows) and the error names it, so that whoever fixes the lab gets what
is needed. No credential reaches it: every password the lab's seed derives, the seed itself and a `Password` field's
value are replaced before anything is written."""
from __future__ import annotations

import json
import os
import re
import subprocess
from collections import deque
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterable, Optional

from trustlab.backends.vagrant.settings import Secrets, load
from trustlab.engine.backend import Check

RECENT: deque = deque(maxlen=300)          # this process's last commands and scripts, oldest first
KEEP = 2000                                # characters kept of each output
VERSIONS = {"vagrant": ["vagrant", "--version"], "vagrant plugins": ["vagrant", "plugin", "list"],
            "boxes": ["vagrant", "box", "list"], "VBoxManage": ["VBoxManage", "--version"],
            "virsh": ["virsh", "version"]}
FIELD = re.compile(r"(?i)(\bpassword\b[\"']?\s*[:=]?\s*[\"']?)([^\s\"',}]+)")
MOST_VERSIONS = 20                         # password versions redacted per user (a run changes a few)


def record(argv: Iterable[str], code: Optional[int], out: str = "", err: str = "") -> None:
    """A command trustlab ran on this host, with its exit code and the ends of its outputs."""
    RECENT.append({"command": list(argv)[:8], "exit": code, "stdout": out[-KEEP:], "stderr": err[-KEEP:]})


def script(name: str, params: dict[str, Any], answer: Any) -> None:
    """A shipped script run on a guest: its parameters' names only, and what it answered."""
    RECENT.append({"script": name, "parameters": sorted(params), "answer": str(answer)[-KEEP:]})


def secrets(folder: Path) -> set[str]:
    """Every credential value the lab has: the seed and each user's passwords by version."""
    found: set[str] = set()
    sec = Secrets(folder)
    if not sec.path.is_file():
        return found
    found.add(sec.seed().hex())
    s = load()
    for user in {*s.users, s.admin, s.joiner, "Administrator", "vagrant"}:
        found.update(sec.password(user, v) for v in range(1, MOST_VERSIONS + 1))
    return found


def redact(text: str, hidden: set[str]) -> str:
    for value in sorted(hidden, key=len, reverse=True):
        for form in {value, json.dumps(value)[1:-1]}:
            text = text.replace(form, "<redacted>")
    return FIELD.sub(lambda m: m.group(1) + "<redacted>", text)


def versions(folder: Path) -> dict[str, str]:
    found = {}
    for name, argv in VERSIONS.items():
        try:
            done = subprocess.run(argv, cwd=folder, capture_output=True, text=True, timeout=120)
            found[name] = (done.stdout.strip() or done.stderr.strip())[-KEEP:] + ("" if done.returncode == 0 else
                                                                                  f" (exit {done.returncode})")
        except (OSError, subprocess.TimeoutExpired) as e:
            found[name] = f"not run: {e}"
    return found


def write(folder: Path, what: str, error: BaseException, checks: Iterable[Check] = (),
          windows: Optional[dict[str, Any]] = None) -> Path:
    """The bundle for one failure, redacted; its path."""
    log = folder / ".vagrant" / "trustlab-up.log"
    data = {"what": what, "at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "error": f"{type(error).__name__}: {error}",
            "checks": [{"name": c.name, "ok": c.ok, "detail": c.detail} for c in checks],
            "windows": windows or {}, "versions": versions(folder), "recent": list(RECENT),
            "vagrant up log (tail)": log.read_text(errors="replace").splitlines()[-200:] if log.is_file() else []}
    text = redact(json.dumps(data, indent=1), secrets(folder))
    path = folder / ".vagrant" / f"trustlab-failure-{datetime.now(timezone.utc):%Y%m%dT%H%M%S%fZ}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(text + "\n")
    return path


def said(error: BaseException, path: Path) -> None:
    """The error's message names the bundle (in place: the error keeps its type and its checks)."""
    if error.args:
        error.args = (f"{error.args[0]}\na redacted report for whoever fixes the lab: {path}", *error.args[1:])
