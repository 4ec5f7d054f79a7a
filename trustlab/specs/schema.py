"""JSON Schema of the spec files, for editors (yaml-language-server, VS Code) to complete and check them."""
from __future__ import annotations

from typing import Any

from trustlab.specs.profiles import BehaviourProfile
from trustlab.specs.remediation import Remediation
from trustlab.specs.scenario import Scenario

KINDS = {"scenario": Scenario, "remediation": Remediation, "profile": BehaviourProfile}


def json_schema(kind: str) -> dict[str, Any]:
    if kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r}; allowed: {', '.join(KINDS)}")
    schema = KINDS[kind].model_json_schema(by_alias=True, mode="validation")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = f"https://trustlab.invalid/schema/{kind}.json"
    return schema
