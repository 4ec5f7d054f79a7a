"""A scenario: a lab, a healthy baseline, the fault injected, and the symptoms that must then hold."""
from __future__ import annotations

from typing import Literal, Optional

from pydantic import Field, field_validator

from trustlab.specs.errors import suggest
from trustlab.specs.lab import LabSpec
from trustlab.specs.reference import BEHAVIOURS
from trustlab.specs.steps import ComputerName, Expectation, Step, Strict, UserName

ID_PATTERN = r"^[a-z0-9][a-z0-9-]*$"


def check_models(ids: list[str]) -> list[str]:
    unknown = [i for i in ids if i not in BEHAVIOURS]
    if unknown:
        raise ValueError(f"unknown behaviour ID {unknown[0]!r}{suggest(unknown[0], BEHAVIOURS)}; allowed: the IDs "
                         f"of the behaviour reference "
                         f"(`trustlab reference` lists them), e.g. MP-1, SC-4, LG-5, NW-2")
    return ids


class Affected(Strict):
    user: Optional[UserName] = Field(None, description="defaults to the lab's first user")
    computer: Optional[ComputerName] = Field(None, description="defaults to the lab's first workstation")


class Regression(Strict):
    """A schedule the explorer found: the concrete procedure that was run after the break, and what it gave."""

    scenario: str = Field(description="the scenario that was explored (this file is a concrete copy of it)")
    remediation: str = Field(description="the remediation that was explored")
    steps: list[Step] = Field(min_length=1, description="its steps, as they ran")
    verify: Optional[list[Expectation]] = None
    verdict: Literal["FIXED", "NOT_FIXED", "MADE_WORSE", "SYMPTOMS_NOT_REPRODUCED", "BASELINE_FAILED"]
    seed: Optional[int] = Field(None, description="the explorer's seed")


class Text(Strict):
    """A text a trainee reads, in English and (optionally) Japanese."""

    en: str = Field(min_length=1)
    ja: Optional[str] = Field(None, description="omitted: the English text")

    def texts(self) -> dict[str, str]:
        return {"en": self.en, "ja": self.ja or self.en}


class Scenario(Strict):
    id: str = Field(pattern=ID_PATTERN)
    title: str
    description: str = ""
    models: list[str] = Field(description="behaviour IDs this scenario reproduces")
    tags: list[str] = Field(default_factory=list)
    lab: LabSpec = Field(default_factory=LabSpec)
    affected: Affected = Field(default_factory=Affected)
    setup: list[Step] = Field(default_factory=list)
    break_: list[Step] = Field(alias="break", min_length=1)
    symptoms: list[Expectation] = Field(min_length=1)
    regression: Optional[Regression] = Field(None, description="written by `trustlab explore`: replayed by "
                                                                "`trustlab run`, which expects the same verdict")
    briefing: Optional[Text] = Field(None, description="training: what the user reports, all `lab break` shows "
                                                       "the trainee (never the break's steps)")
    hints: list[Text] = Field(default_factory=list, description="training: hints in order; a failing `lab check` "
                                                                "or `lab hint` releases the next one")
    checks: Optional[list[Expectation]] = Field(
        None, description="training: what `lab check` checks; omitted: the checks of the official solution")
    solution: Optional[str] = Field(None, pattern=ID_PATTERN, description="training: the official remediation that "
                                    "`lab solve` runs; omitted: the first remediation (by id) that claims this one")

    _check_models = field_validator("models")(check_models)

    @property
    def user(self) -> str:
        return self.affected.user or self.lab.users[0]

    @property
    def computer(self) -> str:
        return self.affected.computer or self.lab.workstations[0]
