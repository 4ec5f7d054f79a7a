"""The registry is the one place a backend is named: a backend added there alone is offered by the CLI's `lab`
commands and `doctor`, with the options its face declares."""
from __future__ import annotations

import os
from typing import Optional

import pytest
from click.testing import CliRunner

from trustlab import backends
from trustlab.backends.sim import SimBackend
from trustlab.cli import main
from trustlab.engine.backend import Backend, Check, LabOptions


class ToyLab:
    name = "toy-lab"
    built: list[Optional[str]] = []

    def __init__(self, flavour: Optional[str]):
        self.flavour = flavour

    def up(self) -> str:
        ToyLab.built.append(self.flavour)
        return f"toy lab up ({self.flavour})"

    def status(self) -> dict[str, str]:
        return {"state": "up"}

    def reset(self) -> float:
        return 0.25

    def down(self) -> None:
        pass

    def clean(self) -> list[str]:
        return ["the toy lab"]


class ToyBackend(Backend):
    name = "toy"
    has_lab = True
    lab_options = {"provider": ("wood", "tin")}

    @classmethod
    def real_lab(cls, options: LabOptions) -> ToyLab:
        return ToyLab(options.provider)

    @classmethod
    def doctor(cls) -> list[Check]:
        return [Check("paint", False, "missing; buy some")]


@pytest.fixture
def toy(monkeypatch):
    monkeypatch.setitem(backends.BACKENDS, "toy", f"{__name__}:ToyBackend")
    ToyLab.built = []


def cli(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_a_backend_added_to_the_registry_is_offered_by_lab_and_doctor(toy):
    help_text = cli("lab", "--help").output
    assert "Backends with a real lab" in help_text
    assert "toy" in help_text and "--provider wood|tin" in help_text
    assert "toy" in cli("lab", "up", "--help").output
    r = cli("doctor", "--backend", "toy")
    assert r.exit_code == 1 and "FAIL paint: missing; buy some" in r.output


def test_the_lab_commands_use_the_face_alone(toy):
    r = cli("lab", "up", "--backend", "toy", "--provider", "tin")
    assert r.exit_code == 0 and "toy lab up (tin)" in r.output and ToyLab.built == ["tin"]
    assert "lab toy-lab reset in 0.2 s" in cli("lab", "reset", "--backend", "toy").output
    assert "removed the toy lab" in cli("lab", "clean", "--backend", "toy").output


def test_options_a_lab_does_not_take_are_refused(toy):
    r = cli("lab", "up", "--backend", "toy", "--name", "x")
    assert r.exit_code == 2 and "the toy lab takes no --name (it takes --provider)" in r.output
    r = cli("lab", "up", "--backend", "toy", "--provider", "gold")
    assert r.exit_code == 2 and "--provider 'gold' is not allowed; allowed: wood, tin" in r.output


def test_a_backend_without_a_real_lab_is_not_offered_to_lab():
    r = cli("lab", "up", "--backend", "sim")
    assert r.exit_code == 2 and "'sim' is not one of" in r.output
    assert cli("doctor", "--backend", "sim").exit_code == 0


def test_an_unknown_name_is_refused_with_the_names_there_are():
    with pytest.raises(backends.UnknownBackend, match="unknown backend 'simm'; allowed: sim, samba, vagrant"):
        backends.backend_class("simm")


class NamedSim(SimBackend):
    """The sim, as a backend with named labs would be: which lab each run is given is written down."""

    name = "namedsim"
    has_lab = True
    lab_options = {"name": ()}
    lab_variable = "TRUSTLAB_NAMEDSIM_LAB"
    given: list[Optional[str]] = []

    def __init__(self, *args, **kwargs):
        NamedSim.given.append(os.environ.get(self.lab_variable))
        super().__init__(*args, **kwargs)


def test_run_uses_the_lab_it_is_given_by_name_and_leaves_the_environment_as_it_was(monkeypatch):
    """`run --name N` without --jobs runs on the lab N, not on $TRUSTLAB_..._LAB's or the default one (which may be
    someone else's)."""
    monkeypatch.setitem(backends.BACKENDS, "namedsim", f"{__name__}:NamedSim")
    monkeypatch.setenv(NamedSim.lab_variable, "someone-elses")
    NamedSim.given = []
    assert cli("run", "machine-account-reset", "--backend", "namedsim", "--name", "mine").exit_code == 0
    assert NamedSim.given and set(NamedSim.given) == {"mine"}
    NamedSim.given = []
    assert cli("run", "--backend", "namedsim", "--name", "mine", "--format", "plain").exit_code == 0
    assert len(NamedSim.given) > 50 and set(NamedSim.given) == {"mine"}
    assert os.environ[NamedSim.lab_variable] == "someone-elses"
    NamedSim.given = []
    assert cli("run", "machine-account-reset", "--backend", "namedsim").exit_code == 0
    assert set(NamedSim.given) == {"someone-elses"}
    r = cli("run", "machine-account-reset", "--name", "mine")
    assert r.exit_code == 2 and "the sim backend has no named labs; --name is for samba" in r.output
