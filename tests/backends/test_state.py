"""What a real backend knows of its live lab is one declared object, saved as one file and loaded back as it was;
a live lab is attached through the constructor, and lab time goes on across processes."""
from __future__ import annotations

import json
import stat
import time
from dataclasses import replace
from datetime import datetime, timezone

import pytest

from trustlab.backends.real import RealBackend
from trustlab.backends.samba.state import SambaState
from trustlab.backends.sim import SimBackend
from trustlab.backends.state import LabState, Signed
from trustlab.backends.vagrant import VagrantBackend
from trustlab.backends.vagrant.state import VagrantState
from trustlab.engine.backend import LabOptions, LabUnavailable
from trustlab.specs.lab import LabSpec
from trustlab.specs.profiles import SAMBA, WINDOWS


def _samba() -> SambaState:
    state = SambaState.golden(LabSpec())
    state.member.plugged, state.member.joined, state.member.name, state.member.skew = False, True, "LOANER02", -7200
    state.dc.on, state.dc.skew = False, 300
    state.versions["alice"] += 1
    state.session = Signed("alice", False)
    state.offset, state.started, state.machine_password_timeout = 31 * 86400, 1_765_000_000.25, 0
    return state


def _vagrant() -> VagrantState:
    state = VagrantState.golden(LabSpec())
    state.member.joined_by, state.member.password_set_at, state.member.skew = "joiner", -1234.5, 12.5
    state.snapshots["before-trip"] = replace(state.member, plugged=False)
    state.session = Signed("Administrator", True)
    state.origin = datetime(2026, 3, 1, 9, 30, 15, 250000, tzinfo=timezone.utc)
    state.evaluation = {"dc": 178 * 86400.0, "client": None}
    state.offset = 86400
    return state


@pytest.mark.parametrize("made", [_samba, _vagrant, lambda: LabState.golden(LabSpec())])
def test_a_state_saved_loads_back_as_it_was(tmp_path, made):
    state = made()
    path = state.save(tmp_path)
    assert path == tmp_path / "backend-state.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600            # root's alone, as the lab's folder
    again = type(state).load(tmp_path)
    assert again == state
    assert [type(v) for v in vars(again).values()] == [type(v) for v in vars(state).values()]
    assert not list(tmp_path.glob("*.tmp"))


def test_whole_seconds_stay_whole_for_libfaketime(tmp_path):
    _samba().save(tmp_path)
    again = SambaState.load(tmp_path)
    assert f"{again.offset:+d}s {again.member.skew:+d}s" == "+2678400s -7200s"


def test_the_file_says_what_the_backend_knows_and_no_password(tmp_path):
    state = _samba()
    data = json.loads(state.save(tmp_path).read_text())
    assert data["member"] == {"name": "LOANER02", "on": True, "plugged": False, "skew": -7200, "joined": True}
    assert data["session"] == {"user": "alice", "admin": False}
    assert data["versions"] == {"alice": 2, "bob": 1, "admin": 1}         # versions only: no password is written
    assert set(data) == {"dc", "member", "versions", "session", "offset", "started", "machine_password_timeout"}


def test_a_file_of_another_form_is_refused(tmp_path):
    (tmp_path / "backend-state.json").write_text(json.dumps({"wall_started": 1.0, "skew": {"dc": 0, "member": 0}}))
    with pytest.raises(ValueError):
        SambaState.load(tmp_path)


class Kept(RealBackend):
    """A real lab that keeps itself in a folder: what `attach` and `keep` are for."""

    name = "kept"
    keeps_lab = True
    folder = None

    def prepare(self):
        if self.attached is not None and not self.fresh:
            self.state = LabState.load(self.folder)

    def keep(self):
        self.state.started = time.time() - (time.monotonic() - self.started)
        self.state.save(self.folder)


def test_a_live_lab_is_attached_through_the_constructor_and_its_lab_time_goes_on(tmp_path, monkeypatch):
    monkeypatch.setattr(Kept, "folder", tmp_path)
    first = Kept(LabSpec(), SAMBA, attach=LabOptions("x"), fresh=True)
    first.state.offset = 3600
    first.state.member.on = False
    first.started -= 10                                  # ten seconds of lab time went by
    first.keep()
    later = Kept(LabSpec(), SAMBA, attach=LabOptions("x"))
    assert later.state.member.on is False
    assert 3610 <= later.now() < 3620
    again = Kept(LabSpec(), SAMBA, attach=LabOptions("x"), fresh=True)
    assert again.state == LabState.golden(LabSpec()) and again.now() < 5


def test_a_backend_that_keeps_no_live_lab_cannot_be_attached():
    with pytest.raises(LabUnavailable, match="the sim backend keeps no live lab between commands"):
        SimBackend(LabSpec(), WINDOWS, attach=LabOptions())
    with pytest.raises(ValueError, match="`fresh` resets a live lab: it needs `attach`"):
        Kept(LabSpec(), SAMBA, fresh=True)
    with pytest.raises(LabUnavailable, match="the vagrant backend keeps no live lab between commands"):
        VagrantBackend(LabSpec(), WINDOWS, attach=LabOptions(provider="virtualbox"))
