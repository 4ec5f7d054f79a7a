"""Interactive logon rules (LG-*)."""
from __future__ import annotations

from trustlab.specs.outcomes import Outcome
from trustlab.specs.profiles import SAMBA, BehaviourProfile


def test_LG_1_reachable_dc_is_authoritative_even_with_a_cached_verifier(sim):
    lab = sim().joined()
    lab("reset_computer_account")
    lab("reboot")
    assert lab.outcome("logon") == "TRUST_FAILURE"
    r = lab("logon")
    assert (r.win32, r.ntstatus) == (1789, 0xC000018D)


def test_LG_1_no_computer_object_gives_1787(sim):
    lab = sim().joined()
    lab("delete_computer_account")
    lab("reboot")
    assert lab("logon").win32 == 1787


def test_LG_2_offline_cached_and_not_cached(sim):
    lab = sim().joined()
    lab("unplug")
    r = lab("logon")
    assert r.outcome == "SUCCESS_CACHED" and "cached account information" in r.message["en"]
    r = lab("logon", user="bob")
    assert (r.outcome, r.win32) == ("NO_LOGON_SERVERS", 1311)


def test_LG_3_cached_logons_count_drops_the_oldest(sim):
    lab = sim(users=["alice", "bob", "carol"], policies={"cached_logons_count": 2}).joined()
    lab("logon", user="bob")
    lab("logon", user="carol")
    lab("unplug")
    assert [lab.outcome("logon", user=u) for u in ("alice", "bob", "carol")] == [
        "NO_LOGON_SERVERS", "SUCCESS_CACHED", "SUCCESS_CACHED"]


def test_LG_3_zero_disables_cached_logon(sim):
    lab = sim(policies={"cached_logons_count": 0}).joined()
    lab("unplug")
    assert lab.outcome("logon") == "NO_LOGON_SERVERS"


def test_LG_4_dc_checked_unlock_refreshes_the_cache(sim):
    lab = sim().joined()
    lab("unplug")
    lab("change_password")
    assert lab.outcome("logon", password="previous") == "SUCCESS_CACHED"
    lab("plug")
    assert lab.outcome("lock_unlock", password="current") == "SUCCESS"
    lab("unplug")
    assert lab.outcome("logon") == "SUCCESS_CACHED"                 # the new password is cached now
    assert lab.outcome("logon", password="previous") == "WRONG_PASSWORD"


def test_LG_5_password_changed_elsewhere_online_and_offline(sim):
    lab = sim().joined()
    lab("change_password", where="other_computer")
    lab("unplug")
    assert (lab.outcome("logon"), lab.outcome("logon", password="previous")) == ("WRONG_PASSWORD", "SUCCESS_CACHED")
    lab("plug")
    assert lab.outcome("logon", password="previous") == "WRONG_PASSWORD"
    r = lab("logon")
    assert r.outcome == "SUCCESS"
    assert lab("logon", password="previous").message["en"] == "The user name or password is incorrect."


def test_LG_6_expired_online_1330_offline_cached(sim):
    lab = sim(policies={"max_password_age": "180d"}).joined()
    lab("advance_time", by="181d")
    r = lab("logon")
    assert (r.outcome, r.win32, r.ntstatus) == ("PASSWORD_EXPIRED", 1330, 0xC0000071)
    lab("unplug")
    assert lab.outcome("logon") == "SUCCESS_CACHED"


def test_LG_6_profile_switch_refuses_offline_logon_after_expiry(sim):
    lab = sim(BehaviourProfile(offline_logon_after_expiry=False), policies={"max_password_age": "180d"}).joined()
    lab("advance_time", by="181d")
    lab("unplug")
    assert lab.outcome("logon") == "PASSWORD_EXPIRED"


def test_LG_6_must_change_gives_1907(sim):
    lab = sim().joined()
    lab("force_password_change")
    r = lab("logon")
    assert (r.outcome, r.win32) == ("PASSWORD_MUST_CHANGE", 1907)


def test_LG_7_expired_password_is_not_a_trust_failure_unless_opted_in(sim):
    lab = sim(policies={"max_password_age": "10d"}).joined()
    lab("advance_time", by="11d")
    assert lab.outcome("logon") == "PASSWORD_EXPIRED"
    folk = sim(BehaviourProfile(expired_password_reports_trust_failure=True),
               policies={"max_password_age": "10d"}).joined()
    folk("advance_time", by="11d")
    assert folk.outcome("logon") == "TRUST_FAILURE"


def test_LG_8_skew_beyond_five_minutes_fails_until_the_next_time_poll(sim):
    lab = sim().joined()
    lab("set_clock", offset="6m")
    assert lab.outcome("logon") == "CLOCK_SKEW"
    lab("advance_time", by="1024s")
    assert lab.outcome("logon") == "SUCCESS"


def test_LG_8_skew_within_five_minutes_is_fine(sim):
    lab = sim().joined()
    lab("set_clock", offset="-4m")
    assert lab.outcome("logon") == "SUCCESS"


def test_LG_8_samba_profile_no_time_sync_channel_fails_and_the_cache_answers(sim):
    lab = sim(SAMBA).joined()
    lab("set_clock", offset="6m")
    lab("advance_time", by="1d")
    assert lab.outcome("secure_channel") == "BROKEN"       # [lab] wbinfo -t LOGON_FAILURE
    assert lab.outcome("logon") == "SUCCESS_CACHED"        # [lab] winbind answers from its cache
    assert lab.outcome("logon", user="bob") == "NO_LOGON_SERVERS"


def test_LG_1_windows_never_falls_back_to_the_cache_with_a_reachable_dc(sim):
    for breaker in ("delete_computer_account", "disable_computer_account"):
        lab = sim().joined()
        lab(breaker)
        lab("reboot")
        assert lab.outcome("logon") in ("NO_TRUST_ACCOUNT", "TRUST_FAILURE")


def test_LG_2_samba_profile_caches_through_a_refused_channel_but_not_a_reset(sim):
    for breaker, channel in (("delete_computer_account", "BROKEN"), ("disable_computer_account", "BROKEN")):
        lab = sim(SAMBA).joined()
        lab(breaker)
        lab("reboot")
        assert (lab.outcome("secure_channel"), lab.outcome("logon")) == (channel, "SUCCESS_CACHED"), breaker
    lab = sim(SAMBA).joined()
    lab("reset_computer_account")
    lab("reboot")
    assert lab.outcome("logon") == "TRUST_FAILURE"


def test_LG_8_boot_takes_the_dcs_time(sim):
    lab = sim().joined()
    lab("set_clock", offset="-200d")
    lab("reboot")
    assert lab.ws.offset == 0 and lab.outcome("logon") == "SUCCESS"


def test_LG_9_messages_en_and_ja():
    m = Outcome.TRUST_FAILURE.meaning
    assert m.en == "The trust relationship between this workstation and the primary domain failed."
    assert m.ja == "このワークステーションとプライマリ ドメインとの信頼関係に失敗しました。"
    assert Outcome.NO_LOGON_SERVERS.meaning.ja == "現在、ログオン要求を処理できるログオン サーバーはありません。"
    assert Outcome.PASSWORD_MUST_CHANGE.meaning.en == "The user's password must be changed before signing in."
    assert {o.meaning.win32 for o in (Outcome.ACCOUNT_LOCKED_OUT, Outcome.ACCOUNT_EXPIRED,
                                      Outcome.NETLOGON_NOT_STARTED)} == {1909, 1793, 1792}


def test_LG_2_samba_profile_caches_only_when_the_dc_does_not_know_the_password_at_all(sim):
    for changes, expected in ((1, "TRUST_FAILURE"), (2, "SUCCESS_CACHED")):
        lab = sim(SAMBA).joined()
        lab("snapshot", name="s")
        for _ in range(changes):
            lab("rotate_machine_password")
        lab("restore_snapshot", name="s")
        assert lab.outcome("logon") == expected, changes        # [lab] ACCESS_DENIED vs LOGON_FAILURE
