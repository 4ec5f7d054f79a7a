"""Terminal views of journals and matrices: what a technician would have seen, and the catalogue at a glance."""
from __future__ import annotations

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from trustlab.engine.journal import Journal
from trustlab.engine.matrix import Matrix
from trustlab.engine.judgement import Judgement, Verdict

VERDICT_STYLE = {
    Verdict.REPRODUCED: "green", Verdict.FIXED: "bold green", Verdict.NOT_FIXED: "yellow",
    Verdict.MADE_WORSE: "bold red", Verdict.SYMPTOMS_NOT_REPRODUCED: "magenta", Verdict.BASELINE_FAILED: "magenta",
    Verdict.UNSUPPORTED: "dim",
}


def _message(entry: dict, lang: str) -> str:
    message = entry.get("message")
    if not message:
        return ""
    return message.get(lang) or message.get("en", "")


def _codes(entry: dict) -> str:
    codes = [str(entry["win32"])] if entry.get("win32") else []
    if entry.get("ntstatus") and entry["ntstatus"] != "0x00000000":
        codes.append(entry["ntstatus"])
    return f" ({', '.join(codes)})" if codes else ""


def print_journal(journal: Journal, console: Console, lang: str = "en") -> None:
    title = f"{journal.scenario}" + (f" + {journal.remediation}" if journal.remediation else "")
    console.print(Text(f"{title}  [{journal.backend}, profile {journal.profile}, seed {journal.seed}]", style="bold"))
    phase = None
    for entry in journal.entries:
        if entry["phase"] == "background":
            console.print(Text(f"  {entry['clock']:>10}  ~ {entry['computer']}: {entry['event']}", style="dim"))
            continue
        if entry["phase"] != phase:
            phase = entry["phase"]
            console.print(Text(phase, style="bold cyan"))
        print_entry(entry, console, lang)
    print_verdict(journal.judgement, console)


def print_entry(entry: dict, console: Console, lang: str = "en") -> None:
    line = Text(f"  {entry['clock']:>10}  {entry['step']}")
    if entry["status"] != "ok":
        line.append(f"  [{entry['status']}]", style="red" if entry["status"] == "failed" else "dim")
    if "outcome" in entry:
        matched = entry.get("matched")
        if entry["phase"] == "recheck":   # the symptoms again: a mismatch here means the symptom is gone
            line.append(f"  -> {entry['outcome']}{_codes(entry)}")
            line.append("  symptom still there" if matched else "  symptom gone",
                        style="yellow" if matched else "green")
        else:
            style = "green" if matched else ("red" if matched is False else "")
            line.append(f"  -> {entry['outcome']}{_codes(entry)}", style=style)
            if matched is False:
                line.append(f"  expected {entry['expect'].get('outcome')}", style="red")
    console.print(line)
    text = _message(entry, lang)
    if text and entry.get("outcome") not in ("SUCCESS", None):
        console.print(Text(f"              {text}", style="italic"))
    for out in entry.get("output", []):
        console.print(Text(f"              | {out}", style="dim"))


def print_verdict(judgement: Judgement, console: Console) -> None:
    v = judgement.verdict
    console.print(Text(f"verdict: {v.value}", style=VERDICT_STYLE[v]))
    for key in ("reason", "unmet", "worse", "failed_steps"):
        value = getattr(judgement, key)
        for item in [value] if isinstance(value, str) else (value or []):
            console.print(Text(f"  {key.replace('_', ' ')}: {item}", style=VERDICT_STYLE[v]))


CELL = {
    Verdict.FIXED: ("+", "green"), Verdict.NOT_FIXED: ("·", "dim"), Verdict.MADE_WORSE: ("✘", "bold red"),
    Verdict.SYMPTOMS_NOT_REPRODUCED: ("?", "magenta"), Verdict.BASELINE_FAILED: ("?", "magenta"),
    Verdict.UNSUPPORTED: ("-", "dim"),
}
LEGEND = ("✔ claimed and fixed   + fixed, not claimed   · not fixed   ✘ made worse (usable before, not after)   "
          "! a claim that does not hold   ? symptoms not reproduced   - unsupported on this backend")


def cell(m: Matrix, sid: str, rid: str) -> Text:
    verdict = m.verdict(sid, rid)
    text, style = CELL[verdict]
    if (sid, rid) in m.claims:
        text, style = ("✔", "bold green") if verdict is Verdict.FIXED else ("!", "bold white on red")
    return Text(text, style=style)


def print_matrix(m: Matrix, console: Console) -> None:
    """Scenarios down, remediations across (numbered, with a legend)."""
    table = Table(title="remediation × scenario", header_style="bold", box=box.SIMPLE_HEAD, padding=(0, 0),
                  collapse_padding=True)
    table.add_column("scenario", no_wrap=True)
    for i, _ in enumerate(m.remediations, 1):
        table.add_column(str(i), justify="center", no_wrap=True, min_width=3)
    for sid in m.scenarios:
        label = Text(sid, style="magenta" if sid in m.unreproduced else "")
        table.add_row(label, *(cell(m, sid, rid) for rid in m.remediations))
    console.print(table)
    legend = Table(show_header=False, box=None, padding=(0, 1))
    for i, rid in enumerate(m.remediations, 1):
        legend.add_row(str(i), rid)
    console.print(legend)
    console.print(Text(LEGEND, style="dim"))
    print_summary(m, console)


def print_summary(m: Matrix, console: Console) -> None:
    held = len(m.claims) - len(m.broken_claims)
    worse = sum(1 for s in m.scenarios for r in m.remediations if m.verdict(s, r) is Verdict.MADE_WORSE)
    style = "bold green" if m.ok else "bold red"
    console.print(Text(f"{len(m.scenarios) - len(m.unreproduced)}/{len(m.scenarios)} scenarios reproduced, "
                       f"{held}/{len(m.claims)} claims hold, {worse} runs made things worse", style=style))
    for sid in m.unreproduced:
        console.print(Text(f"  not reproduced: {sid}: {m.reproduced[sid].judgement.reason or ''}", style="red"))
    if m.regressions:
        changed = m.changed_regressions
        console.print(Text(f"{len(m.regressions) - len(changed)}/{len(m.regressions)} regressions found by the "
                           f"explorer replay as recorded", style="bold red" if changed else "green"))
        for sid in changed:
            journal, recorded = m.regressions[sid]
            console.print(Text(f"  regression changed: {sid}: recorded {recorded}, now "
                               f"{journal.verdict.value}", style="red"))
    for sid, rid, verdict in m.broken_claims:
        detail = m.cells[(sid, rid)].judgement
        why = "; ".join(detail.unmet + detail.worse + ((detail.reason,) if detail.reason else ()))
        console.print(Text(f"  claim broken: {rid} on {sid}: {verdict.value}: {why}", style="red"))


def print_conformance(results: list, totals: dict, console: Console) -> None:
    table = Table("run", "compared probes", "result", title="conformance: sim (profile) × real lab",
                  header_style="bold")
    for c in results:
        if c.unsupported:
            table.add_row(c.label, "-", Text(f"unsupported: {c.unsupported}", style="dim"))
        elif c.divergences:
            detail = "; ".join(f"{d.step}: sim {d.sim}, real {d.real}" + (f" ({d.raw})" if d.raw else "")
                               for d in c.divergences)
            table.add_row(c.label, str(c.agreements + len(c.divergences)), Text(detail, style="red"))
        elif c.flaky:
            detail = "; ".join(f"{d.step}: sim {d.sim}, real {d.real}" for d in c.flaky)
            table.add_row(c.label, str(c.agreements), Text(f"agree on the re-run; the first run differed: {detail}",
                                                           style="yellow"))
        else:
            table.add_row(c.label, str(c.agreements), Text("agree", style="green"))
    console.print(table)
    compared = totals["agreements"] + totals["divergences"]
    share = 100.0 * totals["agreements"] / compared if compared else 100.0
    console.print(Text(f"{totals['compared']} runs compared, {totals['unsupported']} unsupported; "
                       f"{totals['agreements']}/{compared} probes agree ({share:.1f}%)"
                       + (f"; {totals['flaky']} run(s) agreed only on a re-run (timing-sensitive)"
                          if totals["flaky"] else ""),
                       style="bold green" if not totals["divergences"] else "bold red"))


def print_exploration(result, written, console: Console) -> None:
    claim = "claims to fix" if result.claimed else "does not claim to fix"
    console.print(Text(f"{result.remediation} {claim} {result.scenario}: {result.examples} schedules in "
                       f"{result.seconds:.1f} s ({result.rate:.0f}/s), {len(result.classes)} outcome classes",
                       style="bold"))
    table = Table("verdict", "verify outcomes", "schedules", header_style="bold")
    for key, count in sorted(result.classes.items(), key=lambda kv: -kv[1]):
        table.add_row(key[0], ", ".join(str(k) for k in key[1:]) or "-", str(count))
    console.print(table)
    if result.failure is None:
        console.print(Text("no counterexample", style="bold green"))
        return
    console.print(Text(f"counterexample (shrunk): {result.failure.problem}", style="bold red"))
    for line in result.failure.schedule.describe():
        console.print(f"  {line}")
    if written:
        console.print(Text(f"written to {written}; `trustlab run {written.stem}` replays it", style="red"))


def print_differential(result, console: Console) -> None:
    """What `conformance --explore` compared and each divergence it found (shrunk, and where it was written)."""
    console.print(Text(f"{result.examples} generated scenarios in {result.seconds:.0f} s ({result.per_minute:.1f} "
                       f"per minute), {result.compared} compared to the end; {len(result.findings)} distinct "
                       f"divergence(s)", style="bold red" if result.findings else "bold green"))
    for finding in result.findings:
        console.print(Text(f"{finding.scenario.id}{' (shrunk)' if finding.shrunk else ''}"
                           + (f": written to {finding.written}" if finding.written else ""), style="red"))
        for step in finding.scenario.break_:
            console.print(f"  break: {step}", markup=False, highlight=False)
        for d in finding.comparison.divergences:
            console.print(f"  {d.step}: sim {d.sim}, real {d.real}" + (f" ({d.raw})" if d.raw else ""),
                          markup=False, highlight=False)
