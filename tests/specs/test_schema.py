from __future__ import annotations

import json

from trustlab.specs.schema import json_schema
from trustlab.specs.steps import STRUCTURE, VERBS


def test_scenario_schema_lists_every_verb_and_forbids_unknown_keys():
    schema = json_schema("scenario")
    refs = {r["$ref"].rsplit("/", 1)[1] for r in schema["properties"]["setup"]["items"]["oneOf"]}
    assert len(refs) == len(VERBS) + len(STRUCTURE)
    assert schema["additionalProperties"] is False
    assert schema["properties"]["break"]["minItems"] == 1
    json.dumps(schema)


def test_durations_are_strings_with_a_pattern():
    schema = json_schema("scenario")
    by = schema["$defs"]["AdvanceTime"]["properties"]["by"]["oneOf"]
    assert by[0]["type"] == "string" and by[0]["pattern"] == r"^(\d+[wdhms])+$"       # never negative
    assert by[1] == {"$ref": "#/$defs/Span"}
    assert schema["$defs"]["Span"]["required"] == ["min", "max"]
    offset = schema["$defs"]["SetClock"]["properties"]["offset"]["oneOf"]
    assert offset[0]["pattern"] == r"^-?(\d+[wdhms])+$" and offset[1] == {"$ref": "#/$defs/OffsetSpan"}


def test_symptoms_accept_only_probes_with_an_expectation():
    schema = json_schema("scenario")
    refs = [r["$ref"] for r in schema["properties"]["symptoms"]["items"]["oneOf"]]
    assert len(refs) == 4
    logon = schema["$defs"]["ExpectedLogon"]
    assert "expect" in logon["required"]


def test_remediation_and_profile_schemas():
    assert "fixes" in json_schema("remediation")["properties"]
    assert "dc_accepts_previous_machine_password" in json_schema("profile")["properties"]
