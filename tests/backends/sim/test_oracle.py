"""The sim's DC answers as the Samba DC did to the real lab's oracle (MP-10, MP-11), only when asked."""
from __future__ import annotations

from trustlab.specs.profiles import SAMBA


def _asking(sim, **lab):
    lab_ = sim(SAMBA, **lab).joined()
    lab_.backend.asks_the_dc = True
    return lab_


def test_not_asked_no_answer(sim):
    assert sim(SAMBA).joined()("secure_channel").dc is None


def test_healthy_everything_accepted(sim):
    dc = _asking(sim)("logon").dc
    assert (dc.answered, dc.netlogon, dc.kerberos, dc.session, dc.user) == \
        (True, "NT_STATUS_OK", "OK", "NT_STATUS_OK", "OK")
    assert (dc.account.exists, dc.account.disabled, dc.account.key_version) == (True, False, 1)


def test_MP_11_a_reset_the_previous_password_passes_ntlm_within_the_window_only(sim):
    lab = _asking(sim)
    lab("reset_computer_account")
    dc = lab("secure_channel").dc
    assert (dc.netlogon, dc.kerberos, dc.session, dc.account.key_version) == \
        ("NT_STATUS_ACCESS_DENIED", "KDC_ERR_PREAUTH_FAILED", "NT_STATUS_OK", 2)
    lab("advance_time", by="61m")
    assert lab("secure_channel").dc.session == "NT_STATUS_LOGON_FAILURE"


def test_MP_10_deleted_and_disabled(sim):
    lab = _asking(sim)
    lab("disable_computer_account")
    dc = lab("secure_channel").dc
    assert (dc.netlogon, dc.kerberos, dc.session, dc.account.disabled) == \
        ("NT_STATUS_NO_TRUST_SAM_ACCOUNT", "KDC_ERR_CLIENT_REVOKED", "NT_STATUS_ACCOUNT_DISABLED", True)
    lab("delete_computer_account")
    dc = lab("secure_channel").dc
    assert (dc.netlogon, dc.kerberos, dc.session, dc.account.exists) == \
        ("NT_STATUS_NO_TRUST_SAM_ACCOUNT", "KDC_ERR_C_PRINCIPAL_UNKNOWN", "NT_STATUS_LOGON_FAILURE", False)


def test_a_users_previous_password_and_a_dc_switched_off(sim):
    lab = _asking(sim)
    lab("change_password", where="dc")
    assert lab("logon", password="previous").dc.user == "KDC_ERR_PREAUTH_FAILED"
    lab("power_off", computer="DC01")
    assert lab("logon").dc.answered is False
