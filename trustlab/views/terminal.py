"""Terminal views of journals and matrices: what a technician would have seen, and the catalogue at a glance."""
from __future__ import annotations

from typing import Optional

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from trustlab.engine.journal import BackgroundEntry, Journal, StepEntry
from trustlab.engine.judgement import Judgement, Verdict
from trustlab.runs.claims import DIFFERENTLY, PASSES, Claim
from trustlab.runs.matrix import Matrix
from trustlab.specs.remediation import DEFAULT_VERIFY
from trustlab.specs.steps import VERBS, AnyOrderStep, MaybeStep, Span, StepBase
from trustlab.views.dc_answer import dc_said, offline_while_answering
from trustlab.views.words import WORDS, say, verdict_name

VERDICT_STYLE = {
    Verdict.REPRODUCED: "green", Verdict.FIXED: "bold green", Verdict.NOT_FIXED: "yellow",
    Verdict.MADE_WORSE: "bold red", Verdict.SYMPTOMS_NOT_REPRODUCED: "magenta", Verdict.BASELINE_FAILED: "magenta",
    Verdict.UNSUPPORTED: "dim",
}


def _message(entry: StepEntry, lang: str) -> str:
    message = entry.message
    if not message:
        return ""
    return message.get(lang) or message.get("en", "")


def _codes(entry: StepEntry) -> str:
    codes = [str(entry.win32)] if entry.win32 else []
    if entry.ntstatus and entry.ntstatus != "0x00000000":
        codes.append(entry.ntstatus)
    return f" ({', '.join(codes)})" if codes else ""


def _mapping(shown: dict) -> str:
    return "{" + ", ".join(f"{k}: {v}" for k, v in shown.items()) + "}"


def step_text(step: StepBase) -> str:
    """A step of a file with every argument it runs with, defaults included, so two procedures that differ in one
    argument read differently (`repair_secure_channel: {credential: domain_admin}`). `computer` and `user` appear
    only where the file names them: left out, they are the scenario's affected ones."""
    if isinstance(step, AnyOrderStep):
        return f"any_order: [{'; '.join(step_text(s) for s in step.any_order)}]"
    if isinstance(step, MaybeStep):
        return f"maybe: {step_text(step.maybe)}"
    shown = step.args.model_dump(mode="json", by_alias=True, exclude_none=True)
    for name, info in type(step.args).model_fields.items():
        if isinstance(getattr(step.args, name), Span):
            shown[info.alias or name] = str(getattr(step.args, name))
    return f"{step.verb}: {_mapping(shown)}"


def entry_text(entry: StepEntry, affected: dict) -> str:
    """A journal entry's step as it ran: its resolved arguments, defaults included; `computer` and `user` only
    where they are not the affected ones (after a rejoin under a new name, the new name shows)."""
    verb = VERBS.get(entry.verb)
    if verb is None:
        return entry.step
    shown = verb.args.model_construct(**entry.args).model_dump(mode="json", by_alias=True)
    shown = {k: v for k, v in shown.items() if v is not None and not (k in affected and affected[k] == v)}
    shown.update({"expect" if k == "outcome" else k: v for k, v in entry.expect.items()})
    return f"{verb.name}: {_mapping(shown)}"


def print_journal(journal: Journal, console: Console, lang: str = "en") -> None:
    title = f"{journal.scenario}" + (f" + {journal.remediation}" if journal.remediation else "")
    console.print(Text(f"{title}  [{journal.backend}, profile {journal.profile}, seed {journal.seed}]", style="bold"))
    phase = None
    for entry in journal.entries:
        if isinstance(entry, BackgroundEntry):
            console.print(Text(f"  {entry.clock:>10}  ~ {entry.computer}: {entry.event}", style="dim"))
            continue
        if entry.phase != phase:
            phase = entry.phase
            console.print(Text(say(phase, lang) if phase in WORDS else phase, style="bold cyan"))
        print_entry(entry, console, lang, journal.affected)
    print_verdict(journal.judgement, console, lang)


HEALTHY = frozenset(step.args.expect.value for step in DEFAULT_VERIFY)
"""What the default checks want to see: an online logon, a working channel, the network up."""


def print_entry(entry: StepEntry, console: Console, lang: str = "en", affected: Optional[dict] = None) -> None:
    text = entry_text(entry, affected or {})
    line = Text(f"  {entry.clock:>10}  {'stop_if_fixed > ' if entry.within is not None else ''}{text}")
    if entry.status != "ok":
        line.append(f"  [{say(entry.status, lang)}]", style="red" if entry.status == "failed" else "dim")
    if entry.outcome is not None:
        matched = entry.matched
        if entry.phase == "recheck":   # the symptoms again: "gone" only when what shows now is healthy
            line.append(f"  -> {entry.outcome}{_codes(entry)}")
            if matched:
                line.append(f"  {say('still there', lang)}", style="yellow")
            elif entry.outcome in HEALTHY:
                line.append(f"  {say('gone', lang)}", style="green")
            else:
                line.append(f"  {say('changed', lang, symptom=entry.expect.get('outcome'))}", style="red")
        else:
            style = "green" if matched else ("red" if matched is False else "")
            line.append(f"  -> {entry.outcome}{_codes(entry)}", style=style)
            if matched is False:
                line.append(f"  {say('expected', lang, outcome=entry.expect.get('outcome'))}", style="red")
    console.print(line)
    text = _message(entry, lang)
    if text and entry.outcome not in ("SUCCESS", None):
        console.print(Text(f"              {text}", style="italic"))
    for out in entry.output:
        console.print(Text(f"              | {out}", style="dim"))
    if entry.dc is not None:
        console.print(Text(f"              {dc_said(entry.dc)}", style="cyan"))
        offline = offline_while_answering(entry.outcome, entry.dc)
        if offline:
            console.print(Text(f"              {offline}", style="cyan"))


def print_verdict(judgement: Judgement, console: Console, lang: str = "en") -> None:
    v = judgement.verdict
    console.print(Text(say("verdict", lang, verdict=verdict_name(lang, v.value)), style=VERDICT_STYLE[v]))
    for key in ("reason", "unmet", "worse", "failed_steps"):
        value = getattr(judgement, key)
        for item in [value] if isinstance(value, str) else (value or []):
            console.print(Text(f"  {say(key, lang)}: {item}", style=VERDICT_STYLE[v]))


CELL = {
    Verdict.FIXED: ("+", "green"), Verdict.NOT_FIXED: ("·", "dim"), Verdict.MADE_WORSE: ("✘", "bold red"),
    Verdict.SYMPTOMS_NOT_REPRODUCED: ("?", "magenta"), Verdict.BASELINE_FAILED: ("?", "magenta"),
    Verdict.UNSUPPORTED: ("-", "dim"),
}


def cell(m: Matrix, sid: str, rid: str) -> Text:
    if (sid, rid) not in m.cells:
        return Text(" ")                  # run in another shard
    claim = m.claim(sid, rid)
    text, style = CELL[claim.journal.verdict]
    if claim.predicted:
        return Text(KNOWN, style="cyan")
    if claim.claimed:
        text, style = ("✔", "bold green") if claim.holds else ("!", "bold white on red")
    return Text(text, style=style)


KNOWN = "≈"   # a known difference: what the backend's own profile predicts

COLUMN = 3   # characters per remediation column of the table: numbers up to 99 and one symbol, centred


def print_matrix(m: Matrix, console: Console, lang: str = "en") -> None:
    """Scenarios down, remediations across (numbered, with a legend). The table when it fits the terminal, else
    (and when not on a terminal) plain lines that never wrap or cut an ID."""
    width = max([len("scenario"), *(len(s) for s in m.scenarios)])
    table = Table(title=say("matrix", lang), header_style="bold", box=box.SIMPLE_HEAD, padding=(0, 0),
                  collapse_padding=True)
    table.add_column("scenario", no_wrap=True, min_width=width)
    for i, _ in enumerate(m.remediations, 1):
        table.add_column(str(i), justify="center", no_wrap=True, width=COLUMN)
    for sid in m.scenarios:
        table.add_row(Text(sid, style="magenta" if sid in m.unreproduced else ""),
                      *(cell(m, sid, rid) for rid in m.remediations))
    if console.is_terminal and width + (COLUMN + 1) * len(m.remediations) + 2 <= console.width:
        console.print(table)
    else:       # two characters a column, the numbers' tens above their ones: 80 columns hold 16 remediations
        console.print(say("matrix", lang))
        numbers = [str(i).rjust(2) for i in range(1, len(m.remediations) + 1)]
        if len(numbers) >= 10:
            console.print(" " * (width + 1) + " ".join(n[0] for n in numbers), soft_wrap=True)
        console.print("scenario".ljust(width + 1) + " ".join(n[1] for n in numbers), soft_wrap=True)
        for sid in m.scenarios:
            line = Text(sid.ljust(width))
            for rid in m.remediations:
                shown = cell(m, sid, rid)
                line.append(" ")
                line.append(shown.plain, style=shown.style)
            console.print(line, soft_wrap=True)
    for i, rid in enumerate(m.remediations, 1):
        console.print(f"{i:>3} {rid}", soft_wrap=True)
    console.print(Text(say("legend", lang), style="dim"))
    print_summary(m, console, lang)


def print_summary(m: Matrix, console: Console, lang: str = "en") -> None:
    held = len(m.claims) - len(m.broken_claims)
    worse = sum(1 for j in m.cells.values() if j.verdict is Verdict.MADE_WORSE)
    style = "bold green" if m.ok else "bold red"
    if m.shard:
        console.print(Text(say("shard", lang, index=m.shard[0], count=m.shard[1], runs=len(m.journals())),
                           style="bold"))
    console.print(Text(say("summary", lang, reproduced=len(m.reproduced) - len(m.unreproduced),
                           scenarios=len(m.reproduced), held=held, claims=len(m.claims), worse=worse), style=style))
    if m.elsewhere:
        console.print(Text(say("not judged" if m.shard else "not judged anywhere", lang, count=len(m.elsewhere)),
                           style="yellow" if m.shard else "bold red"))
        for s, r in [] if m.shard else m.elsewhere:                  # one line each: no line grows with the catalogue
            console.print(Text(say("not judged claim", lang, remediation=r, scenario=s), style="red"))
    for claim in m.unreproduced:
        why = [claim.journal.judgement.reason or ""] + _contradicting(claim, lang)
        console.print(Text(say("not reproduced", lang, scenario=claim.scenario, why="; ".join(w for w in why if w)),
                           style="red"))
    if m.known:
        console.print(Text(say("known summary", lang, count=len(m.known), profile=m.predicted_by), style="cyan"))
        for name, verdict in sorted(m.known.items()):
            console.print(Text(say("known", lang, run=name.replace("--", " + ").replace(" + reproduce", " alone"),
                                   profile=m.predicted_by, verdict=verdict), style="cyan"))
    for claim in m.broken_claims:
        detail = claim.journal.judgement
        why = [claim.journal.verdict.value, *detail.unmet, *detail.worse,
               *((detail.reason,) if detail.reason else ())] + _contradicting(claim, lang)
        console.print(Text(say("claim broken line", lang, remediation=claim.remediation, scenario=claim.scenario,
                               why="; ".join(why)), style="red"))
    if m.regressions:
        print_regressions(m, console, lang)


def _contradicting(claim: Claim, lang: str) -> list[str]:
    return [say("found contradicts", lang, found=r.found, verdict=r.journal.verdict.value)
            for r in claim.contradicting]


def print_regressions(m: Matrix, console: Console, lang: str = "en") -> None:
    replays = list(m.regressions.values())
    contradict = [r for r in replays if r.contradicts]
    console.print(Text(say("found summary", lang, count=len(replays), contradict=len(contradict),
                           outside=sum(1 for r in replays if not r.within and r.fails),
                           passing=len(m.promotable), changed=len(m.changed_regressions)) + (
                           say("found known", lang, known=sum(1 for r in replays if r.found in m.known))
                           if any(r.found in m.known for r in replays) else ""),
                       style="bold red" if contradict or m.promotable or m.changed_regressions else "green"))
    for r in replays:
        verdict = r.journal.verdict.value
        if r.found in m.known:
            continue                      # said with the known differences
        if r.state == PASSES:
            console.print(Text(say("found passes", lang, found=r.found, verdict=verdict), style="red"))
        elif r.state == DIFFERENTLY:
            console.print(Text(say("found changed", lang, found=r.found, recorded=r.recorded, verdict=verdict),
                               style="red"))
        elif not r.within and r.fails:
            procedure = m.provided.get(r.remediation, {})
            if r.scenario in procedure:
                console.print(Text(say("found outside", lang, found=r.found, verdict=verdict,
                                       remediation=r.remediation, scenario=r.scenario,
                                       conditions="; ".join(procedure[r.scenario])), style="dim"))
            else:
                console.print(Text(say("found unclaimed", lang, found=r.found, verdict=verdict,
                                       remediation=r.remediation, scenario=r.scenario), style="dim"))


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


NOTHING_VARIES = ("nothing in {scenario} or {remediation} varies, so every schedule is the plain run: it ran once. "
                  "What could vary: a span for a duration (`wait: {{for: {{min: 0s, max: 3h}}}}`), `any_order: "
                  "[...]` groups, `maybe: {{...}}` steps and a remediation's `background:` events (a reboot, a cable "
                  "flap, time passing); or --vary-timing, which varies the time between the procedure's steps and "
                  "adds the background events it does not list.")


def print_exploration(result, written, console: Console, replay: Optional[str] = None, fmt: str = "rich") -> None:
    """What the explorer did and found; `replay`: the command that replays what it wrote. `plain` (a pipe, a CI
    log): lines only, no table."""
    claim = "claims to fix" if result.claimed else "does not claim to fix"
    if result.nothing_varies:
        console.print(Text(NOTHING_VARIES.format(scenario=result.scenario, remediation=result.remediation),
                           style="bold yellow"))
    console.print(Text(f"{result.remediation} {claim} {result.scenario}: {result.examples} schedules in "
                       f"{result.seconds:.1f} s ({result.rate:.0f}/s), {len(result.classes)} outcome classes",
                       style="bold"))
    if result.outside:
        console.print(Text(f"{result.outside} schedules outside the claim's conditions (`provided:`): checked "
                           f"for reproduction only", style="dim"))
    classes = [(key[0], ", ".join(str(k) for k in key[1:]) or "-", str(count))
               for key, count in sorted(result.classes.items(), key=lambda kv: -kv[1])]
    if fmt == "rich":
        table = Table("verdict", "verify outcomes", "schedules", header_style="bold")
        for row in classes:
            table.add_row(*row)
        console.print(table)
    else:
        for verdict, verify, count in classes:
            console.print(f"  {count} schedule(s): {verdict}, verify {verify}", markup=False, highlight=False)
    if result.failure is None:
        console.print(Text("no counterexample", style="bold green"))
        return
    console.print(Text(f"counterexample (shrunk): {result.failure.problem}", style="bold red"))
    for line in result.failure.schedule.describe():
        console.print(f"  {line}")
    if written:
        console.print(Text(f"written to {written}; `{replay or f'trustlab run {written.stem}'}` replays it",
                           style="red"))


def print_differential(result, console: Console) -> None:
    """What `conformance --explore` compared and each divergence it found (shrunk, and where it was written)."""
    console.print(Text(f"{result.examples} generated scenarios in {result.seconds:.0f} s ({result.per_minute:.1f} "
                       f"per minute), {result.compared} compared to the end; {len(result.findings)} distinct "
                       f"divergence(s), {len(result.unexplained)} not explained by a limitation of the backend",
                       style="bold red" if result.unexplained else "bold green"))
    for finding in result.findings:
        console.print(Text(f"{finding.scenario.id}{' (shrunk)' if finding.shrunk else ''}"
                           + (f": written to {finding.written}" if finding.written else ""),
                           style="yellow" if finding.limitation else "red"))
        if finding.limitation:
            console.print(f"  explained: {finding.limitation}", markup=False, highlight=False)
        for step in finding.scenario.break_:
            console.print(f"  break: {step}", markup=False, highlight=False)
        for d in finding.comparison.divergences:
            console.print(f"  {d.step}: sim {d.sim}, real {d.real}" + (f" ({d.raw})" if d.raw else ""),
                          markup=False, highlight=False)
