from __future__ import annotations

import pytest
from pydantic import TypeAdapter, ValidationError

from trustlab.specs.steps import STEP_MODELS, VERBS, Family, Step


def test_every_verb_has_a_family_and_a_docstring():
    for v in VERBS.values():
        assert isinstance(v.family, Family)
        assert v.doc, v.name


def test_empty_arguments_may_be_written_as_null():
    step = TypeAdapter(Step).validate_python({"reboot": None})
    assert step.verb == "reboot" and step.args.computer is None


def test_step_text_spells_durations_back():
    step = STEP_MODELS["advance_time"].model_validate({"advance_time": {"by": "1h30m"}})
    assert step.args.by == 5400
    assert str(step) == "advance_time: {by: 1h30m}"


def test_computer_names_are_upper_case_netbios():
    step = STEP_MODELS["join"].model_validate({"join": {"computer": "loaner01"}})
    assert step.args.computer == "LOANER01"
    with pytest.raises(ValidationError):
        STEP_MODELS["join"].model_validate({"join": {"computer": "bad name"}})


def test_the_vocabulary_covers_design_md():
    design = {"join", "logon", "change_password", "advance_time", "power_off", "power_on", "unplug", "plug",
              "replace_nic", "snapshot", "restore_snapshot", "rotate_machine_password", "reset_computer_account",
              "delete_computer_account", "disable_computer_account", "local_admin_logon", "show_hidden_devices",
              "remove_ghost_adapters", "reinstall_adapter", "configure_ip", "verify_secure_channel",
              "repair_secure_channel", "reset_machine_password", "rejoin_domain", "delete_profile", "lock_unlock",
              "wait", "reboot", "secure_channel", "network"}
    assert design <= set(VERBS)
