"""The suite on a shared host: two runs side by side, each with labs of its own; a run stopped by SIGTERM (a CI
timeout, a cancelled job), directly or through `.ci/run`, leaves no lab and no process behind."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from tests.backends.samba.conftest import leftovers
from tests.conftest import ROOT

HELD = "tests/backends/samba/held.py"


def _env(tmp_path: Path, name: str, then: str, other: str = "", **extra: str) -> dict[str, str]:
    """A run of its own: nothing of this run's (its lab's name, its xdist worker) is passed on."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "TRUSTLAB_SAMBA_LAB"))}
    return {**env, "HELD_READY": str(tmp_path / name), "HELD_THEN": then, "HELD_OTHER": str(tmp_path / other),
            "PYTHONPATH": str(ROOT), **extra}


def _suite(argv: list[str], env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen(argv, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            start_new_session=True)


def _pytest(*args: str) -> list[str]:
    return [sys.executable, "-m", "pytest", HELD, "-p", "no:cacheprovider", "-q", *args]


def _ready(path: Path, proc: subprocess.Popen, timeout: float = 300) -> str:
    deadline = time.monotonic() + timeout
    while not path.exists():
        assert proc.poll() is None, proc.stdout.read()
        assert time.monotonic() < deadline, "the run never got its lab up"
        time.sleep(0.2)
    time.sleep(0.2)
    return path.read_text()


def _in_session(sid: int) -> list[str]:
    """The live processes of a session (the run and everything it started that did not leave it)."""
    from trustlab.backends.samba import processes

    out = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if stat[0] not in ("Z", "X") and int(stat[3]) == sid:
                out.append(f"{entry.name} {processes.cmdline(int(entry.name))[:100]}")
    return out


def _stopped(proc: subprocess.Popen, ready: Path, names: list[str]) -> None:
    """Whatever a test leaves: the run's session stopped, its lab removed by its name."""
    from trustlab.backends.samba.domain import clean

    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=120)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
    names += [ready.read_text()] if ready.exists() else []
    for name in set(names):
        clean(name=name)


def test_two_runs_side_by_side_each_with_its_own_lab(samba_ready, tmp_path):
    a = _suite(_pytest(), _env(tmp_path, "a", "run", other="b"))
    b = _suite(_pytest(), _env(tmp_path, "b", "run", other="a"))
    try:
        names = [_ready(tmp_path / "a", a), _ready(tmp_path / "b", b)]
        outputs = [p.communicate(timeout=600)[0] for p in (a, b)]
        assert names[0] != names[1]
        assert (a.returncode, b.returncode) == (0, 0), outputs
        assert [leftovers(n) for n in names] == [[], []]
    finally:
        for proc, ready in ((a, tmp_path / "a"), (b, tmp_path / "b")):
            _stopped(proc, ready, [])


def _stop_with_sigterm(proc: subprocess.Popen, ready: Path) -> None:
    names = []
    try:
        names.append(_ready(ready, proc))
        assert leftovers(names[0]) != []
        os.kill(proc.pid, signal.SIGTERM)                  # the process alone, not its group: as a CI runner may
        out = proc.communicate(timeout=120)[0]
        assert proc.returncode == 2, out                   # pytest's "interrupted"
        assert "KeyboardInterrupt" in out and "stopped by SIGTERM" in out
        assert _in_session(proc.pid) == []                 # no orphan
        assert leftovers(names[0]) == []                   # the lab the run built is gone
    finally:
        _stopped(proc, ready, names)


def test_sigterm_to_pytest_stops_the_run_and_its_lab(samba_ready, tmp_path):
    _stop_with_sigterm(_suite(_pytest(), _env(tmp_path, "ready", "wait")), tmp_path / "ready")


def test_sigterm_to_ci_run_stops_the_run_and_its_lab(samba_ready, tmp_path):
    """`.ci/run` as CI runs it, with its installers stood in for (apt-get, pip): the signal reaches pytest."""
    bin_ = tmp_path / "bin"
    bin_.mkdir()
    for tool, script in (("apt-get", "exit 0"), ("python3", 'if [ "$1 $2" = "-m pip" ]; then exit 0; fi; exit 1'),
                         ("python", f'exec {sys.executable} "$@"')):
        (bin_ / tool).write_text(f"#!/bin/sh\n{script}\n")
        (bin_ / tool).chmod(0o755)
    env = _env(tmp_path, "ready", "wait", PATH=f"{bin_}:{os.environ['PATH']}")
    proc = _suite(["bash", str(ROOT / ".ci" / "run"), HELD, "-p", "no:cacheprovider", "-q"], env)
    _stop_with_sigterm(proc, tmp_path / "ready")
