"""Machine account password and secure channel rules (MP-*, SC-*)."""
from __future__ import annotations

from trustlab.specs.profiles import WINDOWS, BehaviourProfile

DAY = 86400


def test_MP_1_scavenger_changes_the_password_after_30_days_not_before(sim):
    lab = sim().joined()
    first = lab.ws.netlogon.current
    lab("advance_time", by="29d")
    assert lab.ws.netlogon.current == first
    lab("advance_time", by="2d")
    assert lab.ws.netlogon.current != first
    assert lab.ws.netlogon.old == first
    account = lab.world.directory.computers["LOANER01"]
    assert (account.password, account.previous) == (lab.ws.netlogon.current, first)


def test_MP_1_the_change_happens_on_a_scavenger_tick(sim):
    lab = sim().joined()
    lab("advance_time", by="31d")
    changed = [t for t, _, text in lab.world.notes if "scavenger" in text]
    assert len(changed) == 1
    assert changed[0] % 900 == 0 and 30 * DAY <= changed[0] < 30 * DAY + 900


def test_MP_2_disable_password_change_stops_the_scavenger(sim):
    lab = sim(policies={"disable_password_change": True}).joined()
    first = lab.ws.netlogon.current
    lab("advance_time", by="400d")
    assert lab.ws.netlogon.current == first
    assert lab.outcome("secure_channel") == "OK"


def test_MP_3_a_machine_off_for_months_still_authenticates_then_changes(sim):
    lab = sim(policies={"max_password_age": "0s"}).joined()
    first = lab.ws.netlogon.current
    lab("power_off")
    lab("advance_time", by="300d")
    lab("power_on")
    assert lab.outcome("logon") == "SUCCESS"
    assert lab.ws.netlogon.current == first          # nothing changed while it was off
    lab("advance_time", by="16m")
    assert lab.ws.netlogon.current != first          # the next scavenger run changes it


def test_MP_4_member_falls_back_to_the_old_password(sim):
    lab = sim().joined()
    lab.ws.netlogon.store(lab.world.new_secret(), 0)   # a change written locally that never reached the DC
    lab("reboot")
    assert lab.outcome("secure_channel") == "OK"     # "new password is bad, try old one"
    lab.ws.netlogon.old = lab.world.new_secret()
    lab("reboot")
    assert lab.outcome("secure_channel") == "BROKEN"


def test_MP_5_dc_rejects_the_previous_password_by_default(sim):
    lab = sim().joined()
    lab("snapshot", name="s")
    lab("advance_time", by="31d")
    lab("restore_snapshot", name="s")
    assert lab.outcome("secure_channel") == "BROKEN"


def test_MP_5_profile_switch_lets_the_dc_accept_the_previous_password(sim):
    lab = sim(BehaviourProfile(dc_accepts_previous_machine_password=True)).joined()
    lab("snapshot", name="s")
    lab("advance_time", by="31d")
    lab("restore_snapshot", name="s")
    assert lab.outcome("secure_channel") == "OK"


def test_MP_6_two_rotations_break_it_even_when_the_dc_accepts_n_minus_1(sim):
    lab = sim(BehaviourProfile(dc_accepts_previous_machine_password=True),
              policies={"max_password_age": "0s"}).joined()
    lab("snapshot", name="s")
    lab("advance_time", by="61d")
    lab("restore_snapshot", name="s")
    assert lab.outcome("logon") == "TRUST_FAILURE"


def test_MP_6_reverse_a_dc_older_than_the_member_heals(sim):
    lab = sim().joined()
    before = lab.world.directory.computers["LOANER01"].password
    lab("advance_time", by="31d")
    lab.world.directory.computers["LOANER01"].password = before   # the DC restored from before the change
    lab("reboot")
    assert lab.outcome("secure_channel") == "OK"                   # the member's old value matches (MP-4)


def test_MP_7_reset_deleted_disabled_and_same_name_join(sim):
    for verb, channel, logon in [("reset_computer_account", "BROKEN", "TRUST_FAILURE"),
                                 ("join_duplicate", "BROKEN", "TRUST_FAILURE"),
                                 ("disable_computer_account", "BROKEN", "TRUST_FAILURE"),
                                 ("delete_computer_account", "NO_TRUST_ACCOUNT", "NO_TRUST_ACCOUNT")]:
        lab = sim().joined()
        lab(verb)
        lab("reboot")
        assert (lab.outcome("secure_channel"), lab.outcome("logon")) == (channel, logon), verb


def test_MP_8_a_clock_jump_brings_the_change_forward(sim):
    lab = sim().joined()
    first = lab.ws.netlogon.current
    lab("set_clock", offset="45d")
    lab("advance_time", by="15m")
    assert lab.ws.netlogon.current != first


def test_MP_9_repair_writes_new_to_dc_and_lsa_old_becomes_previous(sim):
    lab = sim().joined()
    before = lab.ws.netlogon.current
    lab("local_admin_logon")
    assert lab("repair_secure_channel", credential="domain_admin").status == "ok"
    assert lab.ws.netlogon.old == before
    assert lab.world.directory.computers["LOANER01"].password == lab.ws.netlogon.current != before


def test_SC_1_healthy_nltest_output(sim):
    lab = sim().joined()
    assert lab("secure_channel").output == [
        "Flags: b0 HAS_IP  HAS_TIMESERV", "Trusted DC Name \\\\DC01.corp.test",
        "Trusted DC Connection Status Status = 0 0x0 NERR_Success",
        "Trust Verification Status = 0 0x0 NERR_Success", "The command completed successfully"]


def test_SC_2_broken_channel_output(sim):
    lab = sim().joined()
    lab("reset_computer_account")
    lab("reboot")
    out = lab("secure_channel").output
    assert out[0] == "Flags: 0" and out[1] == "Trusted DC Name"
    assert out[2] == "Trusted DC Connection Status Status = 5 0x5 ERROR_ACCESS_DENIED"
    assert out[-1] == "The command completed successfully"


def test_SC_3_repair_prints_true_and_the_verbose_text(sim):
    lab = sim().joined()
    lab("reset_computer_account")
    lab("reboot")
    lab("local_admin_logon")
    out = lab("repair_secure_channel", credential="domain_admin").output
    assert out == ["The secure channel between the local computer and the domain CORP is in good condition.", "True"]


def test_SC_4_repair_without_credential_from_local_admin_is_refused(sim):
    lab = sim().joined()
    lab("reset_computer_account")
    lab("reboot")
    lab("local_admin_logon")
    result = lab("repair_secure_channel", credential="none")
    assert result.status == "failed" and result.output[-1] == "False"
    assert "Cannot reset the secure channel password" in result.output[0]
    assert lab.outcome("secure_channel") == "BROKEN"


def test_SC_4_repair_without_credential_works_in_a_domain_admin_session(sim):
    lab = sim().joined()
    lab("advance_time", by="1d")
    assert lab.outcome("logon", user="admin") == "SUCCESS"   # channel still established
    lab("reset_computer_account")
    assert lab("repair_secure_channel", credential="none").status == "ok"


def test_SC_4_repair_needs_the_dc(sim):
    lab = sim().joined()
    lab("local_admin_logon")
    lab("unplug")
    assert "not operational" in lab("repair_secure_channel").output[0]


def test_SC_5_reset_machine_password_netdom_text(sim):
    lab = sim().joined()
    lab("reset_computer_account")
    lab("reboot")
    lab("local_admin_logon")
    out = lab("reset_machine_password", tool="netdom").output
    assert out[0] == "The machine account password for the local machine has been successfully reset."
    assert lab.outcome("secure_channel") == "OK"


def test_SC_6_established_channel_survives_a_dc_side_reset_until_reboot(sim):
    lab = sim().joined()
    lab("reset_computer_account")
    assert lab.outcome("logon") == "SUCCESS"
    lab("reboot")
    assert lab.outcome("logon") == "TRUST_FAILURE"


def test_SC_6_profile_switch_off_breaks_at_once(sim):
    lab = sim(BehaviourProfile(established_channel_survives_reset=False)).joined()
    lab("reset_computer_account")
    assert lab.outcome("logon") == "TRUST_FAILURE"


def test_SC_7_rejoin_recreates_the_trust(sim):
    lab = sim().joined()
    lab("reset_computer_account")
    lab("reboot")
    lab("local_admin_logon")
    assert lab("rejoin_domain").status == "ok"
    assert lab.outcome("logon") == "SUCCESS"


def _reset_then_rejoin(lab, computer="LOANER01", **rejoin):
    lab("reset_computer_account", computer=computer)
    lab("reboot", computer=computer)
    lab("local_admin_logon", computer=computer)
    return lab("rejoin_domain", computer=computer, **rejoin)


def test_SC_7_a_delegated_joiner_is_the_accounts_creator(sim):
    lab = sim(joiner="helpdesk").joined()
    account = lab.world.directory.computers["LOANER01"]
    assert (account.creator, account.created_by_admin) == ("helpdesk", False)
    admin_made = sim().joined().world.directory.computers["LOANER01"]
    assert (admin_made.creator, admin_made.created_by_admin) == ("admin", True)


def test_SC_7_account_reuse_blocked_leaves_a_workgroup_machine(sim):
    lab = sim(joiner="helpdesk", policies={"block_account_reuse": True}).joined()
    result = _reset_then_rejoin(lab)                                  # a domain admin, not the creator
    assert result.status == "failed" and result.raw == "2732"
    assert "Re-using the account was blocked by security policy." in result.output[-1]
    assert lab.outcome("logon") == "NOT_JOINED"
    lab("local_admin_logon")
    assert lab("rejoin_domain", new_name="LOANER01-R").status == "ok"
    assert lab.outcome("logon", computer="LOANER01-R") == "SUCCESS"          # known by its new name from now on
    assert set(lab.world.workstations) == {"LOANER01-R"}


def test_SC_7_without_the_hardening_any_account_is_reused(sim):
    lab = sim(joiner="helpdesk").joined()
    assert _reset_then_rejoin(lab).status == "ok"
    assert lab.outcome("logon") == "SUCCESS"


def test_SC_7_exception_the_joining_user_created_the_account(sim):
    lab = sim(joiner="helpdesk", policies={"block_account_reuse": True}).joined()
    assert _reset_then_rejoin(lab, credential="joiner").status == "ok"
    assert lab.outcome("logon") == "SUCCESS"


def test_SC_7_exception_an_admin_created_the_account(sim):
    lab = sim(joiner="helpdesk", policies={"block_account_reuse": True}).joined()
    lab("local_admin_logon")
    assert lab("rejoin_domain", new_name="LOANER01-R").status == "ok"   # the admin creates LOANER01-R
    result = _reset_then_rejoin(lab, computer="LOANER01-R", credential="joiner", new_name="LOANER01-R")
    assert result.status == "ok"                                          # the help desk may reuse it
    assert lab.outcome("logon", computer="LOANER01-R") == "SUCCESS"
    admin_joined = sim(policies={"block_account_reuse": True}).joined()
    assert _reset_then_rejoin(admin_joined).status == "ok"                # the catalogue's usual case


def test_SC_7_exception_the_owner_is_trusted_by_the_dc_policy(sim):
    lab = sim(joiner="helpdesk", policies={"block_account_reuse": True,
                                           "reuse_allowed_owners": ["helpdesk"]}).joined()
    assert _reset_then_rejoin(lab).status == "ok"                         # a domain admin reuses it
    assert lab.outcome("logon") == "SUCCESS"
    other = sim(joiner="helpdesk", policies={"block_account_reuse": True,
                                             "reuse_allowed_owners": ["bob"]}).joined()
    assert _reset_then_rejoin(other).raw == "2732"                        # only the owners it names


def test_SC_7_another_machine_joining_under_the_name_follows_the_same_rules(sim):
    blocked = sim(joiner="helpdesk", policies={"block_account_reuse": True}).joined()
    result = blocked("join_duplicate")
    assert (result.status, result.raw) == ("failed", "2732")
    assert blocked.outcome("logon") == "SUCCESS"                          # nothing was taken over


def test_SC_7_a_joiner_credential_needs_a_joiner(sim):
    lab = sim().joined()
    result = _reset_then_rejoin(lab, credential="joiner")
    assert result.status == "failed"
    assert result.output[-1] == "Add-Computer: this lab has no delegated joining account (lab: joiner)"


def test_windows_profile_is_the_default():
    assert WINDOWS.name == "windows" and WINDOWS.dc_accepts_previous_machine_password is False


def test_SC_9_MP_11_on_samba_the_window_not_the_password_decides(sim):
    """A reset while the laptop is off: back at once (the previous password, inside the DC's 60-minute NTLM window)
    the session is accepted and NETLOGON refuses: 1789; back 2 h later the session is refused and the member is
    offline: a cached logon, and bob (never cached) gets 1311 although the DC answers."""
    from trustlab.specs.profiles import SAMBA

    for back_after, alice, bob in ((None, "TRUST_FAILURE", "TRUST_FAILURE"),
                                   ("2h", "SUCCESS_CACHED", "NO_LOGON_SERVERS")):
        lab = sim(SAMBA).joined()
        lab("power_off")
        lab("reset_computer_account")
        if back_after:
            lab("advance_time", by=back_after)
        lab("power_on")
        assert (lab.outcome("logon"), lab.outcome("logon", user="bob")) == (alice, bob)
        assert lab.outcome("secure_channel") == "BROKEN"
    windows = sim(WINDOWS).joined()                  # a reachable DC is authoritative: the window plays no part
    windows("power_off")
    windows("reset_computer_account")
    windows("advance_time", by="2h")
    windows("power_on")
    assert windows.outcome("logon") == "TRUST_FAILURE"


def test_MP_12_one_change_per_jump_on_the_samba_profile(sim):
    """A 31-day jump: the samba profile changes the machine password once, at the jump's end (so a snapshot from
    before it, restored at once, holds the DC's previous password inside the window: 1789); Windows' scavenger as
    often as the age warrants."""
    from trustlab.specs.profiles import SAMBA

    lab = sim(SAMBA).joined()
    lab("snapshot", name="before")
    lab("advance_time", by="31d")
    assert lab.world.directory.computers["LOANER01"].key_version == 2
    lab("restore_snapshot", name="before")
    assert lab.outcome("logon") == "TRUST_FAILURE"
    lab("advance_time", by="2h")
    lab("reboot")
    assert lab.outcome("logon") == "SUCCESS_CACHED"
    often = sim(SAMBA.model_copy(update={"one_password_change_per_jump": False})).joined()
    often("advance_time", by="31d")
    assert often.world.directory.computers["LOANER01"].key_version == 5


def test_SC_9_a_skewed_clock_fails_kerberos_only_with_the_right_password(sim):
    """diff-96532f5f (the differential search on the real lab): the member 200 days behind holding the DC's previous
    password (a same-name join took the account) gets no Kerberos pre-authentication, falls back to NTLM, which no
    clock fails, inside the window: NETLOGON refuses online, 1789; with the right password the skew fails the
    session and the member is offline."""
    from trustlab.specs.profiles import SAMBA

    lab = sim(SAMBA).joined()
    lab("set_clock", computer="LOANER01", offset="-200d")
    lab("reboot")
    assert lab.outcome("logon") == "SUCCESS_CACHED"
    lab("join_duplicate")
    lab("reboot")
    assert lab.outcome("logon") == "TRUST_FAILURE"
