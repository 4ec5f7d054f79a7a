from __future__ import annotations

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
