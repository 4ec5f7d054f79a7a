"""Every invalid input is a named fixture file, and the exact error text is asserted."""
from __future__ import annotations

from pathlib import Path

import pytest

from trustlab.catalogue import load
from trustlab.specs.errors import SpecError
from tests.conftest import FIXTURES

INVALID = FIXTURES / "invalid"

EXPECTED = {
    "scenarios/unknown-key.yaml": "2:1: titel: unknown key 'titel'; allowed: id, title, description, models, tags, "
                                  "lab, affected, setup, break, symptoms",
    "scenarios/unknown-verb.yaml": "5:5: break[0].rebot: 'rebot' is not a step; allowed: 'join', 'change_password',",
    "scenarios/unknown-argument.yaml": "5:50: break[0].reset_computer_account.force: unknown key 'force'; "
                                       "allowed: computer",
    "scenarios/wrong-type.yaml": "6:5: lab.policies.cached_logons_count: expected a whole number, got text 'many'",
    "scenarios/bad-duration.yaml": "5:20: break[0].advance_time.by: bad duration '200x': use a number with a unit "
                                   "s, m, h, d or w, e.g. 45s, 90m, 200d, 1h30m (a leading - for a step back)",
    "scenarios/unknown-user.yaml": "5:23: break[0].change_password.user: 'carol' is not a user of this lab; "
                                   "allowed: alice, bob, admin",
    "scenarios/unknown-computer.yaml": "5:30: break[0].reset_computer_account.computer: 'LOANER02' is not a "
                                       "computer of this lab; allowed: LOANER01",
    "scenarios/unknown-outcome.yaml": "7:13: symptoms[0].logon.expect: 'TRUST_FAIL' is not allowed; allowed: "
                                      "'SUCCESS', 'SUCCESS_CACHED', 'TRUST_FAILURE',",
    "scenarios/duplicate-key.yaml": "3:1: title: duplicate key 'title'",
    "scenarios/not-a-probe.yaml": "7:5: symptoms[0].reboot: 'reboot' is not allowed here; allowed: 'logon', "
                                  "'secure_channel', 'network'",
    "scenarios/probe-without-expect.yaml": "7:5: symptoms[0].logon: required key 'expect' is missing",
    "scenarios/missing-break.yaml": "1:1: required key 'break' is missing",
    "scenarios/yaml-syntax.yaml": "6:9: YAML syntax: expected ',' or '}', but got ':'",
    "scenarios/id-mismatch.yaml": "1:1: id: id 'some-other-name' must match the file name 'id-mismatch'",
    "scenarios/unknown-behaviour.yaml": "3:1: models: unknown behaviour ID 'MP-99'; allowed: the IDs of the "
                                        "behaviour reference (`trustlab reference` lists them), e.g. MP-1, SC-4, "
                                        "LG-5, NW-2",
    "scenarios/step-not-mapping.yaml": "5:5: break[0]: a step is a mapping with one verb as its key, e.g. "
                                       "`- join: {computer: LOANER01}`; got text",
    "scenarios/stop-in-scenario.yaml": "5:5: break[0].stop_if_fixed: `stop_if_fixed` belongs in a remediation's steps",
    "scenarios/long-computer-name.yaml": "5:18: lab.workstations[0]: 'LOANER-LAPTOP-0001' is not a NetBIOS computer "
                                         "name: 1-15 letters, digits or '-'",
    "remediations/claims-unknown-scenario.yaml": "3:32: fixes[1]: claims to fix 'machine-acount-reset', which is not "
                                                 "a scenario of the catalogue; known: clock-months-off,",
    "remediations/unknown-credential.yaml": "5:29: steps[0].repair_secure_channel.credential: 'CORP\\\\admin' is not "
                                            "allowed; allowed: 'domain_admin' or 'none'",
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
}


def problems(path: Path, catalogue) -> list[str]:
    with pytest.raises(SpecError) as err:
        load([path], context=catalogue)
    return [str(p) for p in err.value.problems]


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_invalid_fixture_gives_exact_error(name, catalogue):
    path = INVALID / name
    found = problems(path, catalogue)
    assert found[0].startswith(f"{path}:{EXPECTED[name]}"), found


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
