"""The pytest plugin, through pytest's own pytester."""
from __future__ import annotations

import shutil

from tests.conftest import ROOT

pytest_plugins = ["pytester"]


def test_scenarios_folder_is_collected_with_claims_and_regressions(pytester):
    result = pytester.runpytest(str(ROOT / "scenarios"), "-q", "-p", "no:cacheprovider",
                                f"--junitxml={pytester.path / 'junit.xml'}")
    outcomes = result.parseoutcomes()
    assert outcomes.get("failed", 0) == 0 and outcomes["passed"] >= 61
    xml = (pytester.path / "junit.xml").read_text()
    assert 'name="fixed-by[seed-checklist]"' in xml and 'name="regression"' in xml


def test_tags_select_items(pytester):
    result = pytester.runpytest(str(ROOT / "scenarios"), "-q", "-m", "seed", "--co", "-p", "no:cacheprovider")
    result.stdout.fnmatch_lines(["*seed-loaner-story.yaml::reproduce*", "*4/*tests collected*"])


def test_a_broken_claim_shows_the_failing_journal_step(pytester):
    cat = pytester.path / "cat"
    for sub in ("scenarios", "remediations"):
        (cat / sub).mkdir(parents=True)
    shutil.copy(ROOT / "scenarios/machine-account-reset.yaml", cat / "scenarios")
    (cat / "remediations/just-reboot.yaml").write_text(
        "id: just-reboot\ntitle: Reboot\nfixes: [machine-account-reset]\nsteps:\n  - reboot: {}\n")
    result = pytester.runpytest(str(cat / "scenarios"), "--trustlab-catalogue", str(cat), "-p", "no:cacheprovider")
    result.assert_outcomes(passed=1, failed=1)
    out = result.stdout.str()
    assert "machine-account-reset: expected FIXED, got NOT_FIXED" in out
    assert ("verify[0] logon: {expect: SUCCESS} -> TRUST_FAILURE  (The trust relationship between this workstation "
            "and the primary domain failed.)") in out


def test_our_own_yaml_fixtures_are_not_collected(pytester):
    result = pytester.runpytest(str(ROOT / "tests" / "specs"), "--co", "-q", "-p", "no:cacheprovider")
    assert "::reproduce" not in result.stdout.str() and "::fixed-by" not in result.stdout.str()
