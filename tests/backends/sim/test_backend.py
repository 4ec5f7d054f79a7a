"""The sim as a backend: the console guard applied from the verbs' facts, and the DC and a workstation answering the
same questions (power, cable, clock)."""
from __future__ import annotations

import copy

import pytest

from tests.backends import guard
from trustlab.backends.sim import SimBackend
from trustlab.specs.lab import LabSpec
from trustlab.specs.profiles import WINDOWS


def _sim() -> SimBackend:
    b = SimBackend(LabSpec(), WINDOWS)
    assert b.do("join", guard.args("join")).status == "ok"
    return b


def _seen(b: SimBackend):
    """What a step could change in the simulated world, as a comparable value."""
    ws = b.world.workstations["LOANER01"]
    return (copy.deepcopy(ws.disk()), ws.powered, repr(ws.winlogon.session), repr(ws.netlogon.channel),
            repr(b.world.directory), b.world.clock.now)


def test_every_admin_operation_is_refused_without_an_administrator():
    b = _sim()
    assert guard.refuses_admin_operations(b, lambda: _seen(b)) == guard.ADMIN          # the sim does them all
    b.do("logon", guard.args("logon"))                                                   # alice is no admin
    guard.refuses_admin_operations(b, lambda: _seen(b))


def test_an_administrator_gets_past_the_guard():
    b = _sim()
    assert b.do("local_admin_logon", guard.args("local_admin_logon")).status == "ok"
    said = b.do("verify_secure_channel", guard.args("verify_secure_channel"))
    assert (said.status, said.outcome) == ("ok", "OK")


def test_every_step_at_the_console_is_refused_while_the_computer_is_off():
    b = _sim()
    assert b.do("power_off", guard.args("power_off")).status == "ok"
    assert guard.refuses_at_a_computer_that_is_off(b, lambda: _seen(b)) == guard.AT_CONSOLE
    probe = b.do("secure_channel", guard.args("secure_channel"))                      # a probe is no console step
    assert probe.outcome == "NO_LOGON_SERVERS"
@pytest.mark.parametrize("computer", ["DC01", "LOANER01"])
def test_the_dc_and_a_workstation_answer_the_same_questions(computer):
    b = _sim()
    host = b.world.host(computer)
    assert (host.powered, host.cable) == (True, True)
    assert b.do("unplug", {"computer": computer}).status == "ok" and not b.linked(computer)
    assert b.do("plug", {"computer": computer}).status == "ok" and b.linked(computer)
    assert b.do("power_off", {"computer": computer}).status == "ok" and not host.powered
    assert b.do("power_off", {"computer": computer}).output == [f"{computer} is already off"]
    assert b.do("power_on", {"computer": computer}).status == "ok" and host.powered
    assert b.do("power_on", {"computer": computer}).output == [f"{computer} is already on"]


@pytest.mark.parametrize("step", [("power_off", {}), ("unplug", {})])
def test_the_dc_going_away_drops_every_established_channel(step):
    b = _sim()
    ws = b.world.workstations["LOANER01"]
    assert b.do("secure_channel", guard.args("secure_channel")).outcome == "OK"
    assert ws.netlogon.channel is not None
    verb, extra = step
    b.do(verb, {"computer": "DC01", **extra})
    assert ws.netlogon.channel is None
