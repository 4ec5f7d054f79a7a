"""The vagrant backend through its real paths: the real VagrantLab and providers drive the stand-in tools (standins/),
steps become the shipped scripts with values as data, sent by pywinrm with NTLM and encryption to one local
WS-Management endpoint per machine, and the answers become outcomes. The "Windows" is canned answers consistent with
the stand-in hypervisor (windows.py); these tests check trustlab's side only."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.backends import guard
from tests.backends.vagrant.windows import GOLDEN
from trustlab.backends.vagrant import VagrantBackend, clocks, trust
from trustlab.backends.vagrant.machines import VagrantLab
from trustlab.backends.vagrant.preflight import PreflightFailed
from trustlab.engine.backend import LabUnavailable
from trustlab.engine.runner import run
from trustlab.specs.lab import LabSpec
from trustlab.specs.profiles import WINDOWS

PREFLIGHT_DC = ["set_clock", "preflight_dc"]
PREFLIGHT_CLIENT = ["set_clock", "offline_rule", "preflight_client", "offline_path", "network"]


def backend(lab_spec: LabSpec = LabSpec()) -> VagrantBackend:
    return VagrantBackend(lab_spec, WINDOWS)


def test_a_scenario_and_its_fix_run_as_scripts(standin, catalogue):
    journal = run(catalogue.scenario("machine-account-reset"), catalogue.remediation("reset-machine-password"),
                  VagrantBackend, WINDOWS)
    assert journal.verdict.value == "FIXED", journal.judgement
    assert standin.runs("dc")[:2] == PREFLIGHT_DC
    assert standin.runs("client")[:5] == PREFLIGHT_CLIENT
    runs = standin.runs("client")[5:]
    assert runs[0] == "client_policy"                                     # the scenario's policies
    assert "reset_machine_password" in runs and runs.count("restart") == 1
    reset = dict(standin.windows.sides["client"].runs)["reset_machine_password"]
    assert reset == {"Tool": "powershell", "Server": "DC01.corp.test", "UserName": "CORP\\admin",
                     "Password": standin.secrets.password("admin", 1)}
    vbox = standin.calls("VBoxManage")
    assert ["snapshot", standin.machine("dc")["id"], "restore", "trustlab-golden"] in vbox   # every run: golden first


def test_every_run_starts_the_clocks_at_the_golden_snapshots_time(standin):
    """An ageing golden snapshot leaks no real time into a run: the guests' clocks go back to when it was taken."""
    b = backend()
    try:
        [clock] = [p["At"] for name, p in standin.windows.sides["client"].runs if name == "set_clock"]
        assert clock.startswith(GOLDEN.isoformat(timespec="minutes")[:16])
        assert abs((b.state.origin - GOLDEN).total_seconds()) < 60                 # lab time 0: the golden moment
    finally:
        b.close()


def test_no_password_reaches_the_journal(standin, catalogue):
    journal = run(catalogue.scenario("machine-account-reset"), catalogue.remediation("reset-machine-password"),
                  VagrantBackend, WINDOWS)
    text = journal.to_json()
    for user in ("alice", "bob", "admin", "helpdesk"):
        for version in (1, 2):
            assert standin.secrets.password(user, version) not in text
    assert "vagrant" not in re.sub(r'"backend": "vagrant"', "", text)        # nor the local admin's


def test_the_symptom_is_the_windows_code(standin, catalogue):
    journal = run(catalogue.scenario("machine-account-reset"), None, VagrantBackend, WINDOWS)
    symptom = next(e for e in journal.steps if e.phase == "symptoms" and e.verb == "logon")
    assert (symptom.outcome, symptom.win32, symptom.raw) == ("TRUST_FAILURE", 1789,
                                                                      "win32 1789, logon type 2")
    assert journal.verdict.value == "REPRODUCED"


def test_without_trustlabs_record_there_is_no_golden_snapshot_to_trust(standin):
    (standin.folder / ".vagrant" / "trustlab-lab.json").unlink()
    with pytest.raises(LabUnavailable, match="trustlab-lab.json is missing: the Windows lab has no golden snapshot "
                                             "trustlab took; build it with `trustlab lab up --backend vagrant`"):
        backend()


def test_a_failed_preflight_names_the_check_what_it_saw_and_what_to_do_and_nothing_runs(standin):
    standin.windows.override["preflight_client"] = lambda machine, params: {
        **standin.windows._preflight_client(machine, params),
        "dns": {"names": {"DC01.corp.test": ["192.168.56.10", "10.0.2.15"], "corp.test": ["192.168.56.10"]},
                "srv": ["DC01.corp.test"]}}
    with pytest.raises(PreflightFailed) as caught:
        backend()
    message = str(caught.value)
    assert message.startswith("the Windows lab is not what trustlab assumes (checked before the run; nothing ran):")
    assert ("  FAIL dns: LOANER01 resolves DC01.corp.test to 192.168.56.10, 10.0.2.15 (only 192.168.56.10 expected); "
            "the DC registered a management address: its cleanup is lab/scripts/provision/dc_lab.ps1") in message
    assert {c.name for c in caught.value.checks if not c.ok} == {"dns"}
    assert "client_policy" not in standin.runs("client")


def test_the_offline_check_pulls_the_cable_and_always_plugs_it_back(standin):
    b = backend()
    b.close()
    cable = [c for c in standin.calls("VBoxManage") if c[0] == "controlvm" and c[2] == "setlinkstate2"]
    assert [c[3] for c in cable] == ["off", "on"]
    assert standin.machine("client")["nic"]["cable"] is True
    assert standin.windows.offline_rule == ["192.168.56.0/24"]       # VirtualBox: the DC's NAT address is the client's
    tried = dict(standin.windows.sides["client"].runs)["offline_path"]["Addresses"]
    assert tried == ["192.168.56.10"]                                 # its own SMB is no path to the DC


def test_a_dc_management_address_the_client_can_reach_is_blocked_and_tried(standin):
    """Hyper-V's Default Switch and libvirt's management network put both guests on one subnet."""
    standin.windows.management = {"dc": "192.168.121.10", "client": "192.168.121.11"}
    backend().close()
    assert standin.windows.offline_rule == ["192.168.56.0/24", "192.168.121.10"]
    tried = dict(standin.windows.sides["client"].runs)["offline_path"]["Addresses"]
    assert tried == ["192.168.56.10", "192.168.121.10"]


def test_unplugging_a_powered_off_client_uses_the_tool_for_a_vm_that_is_off(standin, catalogue):
    """controlvm refuses a VM that is not running; modifyvm is the one for it (the stand-in models both)."""
    b = backend()
    try:
        assert b.do("power_off", {"computer": "LOANER01"}).status == "ok"
        assert b.do("unplug", {"computer": "LOANER01"}).status == "ok"
        assert standin.calls("VBoxManage")[-1][2:] == ["--cableconnected2", "off"]
        assert b.do("power_on", {"computer": "LOANER01"}).status == "ok"
        assert standin.machine("client")["state"] == "running"
        assert standin.machine("client")["nic"]["cable"] is False              # still out after the start
        assert not any(c[0] == "up" for c in standin.calls("vagrant"))          # Vagrant would plug it back in
        assert standin.machine("client")["boot_offset"] is not None            # its clock chip at its own time
    finally:
        b.close()


def test_a_replaced_nic_keeps_the_lab_mac_and_the_hidden_adapter_keeps_the_address(standin):
    b = backend()
    try:
        assert b.do("replace_nic", {"computer": "LOANER01"}).status == "ok"
        nic = standin.machine("client")["nic"]
        assert (nic["mac"], nic["model"]) == ("08:00:27:7A:10:02", "82545EM")
        network = b.do("network", {"computer": "LOANER01"})
        assert (network.outcome, network.details["hidden_adapters"]) == ("NO_ADDRESS", 1)
    finally:
        b.close()


@pytest.mark.parametrize("jumps, rotations", [([31], 1), ([62], 2), ([29], 0), ([31, 31], 2), ([20, 20], 1)])
def test_a_jump_does_what_the_scavenger_would_have_done(standin, jumps, rotations):
    b = backend()
    try:
        for days in jumps:
            result = b.do("advance_time", {"by": days * 86400})
            assert result.status == "ok", result.output
        assert standin.windows.rotations == rotations
        events = [text for _, _, text in b.background() if text.startswith("scavenger changed")]
        assert len(events) == rotations
        if rotations:
            assert "done as nltest /sc_change_pwd (Windows' timers run on elapsed time)" in result.output[-1] \
                or any("nltest" in line for line in result.output)
    finally:
        b.close()


def test_no_scavenger_change_while_the_dc_is_out_of_reach(standin):
    b = backend()
    try:
        b.do("unplug", {"computer": "LOANER01"})
        assert b.do("advance_time", {"by": 40 * 86400}).status == "ok"
        assert standin.windows.rotations == 0
    finally:
        b.close()


def test_a_jump_past_the_evaluation_end_is_refused_before_the_clocks_move(standin, monkeypatch):
    b = backend()
    try:
        before = len(standin.windows.sides["client"].runs)
        result = b.do("advance_time", {"by": 181 * 86400})
        assert result.status == "failed"
        assert result.output[0].startswith("a jump of 181.0 days passes the evaluation end of DC01 (178 days left), "
                                           "LOANER01 (89 days left): an expired evaluation shuts Windows down about "
                                           "hourly (TM-9); refused before the clocks moved")
        assert len(standin.windows.sides["client"].runs) == before
        monkeypatch.setattr(clocks, "PAST_EVALUATION", True)
        assert b.do("advance_time", {"by": 181 * 86400}).status == "ok"
        assert any("allowed by TRUSTLAB_VAGRANT_PAST_EVALUATION=allow" in text for _, _, text in b.background())
    finally:
        b.close()


def test_scripts_staged_before_a_restore_are_staged_again(standin):
    b = backend()
    try:
        side = standin.windows.sides["client"]
        assert b.do("logon", {"computer": "LOANER01", "user": "alice", "password": "current"}).outcome == "SUCCESS"
        assert b.do("snapshot", {"computer": "LOANER01", "name": "before-trip"}).status == "ok"
        logon = next(path for path in side.files if "\\logon-" in path)
        assert b.do("restore_snapshot", {"computer": "LOANER01", "name": "before-trip"}).status == "ok"
        assert logon not in side.files                                        # the restored disk lost it
        assert b.do("logon", {"computer": "LOANER01", "user": "alice", "password": "current"}).outcome == "SUCCESS"
        assert logon in side.files                                            # staged again, not assumed there
    finally:
        b.close()


def test_an_unlock_from_the_cache_is_a_cached_success(standin):
    b = backend()
    try:
        b.do("logon", {"computer": "LOANER01", "user": "alice", "password": "current"})
        b.do("unplug", {"computer": "LOANER01"})
        unlock = b.do("lock_unlock", {"computer": "LOANER01", "user": "alice", "password": "current"})
        assert (unlock.outcome, unlock.raw) == ("SUCCESS_CACHED", "win32 0, logon type 13")
    finally:
        b.close()


def test_a_repair_without_a_credential_says_why_it_is_refused_over_winrm(standin):
    b = backend()
    try:
        standin.windows.override["repair_secure_channel"] = lambda m, p: (
            {"ok": bool(p.get("UserName")), "error": "Access is denied.", "win32": 5})
        b.do("local_admin_logon", {"computer": "LOANER01"})
        refused = b.do("repair_secure_channel", {"computer": "LOANER01", "credential": "none"})
        assert refused.status == "failed" and refused.output[1] == trust.SECOND_HOP
        assert dict(standin.windows.sides["client"].runs)["repair_secure_channel"]["UserName"] == ""
        b.do("logon", {"computer": "LOANER01", "user": "admin", "password": "current"})
        done = b.do("repair_secure_channel", {"computer": "LOANER01", "credential": "none"})
        assert done.status == "ok" and "passed explicitly" in done.output[-1]
        assert [p["UserName"] for n, p in standin.windows.sides["client"].runs
                if n == "repair_secure_channel"][-1] == "CORP\\admin"
    finally:
        b.close()


def test_the_help_desks_lab_has_the_client_joined_again_by_its_account(standin, catalogue):
    """KB5020276 (SC-7): the golden client's account was created by the admin; a lab whose computers the delegated
    joiner joins has it joined again by the joiner, so that the joiner is the creator."""
    scenario = catalogue.scenario("machine-account-reset-reuse-blocked")
    b = backend(scenario.lab)
    try:
        joined = b.do("join", {"computer": "LOANER01"})
        assert joined.status == "ok", joined.output
        runs = [(n, p) for n, p in standin.windows.sides["client"].runs if n in ("leave_domain", "join_domain")]
        assert [n for n, _ in runs] == ["leave_domain", "join_domain"]
        assert runs[1][1]["UserName"] == "CORP\\helpdesk"
        assert ("dc_computer", {"Computer": "LOANER01", "Action": "delete", "Domain": "corp.test"}) in \
            standin.windows.sides["dc"].runs
        assert b.do("join", {"computer": "LOANER01"}).output == [
            "LOANER01 was joined when the lab was built (golden snapshot)"]
    finally:
        b.close()


def test_every_catalogue_lab_is_the_windows_labs_own():
    from trustlab.backends.vagrant.backend import unsupported_lab
    from trustlab.specs.catalogue import load_default

    built = VagrantLab()
    assert {s.id: unsupported_lab(s.lab, built) for s in load_default().scenarios.values()} == {
        s.id: None for s in load_default().scenarios.values()}


@pytest.mark.parametrize("change, reason", [
    ({"domain": "OTHER"}, "the Windows lab is built as CORP / corp.test with DC01 (machines.yaml)"),
    ({"joiner": "support"}, "the Windows lab's delegated joining account is helpdesk"),
    ({"joiner": "helpdesk"}, "Windows members check KB5020276's reuse rules whatever the registry says since the "
                             "August 2024 update (SC-7): a lab whose computers a delegated account joins needs "
                             "block_account_reuse: true"),
    ({"policies": {"block_account_reuse": True, "reuse_allowed_owners": ["helpdesk"]}},
     "the Windows lab does not set the DC policy 'Allow computer account re-use during domain join' (its registry "
     "form, ComputerAccountReuseAllowList, is a security descriptor, [MS-SAMR] 3.1.1.12)"),
])
def test_a_lab_other_than_the_built_one_is_unsupported(standin, catalogue, change, reason):
    spec = catalogue.scenario("machine-account-reset")
    if "policies" in change:
        change = {"policies": spec.lab.policies.model_copy(update=change["policies"])}
    other = spec.model_copy(update={"lab": spec.lab.model_copy(update=change)})
    journal = run(other, None, VagrantBackend, WINDOWS)
    assert journal.judgement.to_dict() == {"verdict": "UNSUPPORTED", "reason": f"lab: {reason}"}


def test_a_powered_off_client_answers_no_step_at_its_console(standin):
    b = backend()
    try:
        assert b.do("power_off", {"computer": "LOANER01"}).status == "ok"
        before = len(standin.windows.sides["client"].runs)
        result = b.do("logon", {"computer": "LOANER01", "user": "alice", "password": "current"})
        assert (result.status, result.output) == ("failed", ["LOANER01 is powered off"])
        assert len(standin.windows.sides["client"].runs) == before            # nothing was sent
    finally:
        b.close()


def test_the_console_guard_follows_the_verbs_facts_and_sends_nothing(standin):
    """Every admin operation the Windows lab can do is refused without an administrator signed in (nobody, then a
    user who is not one), every step at the console is refused while the client is off; nothing reaches a guest or
    the hypervisor."""
    b = backend()
    try:
        def sent():
            return ([len(side.runs) for side in standin.windows.sides.values()], len(standin.hw()["calls"]))

        assert guard.refuses_admin_operations(b, sent) == [v for v in guard.ADMIN if hasattr(VagrantBackend, f"do_{v}")]
        assert b.do("logon", guard.args("logon")).outcome == "SUCCESS"
        guard.refuses_admin_operations(b, sent)
        assert b.do("power_off", guard.args("power_off")).status == "ok"
        assert guard.refuses_at_a_computer_that_is_off(b, sent)
    finally:
        b.close()


def test_a_script_that_fails_is_a_failed_step_with_the_reason(standin):
    clixml = ('#< CLIXML\r\n<Objs Version="1.1.0.1" xmlns="http://schemas.microsoft.com/powershell/2004/04">'
              '<S S="Error">Access is denied._x000D__x000A_</S></Objs>')
    b = backend()
    try:
        side = standin.windows.sides["client"]
        answer = side.answer
        side.answer = lambda name, params: (clixml, 1) if name == "rotate_machine_password" else answer(name, params)
        result = b.do("rotate_machine_password", {"computer": "LOANER01"})
        assert result.status == "failed"
        assert result.output == ["rotate_machine_password: WinRMFailed: rotate_machine_password: exit 1: "
                                 "Access is denied."]
    finally:
        b.close()


def test_a_refusing_hypervisor_tool_is_a_failed_step(standin):
    b = backend()
    try:
        state = standin.hw()
        state["machines"]["client"]["state"] = "not_created"                   # gone behind trustlab's back
        standin.state_file.write_text(__import__("json").dumps(state))
        result = b.do("unplug", {"computer": "LOANER01"})
        assert result.status == "failed"
        assert result.output[0].startswith("unplug: ToolFailed: VBoxManage showvminfo")
    finally:
        b.close()


def test_without_vagrant_the_lab_is_unavailable_with_the_reason(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(LabUnavailable, match="vagrant is not installed; build it once with"):
        VagrantLab(tmp_path).states()


def test_snapshot_names_from_yaml_are_checked_before_reaching_the_tools(tmp_path):
    from trustlab.backends.vagrant.machines import _snapshot

    assert _snapshot("before-trip_1") == "before-trip_1"
    with pytest.raises(ValueError, match=r"snapshot name '\$\(calc\)': use letters"):
        _snapshot("$(calc)")


def test_winrm_config_is_parsed():
    from trustlab.backends.vagrant.machines import parse_winrm_config

    text = "Host client\n  HostName 127.0.0.1\n  User vagrant\n  Password vagrant\n  Port 55986\n  RDPPort 53389\n"
    assert parse_winrm_config(text) == ("127.0.0.1", 55986)


def test_a_guest_that_does_not_answer_while_the_run_is_prepared_is_an_unusable_lab(standin):
    standin.windows.override["preflight_dc"] = lambda machine, params: "not json at all"
    with pytest.raises(LabUnavailable, match="the Windows lab did not answer while it was prepared for the run: "
                                             "WinRMFailed: preflight_dc: exit 0"):
        backend()


def test_a_deleted_computer_account_is_gone_and_the_step_says_done(standin):
    """dc_computer.ps1 re-read the account after Remove-ADObject with -ErrorAction SilentlyContinue, which does not
    stop Get-ADComputer's terminating not-found: the delete failed although the account was gone."""
    b = backend()
    try:
        deleted = b.do("delete_computer_account", {"computer": "LOANER01"})
        assert deleted.status == "ok", deleted.output
        assert "LOANER01" not in standin.windows.accounts
        assert b.do("reset_computer_account", {"computer": "LOANER01"}).output == ["no computer account LOANER01"]
    finally:
        b.close()


@settings(max_examples=5, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(action=st.sampled_from([("reset_computer_account", "reset"), ("join_duplicate", "duplicate")]),
       code=st.sampled_from([1, 5, 87, 2710]))
def test_a_refused_reset_or_provisioning_is_a_failed_step(standin, action, code):
    """dsmod's and djoin's exit codes were ignored: a refused reset was `ok: true`. djoin answers the NET_API_STATUS
    of NetProvisionComputerAccount (ERROR_ACCESS_DENIED 5, ERROR_INVALID_PARAMETER 87, NERR_BadOfflineJoinInfo
    2710: learn.microsoft.com lmjoin nf-lmjoin-netprovisioncomputeraccount); dsmod documents none."""
    verb, script_action = action
    standin.windows.broken = False
    standin.windows.refuse = {script_action: code}
    b = backend()
    try:
        result = b.do(verb, {"computer": "LOANER01"})
        assert result.status == "failed" and result.raw == f"win32 {code}", result
        assert standin.windows.broken is False
    finally:
        standin.windows.refuse = {}
        b.close()


@pytest.mark.parametrize("credential", ["none", "joiner"])
def test_a_rejoin_leaves_with_explicit_domain_credentials(standin, credential):
    """Remove-Computer needs explicit credentials to disable the account; over WinRM the session's own cannot reach
    the DC (a second hop). In a lab without a joiner, `credential: joiner` leaves and is then refused, as in the sim."""
    b = backend()
    try:
        b.do("local_admin_logon", {"computer": "LOANER01"})
        result = b.do("rejoin_domain", {"computer": "LOANER01", "credential": credential, "new_name": None})
        leave = dict(standin.windows.sides["client"].runs)["leave_domain"]
        assert leave["UserName"] == "CORP\\admin"
        if credential == "joiner":
            assert result.status == "failed" and result.output[-1] == trust.texts.NO_JOINER
        else:
            assert result.status == "ok" and result.output[-1] == trust.LEAVE_AS_ADMIN, result.output
    finally:
        b.close()


def test_a_clock_set_while_the_client_is_off_is_the_one_it_boots_with(standin):
    """clock-months-off sets the laptop's clock while it is off, as the sim allows; the vagrant backend refused it, so
    that scenario and its claims never ran. The clock chip takes it at the next cold boot."""
    b = backend()
    try:
        assert b.do("power_off", {"computer": "LOANER01"}).status == "ok"
        moved = b.do("set_clock", {"computer": "LOANER01", "offset": -200 * 86400})
        assert moved.status == "ok", moved.output
        assert b.do("power_on", {"computer": "LOANER01"}).status == "ok"
        booted_with = standin.windows.now("client")                           # the chip's time, read at the boot
        lab_time = b.state.origin + timedelta(seconds=b.now())
        assert abs((booted_with - lab_time).total_seconds() + 200 * 86400) < 60
        assert abs(b.state.member.skew + 200 * 86400) <= 5
    finally:
        b.close()


def test_password_ages_are_the_directorys_not_fixed_answers(standin):
    """The stand-in answered every password 600 s old whatever happened; ages now come from when each was set."""
    standin.windows.user_set["alice"] = GOLDEN - timedelta(days=31)
    with pytest.raises(PreflightFailed, match=r"alice's password is 31\.0 days old on the DC's clock"):
        backend()
