"""The HTML report, opened in headless Chromium as a reader would: the catalogue's matrix, the seed story's
timeline, a counterexample against the plain run, a conformance pair, a training record, samba and vagrant
journals with real time, and the guide. Each test asserts what is on the page, that the page logged no error and
asked the network for nothing but itself, and keeps a screenshot in its temporary folder."""
from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.conftest import ROOT
from trustlab.backends.sim import SimBackend
from trustlab.cli import main
from trustlab.engine.journal import Journal, StepEntry
from trustlab.engine.runner import run
from trustlab.runs.conformance import compare
from trustlab.runs.guide import run_guide
from trustlab.runs.matrix import run_matrix
from trustlab.specs.profiles import SAMBA, WINDOWS
from trustlab.specs.remediation import from_regression
from trustlab.training.record import Began, Checked, Hinted, Record
from trustlab.views import browser as chromium
from trustlab.views.report import Explored, render, write_report

FOUND = "clock-months-off--unplug-cached-logon-wait-reboot--c9a83ab7"
def _typed(t, wall, step, verb, command=None):
    return StepEntry("remediation", 0, step, verb, "admin", {"computer": "LOANER01"}, t, "ok", wall=wall,
                     by="trainee", command=command)


SESSION = Record("seed-loaner-story", "the loaner", "sim", "windows", 0, {"name": None, "provider": None}, "en",
                 "remove-ghost-adapter", ["network: {expect: UP}"], 2, 1, {
                     "passed": 4, "total": 4, "percent": 100, "verdict": "FIXED", "seconds": 1500.0,
                     "solved_by": "trainee"}, [
    Began(0, 1_780_000_000.0, "seed-loaner-story", 12),
    Hinted(0, 1_780_000_001.0, 0, "asked", {"en": "alice cannot sign in with her new password", "ja": "…"}),
    _typed(60, 1_780_000_060.0, "network: {}", "network", "ipconfig /all"),
    _typed(60, 1_780_000_061.0, "show_hidden_devices: {}", "show_hidden_devices"),
    Checked(300, 1_780_000_300.0, [], 3, 4, 75, "NOT_FIXED", 300.0, None, {"verdict": "NOT_FIXED"}),
    _typed(900, 1_780_000_900.0, "remove_ghost_adapters: {}", "remove_ghost_adapters", "pnputil /remove-device"),
    Checked(1500, 1_780_001_500.0, [], 4, 4, 100, "FIXED", 1500.0, "trainee", {"verdict": "FIXED"}),
]).to_dict()


def cli(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


@pytest.fixture(scope="module")
def context():
    if chromium.chromium() is None:
        if os.environ.get("CI") == "true":
            pytest.fail("CI must have chromium (.ci/run installs it)")
        pytest.skip("no chromium on this machine (apt-get install chromium)")
    with chromium.browser() as ctx:
        yield ctx


@pytest.fixture(scope="module")
def matrix(catalogue):
    return run_matrix(catalogue, SimBackend)


def look(context, path: Path, shot: Path):
    """Open the report; the caller checks the page, this checks it was quiet and kept to itself."""
    return chromium.opened(context, path, shot)


def quiet(seen, path: Path) -> None:
    assert seen.errors == [] and seen.console == []
    assert {r.split("#")[0] for r in seen.requests} == {path.resolve().as_uri()}


def links_resolve(page) -> int:
    """Every in-page link points at an element that exists; returns how many links there are."""
    missing = page.evaluate("""() => [...document.querySelectorAll('a[href^="#"]')]
        .map(a => a.getAttribute('href').slice(1)).filter(id => !document.getElementById(id))""")
    assert missing == []
    return page.locator('a[href^="#"]').count()


def test_the_catalogue_matrix_is_a_grid_whose_cells_link_to_their_runs(context, matrix, catalogue, tmp_path):
    path = write_report([matrix], tmp_path / "matrix.html", catalogue)
    with look(context, path, tmp_path / "matrix.png") as seen:
        page = seen.page
        assert page.locator("table.grid tbody tr").count() == 12
        cells = len(matrix.scenarios) * len(matrix.remediations)
        assert page.locator("table.grid td.cell a").count() == cells
        cell = page.locator("table.grid tr", has=page.locator("th.row", has_text="hidden-adapter")).locator(
            "td.cell").nth(matrix.remediations.index("rejoin-domain"))
        assert cell.get_attribute("class") == "cell v-MADE_WORSE" and cell.inner_text() == "✘"
        assert page.locator("td.cell.claimed").count() == len(matrix.claims)
        assert "12/12 scenarios reproduced, 49/49 claims hold, 11 runs made things worse" in page.inner_text("#matrix")
        assert links_resolve(page) >= cells + len(matrix.scenarios)
        page.click("table.grid td.v-MADE_WORSE a >> nth=0")
        assert page.locator("details.run[open]").count() == 1       # the linked run opens
        quiet(seen, path)


def test_claims_that_do_not_hold_come_first(matrix, catalogue, tmp_path):
    matrix.claims.add(("computer-account-disabled", "delete-user-profile"))    # a claim the run contradicts
    try:
        html = render([matrix], catalogue)
    finally:
        matrix.claims.discard(("computer-account-disabled", "delete-user-profile"))
    grid = html[html.index('<table class="grid">'):]
    assert re.search(r'<th class="row">([^<]+)</th>', grid).group(1) == "computer-account-disabled"
    assert re.findall(r'<th class="col"><span>([^<]+)</span>', grid)[1] == "delete-user-profile"
    assert "Claims that do not hold" in html and 'class="cell v-NOT_FIXED claimed broken"' in html


def test_the_seed_story_timeline_has_a_lane_per_machine_cable_and_clock(context, catalogue, tmp_path):
    journal = run(catalogue.scenario("seed-loaner-story"), catalogue.remediation("seed-article-as-told"),
                  SimBackend)
    path = write_report([journal], tmp_path / "seed.html", catalogue)
    with look(context, path, tmp_path / "seed.png") as seen:
        page = seen.page
        assert page.locator("details.run").get_attribute("open") is not None    # one run: open at once
        svg = page.locator("details.run svg.timeline")
        assert svg.locator(".lane-label").all_text_contents() == [
            "lab time", "DC01 (DC)", "LOANER01", "LOANER01 network", "LOANER01 clock − DC"]
        assert svg.locator(".mark").count() == len(journal.entries)
        assert svg.locator(".band text").all_text_contents()[:3] == ["setup", "break", "symptoms"]
        assert svg.locator(".break text").all_text_contents() == ["+181d", "+20d"]       # the drawer, squeezed
        assert float(svg.get_attribute("width")) < 1600
        assert svg.locator('.mark[data-lane="DC01"]').count() == 1                     # the password, changed at the DC
        assert svg.locator('.span-unplugged[data-lane="LOANER01/network"]').count() == 1
        assert svg.locator('.mark[data-lane="LOANER01/network"] text', has_text="no IP").count() >= 1
        wrong = svg.locator(".mark.probe", has=page.locator("title", has_text="-> WRONG_PASSWORD")).first
        wrong.hover()
        panel = page.locator("details.run .detail").inner_text()
        assert "The user name or password is incorrect." in panel and "ユーザー名またはパスワードが正しくありません。" in panel
        assert "1326" in panel and "0xC000006A" in panel
        quiet(seen, path)


def test_a_counterexample_is_drawn_against_the_plain_run_with_the_differences_marked(context, catalogue, tmp_path):
    found = catalogue.scenario(FOUND)
    replay = run(found, from_regression(found), SimBackend, WINDOWS, found.regression.seed or 0)
    plain = run(catalogue.scenario("clock-months-off"), catalogue.remediation("unplug-cached-logon-wait-reboot"),
                SimBackend)
    path = write_report([replay, plain], tmp_path / "counterexample.html", catalogue)
    with look(context, path, tmp_path / "counterexample.png") as seen:
        page = seen.page
        section = page.locator("#counterexamples")
        assert section.locator("ul.changes li").all_inner_texts() == [
            "wait: {for: 0s} instead of wait: {for: 1h}",
            "in the order unplug → logon → wait → reboot → plug (the plain run: unplug → logon → plug → wait → reboot)"]
        found_svg, plain_svg = section.locator("svg.timeline").all()
        assert found_svg.locator(".mark.diff").count() >= 2      # the other wait, the verify logon that failed
        assert plain_svg.locator(".mark.diff").count() >= 2
        assert plain_svg.locator(".mark.background").count() == 1     # the time sync during the hour's wait
        assert plain_svg.locator(".span-skew").count() == 1 and found_svg.locator(".span-skew").count() == 1
        assert "NOT_FIXED" in section.locator("figcaption").first.inner_text()
        assert "claimed to fix it, got NOT_FIXED: verify[0] logon" in section.inner_text()     # what the explorer wrote
        assert links_resolve(page) > 0
        quiet(seen, path)


def test_the_explore_command_writes_its_counterexample_report(tmp_path):
    """The shipped claim is narrowed away from its counterexample; without the narrowing the explorer finds it."""
    import shutil

    import yaml

    catalogue = tmp_path / "catalogue"
    for sub in ("scenarios", "remediations"):
        shutil.copytree(ROOT / sub, catalogue / sub, ignore=shutil.ignore_patterns("found"))
    ritual = catalogue / "remediations" / "unplug-cached-logon-wait-reboot.yaml"
    doc = yaml.safe_load(ritual.read_text(encoding="utf-8"))
    doc.pop("provided")
    ritual.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    out = tmp_path / "report.html"
    r = cli("--catalogue", str(catalogue), "explore", "clock-months-off", "-r", "unplug-cached-logon-wait-reboot",
            "--seed", "1", "--examples", "200", "--out", str(tmp_path / "found"), "--report", str(out))
    assert r.exit_code == 1
    html = out.read_text(encoding="utf-8")
    assert "schedules explored" in html and "claimed to fix it, got NOT_FIXED" in html
    assert "wait: {for: 1h} left out" in html          # the gap the shrinker took to 0 s is gone


def test_a_conformance_pair_sits_side_by_side_with_the_diverging_probe_highlighted(context, catalogue, tmp_path):
    scenario = catalogue.scenario("computer-account-disabled")
    model, real = run(scenario, None, SimBackend, WINDOWS), run(scenario, None, SimBackend, SAMBA)
    comparison = compare(model, real, scenario.id, None)
    assert [d.step for d in comparison.divergences] == ["symptoms[0] logon: {expect: TRUST_FAILURE}"]
    path = write_report([comparison], tmp_path / "conformance.html", catalogue)
    with look(context, path, tmp_path / "conformance.png") as seen:
        page = seen.page
        article = page.locator("article.comparison")
        assert article.locator(".pair.side figure").count() == 2
        left, right = article.locator("svg.timeline").all()
        for svg, outcome in ((left, "TRUST_FAILURE"), (right, "SUCCESS_CACHED")):
            diverged = svg.locator(".mark.diverged")
            assert diverged.count() == 1
            shown = diverged.locator("title").text_content()
            assert f"symptoms[0] logon: {{expect: TRUST_FAILURE}} -> {outcome}" in shown
        assert article.locator("tr.diverged-row td").all_inner_texts()[:3] == [
            "symptoms[0] logon: {expect: TRUST_FAILURE}", "TRUST_FAILURE", "SUCCESS_CACHED"]
        quiet(seen, path)


def test_a_training_session_record_is_a_timeline_of_commands_checks_and_hints(context, tmp_path):
    record = tmp_path / "session.json"
    record.write_text(json.dumps(SESSION), encoding="utf-8")
    out = tmp_path / "training.html"
    r = cli("report", str(record), "-o", str(out))
    assert r.exit_code == 0 and "wrote" in r.output
    with look(context, out, tmp_path / "training.png") as seen:
        page = seen.page
        svg = page.locator("#training svg.timeline")
        assert svg.locator(".lane-label").all_text_contents() == ["commands", "steps", "checks", "hints", "scores"]
        assert svg.locator(".mark").count() == 8          # the break, a hint, 3 of the trainee's, 2 checks, the score
        assert svg.locator(".mark.check.met").count() == 1 and svg.locator(".mark.check.unmet").count() == 1
        assert svg.locator(".wall-time").count() >= 3
        head = page.inner_text("#training .score")                    # the score and who solved it, first
        assert "score 4/4 (100%)" in head and "solved by the trainee" in head and "hints taken 1/2" in head
        labels = svg.locator(".mark text").all_text_contents()         # every mark labelled with its line's number
        assert labels == [str(n) for n in range(1, 9)]
        rows = page.locator("#training table.session-lines tbody tr")
        assert rows.count() == 8
        typed = page.locator("#training table.session-lines code").all_text_contents()
        record_typed = [e["command"] for e in SESSION["entries"] if e.get("command") and e.get("by") != "break"]
        assert typed == record_typed and typed                          # each command's text, as typed
        svg.locator(".mark.hint").click()
        assert "alice cannot sign in with her new password" in page.inner_text("#training .detail")
        quiet(seen, out)


def _as_real(journal: Journal, backend: str, start: float) -> Journal:
    """A sim journal as a real lab would write it: its backend's name, and the wall clock beside lab time."""
    data = json.loads(journal.to_json())
    data["backend"] = backend
    for i, entry in enumerate(data["entries"]):
        entry["wall"] = start + 7.5 * i
    return Journal.from_dict(data)


def test_samba_and_vagrant_journals_render_the_same_with_real_time_beside_lab_time(context, catalogue, tmp_path):
    scenario, fix = catalogue.scenario("machine-account-reset"), catalogue.remediation("reset-machine-password")
    sim = run(scenario, fix, SimBackend)
    folder = tmp_path / "journals"
    folder.mkdir()
    for backend in ("samba", "vagrant"):
        _as_real(sim, backend, 1_780_000_000.0).write(folder / f"{backend}.json")
    sim.write(folder / "sim.json")
    out = tmp_path / "real.html"
    assert cli("report", str(folder), "-o", str(out)).exit_code == 0
    with look(context, out, tmp_path / "real.png") as seen:
        page = seen.page
        runs = page.locator("#runs details.run")
        assert runs.count() == 3
        for i in range(3):
            runs.nth(i).locator("summary").click()
        assert page.locator("#runs details.run svg.timeline").count() == 3
        real = page.locator("#runs details.run", has_text="real time beside lab time")
        assert real.count() == 2
        first = real.first
        assert first.locator(".wall-time").first.text_content() == "20:26:40"
        lanes = [first.locator(".lane-label").all_text_contents(),
                 page.locator("#runs details.run", has_not_text="real time").locator(".lane-label").all_text_contents()]
        assert lanes[0] == lanes[1]
        first.locator(".mark.probe").first.click()
        assert "2026-05-28 20:26:47 UTC" in first.locator(".detail").inner_text()
        assert page.locator("table.comparisons tr.ok").count() == 2          # the same run on three backends agrees
        quiet(seen, out)


def test_the_guide_is_a_section_of_the_report_in_english_and_japanese(context, matrix, catalogue, tmp_path):
    guide = run_guide(catalogue, SimBackend, matrix=matrix)
    path = write_report([matrix, guide], tmp_path / "guide.html", catalogue)
    with look(context, path, tmp_path / "guide.png") as seen:
        page = seen.page
        section = page.locator("#guide")
        assert page.evaluate("() => document.querySelector('#matrix').compareDocumentPosition("
                             "document.querySelector('#guide')) & Node.DOCUMENT_POSITION_FOLLOWING") > 0   # matrix first
        assert section.locator(".lang-en h2").first.inner_text().startswith("At the DC: telling apart the causes")
        folded = section.locator(".lang-en details.others")
        assert folded.count() > 5 and section.locator(".lang-en details.others[open]").count() == 0
        assert "The sign-in screen says “The trust relationship between this workstation and the primary domain " \
               "failed.” (1789, 0xC000018D)" in section.inner_text()
        section.locator("button[data-lang=ja]").click()
        text = section.inner_text()
        assert "サインイン画面に「このワークステーションとプライマリ ドメインとの信頼関係に失敗しました。」と表示される" in text
        assert "元記事のチェックリスト（原因別）" in text
        assert section.locator("a.evidence").count() > 100
        assert links_resolve(page) > 0
        section.locator(".lang-ja a.evidence").first.click()
        assert page.locator("details.run[open]").count() == 1
        quiet(seen, path)


def test_the_report_asks_for_nothing_outside_itself(matrix, catalogue):
    html = render([matrix], catalogue)
    assert "Content-Security-Policy" in html and "default-src 'none'" in html
    assert re.findall(r'(?:src|href)="(?!#)[^"]*"', html) == []
    assert re.findall(r"https?://(?!www\.w3\.org/2000/svg)", html) == []


def test_run_with_report_writes_the_matrix_every_run_and_the_guide(tmp_path, matrix):
    out = tmp_path / "report.html"
    r = cli("run", "--report", str(out))
    assert r.exit_code == 0
    html = out.read_text(encoding="utf-8")
    assert 'id="matrix"' in html and 'id="guide"' in html
    rows, cols, found = len(matrix.scenarios), len(matrix.remediations), len(matrix.regressions)
    assert html.count('<details class="run') == rows + rows * cols + found + rows   # alone, cells, found, looks


def test_report_of_a_file_that_is_not_a_journal_is_bad_input(tmp_path):
    bad = tmp_path / "x.json"
    bad.write_text('{"scenario": "s"}', encoding="utf-8")
    r = cli("report", str(bad), "-o", str(tmp_path / "out.html"))
    assert r.exit_code == 2
    assert f"error: {bad}:1: missing key 'backend'; a journal has format, scenario" in r.output
    assert not (tmp_path / "out.html").exists()


def test_explored_without_a_counterexample_shows_the_plain_run(catalogue):
    plain = run(catalogue.scenario("password-changed-elsewhere"),
                catalogue.remediation("unplug-cached-logon-wait-reboot"), SimBackend)
    html = render([Explored("password-changed-elsewhere", "unplug-cached-logon-wait-reboot", plain, examples=50)],
                  catalogue)
    assert "No counterexample" in html and "50 schedules explored" in html


def test_a_real_training_record_renders_and_lab_check_writes_its_report(context, tmp_path, monkeypatch):
    """The record `lab break` / `lab check` / `lab hint` keep (docs/training.md) is what the report draws."""
    monkeypatch.setenv("TRUSTLAB_TRAINING", str(tmp_path / "training"))
    assert cli("lab", "break", "machine-account-reset").exit_code == 0
    cli("lab", "hint")
    out = tmp_path / "check.html"
    checked = CliRunner().invoke(main, ["lab", "check", "--report", str(out)])
    assert checked.exit_code == 1 and out.exists()
    record = tmp_path / "record.json"
    record.write_text(cli("lab", "record", "--json").output, encoding="utf-8")
    assert cli("report", str(record), "-o", str(tmp_path / "from-file.html")).exit_code == 0
    with look(context, out, tmp_path / "check.png") as seen:
        page = seen.page
        head = page.inner_text("#training .score")
        assert "score 2/4 (50%)" in head and "NOT_FIXED" in head and "solved by nobody yet" in head
        assert "hints taken 2/2" in head
        labels = page.locator("#training svg.timeline .lane-label").all_text_contents()
        assert {"steps", "checks", "hints", "scores"} <= set(labels)
        page.locator("#training .mark.check").first.click()
        assert "lab check: 2/4 conditions (50%), NOT_FIXED" in page.inner_text("#training .detail")
        assert "reset_computer_account" not in page.content()          # the break (the answer) is not shown
        quiet(seen, out)
