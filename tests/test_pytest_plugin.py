"""The pytest plugin, through pytest's own pytester: what it collects, the catalogue it judges with, its options."""
from __future__ import annotations

import shutil

from tests.conftest import ROOT

pytest_plugins = ["pytester"]
FOUND = next((ROOT / "scenarios" / "found").glob("*.yaml"))
NO_CACHE = ("-p", "no:cacheprovider")


def own_folder(root):
    """A user's project: their own scenario and remediations beside another tool's YAML."""
    for sub in ("scenarios", "remediations"):
        (root / sub).mkdir(parents=True)
    (root / "scenarios" / "my-reset.yaml").write_text(
        (ROOT / "scenarios" / "machine-account-reset.yaml").read_text().replace("id: machine-account-reset",
                                                                                 "id: my-reset"))
    (root / "remediations" / "my-repair.yaml").write_text(
        "id: my-repair\ntitle: Repair with the admin's credential\nfixes: [my-reset, machine-account-reset]\n"
        "steps:\n  - local_admin_logon: {}\n  - repair_secure_channel: {}\n")
    (root / "scenarios" / "test_api.tavern.yaml").write_text(
        "test_name: the API answers\nstages:\n  - name: get\n    request: {url: !raw 'http://localhost/'}\n")
    (root / "scenarios" / "docker-compose.yml").write_text("services:\n  web: {image: nginx}\n")
    return root


def test_scenarios_folder_is_collected_with_claims_and_regressions(pytester):
    result = pytester.runpytest(str(ROOT / "scenarios"), "-q", *NO_CACHE, f"--junitxml={pytester.path / 'junit.xml'}")
    outcomes = result.parseoutcomes()
    assert outcomes.get("failed", 0) == 0 and outcomes["passed"] >= 60 and outcomes["xfailed"] == 1
    xml = (pytester.path / "junit.xml").read_text()
    assert 'name="fixed-by[seed-checklist]"' in xml and 'name="regression"' in xml


def test_tags_select_items(pytester):
    result = pytester.runpytest(str(ROOT / "scenarios"), "-q", "-m", "seed", "--co", *NO_CACHE)
    result.stdout.fnmatch_lines(["*seed-loaner-story.yaml::reproduce*", "*4/*tests collected*"])


def test_only_trustlab_files_are_collected_and_own_remediations_need_no_flag(pytester):
    own_folder(pytester.path / "project")
    result = pytester.runpytest("project/scenarios", "-v", *NO_CACHE)
    result.assert_outcomes(passed=2)
    out = result.stdout.str()
    assert "my-reset.yaml::reproduce PASSED" in out
    assert "my-reset.yaml::fixed-by[my-repair] PASSED" in out                          # the user's own remediation
    assert "tavern" not in out and "compose" not in out and "error" not in out.lower()


def test_a_claim_on_a_shipped_scenario_is_an_item_of_the_remediation(pytester):
    own_folder(pytester.path / "project")
    result = pytester.runpytest("project/scenarios", "project/remediations", "-v", *NO_CACHE)
    result.assert_outcomes(passed=3)
    assert "my-repair.yaml::fixes[machine-account-reset] PASSED" in result.stdout.str()
    assert "Traceback" not in result.stdout.str()


def test_a_broken_claim_shows_the_failing_journal_step(pytester):
    cat = pytester.path / "cat"
    for sub in ("scenarios", "remediations"):
        (cat / sub).mkdir(parents=True)
    shutil.copy(ROOT / "scenarios/machine-account-reset.yaml", cat / "scenarios")
    (cat / "remediations/just-reboot.yaml").write_text(
        "id: just-reboot\ntitle: Reboot\nfixes: [machine-account-reset]\nsteps:\n  - reboot: {}\n")
    result = pytester.runpytest(str(cat / "scenarios"), f"--trustlab-catalogue={cat}", *NO_CACHE)
    result.assert_outcomes(passed=1, failed=1)
    out = result.stdout.str()
    assert "machine-account-reset: expected FIXED, got NOT_FIXED" in out
    assert ("verify[0] logon: {password: current, expect: SUCCESS} -> TRUST_FAILURE  (The trust relationship between "
            "this workstation and the primary domain failed.)") in out


def test_a_path_option_with_a_space_is_refused_before_it_moves_the_rootdir(pytester):
    own = own_folder(pytester.path / "my project")
    other = pytester.path / "other cat"
    (other / "remediations").mkdir(parents=True)
    result = pytester.runpytest_subprocess(str(own / "scenarios"), "--trustlab-add", str(other), *NO_CACHE)
    assert result.ret == 4
    result.stderr.fnmatch_lines([f"ERROR: write --trustlab-add={other}: with a space pytest reads the path as a test "
                                 f"path when it picks its rootdir and ini file*"])
    fine = pytester.runpytest_subprocess(str(own / "scenarios"), f"--trustlab-add={other}", *NO_CACHE)
    alone = pytester.runpytest_subprocess(str(own / "scenarios"), *NO_CACHE)
    rootdir = [line for line in fine.stdout.lines if line.startswith("rootdir:")]
    assert fine.ret == 0 and rootdir == [line for line in alone.stdout.lines if line.startswith("rootdir:")]
    assert "other cat" not in rootdir[0]


def test_ini_options_so_flags_need_not_be_retyped(pytester):
    own = own_folder(pytester.path / "project")
    (own / "scenarios" / "my-snapshot.yaml").write_text(
        (ROOT / "scenarios" / "stale-snapshot-one-rotation.yaml").read_text().replace(
            "id: stale-snapshot-one-rotation", "id: my-snapshot"))
    (own / "n-1.yaml").write_text("name: n-1\ndc_accepts_previous_machine_password: true\n")
    (own / "pytest.ini").write_text("[pytest]\ntrustlab_backend = sim\ntrustlab_profile = n-1.yaml\n"
                                    "trustlab_paths = scenarios\n")
    result = pytester.runpytest(str(own), "-q", *NO_CACHE)
    result.assert_outcomes(failed=3)          # the DC takes N-1 in that profile: neither breakage reproduces
    assert "my-snapshot: expected REPRODUCED, got SYMPTOMS_NOT_REPRODUCED" in result.stdout.str()
    (own / "pytest.ini").write_text("[pytest]\ntrustlab_backend = simm\n")
    bad = pytester.runpytest(str(own), *NO_CACHE)
    assert bad.ret == 4


def test_a_misspelt_backend_fails_once_at_start_up(pytester):
    result = pytester.runpytest_subprocess(str(ROOT / "scenarios"), "--trustlab-backend", "simm", *NO_CACHE)
    assert result.ret == 4
    errors = [line for line in result.stderr.lines if "unknown backend" in line]
    assert errors == ["ERROR: trustlab backend: unknown backend 'simm'; allowed: sim, samba, vagrant"]
    assert "Traceback" not in result.stderr.str() + result.stdout.str()
    bad = pytester.runpytest_subprocess(str(ROOT / "scenarios"), "--trustlab-profile", "macos", *NO_CACHE)
    assert bad.ret == 4 and "trustlab profile: unknown behaviour profile 'macos'" in bad.stderr.str()


def test_a_found_file_is_a_strict_expected_failure(pytester):
    folder = pytester.path / "cat"
    (folder / "scenarios" / "found").mkdir(parents=True)
    copy = folder / "scenarios" / "found" / FOUND.name.replace("c9a83ab7", "copy0001")
    copy.write_text(FOUND.read_text().replace("c9a83ab7", "copy0001"))
    result = pytester.runpytest(str(folder / "scenarios"), "-rxX", *NO_CACHE)
    result.assert_outcomes(xfailed=1)
    passing = copy.read_text().replace("  - wait: {for: 0s}\n  - reboot: {}\n  - plug: {}\n",
                                        "  - plug: {}\n  - wait: {for: 1h}\n  - reboot: {}\n")
    assert passing != copy.read_text()
    copy.write_text(passing)
    result = pytester.runpytest(str(folder / "scenarios"), "-ra", *NO_CACHE)
    result.assert_outcomes(failed=1)
    assert "[XPASS(strict)] a known counterexample (recorded NOT_FIXED); if it passes now, promote it" in \
           result.stdout.str()


def test_a_claim_a_known_counterexample_contradicts_fails(pytester):
    from tests.runs.test_explorer import as_told

    told = as_told(pytester.path / "told")
    (told / "scenarios" / "found").mkdir()
    shutil.copy(FOUND, told / "scenarios" / "found")
    result = pytester.runpytest(str(told / "scenarios"), f"--trustlab-catalogue={told}", "-v", *NO_CACHE)
    out = result.stdout.str()
    assert "clock-months-off.yaml::fixed-by[unplug-cached-logon-wait-reboot] FAILED" in out
    assert f"contradicted by the known counterexample {FOUND.stem}: it replays NOT_FIXED" in out
    result = pytester.runpytest(str(ROOT / "scenarios" / "clock-months-off.yaml"), *NO_CACHE)
    result.assert_outcomes(passed=4)                    # the shipped claim is narrowed: it holds


def test_our_own_yaml_fixtures_are_not_collected(pytester):
    result = pytester.runpytest(str(ROOT / "tests"), "--co", "-q", *NO_CACHE, "-c", str(ROOT / "pyproject.toml"),
                                "--rootdir", str(ROOT))
    assert "::reproduce" not in result.stdout.str() and "::fixed-by" not in result.stdout.str()


def test_a_bad_profile_file_fails_once_at_start_up_with_its_position(pytester):
    (pytester.path / "p.yaml").write_text("name: x\ndc_accepts_previous_machine_pasword: true\n")
    result = pytester.runpytest_subprocess(str(ROOT / "scenarios"), "--trustlab-profile=p.yaml", *NO_CACHE)
    assert result.ret == 4
    assert "trustlab profile: p.yaml:2:1: dc_accepts_previous_machine_pasword:" in result.stderr.str()


def _collected(result) -> set[str]:
    return {line.split(" ")[0] for line in result.stdout.lines if "::" in line}


def test_shards_of_the_items_split_them_whole(pytester):
    every = _collected(pytester.runpytest(str(ROOT / "scenarios"), "--co", "-q", *NO_CACHE))
    parts = [_collected(pytester.runpytest(str(ROOT / "scenarios"), "--co", "-q", f"--trustlab-shard={k}/3",
                                           *NO_CACHE)) for k in (1, 2, 3)]
    assert all(parts) and sum(map(len, parts)) == len(every) and set().union(*parts) == every
    found = next(i for i in every if "found" in i and i.endswith("::regression"))
    claim = next(i for i in every if i.endswith("clock-months-off.yaml::fixed-by[unplug-cached-logon-wait-reboot]"))
    assert [found in p for p in parts] == [claim in p for p in parts]        # a found file goes with its claim


def test_an_empty_shard_of_a_small_catalogue_passes(pytester):
    """One scenario, one item: one of two shards holds nothing, and exits 0 as `trustlab run --shard` does (also
    under xdist); what is not a shard's doing (nothing to collect at all) stays pytest's 5."""
    (pytester.path / "scenarios").mkdir()
    shutil.copy(ROOT / "scenarios" / "machine-account-reset.yaml", pytester.path / "scenarios")
    own = f"--trustlab-catalogue={pytester.path}"
    results = [pytester.runpytest_subprocess("scenarios", own, f"--trustlab-shard={k}/2", *extra, *NO_CACHE)
               for extra in ((), ("-n", "2")) for k in (1, 2)]
    assert [r.ret for r in results] == [0, 0, 0, 0]
    assert sorted(r.parseoutcomes().get("passed", 0) for r in results) == [0, 0, 1, 1]
    (pytester.path / "empty").mkdir()
    assert pytester.runpytest_subprocess("empty", own, "--trustlab-shard=1/2", *NO_CACHE).ret == 5


def test_a_bad_shard_option_is_a_usage_error(pytester):
    for value in ("0/3", "4/3", "abc"):
        result = pytester.runpytest(str(ROOT / "scenarios"), "--co", f"--trustlab-shard={value}", *NO_CACHE)
        assert result.ret == 4
        result.stderr.fnmatch_lines([f"*--trustlab-shard '{value}': expected K/N with 1 <= K <= N*"])


def test_each_xdist_worker_uses_a_lab_of_this_run_alone(pytester, monkeypatch):
    """Under pytest-xdist each worker names its lab after the run and itself: two runs on one host never share a
    lab (with TRUSTLAB_SAMBA_LAB=NAME set: NAME-gw0, a lab the user chose)."""
    import os

    pytester.makepyfile(test_which_lab="""
        import os, pathlib

        def test_a(): pathlib.Path("lab-" + os.environ["PYTEST_XDIST_WORKER"]).write_text(os.environ["TRUSTLAB_SAMBA_LAB"])
        def test_b(): pathlib.Path("lab-" + os.environ["PYTEST_XDIST_WORKER"]).write_text(os.environ["TRUSTLAB_SAMBA_LAB"])
    """)
    for key in [k for k in os.environ if k.startswith("PYTEST_XDIST") or k == "TRUSTLAB_SAMBA_LAB"]:
        monkeypatch.delenv(key)

    def run() -> dict[str, str]:
        for old in pytester.path.glob("lab-*"):
            old.unlink()
        result = pytester.runpytest_subprocess("-n", "2", "--dist", "each", "--trustlab-backend=samba", *NO_CACHE)
        assert result.ret == 0, result.stdout.str()
        return {p.name[4:]: p.read_text() for p in pytester.path.glob("lab-*")}

    first, second = run(), run()
    assert set(first) == set(second) == {"gw0", "gw1"}
    for worker in ("gw0", "gw1"):
        assert first[worker].endswith(f"-{worker}") and first[worker] != second[worker]     # each run its own
    assert first["gw0"][:-4] == first["gw1"][:-4]                                         # the run's own name
    monkeypatch.setenv("TRUSTLAB_SAMBA_LAB", "ci")
    assert run() == {"gw0": "ci-gw0", "gw1": "ci-gw1"}


def test_one_bad_file_is_one_collection_error_and_its_neighbours_run(pytester):
    """A file with a mistake is its own collection error, with its own problems once; the files beside it are
    collected and run (a remediation that claims the bad scenario is not blamed for it)."""
    own_folder(pytester.path)
    (pytester.path / "scenarios" / "broken.yaml").write_text(
        "id: broken\ntitle: Broken\nmodels: [MP-7]\nbreak:\n  - rebot: {}\nsymptoms:\n"
        "  - logon: {expect: TRUST_FAILURE}\n")
    (pytester.path / "remediations" / "claims-broken.yaml").write_text(
        "id: claims-broken\ntitle: Reboot\nfixes: [broken]\nsteps:\n  - reboot: {}\n")
    result = pytester.runpytest("scenarios", "remediations", "--continue-on-collection-errors", *NO_CACHE)
    out = result.stdout.str()
    result.assert_outcomes(passed=3, errors=1)
    assert out.count("'rebot' is not a step") == 1 and "ERROR scenarios/broken.yaml" in out
    assert "my-reset.yaml" not in "".join(line for line in out.splitlines() if line.startswith("ERROR"))


def test_a_claim_has_one_junit_name_whichever_runner_made_it(pytester, tmp_path):
    """`trustlab run --junit` and `pytest --junitxml` (also under xdist, where the controller writes the file) name
    every case the same (the claim's own name, runs.claims.case_name), so a dashboard's history follows a claim."""
    import xml.etree.ElementTree as ET

    from click.testing import CliRunner

    from trustlab.cli import main

    def cases(path) -> set[tuple[str, str]]:
        return {(c.get("classname"), c.get("name")) for c in ET.parse(path).getroot().iter("testcase")}

    CliRunner().invoke(main, ["run", "--junit", str(tmp_path / "run.xml")])
    ran = cases(tmp_path / "run.xml")
    assert ("trustlab.machine-account-reset", "fixed-by[reset-machine-password]") in ran
    assert ("trustlab.machine-account-reset", "reproduce") in ran
    found = next((ROOT / "scenarios" / "found").glob("*.yaml")).stem
    assert (f"trustlab.{found}", "regression") in ran
    for extra in ((), ("-n", "2")):
        xml = pytester.path / f"pytest{len(extra)}.xml"
        pytester.runpytest_subprocess(str(ROOT / "scenarios"), *extra, f"--junitxml={xml}", *NO_CACHE)
        assert cases(xml) == ran
    own_folder(pytester.path)                          # a claim collected from its remediation file: named the same
    xml = pytester.path / "remediations.xml"
    pytester.runpytest(str(pytester.path / "remediations"), f"--junitxml={xml}", *NO_CACHE)
    assert ("trustlab.machine-account-reset", "fixed-by[my-repair]") in cases(xml)
