"""The guide says only what its runs showed: every statement's evidence is held against the journals it was built
from, in both languages; it is the same whether built from fresh runs or from the journals read back; and the
checked-in docs/guide.md is what `trustlab guide` prints."""
from __future__ import annotations

import pytest
from click.testing import CliRunner

from tests.conftest import ROOT
from trustlab.backends.sim import SimBackend
from trustlab.cli import main
from trustlab.engine.journal import Journal
from trustlab.engine.judgement import Judgement, Verdict
from trustlab.engine.runner import run
from trustlab.runs.guide import CHECKLIST, FIRST_LOOK, LOOKS, build, from_journals, run_guide
from trustlab.runs.matrix import run_matrix
from trustlab.runs.records import read
from trustlab.specs.profiles import SAMBA
from trustlab.views.guide import PHRASES, blocks, markdown


def cli(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


@pytest.fixture(scope="module")
def guide(catalogue):
    return run_guide(catalogue, SimBackend)


def test_every_claim_of_the_guide_matches_a_verdict_in_its_journals(guide):
    evidence = guide.evidence()
    assert len(evidence) > 200
    for e in evidence:
        journal = guide.journals[(e.scenario, e.remediation)]
        if e.verdict is not None:
            assert journal.verdict.value == e.verdict, e
        if e.entry is not None:
            assert journal.entries[e.entry].outcome == e.outcome, e


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_every_sentence_that_states_a_verdict_says_what_the_run_gave(guide, lang):
    stated = 0
    for block in blocks(guide, lang):
        for e in block.evidence:
            journal = guide.journals[(e.scenario, e.remediation)]
            if e.verdict is not None:
                assert PHRASES.say(journal.verdict.value, lang) in block.text, (block.text, e)
            if e.entry is not None:
                entry = journal.entries[e.entry]
                assert entry.outcome in block.text or str(entry.win32) in block.text, (block.text, e)
            stated += 1
        for row, e in zip(block.rows[1:], block.row_evidence):
            assert row[1] == PHRASES.say(guide.journals[(e.scenario, e.remediation)].verdict.value, lang)
            stated += 1
    assert stated == len(guide.evidence())          # every statement of the guide is in the text, and said right


def test_causes_that_look_the_same_are_grouped_by_what_a_technician_sees(guide):
    by_cause = {c.scenario: sign for sign in guide.signs for c in sign.causes}
    trust = by_cause["machine-account-reset"]
    assert trust.looks["logon"].outcome == "TRUST_FAILURE" and trust.looks["logon"].win32 == 1789
    assert trust.looks["channel"].outcome == "BROKEN"
    assert trust.looks["offline"].outcome == "SUCCESS_CACHED"         # the folk "unplug and it works"
    assert by_cause["stale-snapshot-one-rotation"] is trust                 # the same sight, another cause
    seed = by_cause["seed-loaner-story"]
    assert (seed.looks["network"].outcome, seed.looks["network"].hidden) == ("NO_ADDRESS", 1)   # no address
    assert seed is not by_cause["password-changed-elsewhere"]           # the adapter tells them apart
    assert by_cause["computer-account-deleted"].looks["logon"].win32 == 1787


def test_a_cause_lists_what_fixes_it_what_does_not_and_what_makes_it_worse(guide):
    causes = {c.scenario: c for sign in guide.signs for c in sign.causes}
    seed = causes["seed-loaner-story"]
    assert "remove-ghost-adapter" in [p.remediation for p in seed.fixed_by]
    assert "delete-user-profile" in [p.remediation for p in seed.not_fixed_by]
    worse = {p.remediation: p for p in seed.made_worse_by}
    assert "rejoin-domain" in worse and any("SUCCESS_CACHED before" in w for w in worse["rejoin-domain"].worse)


def test_the_explorers_counterexample_is_a_condition_under_which_a_fix_fails(guide):
    causes = {c.scenario: c for sign in guide.signs for c in sign.causes}
    fix = next(p for p in causes["clock-months-off"].fixed_by if p.remediation == "unplug-cached-logon-wait-reboot")
    [condition] = fix.failing
    assert condition.verdict == "NOT_FIXED"
    assert condition.changes == [
        "wait: {for: 0s} instead of wait: {for: 1h}",
        "in the order unplug → logon → wait → reboot → plug (the plain run: unplug → logon → plug → wait → reboot)"]
    text = markdown(guide)
    assert ("Found by the explorer: `unplug-cached-logon-wait-reboot` does not fix it when wait: {for: 0s} instead "
            "of wait: {for: 1h}") in text


def test_the_seed_checklist_has_its_verdict_per_cause(guide):
    rows = {r.scenario: r for r in guide.checklist.rows}
    assert guide.checklist.remediation == CHECKLIST and len(guide.checklist.stages) == 4
    assert (rows["seed-loaner-story"].verdict, rows["seed-loaner-story"].stage) == ("FIXED", 1)
    assert (rows["password-expired"].verdict, rows["password-expired"].stage) == ("FIXED", 2)
    assert (rows["machine-account-reset"].verdict, rows["machine-account-reset"].stage) == ("FIXED", 3)
    assert (rows["computer-account-deleted"].verdict, rows["computer-account-deleted"].stage) == ("FIXED", 4)
    assert (rows["computer-account-disabled"].verdict, rows["computer-account-disabled"].stage) == ("NOT_FIXED", None)
    assert "| `seed-loaner-story` | 解決する | 段階 1 |" in markdown(guide, "ja")


def test_the_first_look_only_observes(catalogue):
    assert FIRST_LOOK.fixes == []
    steps = [s.verb for s in FIRST_LOOK.steps]
    assert [steps[i] for i in LOOKS.values()] == ["logon", "secure_channel", "network", "logon", "logon"]


def test_the_guide_from_journals_read_back_is_the_same(guide, catalogue, tmp_path):
    r = cli("guide", "--journal", str(tmp_path), "-o", str(tmp_path / "guide.md"))
    assert r.exit_code == 0
    [again] = from_journals(read([tmp_path]), catalogue)
    assert markdown(again) == markdown(guide) == (tmp_path / "guide.md").read_text(encoding="utf-8")


def test_the_guide_follows_the_profile(catalogue):
    samba = run_guide(catalogue, SimBackend, SAMBA, matrix=run_matrix(catalogue, SimBackend, SAMBA))
    assert "(behaviour profile samba)" in markdown(samba)
    text = markdown(samba)
    assert "Left out, for what their runs here gave: `clock-months-off` (did not run: the scenario did not " \
           "reproduce)" in text
    assert "clock-months-off" not in {c.scenario for s in samba.signs for c in s.causes}


def test_a_scenario_the_first_look_could_not_look_at_is_left_out_and_said_so(catalogue):
    m = run_matrix(catalogue, SimBackend)
    looks = {sid: run(catalogue.scenarios[sid], FIRST_LOOK, SimBackend) for sid in m.scenarios}
    cut = looks["hidden-adapter"]
    looks["hidden-adapter"] = Journal(cut.scenario, cut.remediation, cut.backend, cut.profile, cut.seed,
                                      [e for e in cut.entries if e.phase != "remediation"],
                                      Judgement(Verdict.UNSUPPORTED, "remediation[0] logon: not on this backend"))
    partial = build(m, looks, catalogue)
    assert "hidden-adapter" not in {c.scenario for s in partial.signs for c in s.causes}
    assert "`hidden-adapter` (could not be run on this backend)" in markdown(partial)


def test_guide_command_formats_and_languages(tmp_path):
    md = cli("guide")
    assert md.exit_code == 0 and md.output.startswith("# Troubleshooting guide")
    ja = cli("guide", "--lang", "ja")
    assert "見えている症状と、その原因" in ja.output
    html = cli("guide", "--format", "html", "--lang", "ja", "-o", str(tmp_path / "g.html"))
    page = (tmp_path / "g.html").read_text(encoding="utf-8")
    assert html.exit_code == 0 and page.startswith("<!DOCTYPE html>") and '<html lang="ja">' in page
    assert "default-src 'none'" in page and "<script" not in page


def test_docs_guide_is_what_trustlab_guide_prints(guide):
    for lang, name in (("en", "guide.md"), ("ja", "guide.ja.md")):
        assert (ROOT / "docs" / name).read_text(encoding="utf-8") == markdown(guide, lang), \
            f"docs/{name} is out of date: run `trustlab guide{' --lang ja' if lang == 'ja' else ''} > docs/{name}`"


def test_the_guide_starts_with_how_to_tell_the_causes_apart_at_the_dc(guide):
    """Issue 21: facing a 1789, the causes that look the same at the computer are told apart at the DC first (does
    the object exist, is it enabled, when was its password set), each with its least invasive proven fix."""
    text = markdown(guide)
    assert text.index("## At the DC: telling apart the causes") < text.index("## What you see, and what causes it")
    assert "`Get-ADComputer LOANER01 -Properties Enabled, PasswordLastSet`" in text
    causes = {c.scenario: c for sign in guide.signs for c in sign.causes}
    assert causes["computer-account-disabled"].dc.outcome == "DISABLED"
    assert causes["machine-account-reset"].dc.outcome == "PRESENT"
    assert causes["computer-account-deleted"].dc.outcome == "MISSING"
    assert causes["stale-snapshot-one-rotation"].dc.age > causes["machine-account-reset"].dc.age
    disabled = next(line for line in text.splitlines() if "`computer-account-disabled`:" in line and "DISABLED" in line)
    assert "Least invasive proven fix: `enable-computer-account`" in disabled
    assert "DC での確認" in markdown(guide, "ja").split("## 見えている症状")[0]


def test_each_cause_gives_its_least_invasive_proven_fix_first_and_folds_the_rest(guide):
    causes = {c.scenario: c for sign in guide.signs for c in sign.causes}
    reset = causes["machine-account-reset"]
    assert reset.least_invasive.verdict == "FIXED"
    assert all(reset.least_invasive.invasive <= p.invasive for p in reset.fixed_by)
    rejoins = [p for p in reset.fixed_by if p.remediation.startswith("rejoin-domain")]
    assert rejoins and all(p.invasive > reset.least_invasive.invasive for p in rejoins)   # a new identity: later
    text = markdown(guide)
    block = text[text.index("(`machine-account-reset`)"):]
    block = block[:block.index("</details>")]
    least = block.index("Least invasive proven fix: `" + reset.least_invasive.remediation + "`")
    assert least < block.index("<details><summary>The other procedures run on this cause") < \
        block.index("`rejoin-domain`")
