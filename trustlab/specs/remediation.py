"""A remediation: the procedure a technician follows, the scenarios it claims to fix, and how a fix is checked."""
from __future__ import annotations

from typing import Annotated, Any, Optional

from pydantic import BeforeValidator, Field, field_validator

from trustlab.specs.scenario import ID_PATTERN, check_models
from trustlab.specs.steps import STEP_MODELS, VERBS, Expectation, Step, StepBase, Strict, flatten


def _verbs(pair: list[str]) -> list[str]:
    for name in pair:
        if name not in VERBS:
            raise ValueError(f"{name!r} is not a step; allowed: {', '.join(VERBS)}")
    return pair


class Condition(Strict):
    """A condition on a claim: the claim holds only for the concrete procedures that meet it (the written one must).
    `before: [A, B]`: an A step comes before the procedure's last B step (e.g. the cable is back in before the
    reboot); a procedure with no B step does not meet it."""

    before: list[str] = Field(min_length=2, max_length=2, description="[A, B]: an A step before the last B step")

    _check_verbs = field_validator("before")(_verbs)

    def met(self, steps: list[StepBase]) -> bool:
        first, last = self.before
        verbs = [step.verb for step in flatten(steps)]
        if last not in verbs:
            return False
        return first in verbs[:len(verbs) - 1 - verbs[::-1].index(last)]

    def __str__(self) -> str:
        return f"{self.before[0]} before the last {self.before[1]}"


def _command(value: Any) -> Any:
    """`- command: "Test-ComputerSecureChannel -Repair -Credential CORP\\admin"`: the step the console's command
    table makes of it, validated like a step written out."""
    if isinstance(value, dict) and list(value) == ["command"]:
        from trustlab.specs.commands import step_of

        if not isinstance(value["command"], str):
            raise ValueError("a command is text, e.g. `- command: \"nltest /sc_verify:CORP\"`")
        return step_of(value["command"])
    return value


ProcedureStep = Annotated[Step, BeforeValidator(_command)]


class Remediation(Strict):
    id: str = Field(pattern=ID_PATTERN)
    title: str
    description: str = ""
    models: list[str] = Field(default_factory=list, description="behaviour IDs the procedure relies on")
    tags: list[str] = Field(default_factory=list)
    fixes: list[str] = Field(default_factory=list, description="IDs of the scenarios this procedure claims to fix")
    provided: dict[str, list[Condition]] = Field(
        default_factory=dict, description="a claim narrowed: `SCENARIO: [condition, ...]`; the claim on SCENARIO "
        "holds only for the concrete procedures that meet every condition (plain runs do; the explorer and the "
        "found counterexamples are judged against the claim only where they meet them)")
    steps: list[ProcedureStep] = Field(min_length=1, description="steps, each a verb or a `command:` typed as a "
                                       "technician types it (the console's command table makes it a step)")
    background: list[Step] = Field(default_factory=list, description="events that may happen at any point of the "
                                   "procedure (a reboot, a cable flap, time passing); only the explorer adds them")
    verify: Optional[list[Expectation]] = Field(
        None, description="omitted: the affected user logs on online, the secure channel verifies, the network is up")

    _check_models = field_validator("models")(check_models)

    @property
    def checks(self) -> list:
        return self.verify if self.verify is not None else DEFAULT_VERIFY

    def claims(self, scenario: str, steps: Optional[list] = None) -> bool:
        """Does this procedure, run as `steps` (a concrete schedule; default: as written), claim to fix `scenario`?"""
        steps = self.steps if steps is None else steps
        return scenario in self.fixes and all(c.met(steps) for c in self.provided.get(scenario, []))


DEFAULT_VERIFY = [
    STEP_MODELS["logon"].model_validate({"logon": {"expect": "SUCCESS"}}),
    STEP_MODELS["secure_channel"].model_validate({"secure_channel": {"expect": "OK"}}),
    STEP_MODELS["network"].model_validate({"network": {"expect": "UP"}}),
]


def from_regression(scenario) -> Remediation:
    """The procedure a regression scenario carries, as a remediation that claims nothing."""
    reg = scenario.regression
    return Remediation(id=reg.remediation, title=f"the schedule of {reg.remediation} that {scenario.id} records",
                       steps=reg.steps, verify=reg.verify)
