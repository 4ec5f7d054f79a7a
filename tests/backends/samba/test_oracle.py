"""The DC-side oracle: impacket's answers beside every probe of the real lab, under the lab's clock, with a computer
name of its own (winbind's channel is never replaced), its fast key derivation the same as impacket's own."""
from __future__ import annotations

import pytest

from trustlab.backends.samba import SambaBackend
from trustlab.backends.samba.oracle import member_secret
from trustlab.engine.runner import run
from trustlab.specs.profiles import SAMBA
from trustlab.specs.steps import VERBS, Family


def test_the_fast_key_derivation_is_impacket_s_own():
    pytest.importorskip("impacket")
    from impacket.krb5 import crypto

    from trustlab.backends.samba.oracle_worker import _fast_string_to_key

    _fast_string_to_key()
    for cls in (crypto._AES128CTS, crypto._AES256CTS):
        for password, salt in (("Tl1-abc!x", "CORP.TESTalice"), ("\u00e9\u4e2d\U0001f600", "CORP.TESThostx.corp.test")):
            assert cls.string_to_key(password, salt, None).contents == \
                cls._slow_string_to_key(password, salt, None).contents


def test_a_member_with_no_secrets_holds_no_secret(tmp_path):
    assert member_secret(tmp_path / "secrets.tdb", "CORP") is None


def test_every_probe_carries_the_dcs_answer(real_lab, catalogue):
    """machine-account-reset: the member back at once holds the previous password, inside the DC's 60-minute
    window: the NTLM session is accepted, NETLOGON and Kerberos refuse, the logon is TRUST_FAILURE."""
    journal = run(catalogue.scenario("machine-account-reset"), None, SambaBackend, SAMBA)
    assert journal.judgement.to_dict() == {"verdict": "REPRODUCED"}
    probes = [e for e in journal.steps if VERBS[e.verb].family is Family.PROBE and e.status == "ok"]
    assert probes and all(e.dc is not None and e.dc.answered for e in probes)
    trust = next(e for e in journal.steps if e.phase == "symptoms" and e.verb == "logon")
    assert trust.outcome == "TRUST_FAILURE"
    assert (trust.dc.netlogon, trust.dc.kerberos, trust.dc.session, trust.dc.user) == \
        ("NT_STATUS_ACCESS_DENIED", "KDC_ERR_PREAUTH_FAILED", "NT_STATUS_OK", "OK")
    assert trust.dc.account.exists and trust.dc.account.password_age < 3600 and trust.dc.account.key_version == 2
    setup = [e for e in journal.steps if e.phase == "setup" and e.verb == "logon"]
    assert all(e.outcome == "SUCCESS" and e.dc.netlogon == "NT_STATUS_OK" for e in setup)


# --- the cases of issue 19: the member's answer, the DC's, and the model agreeing for the same reason -------------

def _scenario(ident: str, break_: list, symptoms: list):
    from trustlab.specs.scenario import Scenario

    return Scenario.model_validate({"id": ident, "title": ident, "models": ["SC-9"],
                                    "setup": [{"join": {}}, {"logon": {"expect": "SUCCESS"}}],
                                    "break": break_, "symptoms": symptoms})


def _both(scenario, remediation=None):
    """The real lab and the model (samba profile, its DC asked too) on one scenario, and their comparison: no
    divergence on the member's side nor on the DC's."""
    from trustlab.backends.sim import SimBackend
    from trustlab.runs.conformance import asking_the_dc, compare

    real = run(scenario, remediation, SambaBackend, SAMBA)
    sim = run(scenario, remediation, asking_the_dc(SimBackend), SAMBA)
    comparison = compare(sim, real, scenario.id, None)
    assert comparison.divergences == [], comparison.divergences
    return {(e.phase, e.verb, e.args.get("user")): e for e in real.steps}


BOB = {"logon": {"user": "bob", "expect": "NO_LOGON_SERVERS"}}


def test_a_reset_while_off_back_two_hours_later_is_a_cached_logon(real_lab):
    """Past the DC's 60-minute NTLM window the member's session is refused (MP-11, SC-9): offline, a cached logon,
    and bob's 1311 while the DC refuses the secret on NETLOGON and accepts bob's password."""
    seen = _both(_scenario("reset-off-2h", [{"power_off": {}}, {"reset_computer_account": {}},
                                            {"advance_time": {"by": "2h"}}, {"power_on": {}}],
                           [{"logon": {"expect": "SUCCESS_CACHED"}}, BOB, {"secure_channel": {"expect": "BROKEN"}}]))
    alice, bob = seen[("symptoms", "logon", "alice")], seen[("symptoms", "logon", "bob")]
    assert (alice.outcome, alice.dc.netlogon, alice.dc.session) == \
        ("SUCCESS_CACHED", "NT_STATUS_ACCESS_DENIED", "NT_STATUS_LOGON_FAILURE")
    assert (bob.outcome, bob.dc.answered, bob.dc.user) == ("NO_LOGON_SERVERS", True, "OK")
    assert alice.dc.account.password_age > 3600 and alice.dc.account.key_version == 2


def test_a_snapshot_restored_within_the_hour_of_a_change_is_a_trust_failure(real_lab):
    """The member holds the DC's previous password inside the window: the session is accepted, NETLOGON refuses."""
    seen = _both(_scenario("restore-within-hour", [{"snapshot": {"name": "before"}}, {"rotate_machine_password": {}},
                                                   {"restore_snapshot": {"name": "before"}}],
                           [{"logon": {"expect": "TRUST_FAILURE"}}, {"secure_channel": {"expect": "BROKEN"}}]))
    alice, channel = seen[("symptoms", "logon", "alice")], seen[("symptoms", "secure_channel", None)]
    assert (alice.outcome, alice.dc.netlogon, alice.dc.kerberos, alice.dc.session) == \
        ("TRUST_FAILURE", "NT_STATUS_ACCESS_DENIED", "KDC_ERR_PREAUTH_FAILED", "NT_STATUS_OK")
    assert channel.raw.startswith("NT_STATUS_ACCESS_DENIED") and alice.dc.account.key_version == 2


def test_deleted_the_dc_says_no_trust_account_wbinfo_logon_failure(real_lab):
    seen = _both(_scenario("deleted", [{"delete_computer_account": {}}, {"reboot": {}}],
                           [{"logon": {"expect": "SUCCESS_CACHED"}}, {"secure_channel": {"expect": "BROKEN"}}]))
    alice, channel = seen[("symptoms", "logon", "alice")], seen[("symptoms", "secure_channel", None)]
    assert (alice.outcome, alice.dc.netlogon, alice.dc.kerberos, alice.dc.account.exists) == \
        ("SUCCESS_CACHED", "NT_STATUS_NO_TRUST_SAM_ACCOUNT", "KDC_ERR_C_PRINCIPAL_UNKNOWN", False)
    assert channel.raw.startswith("NT_STATUS_LOGON_FAILURE") and channel.dc.netlogon == "NT_STATUS_NO_TRUST_SAM_ACCOUNT"


def test_disabled_the_dc_says_no_trust_account_wbinfo_account_disabled(real_lab):
    seen = _both(_scenario("disabled", [{"disable_computer_account": {}}, {"reboot": {}}],
                           [{"logon": {"expect": "SUCCESS_CACHED"}}, {"secure_channel": {"expect": "BROKEN"}}]))
    alice, channel = seen[("symptoms", "logon", "alice")], seen[("symptoms", "secure_channel", None)]
    assert (alice.outcome, alice.dc.netlogon, alice.dc.session, alice.dc.account.disabled) == \
        ("SUCCESS_CACHED", "NT_STATUS_NO_TRUST_SAM_ACCOUNT", "NT_STATUS_ACCOUNT_DISABLED", True)
    assert channel.raw.startswith("NT_STATUS_ACCOUNT_DISABLED")


def test_the_before_phase_user_has_no_logon_servers_while_the_dc_answers(real_lab, catalogue):
    """computer-account-disabled with its fix: before the procedure bob (never cached) gets 1311 from a member that
    is offline after a refused session, while the DC answers and accepts his password."""
    seen = _both(catalogue.scenario("computer-account-disabled"), catalogue.remediation("enable-computer-account"))
    bob = seen[("before", "logon", "bob")]
    assert (bob.outcome, bob.dc.answered, bob.dc.user, bob.dc.netlogon) == \
        ("NO_LOGON_SERVERS", True, "OK", "NT_STATUS_NO_TRUST_SAM_ACCOUNT")
