"""Spreading the matrix: `run --shard K/N` on several hosts, `merge` of what they wrote, `run --jobs N` here. The
merged shards must judge exactly as the unsharded run does, also when a known counterexample breaks a claim."""
from __future__ import annotations

import json
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from trustlab.cli import main
from trustlab.runs.matrix import plan, shard, shard_number, together
from trustlab.specs.catalogue import default_root, load_folders

RITUAL = "unplug-cached-logon-wait-reboot"
FOUND = "clock-months-off--unplug-cached-logon-wait-reboot--c9a83ab7"


def cli(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


@pytest.fixture(scope="module")
def contradicted(tmp_path_factory) -> Path:
    """The shipped catalogue with the ritual's claim on the clock no longer narrowed: the shipped counterexample
    then lies within the claim and breaks it, so a shard that lacked it would judge the claim wrongly."""
    folder = tmp_path_factory.mktemp("contradicted")
    for part in ("scenarios", "remediations"):
        shutil.copytree(default_root() / part, folder / part)
    path = folder / "remediations" / f"{RITUAL}.yaml"
    spec = yaml.safe_load(path.read_text())
    del spec["provided"]
    path.write_text(yaml.safe_dump(spec, sort_keys=False))
    return folder


def _cases(path: Path) -> list[tuple]:
    root = ET.parse(path).getroot()
    return sorted((suite.get("name"), case.get("classname"), case.get("name"),
                   tuple((child.tag, child.get("message")) for child in case if child.tag != "system-out"))
                  for suite in root for case in suite.findall("testcase"))


@pytest.mark.parametrize("count", [1, 2, 3, 5])
def test_every_run_is_in_exactly_one_shard(catalogue, count):
    names = [p.name for k in range(1, count + 1) for p in shard(catalogue, k, count)]
    assert sorted(names) == sorted(p.name for p in plan(catalogue))


def test_a_claim_and_its_counterexample_share_a_shard(catalogue):
    group = next(g for g in together(catalogue) if any(p.name == FOUND for p in g))
    assert {p.name for p in group} == {FOUND, f"clock-months-off--{RITUAL}"}
    for count in (2, 3, 7):
        mine = [k for k in range(1, count + 1) if FOUND in {p.name for p in shard(catalogue, k, count)}]
        assert mine == [shard_number(f"clock-months-off--{RITUAL}", count)]


def test_the_split_is_the_sha256_of_the_name():
    """Pinned: sha256(b"hidden-adapter--reproduce") begins 4764d800afbed76c, so this is the split on every host."""
    assert [shard_number("hidden-adapter--reproduce", n) for n in (1, 2, 3, 4, 5, 7)] == [1, 1, 2, 1, 1, 2]


@pytest.mark.parametrize("shards", [1, 2, 3])
@pytest.mark.parametrize("folder", ["shipped", "contradicted"])
def test_merged_shards_judge_as_the_unsharded_run(tmp_path, contradicted, folder, shards):
    where = [] if folder == "shipped" else ["--catalogue", str(contradicted)]
    whole = cli(*where, "run", "--format", "json", "--junit", str(tmp_path / "whole.xml"))
    for k in range(1, shards + 1):
        part = cli(*where, "run", "--shard", f"{k}/{shards}", "--format", "json",
                   "--junit", str(tmp_path / f"s{k}.xml"), "--journal", str(tmp_path / f"s{k}"))
        assert json.loads(part.stdout)["shard"] == {"index": k, "of": shards}
    parts = [str(tmp_path / f"s{k}") for k in range(1, shards + 1)]
    xmls = [str(tmp_path / f"s{k}.xml") for k in range(1, shards + 1)]
    merged = cli(*where, "merge", *parts, "--format", "json")
    assert json.loads(merged.stdout) == json.loads(whole.stdout)
    assert merged.exit_code == whole.exit_code == (0 if folder == "shipped" else 1)
    joined = cli(*where, "merge", *xmls, "--junit", str(tmp_path / "merged.xml"), "--format", "plain")
    assert joined.exit_code == whole.exit_code
    assert _cases(tmp_path / "merged.xml") == _cases(tmp_path / "whole.xml")
    root, whole_root = ET.parse(tmp_path / "merged.xml").getroot(), ET.parse(tmp_path / "whole.xml").getroot()
    assert [root.get(k) for k in ("tests", "failures", "skipped")] == [whole_root.get(k)
                                                                        for k in ("tests", "failures", "skipped")]


def test_the_broken_claim_is_judged_in_its_shard(contradicted):
    cat = load_folders([contradicted])
    k = shard_number(f"clock-months-off--{RITUAL}", 3)
    r = cli("--catalogue", str(contradicted), "run", "--shard", f"{k}/3", "--format", "plain")
    assert r.exit_code == 1
    assert f"claim broken: {RITUAL} on clock-months-off" in r.output and f"contradicted by {FOUND}" in r.output
    other = next(n for n in (1, 2, 3) if n != k and shard(cat, n, 3))
    r = cli("--catalogue", str(contradicted), "run", "--shard", f"{other}/3", "--format", "json")
    assert r.exit_code == 0
    assert {"scenario": "clock-months-off", "remediation": RITUAL} in json.loads(r.stdout)["not_judged"]


def test_a_shard_says_which_it_is_and_what_it_did_not_judge(catalogue):
    r = cli("run", "--shard", "2/3", "--format", "plain")
    ran = len(shard(catalogue, 2, 3))
    assert f"shard 2 of 3: {ran} runs; only what this shard ran is judged here" in r.output
    judged_elsewhere = [c for c in catalogue.claims()
                        if f"{c[0]}--{c[1]}" not in {p.name for p in shard(catalogue, 2, 3)}]
    assert f"{len(judged_elsewhere)} claim(s) not judged in this shard" in r.output


@pytest.mark.parametrize("value, said", [("0/3", "K must be between 1 and N (3)"),
                                         ("4/3", "K must be between 1 and N (3)"),
                                         ("abc", "'abc' is not K/N"), ("1/0", "'1/0' is not K/N")])
def test_a_bad_shard_is_bad_input(value, said):
    r = CliRunner().invoke(main, ["run", "--shard", value])
    assert r.exit_code == 2 and said in r.output


def test_shard_and_jobs_take_no_scenario():
    for option in (["--shard", "1/2"], ["--jobs", "2"]):
        r = CliRunner().invoke(main, ["run", "hidden-adapter", *option])
        assert r.exit_code == 2 and "splits the matrix: it takes no SCENARIO" in r.output


def test_merge_says_what_no_shard_ran(tmp_path):
    for k in (1, 2):
        cli("run", "--shard", f"{k}/3", "--journal", str(tmp_path / f"s{k}"), "--junit", str(tmp_path / f"s{k}.xml"))
    r = CliRunner().invoke(main, ["merge", str(tmp_path / "s1"), str(tmp_path / "s2"),
                                                  "--format", "plain"])
    assert r.exit_code == 1
    assert "run(s) of the catalogue in no shard" in r.stderr
    assert "claim(s) of the catalogue not judged (no shard ran them)" in r.output
    r = CliRunner().invoke(main, ["merge", str(tmp_path / "s1.xml"), str(tmp_path / "s2.xml")])
    assert r.exit_code == 1 and "case(s) of the catalogue in no JUnit file" in r.stderr


def test_merge_refuses_overlapping_shards_and_what_is_not_a_shard(tmp_path):
    cli("run", "--shard", "1/2", "--journal", str(tmp_path / "s1"), "--junit", str(tmp_path / "s1.xml"))
    copy = tmp_path / "again"
    shutil.copytree(tmp_path / "s1", copy)
    r = CliRunner().invoke(main, ["merge", str(tmp_path / "s1"), str(copy)])
    assert r.exit_code == 2 and "the shards overlap" in r.output
    r = CliRunner().invoke(main, ["merge", str(tmp_path / "s1.xml"), str(tmp_path / "s1.xml")])
    assert r.exit_code == 2 and "the shards overlap" in r.output
    (tmp_path / "x.xml").write_text("<html/>")
    r = CliRunner().invoke(main, ["merge", str(tmp_path / "x.xml")])
    assert r.exit_code == 2 and "the root is <html>, not <testsuites> or <testsuite>" in r.output
    r = CliRunner().invoke(main, ["merge", str(tmp_path / "s1.xml"), "--report", str(tmp_path / "r.html")])
    assert r.exit_code == 2 and "--report needs the shards' journals" in r.output


def test_merge_writes_one_report_and_one_journal_folder(tmp_path, catalogue):
    for k in (1, 2):
        cli("run", "--shard", f"{k}/2", "--journal", str(tmp_path / f"s{k}"))
    r = cli("merge", str(tmp_path / "s1"), str(tmp_path / "s2"), "--report", str(tmp_path / "r.html"),
            "--journal", str(tmp_path / "all"), "--format", "plain")
    assert r.exit_code == 0
    assert len(list((tmp_path / "all").glob("*.json"))) == len(plan(catalogue))
    html = (tmp_path / "r.html").read_text()
    assert f"{len(catalogue.claims())}/{len(catalogue.claims())} claims hold" in html


def test_jobs_spread_the_matrix_over_workers_and_judge_it_as_one():
    one = cli("run", "--format", "json")
    two = cli("run", "--format", "json", "--jobs", "2")
    assert two.exit_code == one.exit_code == 0
    assert json.loads(two.stdout) == json.loads(one.stdout)


def test_merge_without_the_shards_catalogue_is_an_error_naming_the_runs_it_does_not_know(tmp_path):
    """Shards run with `--add own` hold a broken claim of own's; a merge without `--add` must not judge without
    them ("49/49 claims hold", exit 0): journals of runs its catalogue does not know are an error that names them and
    says how to fix it, exit 1; with the shards' catalogue the broken claim is judged and fails, exit 1."""
    own = tmp_path / "own"
    (own / "remediations").mkdir(parents=True)
    (own / "remediations" / "just-reboot.yaml").write_text(
        "id: just-reboot\ntitle: Reboot and hope\nfixes: [machine-account-reset]\nsteps:\n  - reboot: {}\n")
    for k in (1, 2):
        cli("run", "--add", str(own), "--shard", f"{k}/2", "--journal", str(tmp_path / f"s{k}"),
            "--junit", str(tmp_path / f"s{k}.xml"))
    shards = [str(tmp_path / "s1"), str(tmp_path / "s2")]
    r = CliRunner().invoke(main, ["merge", *shards, "--format", "plain"])
    assert r.exit_code == 1, r.output
    said = r.stderr.splitlines()
    assert said[0] == ("error: 12 journal(s) of runs the catalogue in use does not know; give merge the catalogue "
                       "the shards ran with (the same --add / --catalogue)")
    assert "  machine-account-reset--just-reboot" in said[1:] and len(said) == 13
    assert "claims hold" not in r.stdout
    r = CliRunner().invoke(main, ["merge", *shards, "--add", str(own), "--format", "plain"])
    assert r.exit_code == 1 and "claim broken: just-reboot on machine-account-reset" in r.stdout
    xmls = [str(tmp_path / "s1.xml"), str(tmp_path / "s2.xml")]
    r = CliRunner().invoke(main, ["merge", *xmls])
    assert r.exit_code == 1 and "case(s) the catalogue in use does not know" in r.stderr
    assert CliRunner().invoke(main, ["merge", *xmls, "--add", str(own)]).exit_code == 1      # the failing case


def test_no_line_a_shard_prints_grows_with_the_catalogue(tmp_path):
    """A shard says how many claims it did not judge, not which (one line of every claim was 2,000 characters);
    `--format json` lists them. A merge that lacks runs names each claim on a line of its own."""
    for k in (1, 2, 3):
        r = cli("run", "--shard", f"{k}/3", "--format", "plain", "--journal", str(tmp_path / f"s{k}"))
        assert max(map(len, r.output.splitlines())) < 250
        assert "claim(s) not judged in this shard: their runs are in the others" in r.output
    r = CliRunner().invoke(main, ["merge", str(tmp_path / "s1"), str(tmp_path / "s2"), "--format", "plain"])
    assert r.exit_code == 1 and max(map(len, r.output.splitlines())) < 250
    lines = r.output.splitlines()
    start = next(i for i, line in enumerate(lines) if "not judged (no shard ran them):" in line)
    assert lines[start + 1].startswith("  ") and " on " in lines[start + 1]
