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
