"""The behaviour reference is in the repository and shipped; every ID cited anywhere (code, profiles, catalogue,
docs) is defined there, and the summaries `trustlab show` prints are the document's IDs."""
from __future__ import annotations

import re

from click.testing import CliRunner

from tests.conftest import ROOT
from trustlab.cli import main
from trustlab.specs.reference import BEHAVIOURS, DOCUMENT, text

ID = re.compile(r"\b(?:MP|SC|LG|NW|TM)-\d+\b")


def _defined() -> set[str]:
    doc = DOCUMENT.read_text(encoding="utf-8")
    return set(re.findall(r"^- \*\*((?:MP|SC|LG|NW)-\d+)\*\*", doc, re.M)) | set(
        re.findall(r"^\| (TM-\d+) \|", doc, re.M))


def test_the_summaries_are_the_documents_ids():
    assert set(BEHAVIOURS) == _defined()


def test_every_cited_id_is_defined():
    cited = {}
    for folder, pattern in (("trustlab", "*.py"), ("scenarios", "*.yaml"), ("remediations", "*.yaml"),
                            ("docs", "*.md"), ("lab", "*.ps1"), (".", "README.md")):
        for path in (ROOT / folder).rglob(pattern) if folder != "." else [ROOT / pattern]:
            for ident in ID.findall(path.read_text(encoding="utf-8")):
                cited.setdefault(ident, str(path.relative_to(ROOT)))
    assert {i: where for i, where in cited.items() if i not in _defined()} == {}


def test_reference_shows_an_entry_with_its_source():
    r = CliRunner().invoke(main, ["reference", "SC-7"])
    assert r.exit_code == 0 and "KB5020276" in r.output and "[doc]" in r.output
    assert text("TM-10").startswith("| TM-10 | time service on a domain |")
    r = CliRunner().invoke(main, ["reference", "XX-1"])
    assert r.exit_code == 2 and "no behaviour ID 'XX-1'" in r.output


def test_the_wheel_path_and_the_checkout_agree():
    assert DOCUMENT == ROOT / "docs" / "reference" / "windows-behaviour.md"
