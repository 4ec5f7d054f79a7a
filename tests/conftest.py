from __future__ import annotations

import os
import secrets
from pathlib import Path

import pytest

from trustlab.backends.sim import SimBackend
from trustlab.engine.plan import resolve
from trustlab.specs.catalogue import load_default
from trustlab.specs.lab import LabSpec
from trustlab.specs.profiles import WINDOWS, BehaviourProfile
from trustlab.specs.steps import STEP_MODELS

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
RUN = "t" + secrets.token_hex(3)
"""This run of the suite (this process: an xdist worker's own), in a few characters drawn at random. Two runs on one
host (a developer's and CI's, two checkouts, a suite a test starts) never share it; nothing is inherited from a
parent process, which may be another run."""


def lab_name(what: str = "") -> str:
    """The name of a lab a test builds: this run's token, the xdist worker, and what the lab is for (at most 20
    characters in all). Never a fixed name: a test touches no lab but those its own run made."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    name = "-".join(part for part in (RUN, worker, what) if part)
    assert len(name) <= 20, name
    return name


def pytest_configure(config: pytest.Config) -> None:
    """The suite's samba runs use this run's own lab unless a test names another (never `default`, which may be
    someone's); a SIGTERM (a CI timeout, a cancelled job) stops the suite as Ctrl-C does, so the labs it built are
    torn down; the real-lab tests are marked `samba` (`-m "not samba"`: the fast part)."""
    from trustlab.pytest_plugin import stop_on_sigterm

    os.environ["TRUSTLAB_SAMBA_LAB"] = lab_name()
    stop_on_sigterm(config)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "samba_ready" in getattr(item, "fixturenames", ()):
            item.add_marker("samba")


class SimLab:
    """A sim lab driven step by step through the real spec and plan path: `lab("logon", password="previous")`."""

    def __init__(self, profile: BehaviourProfile = WINDOWS, **lab: object):
        self.spec = LabSpec.model_validate(lab)
        self.backend = SimBackend(self.spec, profile)
        self.world = self.backend.world

    def __call__(self, verb: str, **args: object):
        step = STEP_MODELS[verb].model_validate({verb: args})
        action = resolve(step, "test", 0, self.spec.users[0], self.spec.workstations[0])
        return self.backend.do(action.verb, action.args)

    def outcome(self, verb: str, **args: object) -> str:
        return self(verb, **args).outcome

    @property
    def ws(self):
        return self.world.workstations[self.spec.workstations[0]]

    def joined(self) -> "SimLab":
        assert self("join").status == "ok"
        assert self.outcome("logon") == "SUCCESS"
        return self


@pytest.fixture
def sim():
    return SimLab


@pytest.fixture(scope="session")
def catalogue():
    return load_default()
