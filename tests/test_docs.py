"""The documentation that must not drift from the code: the generated language reference, the YAML examples of every
page, a README that stays short and points only at pages that exist, and links that lead somewhere."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from tests.conftest import ROOT
from trustlab.specs.catalogue import is_trustlab_text
from trustlab.specs.remediation import Remediation
from trustlab.specs.scenario import Scenario
from trustlab.views.language import render

README = ROOT / "README.md"
GENERATED = {ROOT / "docs/scenario-language.md", ROOT / "docs/guide.md", ROOT / "docs/guide.ja.md"}
PAGES = [README] + sorted((ROOT / "docs").rglob("*.md"))
WRITTEN = [p for p in PAGES if p not in GENERATED]
LINK = re.compile(r"\]\(([^)\s]+)\)")


def _name(path: Path) -> str:
    return str(path.relative_to(ROOT))


def test_scenario_language_reference_matches_the_vocabulary():
    assert (ROOT / "docs/scenario-language.md").read_text(encoding="utf-8") == render(), \
        "run `trustlab docs -o docs/scenario-language.md`"


def _yaml_blocks(path: Path) -> list[str]:
    return re.findall(r"```yaml\n(.*?)```", path.read_text(encoding="utf-8"), re.S)


def _kinds(path: Path) -> list[type]:
    """Every YAML block of a page that is a trustlab file (by the catalogue's own rule) is a valid spec; the others
    (a CI workflow) are valid YAML."""
    kinds = []
    for block in _yaml_blocks(path):
        data = yaml.safe_load(block)
        if not is_trustlab_text(block):
            continue
        model = Scenario if "break" in data else Remediation
        model.model_validate(data)
        kinds.append(model)
    return kinds


@pytest.mark.parametrize("page", WRITTEN, ids=_name)
def test_every_yaml_example_is_a_valid_spec(page):
    _kinds(page)


def test_the_catalogue_page_shows_a_scenario_and_a_remediation():
    """The README's scenario and remediation examples moved to docs/catalogue.md."""
    kinds = _kinds(ROOT / "docs/catalogue.md")
    assert Scenario in kinds and Remediation in kinds


def test_the_ci_page_shows_the_workflows():
    blocks = [yaml.safe_load(b) for b in _yaml_blocks(ROOT / "docs/ci.md")]
    assert sum(1 for b in blocks if isinstance(b, dict) and "jobs" in b) == 2


def test_readme_starts_with_the_two_commands():
    head = README.read_text(encoding="utf-8").split("\n## ")[0]
    assert "trustlab run" in head and "pytest" in head


def test_readme_is_short():
    assert len(README.read_text(encoding="utf-8").splitlines()) < 250


def test_readme_links_only_to_docs_pages_that_exist():
    links = [link for link in LINK.findall(README.read_text(encoding="utf-8")) if "://" not in link]
    assert links
    for link in links:
        target = link.split("#")[0]
        assert target.startswith("docs/"), link
        assert (ROOT / target).is_file(), link


def _anchors(path: Path) -> set[str]:
    """The anchors GitHub gives a page's headings: lower case, punctuation dropped, spaces as hyphens."""
    out, seen = set(), {}
    text = re.sub(r"```.*?```", "", path.read_text(encoding="utf-8"), flags=re.S)
    for title in re.findall(r"^#{1,6} (.+)$", text, re.M):
        slug = re.sub(r"[^\w\- ]", "", title.strip().lower()).replace(" ", "-")
        out.add(slug if slug not in seen else f"{slug}-{seen[slug]}")
        seen[slug] = seen.get(slug, 0) + 1
    return out


@pytest.mark.parametrize("page", PAGES, ids=_name)
def test_every_link_leads_somewhere(page):
    for link in LINK.findall(page.read_text(encoding="utf-8")):
        if "://" in link or link.startswith("mailto:"):
            continue
        target, _, anchor = link.partition("#")
        path = (page.parent / target).resolve() if target else page
        assert path.exists(), f"{_name(page)}: {link}"
        if anchor:
            assert anchor in _anchors(path), f"{_name(page)}: {link}: no heading with that anchor"


def test_the_readme_says_how_long_the_suite_takes_and_how_to_run_the_fast_part():
    """The real-lab tests are marked `samba` (a registered marker), so `-m "not samba"` is the fast part; the
    README says so before anything else, with the time the suite takes."""
    import subprocess
    import sys
    import tomllib

    head = (ROOT / "README.md").read_text(encoding="utf-8").split("\n## ")[0]
    assert '-m "not samba"' in head and re.search(r"full suite takes about \d+ minutes", head)
    markers = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["pytest"]["ini_options"]["markers"]
    assert any(m.startswith("samba:") for m in markers)
    listed = subprocess.run([sys.executable, "-m", "pytest", "--co", "-q", "-p", "no:cacheprovider", "-m", "samba",
                             "tests/backends/samba", "tests/training"], cwd=ROOT, capture_output=True, text=True)
    chosen = [line for line in listed.stdout.splitlines() if "::" in line]
    files = {line.split("::")[0] for line in chosen}
    assert files == {"tests/backends/samba/test_backend.py", "tests/backends/samba/test_divergences.py",
                     "tests/backends/samba/test_domain.py", "tests/backends/samba/test_jobs.py",
                     "tests/backends/samba/test_oracle.py",
                     "tests/backends/samba/test_suites.py", "tests/training/test_session_samba.py"}, listed.stdout
    assert "tests/backends/samba/test_domain.py::test_lab_name_is_checked" not in chosen      # needs no lab


def test_the_language_reference_says_which_keys_are_required_and_where_the_vocabulary_lives():
    from trustlab.specs.remediation import Remediation
    from trustlab.specs.scenario import Scenario
    from trustlab.views.language import required_keys

    text = " ".join((ROOT / "docs/scenario-language.md").read_text(encoding="utf-8").split())
    assert "`trustlab/specs/steps.py`" in text and (ROOT / "trustlab/specs/steps.py").is_file()
    assert "A scenario file must have `id`, `title`, `models`, `break`, `symptoms`" in text
    assert "a remediation file must have `id`, `title`, `steps`" in text
    assert required_keys(Scenario) == ["id", "title", "models", "break", "symptoms"]
    assert required_keys(Remediation) == ["id", "title", "steps"]


def test_the_documented_workflow_uploads_the_counterexample_it_says_to_commit():
    """A counterexample the explorer writes on a CI runner is lost with the runner unless the job uploads it."""
    for block in _yaml_blocks(ROOT / "docs/ci.md"):
        flow = yaml.safe_load(block)
        if not (isinstance(flow, dict) and "jobs" in flow):
            continue
        for job in flow["jobs"].values():
            outs = [run.split("--out ")[1].split()[0] for run in (step.get("run", "") for step in job["steps"])
                    if run.startswith("trustlab explore") and "--out " in run]
            uploaded = [str(step["with"]["path"]) for step in job["steps"]
                        if step.get("uses", "").startswith("actions/upload-artifact")]
            for out in outs:
                assert any(out.rstrip("/") in path for path in uploaded), (out, uploaded)
