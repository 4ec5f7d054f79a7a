"""The NT_STATUS mapping (samba-lab.md, observed results); no lab needed."""
from __future__ import annotations

from trustlab.backends.samba.member import status_of
from trustlab.backends.samba.status import channel_status, logon_outcome


def test_status_is_read_from_wbinfo_output():
    text = "wbcLogonUser(CORP\\alice): error code was NT_STATUS_ACCESS_DENIED (0xc0000022)\nerror message was: x"
    assert status_of(text) == ("NT_STATUS_ACCESS_DENIED", 0xC0000022)
    assert status_of("plaintext password authentication succeeded") == (None, None)


def test_observed_results_map_to_common_outcomes():
    assert logon_outcome("NT_STATUS_ACCESS_DENIED", True, False) == "TRUST_FAILURE"       # DC-side reset
    assert logon_outcome("NT_STATUS_WRONG_PASSWORD", True, False) == "WRONG_PASSWORD"
    assert logon_outcome("NT_STATUS_PASSWORD_EXPIRED", True, False) == "PASSWORD_EXPIRED"
    assert logon_outcome("NT_STATUS_PASSWORD_MUST_CHANGE", True, False) == "PASSWORD_MUST_CHANGE"
    assert logon_outcome("NT_STATUS_ACCOUNT_DISABLED", True, False) == "ACCOUNT_DISABLED"


def test_no_such_user_depends_on_context():
    assert logon_outcome("NT_STATUS_NO_SUCH_USER", True, offline=True) == "NO_LOGON_SERVERS"
    assert logon_outcome("NT_STATUS_NO_SUCH_USER", True, offline=False) == "TRUST_FAILURE"
    assert logon_outcome("NT_STATUS_NO_SUCH_USER", False, offline=False) == "NO_SUCH_USER"


def test_channel_statuses():
    assert channel_status("NT_STATUS_ACCESS_DENIED", False) == "BROKEN"
    assert channel_status("NT_STATUS_LOGON_FAILURE", False) == "BROKEN"
    assert channel_status("NT_STATUS_ACCESS_DENIED", True) == "NO_LOGON_SERVERS"
    assert channel_status("NT_STATUS_SOMETHING_NEW", False) is None
