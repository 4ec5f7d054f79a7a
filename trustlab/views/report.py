"""The HTML report: one self-contained file (inline CSS, JS and SVG; no network, nothing beside it) that opens from
a CI artifact or an email. It draws what it is given: matrices, runs as timelines, counterexamples against the
plain run, conformance pairs side by side, training sessions, the guide. Verdicts, claims and divergences are read
from the journals, the `Matrix` and the `Comparison`; the report judges nothing itself.

Templates are Jinja2 (`templates/`); the timelines are SVG computed here (`timeline.py`, `axis.py`) and written by
the templates, because the axis a run needs (months squeezed, minutes expanded, breaks shown) is no chart
library's, and static SVG needs no script to be read."""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterable, Optional

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from trustlab.engine.journal import Journal
from trustlab.engine.judgement import Verdict
from trustlab.engine.runner import BackendFactory, run
from trustlab.runs.conformance import Comparison, compare, observations
from trustlab.runs.guide import FIRST_LOOK, Guide, as_run, changes, from_journals
from trustlab.runs.matrix import Matrix
from trustlab.runs.records import found_from, matrices
from trustlab.specs import catalogue as catalogue_mod
from trustlab.specs.catalogue import Catalogue
from trustlab.specs.lab import LabSpec
from trustlab.specs.profiles import BehaviourProfile
from trustlab.specs.words import Words
from trustlab.training.record import Checked, Record
from trustlab.views import guide as guide_view
from trustlab.views.terminal import CELL, KNOWN
from trustlab.views.timeline import Timeline, moments, of_journal, of_session

LEGEND = [("claimed", "✔", "claimed and fixed"), ("v-FIXED", CELL[Verdict.FIXED][0], "fixed, not claimed"),
          ("v-NOT_FIXED", CELL[Verdict.NOT_FIXED][0], "not fixed"),
          ("v-MADE_WORSE", CELL[Verdict.MADE_WORSE][0], "made worse (usable before, not after)"),
          ("broken", "!", "a claim that does not hold"),
          ("v-SYMPTOMS_NOT_REPRODUCED", CELL[Verdict.SYMPTOMS_NOT_REPRODUCED][0], "symptoms not reproduced"),
          ("v-UNSUPPORTED", CELL[Verdict.UNSUPPORTED][0], "unsupported on this backend")]


def _script_json(value: Any) -> Markup:
    """JSON for the click-through panel, safe inside a <script> element (`</` escaped)."""
    return Markup(json.dumps(value, ensure_ascii=False, separators=(",", ":")).replace("</", "<\\/"))


@dataclass
class Run:
    key: str
    journal: Journal
    timeline: Timeline
    marked: dict[int, str] = field(default_factory=dict)      # entry -> extra class (diff, diverged)

    @property
    def label(self) -> str:
        return self.journal.scenario + (f" + {self.journal.remediation}" if self.journal.remediation else "")

    @property
    def data(self) -> Markup:
        return _script_json(self.timeline.entries)


@dataclass
class Explored:
    """The explorer's counterexample (its shrunk schedule) against the plain run of the same pair."""

    scenario: str
    remediation: str
    plain: Journal
    found: Optional[Journal] = None
    problem: Optional[str] = None
    examples: Optional[int] = None
    rate: Optional[float] = None
    classes: dict = field(default_factory=dict)

    @property
    def changes(self) -> list[str]:
        return changes(self.plain, self.found) if self.found else []


@dataclass
class SessionView:
    record: Record
    key: str
    timeline: Timeline
    lang: str = "en"

    @property
    def data(self) -> Markup:
        return _script_json(self.timeline.entries)

    @property
    def lines(self) -> list[dict[str, Any]]:
        """The table under the timeline: every numbered moment, with the entry its mark is."""
        return [{**m, "entry": i} for i, m in enumerate(moments(self.record, self.lang))]

    @property
    def caveats(self) -> list[str]:
        checks = self.record.moments(Checked)
        return [c.get(self.lang) or c["en"] for c in checks[-1].caveats] if checks else []


SESSION_WORDS = Words.by_language({
    "en": {"score": "score", "solved_by": "solved by", "trainee": "the trainee", "solution": "the official solution "
           "(lab solve)", "nobody": "nobody yet", "hints": "hints taken", "minutes": "min after the break",
           "not_checked": "not checked yet", "hover": "Hover or click a mark for what happened; its number is its "
           "line below.", "real": "real time", "lab": "lab time", "who": "who", "what": "what was typed or done",
           "result": "what came of it"},
    "ja": {"score": "スコア", "solved_by": "解決", "trainee": "受講者", "solution": "公式の手順 (lab solve)",
           "nobody": "まだ誰も", "hints": "使ったヒント", "minutes": "分 (障害から)", "not_checked": "まだ確認していません",
           "hover": "印にカーソルを合わせるかクリックすると内容を表示します。番号は下の表の行です。", "real": "実時間",
           "lab": "ラボ時間", "who": "誰が", "what": "入力または操作", "result": "結果"},
})


def counterexample(result, scenario, remediation, backend: BackendFactory, profile: BehaviourProfile) -> Explored:
    """What `trustlab explore --report` draws: the exploration's figures, its counterexample if it found one, and
    the plain run of the same scenario and remediation."""
    failure = result.failure
    return Explored(scenario.id, remediation.id, run(scenario, remediation, backend, profile),
                    failure.journal if failure else None, failure.problem if failure else None,
                    result.examples, result.rate, dict(result.classes))


@dataclass
class Report:
    title: str
    catalogue: Catalogue
    guides: list[Guide] = field(default_factory=list)
    matrices: list[Matrix] = field(default_factory=list)
    explored: list[Explored] = field(default_factory=list)
    comparisons: list[Comparison] = field(default_factory=list)
    sessions: list[SessionView] = field(default_factory=list)
    runs: dict[int, Run] = field(default_factory=dict)         # id(journal) -> its run
    lang: str = "en"                                           # of the training sessions' texts
    _keys: set = field(default_factory=set)

    def run(self, journal: Journal) -> Run:
        """The run of a journal, made once; its key is the anchor every link to it uses."""
        if id(journal) not in self.runs:
            scenario = self.catalogue.scenarios.get(journal.scenario)
            origin = self.catalogue.scenarios.get(found_from(journal) or "")
            lab = scenario.lab if scenario else origin.lab if origin else LabSpec()
            self.runs[id(journal)] = Run(self._key("run", journal.scenario, journal.remediation or "reproduce",
                                                   journal.backend, journal.profile),
                                         journal, of_journal(journal.to_dict(), lab))
        return self.runs[id(journal)]

    def _key(self, kind: str, *parts: str) -> str:
        base = kind + "-" + re.sub(r"[^a-z0-9-]+", "-", "--".join(parts).lower()).strip("-")
        key, n = base, 1
        while key in self._keys:
            n += 1
            key = f"{base}-{n}"
        self._keys.add(key)
        return key

    def session(self, record: Record) -> SessionView:
        view = SessionView(record, self._key("session", record.scenario, record.backend),
                           of_session(record, self.lang), self.lang)
        self.sessions.append(view)
        return view


def arrange(items: Iterable[Any], catalogue: Optional[Catalogue] = None, title: Optional[str] = None,
            lang: str = "en") -> Report:
    """Sort what was given into the report's sections. Loose journals make matrices (one per backend and
    profile, when there is more than one run), counterexample pairs (a found scenario's replay and the plain run
    it was found on), conformance pairs (the same run on two backends or profiles) and, when they hold a first
    look at every scenario, the guide."""
    cat = catalogue or catalogue_mod.load_default()
    report = Report(title or "trustlab report", cat, lang=lang)
    loose: list[Journal] = []
    for item in items:
        if isinstance(item, Matrix):
            report.matrices.append(item)
        elif isinstance(item, Guide):
            report.guides.append(item)
        elif isinstance(item, Explored):
            report.explored.append(item)
        elif isinstance(item, Comparison):
            report.comparisons.append(item)
        elif isinstance(item, Record):
            report.session(item)
        elif isinstance(item, Journal):
            loose.append(item)
        else:
            raise TypeError(f"a report cannot show a {type(item).__name__}")
    _from_journals(report, loose)
    for m in report.matrices:
        for journal in [*m.reproduced.values(), *m.cells.values(), *(r.journal for r in m.regressions.values())]:
            report.run(journal)
    for g in report.guides:
        for key in sorted(g.journals, key=str):
            report.run(g.journals[key])
    for ex in report.explored:
        _mark_differences(report.run(ex.plain), report.run(ex.found) if ex.found else None)
    for c in report.comparisons:
        if c.journals:
            model, real = (report.run(j) for j in c.journals)
            _mark_divergences(c, model, real)
    for journal in loose:
        report.run(journal)
    return report


def _from_journals(report: Report, loose: list[Journal]) -> None:
    plain = [j for j in loose if j.remediation != FIRST_LOOK.id]
    by_run: dict[tuple, list[Journal]] = {}
    for j in plain:
        by_run.setdefault((j.scenario, j.remediation), []).append(j)
    for (sid, rid), same in sorted(by_run.items(), key=str):
        for other in same[1:]:
            model, real = sorted([same[0], other], key=lambda j: any(getattr(e, "wall", None) is not None for e in j.entries))
            report.comparisons.append(compare(model, real, sid, rid))
    for j in plain:
        origin = found_from(j)
        base = next((p for p in plain if (p.scenario, p.remediation, p.backend, p.profile)
                     == (origin, j.remediation, j.backend, j.profile)), None) if origin else None
        if base is not None:
            found = report.catalogue.scenarios.get(j.scenario)
            problem = found.description.splitlines()[0] if found and found.description else None
            report.explored.append(Explored(origin, j.remediation, base, j, problem or f"replayed: {j.verdict.value}"))
    if len({(j.scenario, j.remediation) for j in plain}) > 1:
        report.matrices += matrices(plain, report.catalogue)
        report.guides += from_journals(loose, report.catalogue)


def _mark_differences(plain: Run, found: Optional[Run]) -> None:
    """Steps one schedule has and the other has not, and checks whose outcome differs, marked on both."""
    if found is None:
        return
    for a, b in ((plain, found), (found, plain)):
        theirs = [as_run(e) for e in b.journal.steps if e.phase == "remediation" and e.within is None]
        for i, e in enumerate(a.journal.entries):
            if e.phase == "remediation" and e.within is None:
                text = as_run(e)
                if text in theirs:
                    theirs.remove(text)
                else:
                    a.marked[i] = "diff"
    checks = lambda r: {(e.phase, e.index): i for i, e in enumerate(r.journal.entries)   # noqa: E731
                        if e.phase in ("verify", "recheck")}
    ours, theirs_checks = checks(plain), checks(found)
    for key in ours.keys() & theirs_checks.keys():
        i, j = ours[key], theirs_checks[key]
        if plain.journal.entries[i].outcome != found.journal.entries[j].outcome:
            plain.marked[i] = found.marked[j] = "diff"


def _mark_divergences(c: Comparison, model: Run, real: Run) -> None:
    steps = {d.step for d in c.divergences}
    for run_ in (model, real):
        for label, entry in observations(run_.journal):
            if label in steps:
                run_.marked[next(i for i, e in enumerate(run_.journal.entries) if e is entry)] = "diverged"


def matrix_view(m: Matrix, report: Report) -> dict[str, Any]:
    """The grid: claims that do not hold first (rows and columns), each cell its verdict, symbol and run."""
    broken = {(c.scenario, c.remediation) for c in m.broken_claims}
    unreproduced = {c.scenario for c in m.unreproduced}
    rows = sorted(m.scenarios, key=lambda s: (not any(b[0] == s for b in broken), s not in unreproduced, s))
    cols = sorted(m.remediations, key=lambda r: (not any(b[1] == r for b in broken), r))
    grid = []
    for sid in rows:
        alone = m.reproduced.get(sid)
        cells = []
        for rid in cols:
            journal = m.cells.get((sid, rid))
            if journal is None:
                cells.append(None)
                continue
            claim = m.claim(sid, rid)
            v, claimed, broke, known = journal.verdict, claim.claimed, not claim.holds, bool(claim.predicted)
            symbol = "!" if claimed and broke else KNOWN if known else "✔" if claimed else CELL[v][0]
            broke = claimed and broke
            css = f"v-{v.value}" + (" claimed" if claimed else "") + (" broken" if broke else "") + (
                " known" if known else "")
            why = "; ".join(journal.judgement.why)
            cells.append({"symbol": symbol, "css": css, "href": "#" + report.run(journal).key,
                          "title": f"{rid} on {sid}: {v.value}" + (" (claimed)" if claimed else "")
                                   + (" — the claim does not hold" if broke else "")
                                   + (f" — known difference ({m.predicted_by} profile predicts {v.value})"
                                      if known else "") + (f"\n{why}" if why else "")})
        grid.append({"scenario": sid, "alone": alone and {"verdict": alone.verdict.value,
                                                          "href": "#" + report.run(alone).key},
                     "cells": cells})
    held = len(m.claims) - len(m.broken_claims)
    worse = sum(1 for j in m.cells.values() if j.verdict is Verdict.MADE_WORSE)
    first = next(iter([*m.reproduced.values(), *m.cells.values()]), None)
    return {"rows": grid, "cols": cols, "held": held, "claims": len(m.claims), "worse": worse,
            "reproduced": len(m.scenarios) - len(m.unreproduced), "scenarios": len(m.scenarios),
            "known": [{"run": name, "verdict": verdict, "profile": m.predicted_by}
                      for name, verdict in sorted(m.known.items())],
            "backend": first.backend if first else "", "profile": first.profile if first else "",
            "broken": [{"scenario": c.scenario, "remediation": c.remediation, "verdict": c.journal.verdict.value,
                        "why": "; ".join(c.journal.judgement.why), "href": "#" + report.run(c.journal).key}
                       for c in m.broken_claims],
            "regressions": [{"id": sid, "recorded": r.recorded, "replayed": r.journal.verdict.value,
                             "href": "#" + report.run(r.journal).key, "changed": sid in m.changed_regressions}
                            for sid, r in sorted(m.regressions.items())],
            "ok": m.ok}


def _hms(epoch: Optional[float]) -> str:
    return "" if epoch is None else datetime.fromtimestamp(float(epoch), timezone.utc).strftime("%H:%M:%S")


def _inline(text: str) -> Markup:
    """Text with `code` spans, escaped."""
    parts = str(Markup.escape(text)).split("`")
    return Markup("".join(f"<code>{p}</code>" if i % 2 else p for i, p in enumerate(parts)))


def environment() -> Environment:
    env = Environment(loader=PackageLoader("trustlab.views", "templates"),
                      autoescape=select_autoescape(default=True, default_for_string=True),
                      trim_blocks=True, lstrip_blocks=True)
    env.filters.update(hms=_hms, inline=_inline)
    return env


def render(items: Iterable[Any], catalogue: Optional[Catalogue] = None, title: Optional[str] = None,
           lang: str = "en") -> str:
    report = arrange(items, catalogue, title, lang)
    guides = [{"en": guide_view.blocks(g, "en"), "ja": guide_view.blocks(g, "ja"), "guide": g}
              for g in report.guides]
    template = environment().get_template("report.html.j2")
    return template.render(report=report, legend=LEGEND, guides=guides,
                           matrices=[matrix_view(m, report) for m in report.matrices],
                           runs=list(report.runs.values()), evidence_href=lambda e: _evidence_href(report, e),
                           words=SESSION_WORDS.of(lang), lang=lang,
                           generated=datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"))


def _evidence_href(report: Report, evidence) -> str:
    for g in report.guides:
        journal = g.journals.get((evidence.scenario, evidence.remediation))
        if journal is not None:
            return "#" + report.run(journal).key + (f"-e{evidence.entry}" if evidence.entry is not None else "")
    return ""


def write_report(items: Iterable[Any], path: Path, catalogue: Optional[Catalogue] = None,
                 title: Optional[str] = None, lang: str = "en") -> Path:
    """Write the report of `items` (journals, matrices, guides, `Explored`, comparisons, training sessions) to
    `path`: what `--report FILE` of every command calls."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render(items, catalogue, title, lang), encoding="utf-8")
    return path


def guide_page(guide: Guide, lang: str = "en") -> str:
    """The guide alone as a self-contained HTML page (`trustlab guide --format html`)."""
    blocks = guide_view.blocks(guide, lang)
    return environment().get_template("guide.html.j2").render(blocks=blocks, lang=lang, title=blocks[0].text)
