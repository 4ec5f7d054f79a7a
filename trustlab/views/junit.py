"""JUnit XML of a matrix, for CI dashboards: one test case per claim and one per scenario's reproduction."""
from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from trustlab.engine.matrix import Matrix
from trustlab.engine.judgement import Verdict


def write_junit(m: Matrix, path: Path) -> None:
    suite = ET.Element("testsuite", name="trustlab")
    failures = 0
    for sid, journal in m.reproduced.items():
        case = ET.SubElement(suite, "testcase", classname="reproduce", name=sid)
        if journal.verdict is not Verdict.REPRODUCED:
            failures += 1
            ET.SubElement(case, "failure", message=journal.verdict.value).text = journal.judgement.reason or ""
    for sid, rid in sorted(m.claims):
        case = ET.SubElement(suite, "testcase", classname=f"claim.{rid}", name=sid)
        judgement = m.cells[(sid, rid)].judgement
        if judgement.verdict is not Verdict.FIXED:
            failures += 1
            detail = "\n".join(judgement.unmet + judgement.worse + ((judgement.reason,) if judgement.reason else ()))
            ET.SubElement(case, "failure", message=judgement.verdict.value).text = detail
    suite.set("tests", str(len(m.reproduced) + len(m.claims)))
    suite.set("failures", str(failures))
    ET.indent(suite)
    ET.ElementTree(suite).write(path, encoding="utf-8", xml_declaration=True)
