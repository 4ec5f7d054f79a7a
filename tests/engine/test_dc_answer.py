"""The DC's answer in the journal: kept beside a real probe, read back as written, and absent (not null) when no one
asked, so the sim's journals stay as they were."""
from __future__ import annotations

from trustlab.engine.backend import StepResult
from trustlab.engine.dc_answer import ComputerObject, DcAnswer
from trustlab.engine.journal import Document, StepEntry
from trustlab.engine.plan import Action
from trustlab.specs.steps import Family

ANSWER = DcAnswer(True, netlogon="NT_STATUS_ACCESS_DENIED", kerberos="KDC_ERR_PREAUTH_FAILED",
                  session="NT_STATUS_OK", user="OK",
                  account=ComputerObject(exists=True, disabled=False, password_age=3310.0, key_version=2), seconds=0.2)


def _entry(result: StepResult) -> StepEntry:
    action = Action("symptoms", 0, "logon", Family.PROBE, {"computer": "LOANER01", "user": "alice"}, {}, "logon: {}")
    return StepEntry.of(action, result, 60.0, wall=1.0)


def test_a_probe_keeps_the_dcs_answer_and_reads_it_back():
    entry = _entry(StepResult(outcome="TRUST_FAILURE", dc=ANSWER))
    data = entry.to_dict()
    assert data["dc"] == {"answered": True, "netlogon": "NT_STATUS_ACCESS_DENIED",
                          "kerberos": "KDC_ERR_PREAUTH_FAILED", "session": "NT_STATUS_OK", "user": "OK",
                          "account": {"exists": True, "disabled": False, "password_age": 3310.0, "key_version": 2},
                          "seconds": 0.2}
    assert StepEntry.from_dict(data) == entry and StepEntry.from_dict(data).result.dc == ANSWER
    assert ANSWER.channel_accepted is False and ANSWER.user_accepted is True


def test_no_answer_no_key():
    data = _entry(StepResult(outcome="SUCCESS")).to_dict()
    assert "dc" not in data
    assert StepEntry.from_dict(data).dc is None
    assert DcAnswer(False).to_dict() == {"answered": False} and DcAnswer(False).channel_accepted is None
    assert DcAnswer.from_dict({"answered": True, "account": {"exists": False}}).account == ComputerObject(False)


def test_the_journal_schema_takes_the_dcs_answer():
    entry = _entry(StepResult(outcome="TRUST_FAILURE", dc=ANSWER)).to_dict()
    Document.model_validate({"format": 3, "scenario": "s", "remediation": None, "backend": "samba",
                             "profile": "samba", "seed": 0, "affected": {}, "verdict": {"verdict": "REPRODUCED"},
                             "entries": [entry]})


def test_what_is_compared():
    """Every answer and the account's state; not its password's age or key version; nothing more than that it did
    not answer when it did not."""
    assert ANSWER.compared() == {"answered": True, "netlogon": "NT_STATUS_ACCESS_DENIED",
                                 "kerberos": "KDC_ERR_PREAUTH_FAILED", "session": "NT_STATUS_OK", "user": "OK",
                                 "exists": True, "disabled": False}
    assert DcAnswer(False, netlogon="NO_ANSWER").differences(DcAnswer(False)) == ("", "")
    assert ANSWER.differences(DcAnswer(False)) == ("answered True", "answered False")
