"""Training on the real Samba lab: the lab stays up between commands in separate processes, the backend's own
bookkeeping survives in the lab's folder, a check fails broken and passes once the trainee fixed it, `lab shell`
reaches the member's tools, and everything built is removed. Needs root and the Samba packages, like
tests/backends/samba (skips without them; under CI=true a missing requirement fails)."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tests.backends.samba.conftest import leftovers, samba_ready  # noqa: F401  (the real-lab tests' skip rule)
from tests.conftest import lab_name
from trustlab.engine.backend import LabOptions

NAME = lab_name("train")


@pytest.fixture(scope="module")
def lab(samba_ready):
    from trustlab.backends.samba.domain import SambaLab

    real = SambaLab.named(NAME)
    try:
        yield real
    finally:
        real.down()
    assert leftovers(NAME) == []


def trustlab(*args: str) -> subprocess.CompletedProcess:
    """A command in its own process, as a trainee types it."""
    return subprocess.run([sys.executable, "-m", "trustlab", *args, "--backend", "samba", "--name", NAME],
                          capture_output=True, text=True, timeout=300)


def test_a_trainee_fixes_the_live_lab_across_processes(lab, catalogue):
    from trustlab.backends.samba import SambaBackend
    from trustlab.training.console import Console
    from trustlab.training.session import Session

    broke = trustlab("lab", "break", "password-changed-elsewhere")
    assert broke.returncode == 0, broke.stderr
    assert catalogue.scenario("password-changed-elsewhere").briefing.en in broke.stdout
    assert "change_password" not in broke.stdout
    state = json.loads((lab.dir / "backend-state.json").read_text())
    assert state["member"] == {"name": "LOANER01", "on": True, "plugged": False, "skew": 0, "joined": True}
    assert state["versions"]["alice"] == 2 and state["offset"] >= 30 * 86400
    assert oct((lab.dir / "backend-state.json").stat().st_mode & 0o777) == "0o600"

    first = trustlab("lab", "check")
    assert first.returncode == 1 and "[not yet]" in first.stdout and "hint 1/2:" in first.stdout

    session = Session.open(catalogue, SambaBackend, LabOptions(NAME))    # the console, in this process
    m = Console(session, "en")
    assert "logged on using cached account information" in m.feed("CORP\\alice") + m.feed("previous")
    assert m.feed("plug") == "[trustlab] the network cable of LOANER01 is plugged in"
    m.feed("lock")
    assert m.feed("current") == ""
    session.close()
    assert json.loads((lab.dir / "backend-state.json").read_text())["member"]["plugged"] is True

    passed = trustlab("lab", "check")
    assert passed.returncode == 0 and "all conditions hold: fixed" in passed.stdout, passed.stdout
    record = trustlab("lab", "record", "--json")
    entries = json.loads(record.stdout)["entries"]                 # the record's format 2: journal entries
    assert [e["verb"] for e in entries if e.get("by") == "trainee"] == ["logon", "plug", "lock_unlock"]
    assert json.loads(record.stdout)["score"]["solved_by"] == "trainee"
    text = (lab.dir / "training" / "record.json").read_text()
    assert not any(lab.password(u, v) in text for u in ("alice", "admin") for v in range(1, 4))

    again = trustlab("lab", "reset")
    assert again.returncode == 0 and "a fresh copy of the exercise" in again.stdout
    assert trustlab("lab", "check").returncode == 1


def test_lab_shell_runs_the_members_own_tools(lab):
    from trustlab.backends.samba import SambaBackend

    login = SambaBackend.login(LabOptions(NAME), "member")
    done = subprocess.run(login.argv, input="wbinfo --online-status\ntestparm -s 2>/dev/null | grep 'netbios name'\n"
                          "echo $KRB5CCNAME\n", env={**os.environ, **login.env}, capture_output=True, text=True,
                          timeout=60)
    assert "CORP : " in done.stdout and "netbios name = LOANER01" in done.stdout
    assert str(lab.dir / "member" / "ccache") in done.stdout


def test_an_exercise_the_lab_cannot_give_is_refused_and_nothing_is_left_open(lab):
    """Refused before anything is built: no new session, and the exercise already on this lab (the first test's
    fresh copy, if it ran) is left exactly as it was."""
    record = lab.dir / "training" / "record.json"
    before = record.read_bytes() if record.exists() else None
    refused = trustlab("lab", "break", "seed-loaner-story")
    assert refused.returncode == 2
    assert ("error: the samba lab cannot give this exercise, so nothing was handed over: break[5] replace_nic: {}: "
            "a winbind member has no PnP network adapters to strand (NW-1 is Windows-only)") in refused.stderr
    if before is None:
        none = trustlab("lab", "check")
        assert none.returncode == 2 and f"no training session for the samba lab '{NAME}'" in none.stderr
    else:
        assert record.read_bytes() == before
        assert "seed-loaner-story" not in trustlab("lab", "record", "--json").stdout
