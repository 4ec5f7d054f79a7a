"""Every invalid input is a named fixture file, and the exact error text is asserted."""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import FIXTURES
from trustlab.specs.catalogue import load
from trustlab.specs.errors import SpecError

INVALID = FIXTURES / "invalid"

EXPECTED = {
    "scenarios/unknown-key.yaml": "2:1: titel: unknown key 'titel' (did you mean 'title'?); allowed: id, title, "
                                  "description, models, tags, lab, affected, setup, break, symptoms",
    "scenarios/unknown-verb.yaml": "5:5: break[0].rebot: 'rebot' is not a step (did you mean 'reboot'?); allowed: "
                                   "'join', 'change_password',",
    "scenarios/unknown-argument.yaml": "5:50: break[0].reset_computer_account.force: unknown key 'force'; "
                                       "allowed: computer",
    "scenarios/wrong-type.yaml": "6:5: lab.policies.cached_logons_count: expected a whole number, got text 'many'",
    "scenarios/bad-duration.yaml": "5:20: break[0].advance_time.by: bad duration '200x': use a number with a unit "
                                   "s, m, h, d or w, e.g. 45s, 90m, 200d, 1h30m",
    "scenarios/unknown-user.yaml": "5:23: break[0].change_password.user: 'carol' is not a user of this lab; "
                                   "allowed: alice, bob, admin",
    "scenarios/unknown-computer.yaml": "5:30: break[0].reset_computer_account.computer: 'LOANER02' is not a "
                                       "computer of this lab; allowed: LOANER01",
    "scenarios/unknown-outcome.yaml": "7:13: symptoms[0].logon.expect: 'TRUST_FAIL' is not allowed (did you mean "
                                      "'TRUST_FAILURE'?); allowed: 'SUCCESS', 'SUCCESS_CACHED', 'TRUST_FAILURE',",
    "scenarios/duplicate-key.yaml": "3:1: title: duplicate key 'title'",
    "scenarios/not-a-probe.yaml": "7:5: symptoms[0].reboot: 'reboot' is not allowed here; allowed: 'logon', "
                                  "'secure_channel', 'computer_account', 'network'",
    "scenarios/probe-without-expect.yaml": "7:5: symptoms[0].logon: required key 'expect' is missing",
    "scenarios/missing-break.yaml": "1:1: required key 'break' is missing",
    "scenarios/yaml-syntax.yaml": "6:9: YAML syntax: expected ',' or '}', but got ':'",
    "scenarios/id-mismatch.yaml": "1:1: id: id 'some-other-name' must match the file name 'id-mismatch'",
    "scenarios/unknown-behaviour.yaml": "3:1: models: unknown behaviour ID 'MP-99' (did you mean 'MP-9'?); "
                                        "allowed: the IDs of the "
                                        "behaviour reference (`trustlab reference` lists them), e.g. MP-1, SC-4, "
                                        "LG-5, NW-2",
    "scenarios/step-not-mapping.yaml": "5:5: break[0]: a step is a mapping with one verb as its key, e.g. "
                                       "`- join: {computer: LOANER01}`; got text",
    "scenarios/stop-in-scenario.yaml": "5:5: break[0].stop_if_fixed: `stop_if_fixed` belongs in a remediation's steps",
    "scenarios/long-computer-name.yaml": "5:18: lab.workstations[0]: 'LOANER-LAPTOP-0001' is not a NetBIOS computer "
                                         "name: 1-15 letters, digits or '-'",
    "remediations/claims-unknown-scenario.yaml": "3:32: fixes[1]: claims to fix 'machine-acount-reset' (did you mean "
                                                 "'machine-account-reset'?), which is not a scenario of the "
                                                 "catalogue; known: clock-months-off,",
    "remediations/unknown-credential.yaml": "5:29: steps[0].repair_secure_channel.credential: 'CORP\\\\admin' is not "
                                            "allowed; allowed: 'domain_admin', 'none' or 'user'",
    "scenarios/wrong-solution.yaml": "20:1: solution: 'delete-user-profile' is not a remediation that claims to fix "
                                     "'wrong-solution'; allowed: none (no remediation claims it)",
    "scenarios/hint-not-text.yaml": "9:5: hints[0].text: unknown key 'text'; allowed: en, ja",
    "remediations/unknown-command.yaml": "6:5: steps[1]: 'Repair-SecureChannel -Now' is not a command that is one "
                                         "step; allowed: Add-Computer -DomainName CORP -Credential CORP\\admin "
                                         "[-NewName NAME] [-Restart]; Get-CimInstance Win32_UserProfile",
    "remediations/unmodelled-command.yaml": "5:5: steps[0]: 'Remove-Computer -UnjoinDomainCredential CORP\\admin' "
                                            "is not modelled: the model leaves and joins in one step (SC-7: "
                                            "Remove-Computer, restart, Add-Computer, restart)",
    "remediations/bad-wait.yaml": "4:12: steps[0].wait.for: bad duration 60: use a number with a unit s, m, h, d or w",
    # hostile and careless input (issue 12): every one a positioned problem, none a traceback, none a hang
    "scenarios/alias-cycle.yaml": "6:5: the alias *steps refers to the value it is part of (a cycle)",
    "scenarios/billion-laughs.yaml": "8:10: the file expands to more than 20,000 values through its aliases; write the "
                                     "values out instead",
    "scenarios/control-character.yaml": "2:14: the character U+0000 is not allowed in a YAML file (a control "
                                        "character); remove it",
    "scenarios/deep-nesting.yaml": "4:57: nested more than 50 levels deep; trustlab files are a few levels deep",
    "scenarios/tab-indent.yaml": "5:1: YAML syntax: found character '\\t' that cannot start any token; YAML is "
                                 "indented with spaces, not tabs",
    "scenarios/huge-number.yaml": "5:35: cannot read this value: a number of more than 4,300 digits",
    "scenarios/not-utf8.yaml": "2:16: the byte 0xE9 is not UTF-8; save the file as UTF-8",
    "scenarios/time-backwards.yaml": "5:20: break[0].advance_time.by: bad duration '-31d': time in the lab only moves "
                                     "forward; only set_clock's offset may be negative",
    "scenarios/negative-policy.yaml": "5:14: lab.policies.max_password_age: bad duration '-42d': time in the lab only "
                                      "moves forward; only set_clock's offset may be negative",
    "scenarios/unquoted-colon.yaml": "2:13: YAML syntax: mapping values are not allowed here; a value that holds ': ' "
                                     "must be quoted, e.g. title: \"Repair: then reboot\"",
    "scenarios/key-is-a-list.yaml": "4:3: a key must be a plain value such as a name, not a list",
    "scenarios/two-documents.yaml": "8:1: YAML syntax: but found another document; a trustlab file holds one "
                                    "document: remove the second `---` and what follows",
    "scenarios/every-problem.yaml": "2:1: titel: unknown key 'titel' (did you mean 'title'?)",
    "remediations/wait-backwards.yaml": "4:12: steps[0].wait.for: bad duration '-1h': time in the lab only moves "
                                        "forward; only set_clock's offset may be negative",
    "remediations/any-order-of-one.yaml": "4:5: steps[0].any_order: needs at least 2 items, has 1",
    "scenarios/restore-never-taken.yaml": "8:24: break[1].restore_snapshot.name: no snapshot 'golden' of LOANER01 is "
                                          "taken before this step; taken: none (a `snapshot` step takes one)",
    "scenarios/mistakes-of-every-kind.yaml": "1:1: id: id 'some-other-name' must match the file name",
    "remediations/broken-and-claims-unknown.yaml": "3:9: fixes[0]: claims to fix 'machine-acount-reset' (did you mean "
                                                   "'machine-account-reset'?)",
}


def problems(path: Path, catalogue) -> list[str]:
    with pytest.raises(SpecError) as err:
        load([path], context=catalogue)
    return [str(p) for p in err.value.problems]


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_invalid_fixture_gives_exact_error(name, catalogue):
    path = INVALID / name
    found = problems(path, catalogue)
    assert any(f.startswith(f"{path}:{EXPECTED[name]}") for f in found), found


def test_every_fixture_is_asserted():
    on_disk = {str(p.relative_to(INVALID)) for p in INVALID.rglob("*.yaml")}
    assert on_disk == set(EXPECTED)


def test_all_problems_are_reported_together(catalogue):
    found = problems(INVALID / "scenarios/unknown-user.yaml", catalogue)
    assert [f.split(": ")[1] for f in found] == ["break[0].change_password.user", "symptoms[0].logon.user"]


def test_a_folder_reports_every_bad_file_and_loads_nothing(catalogue):
    with pytest.raises(SpecError) as err:
        load([INVALID / "scenarios"], context=catalogue)
    files = {p.file for p in err.value.problems}
    assert len(files) == len(list((INVALID / "scenarios").glob("*.yaml")))


def test_one_file_reports_every_problem_at_once(catalogue):
    """An unknown top-level key hides nothing: the missing key, the bad verb, the span's typo and the outcome too."""
    found = [f.split(": ", 1)[1] for f in problems(INVALID / "scenarios/every-problem.yaml", catalogue)]
    assert found == [
        "required key 'title' is missing",
        "titel: unknown key 'titel' (did you mean 'title'?); allowed: id, title, description, models, tags, lab, "
        "affected, setup, break, symptoms, regression, briefing, hints, checks, solution",
        "break[0].rebot: 'rebot' is not a step (did you mean 'reboot'?); allowed: " + found[2].split("allowed: ")[1],
        "break[1].wait.for.dflt: unknown key 'dflt' (did you mean 'default'?); allowed: min, max, default",
        "symptoms[0].logon.expect: 'TRUST_FAIL' is not allowed (did you mean 'TRUST_FAILURE'?); allowed: "
        + found[4].split("allowed: ")[1]]


def test_no_raw_pydantic_text_reaches_a_user(catalogue):
    texts = []
    for path in sorted(INVALID.rglob("*.yaml")):
        texts += problems(path, catalogue)
    for raw in ("Input should", "Extra inputs", "Field required", "List should", "after validation", "Value error"):
        assert not [t for t in texts if raw in t], raw


def test_mistakes_found_at_every_stage_of_checking_are_reported_in_one_round(catalogue):
    """The schema (an unknown verb), the id against the file name, the lab's names and the snapshots restored are
    checked at different stages; none of them waits for another to be fixed (`validate` once, not four times)."""
    found = [f.split(": ", 1)[1] for f in problems(INVALID / "scenarios/mistakes-of-every-kind.yaml", catalogue)]
    assert [f.split(":")[0] for f in found] == ["id", "setup[1].logon.user", "break[0].rebot",
                                                "break[1].restore_snapshot.name"]
    found = [f.split(": ", 1)[1] for f in problems(INVALID / "remediations/broken-and-claims-unknown.yaml", catalogue)]
    assert [f.split(":")[0] for f in found] == ["fixes[0]", "steps[0].rebot"]


def test_a_restore_in_a_remediation_needs_a_snapshot_of_the_scenario_or_of_its_own(tmp_path, catalogue):
    (tmp_path / "remediations").mkdir()
    path = tmp_path / "remediations" / "roll-back.yaml"
    path.write_text("id: roll-back\ntitle: Roll back\nfixes: [machine-account-reset, stale-snapshot-one-rotation]\n"
                    "steps:\n  - restore_snapshot: {name: golden}\n")
    found = problems(path, catalogue)
    assert found == [f"{path}:5:24: steps[0].restore_snapshot.name: no snapshot 'golden' of LOANER01 is taken before "
                     f"this step (in the lab of 'machine-account-reset'); taken: none (a `snapshot` step takes one)"]
