"""A journal as a timeline: lanes from the lab's machines, steps on the machine (or the directory, or the network)
they happen at, machines off and cables out as spans, and each workstation's clock offset from the DC."""
from __future__ import annotations

from trustlab.backends.sim import SimBackend
from trustlab.engine.journal import StepEntry
from trustlab.engine.runner import run
from trustlab.specs.remediation import from_regression
from trustlab.training.record import Checked, Hinted, Record
from trustlab.views.timeline import cited, of_journal, of_session


def timeline(catalogue, scenario, remediation=None, seed=0):
    spec = catalogue.scenario(scenario)
    fix = catalogue.remediation(remediation) if remediation else None
    if spec.regression and fix is None:
        fix, seed = from_regression(spec), spec.regression.seed or 0
    journal = run(spec, fix, SimBackend, seed=seed)
    return journal, of_journal(journal.to_dict(), spec.lab)


def spans(tl, kind):
    return [(s.lane, s.label) for s in tl.spans if s.kind == kind]


def test_lanes_come_from_the_lab_and_every_entry_is_one_mark(catalogue):
    journal, tl = timeline(catalogue, "seed-loaner-story", "seed-checklist")
    assert [(ln.key, ln.kind) for ln in tl.lanes] == [
        ("lab", "lab"), ("DC01", "machine"), ("LOANER01", "machine"), ("LOANER01/network", "network"),
        ("LOANER01/clock", "clock")]
    assert [m.entry for m in tl.marks] == list(range(len(journal.entries)))


def test_steps_sit_where_they_happen(catalogue):
    journal, tl = timeline(catalogue, "seed-loaner-story", "seed-checklist")
    lane = {journal.entries[m.entry].step + f"@{journal.entries[m.entry].phase}": m.lane for m in tl.marks}
    assert lane["change_password: {}@break"] == "DC01"                        # changed in the directory
    assert lane["replace_nic: {}@break"] == "LOANER01/network"
    assert lane["advance_time: {by: 181d}@break"] == "lab"
    assert lane["reboot: {}@break"] == "LOANER01"
    assert [b.phase for b in tl.bands] == ["setup", "break", "symptoms", "before", "remediation", "verify", "recheck"]
    journal, tl = timeline(catalogue, "password-expired", "seed-checklist")
    [at_console] = [m.lane for m in tl.marks if getattr(journal.entries[m.entry], "verb", None) == "change_password"]
    assert at_console == "LOANER01"                                         # where: this_computer


def test_a_machine_off_and_a_cable_out_are_spans(catalogue):
    _, tl = timeline(catalogue, "password-changed-elsewhere", "unplug-cached-logon-wait-reboot")
    assert ("LOANER01", "off") in spans(tl, "off")
    assert ("LOANER01/network", "unplugged") in spans(tl, "unplugged")
    assert ("lab", "+30d") in spans(tl, "took-time")


def test_the_clock_lane_shows_the_offset_until_the_time_sync_puts_it_back(catalogue):
    journal, tl = timeline(catalogue, "clock-months-off", "unplug-cached-logon-wait-reboot")
    skew = [s for s in tl.spans if s.lane == "LOANER01/clock"]
    assert [(s.kind, s.label) for s in skew] == [("skew-none", ""), ("skew", "−200d"), ("skew-none", "")]
    sync = next(m for m in tl.marks if "background" in m.classes)
    assert skew[1].x1 == sync.x and "LG-8" in sync.title
    assert cited(journal.entries[sync.entry].event) == ["LG-8"]


def test_a_boot_on_the_network_makes_the_offset_unsure_until_a_logon_shows_it(catalogue):
    _, tl = timeline(catalogue, "clock-months-off--unplug-cached-logon-wait-reboot--c9a83ab7")
    kinds = [s.kind for s in tl.spans if s.lane == "LOANER01/clock"]
    assert "skew-unsure" not in kinds and kinds[-1] == "skew"        # rebooted unplugged: no sync, still off


def test_a_session_record_gets_a_lane_per_kind():
    nltest = StepEntry("remediation", 0, "verify_secure_channel: {}", "verify_secure_channel", "admin", {}, 0.0, "ok",
                       by="trainee", command="nltest /sc_verify:CORP")
    record = Record("s", "t", "sim", "windows", 0, {}, "en", "r", [], 1, 1, None, [
        nltest, Checked(30, 2.0, [], 0, 1, 0, "NOT_FIXED", 30.0, None, {}), Hinted(30, 3.0, 0, "check", {"en": "look"})])
    tl = of_session(record)
    assert [ln.label for ln in tl.lanes] == ["commands", "checks", "hints"]
    assert [m.classes for m in tl.marks] == [["session", "command"], ["session", "check", "unmet"],
                                             ["session", "hint"]]


def test_a_boot_with_the_cable_in_makes_the_offset_unsure_until_a_clock_skew_logon_confirms_it():
    def step(verb, outcome=None, **args):
        return {"phase": "break", "index": 0, "step": f"{verb}: {{}}", "verb": verb, "family": "event", "t": 0.0,
                "clock": "+0s", "status": "ok", "args": {"computer": "LOANER01", **args},
                **({"outcome": outcome} if outcome else {})}
    entries = [step("set_clock", offset=-86400), step("reboot"), step("logon", "CLOCK_SKEW"), step("sync_time")]
    tl = of_journal({"entries": entries})
    assert [(s.kind, s.label.split("?")[0]) for s in tl.spans if s.lane == "LOANER01/clock"] == [
        ("skew", "−1d"), ("skew-unsure", "−1d"), ("skew", "−1d"), ("skew-none", "")]
