"""JUnit XML for CI dashboards: one test suite per backend and profile, a case per scenario's reproduction, per claim
and per found counterexample (or for the one run), each with its time and the journal's steps in `system-out`.
UNSUPPORTED is skipped, never failed; a found counterexample that still fails as recorded is an expected failure
(skipped, as pytest writes an xfail); one that passes now, or fails differently, fails."""
from __future__ import annotations

import io
import socket
import xml.etree.ElementTree as ET
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timezone
from itertools import groupby
from pathlib import Path
from typing import Any, Optional

from rich.console import Console

from trustlab.engine.journal import Journal
from trustlab.engine.judgement import Verdict
from trustlab.errors import TrustlabError
from trustlab.runs.claims import AS_RECORDED, KNOWN, PASSES, Claim, Replay, case_name
from trustlab.runs.matrix import Matrix, key
from trustlab.views.terminal import print_journal


@dataclass(frozen=True)
class Case:
    classname: str
    name: str
    journal: Journal
    seconds: float
    failure: Optional[tuple[str, str]] = None     # (message, detail)
    skipped: Optional[str] = None


def _why(journal: Journal, contradicting=()) -> str:
    return "\n".join(journal.judgement.why + [f"contradicted by the known counterexample {r.found} (replays "
                                              f"{r.journal.verdict.value})" for r in contradicting])


def _judged(claim: Claim, seconds: float) -> Case:
    (classname, name), journal = claim.junit, claim.journal
    if journal.verdict is Verdict.UNSUPPORTED:
        return Case(classname, name, journal, seconds, skipped=f"unsupported on {journal.backend}: "
                                                               f"{journal.judgement.reason}")
    if claim.state == KNOWN:
        return Case(classname, name, journal, seconds, skipped=f"known difference ({claim.predicted} profile "
                                                               f"predicts {journal.verdict.value})")
    if not claim.holds:
        message = journal.verdict.value + (" (a known counterexample contradicts the claim)"
                                           if claim.contradicting else "")
        return Case(classname, name, journal, seconds, failure=(message, _why(journal, claim.contradicting)))
    return Case(classname, name, journal, seconds)


def _replayed(r: Replay, seconds: float, known: Optional[str] = None) -> Case:
    got, (classname, name) = r.journal.verdict.value, r.junit
    if known and r.state != AS_RECORDED and not r.contradicts:
        return Case(classname, name, r.journal, seconds, skipped=f"known difference ({known} profile predicts {got})")
    if r.state == AS_RECORDED:
        return Case(classname, name, r.journal, seconds,
                    skipped=f"xfail: a known counterexample, replays {got} as recorded" if r.fails else None)
    message = (f"passes now ({got}): promote it, set its regression verdict to {got}" if r.state == PASSES
               else f"recorded {r.recorded}, replays {got}")
    return Case(classname, name, r.journal, seconds, failure=(message, _why(r.journal)))


def matrix_cases(m: Matrix) -> list[Case]:
    def known(name: str) -> Optional[str]:
        return m.predicted_by if name in m.known else None

    cases = [_judged(m.claim(sid), m.seconds.get(key(j), 0.0)) for sid, j in m.reproduced.items()]
    for sid, rid in sorted(m.claims):
        cases.append(_judged(m.claim(sid, rid), m.seconds.get(key(m.cells[(sid, rid)]), 0.0)))
    return cases + [_replayed(r, m.seconds.get(fid, 0.0), known(fid)) for fid, r in m.regressions.items()]


def run_case(claim: Claim, seconds: float, regression=None) -> Case:
    journal = claim.journal
    if regression is not None:
        same = journal.verdict.value == regression.verdict
        return Case(*case_name(journal.scenario, found=True), journal, seconds,
                    skipped=f"xfail: replays {journal.verdict.value} as recorded" if same else None,
                    failure=None if same else (f"recorded {regression.verdict}, replays {journal.verdict.value}",
                                               _why(journal)))
    return _judged(claim, seconds)


def _steps(journal: Journal) -> str:
    shown = Console(file=io.StringIO(), color_system=None, soft_wrap=True, width=200, record=True)
    print_journal(journal, shown)
    return shown.export_text()


def write_junit(path: Path, cases: list[Case], started: float) -> None:
    stamp = datetime.fromtimestamp(started, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S")
    root = ET.Element("testsuites", name="trustlab")
    totals = {"tests": 0, "failures": 0, "skipped": 0, "time": 0.0}
    ordered = sorted(cases, key=lambda c: (c.journal.backend, c.journal.profile))
    for (backend, profile), group in groupby(ordered, key=lambda c: (c.journal.backend, c.journal.profile)):
        group = list(group)
        suite = ET.SubElement(root, "testsuite", name=f"trustlab.{backend}.{profile}", timestamp=stamp,
                              hostname=socket.gethostname())
        counts = {"tests": len(group), "failures": sum(1 for c in group if c.failure),
                  "skipped": sum(1 for c in group if c.skipped), "time": sum(c.seconds for c in group)}
        for case in group:
            element = ET.SubElement(suite, "testcase", classname=case.classname, name=case.name,
                                    time=f"{case.seconds:.3f}")
            if case.failure:
                ET.SubElement(element, "failure", message=case.failure[0]).text = case.failure[1]
            elif case.skipped:
                ET.SubElement(element, "skipped", message=case.skipped)
            ET.SubElement(element, "system-out").text = _steps(case.journal)
        for name, value in counts.items():
            suite.set(name, f"{value:.3f}" if name == "time" else str(value))
            totals[name] += value
        suite.set("errors", "0")
    for name, value in totals.items():
        root.set(name, f"{value:.3f}" if name == "time" else str(value))
    root.set("errors", "0")
    ET.indent(root)
    ET.ElementTree(root).write(path, encoding="utf-8", xml_declaration=True)


class NotJUnit(TrustlabError, ValueError):
    """A file that is not JUnit XML as trustlab writes it, or cases that two files both have."""


def expected_cases(catalogue) -> set[tuple[str, str]]:
    """The (classname, name) of every case a matrix of this catalogue writes, as `matrix_cases` names them."""
    rows = [sid for sid in catalogue.scenarios if sid not in catalogue.regressions]
    return ({case_name(sid) for sid in rows} | {case_name(sid, rid) for sid, rid in catalogue.claims()}
            | {case_name(fid, found=True) for fid in catalogue.regressions})


def merge_junit(paths: list[Path], out: Optional[Path] = None) -> dict[str, Any]:
    """The shards' JUnit files as one: suites of the same name become one, their cases all kept (a case in two
    files is an error: the shards overlap), the counts summed again from the cases. Returns the totals, and
    `cases`: each suite's (classname, name) pairs."""
    suites: dict[str, ET.Element] = {}
    seen: dict[tuple[str, str, str], Path] = {}
    for path in paths:
        try:
            root = ET.parse(path).getroot()
        except (ET.ParseError, OSError) as e:
            raise NotJUnit(f"{path}: not JUnit XML: {e}") from None
        found = [root] if root.tag == "testsuite" else root.findall("testsuite") if root.tag == "testsuites" else None
        if found is None:
            raise NotJUnit(f"{path}: not JUnit XML: the root is <{root.tag}>, not <testsuites> or <testsuite>")
        for suite in found:
            name = suite.get("name", "")
            into = suites.setdefault(name, ET.Element("testsuite", name=name))
            for attr in ("timestamp", "hostname"):
                mine, theirs = into.get(attr), suite.get(attr)
                if theirs and (mine is None or (attr == "timestamp" and theirs < mine)):
                    into.set(attr, theirs)
                elif theirs and attr == "hostname" and theirs not in mine.split(","):
                    into.set(attr, f"{mine},{theirs}")
            for case in suite.findall("testcase"):
                ident = (name, case.get("classname", ""), case.get("name", ""))
                if ident in seen:
                    raise NotJUnit(f"{path}: case {ident[1]} {ident[2]} of {name} is also in {seen[ident]}: the "
                                   f"shards overlap, or a file was given twice")
                seen[ident] = path
                into.append(case)
    root = ET.Element("testsuites", name="trustlab")
    totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0, "time": 0.0}
    for name in sorted(suites):
        suite = suites[name]
        cases = suite.findall("testcase")
        counts = {"tests": len(cases), "failures": sum(1 for c in cases if c.find("failure") is not None),
                  "errors": sum(1 for c in cases if c.find("error") is not None),
                  "skipped": sum(1 for c in cases if c.find("skipped") is not None),
                  "time": sum(float(c.get("time") or 0) for c in cases)}
        for field_, value in counts.items():
            suite.set(field_, f"{value:.3f}" if field_ == "time" else str(value))
            totals[field_] += value
        root.append(suite)
    for field_, value in totals.items():
        root.set(field_, f"{value:.3f}" if field_ == "time" else str(value))
    if out is not None:
        ET.indent(root)
        ET.ElementTree(root).write(out, encoding="utf-8", xml_declaration=True)
    cases: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for suite, classname, name in seen:
        cases[suite].add((classname, name))
    return {**{k: int(v) for k, v in totals.items() if k != "time"}, "cases": dict(cases)}
