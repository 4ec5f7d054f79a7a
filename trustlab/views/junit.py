"""JUnit XML of a matrix, for CI dashboards: one test case per claim and one per scenario's reproduction."""
from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from trustlab.engine.matrix import Matrix
from trustlab.engine.verdict import Verdict


def write_junit(m: Matrix, path: Path) -> None:
    suite = ET.Element("testsuite", name="trustlab")
    failures = 0
    for sid, journal in m.reproduced.items():
        case = ET.SubElement(suite, "testcase", classname="reproduce", name=sid)
        if journal.verdict["verdict"] != Verdict.REPRODUCED.value:
            failures += 1
            ET.SubElement(case, "failure", message=journal.verdict["verdict"]).text = journal.verdict.get("reason", "")
    for sid, rid in sorted(m.claims):
        case = ET.SubElement(suite, "testcase", classname=f"claim.{rid}", name=sid)
        verdict = m.cells[(sid, rid)].verdict
        if verdict["verdict"] != Verdict.FIXED.value:
            failures += 1
            detail = "\n".join(verdict.get("unmet", []) + verdict.get("worse", []) + [verdict.get("reason", "")])
            ET.SubElement(case, "failure", message=verdict["verdict"]).text = detail.strip()
    suite.set("tests", str(len(m.reproduced) + len(m.claims)))
    suite.set("failures", str(failures))
    ET.indent(suite)
    ET.ElementTree(suite).write(path, encoding="utf-8", xml_declaration=True)
