"""The DC's answer in one line, in the terminal and the report's panel."""
from __future__ import annotations

from rich.console import Console

from trustlab.engine.backend import StepResult
from trustlab.engine.dc_answer import ComputerObject, DcAnswer
from trustlab.engine.journal import StepEntry
from trustlab.engine.plan import Action
from trustlab.specs.steps import Family
from trustlab.views.dc_answer import dc_said
from trustlab.views.terminal import print_entry
from trustlab.views.timeline import of_journal

REFUSED = DcAnswer(True, netlogon="NT_STATUS_ACCESS_DENIED", kerberos="KDC_ERR_PREAUTH_FAILED",
                   session="NT_STATUS_LOGON_FAILURE", user="OK",
                   account=ComputerObject(exists=True, disabled=False, password_age=7226.0, key_version=2))


def test_the_line_says_each_answer_and_the_account():
    assert dc_said(REFUSED) == ("the DC: NETLOGON ACCESS_DENIED; Kerberos PREAUTH_FAILED; NTLM session LOGON_FAILURE; "
                                "user's password OK; account enabled, key version 2, password set 2 h ago")
    assert dc_said(DcAnswer(True, netlogon="NT_STATUS_NO_TRUST_SAM_ACCOUNT", account=ComputerObject(False))) == \
        "the DC: NETLOGON NO_TRUST_SAM_ACCOUNT; account missing"
    assert dc_said({"answered": False}) == "the DC: no answer"


def _entry() -> StepEntry:
    action = Action("before", 2, "logon", Family.PROBE, {"computer": "LOANER01", "user": "bob"}, {}, "logon")
    return StepEntry.of(action, StepResult(outcome="NO_LOGON_SERVERS", dc=REFUSED), 7300.0, wall=1.0)


def test_the_terminal_shows_it_under_the_probe():
    console = Console(record=True, width=200)
    print_entry(_entry(), console)
    text = console.export_text()
    assert "the DC: NETLOGON ACCESS_DENIED" in text
    assert "offline after the DC refused its session" in text                     # bob's 1311 is no missing DC


def test_the_report_panel_gets_it():
    data = {"entries": [_entry().to_dict()]}
    line = of_journal(data).entries[0]["dc_said"]
    assert line.startswith("the DC: NETLOGON ACCESS_DENIED") and "offline after the DC refused" in line
