"""The guide as text, in English or Japanese: a list of blocks (headings, paragraphs, list items, table rows),
each with the evidence it states, laid out as Markdown or as HTML (a section of the report, or a page of its own).
Only the sentence frames are written here; what fills them comes from the guide's runs."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

from trustlab.runs.guide import Cause, Evidence, Guide, Observation, Procedure, Sign
from trustlab.specs import durations
from trustlab.specs.words import Words

PHRASES = Words.by_language({
    "en": {"FIXED": "fixes it", "NOT_FIXED": "does not fix it", "MADE_WORSE": "makes it worse",
           "UNSUPPORTED": "could not be run on this backend", "SYMPTOMS_NOT_REPRODUCED": "did not run: the scenario "
           "did not reproduce", "BASELINE_FAILED": "did not run: the healthy set-up failed"},
    "ja": {"FIXED": "解決する", "NOT_FIXED": "解決しない", "MADE_WORSE": "悪化させる",
           "UNSUPPORTED": "このバックエンドでは実行できない", "SYMPTOMS_NOT_REPRODUCED": "未実行: シナリオが再現しなかった",
           "BASELINE_FAILED": "未実行: 正常な初期状態を作れなかった"},
})
"""What each verdict says about a procedure; a test checks that every sentence stating a verdict uses its phrase."""

TEXT = Words.by_language({
    "en": {
        "title": "Troubleshooting guide: “The trust relationship between this workstation and the primary domain "
                 "failed” and its neighbours",
        "intro": "Generated from {runs} runs on the {backend} backend (behaviour profile {profile}). Each statement "
                 "below says what a run showed; nothing in it is written by hand.",
        "signs": "What you see, and what causes it",
        "left_out": "Left out, for what their runs here gave: {scenarios}.",
        "screen": "The sign-in screen says “{message}” ({codes})",
        "screen_ok": "The user signs in ({outcome})",
        "look": "`nltest /sc_verify`: {channel}; network: {network}; with the cable out: {offline}; with the password "
                "before the last change: {previous}",
        "hidden": "{outcome}, {n} hidden adapter(s)",
        "same": "{n} cause(s) in the catalogue show exactly this:",
        "alike": "These cannot be told apart by what is seen first; the procedures below say which fix works for "
                 "each.",
        "cause": "{title} (`{scenario}`)",
        "proc": "`{remediation}` ({title}) {phrase}",
        "after": "; afterwards {checks}",
        "step_failed": "; a step failed: {steps}",
        "worse_what": ": {worse}",
        "reason": " ({reason})",
        "failing": "Found by the explorer: `{remediation}` {phrase} when {changes} (`{regression}`)",
        "dc": "At the DC: telling apart the causes that look the same",
        "dc_intro": "Several causes below show exactly the same thing at the computer. The DC tells them apart: "
                    "`Get-ADComputer {computer} -Properties Enabled, PasswordLastSet` (or Active Directory Users and "
                    "Computers) says whether the computer's object exists, whether it is enabled and when its "
                    "password was last set. What each cause showed there at the first look:",
        "dc_group": "When the computer shows: {look}",
        "dc_line": "{object}; {enabled}; {password} → `{scenario}`: {title}. Least invasive proven fix: {fix}",
        "dc_MISSING": "the object does not exist (MISSING)", "dc_PRESENT": "the object exists (PRESENT)",
        "dc_DISABLED": "the object exists (DISABLED)", "enabled_yes": "enabled", "enabled_no": "disabled",
        "enabled_none": "-", "pwd_set": "its password last set {age} before this look",
        "pwd_none": "no password",
        "fix_none": "none proven here", "fix_name": "`{remediation}` (below)",
        "least": "Least invasive proven fix:",
        "others": "The other procedures run on this cause ({n})",
        "checklist": "The seed article's checklist, cause by cause",
        "checklist_intro": "`{remediation}`: {title}. After each stage the technician tries again and stops once "
                           "it works.",
        "stage": "Stage {n}: {steps}",
        "col_cause": "cause", "col_verdict": "the checklist", "col_stage": "worked after",
        "stage_n": "stage {n}", "never": "no stage",
    },
    "ja": {
        "title": "トラブルシューティング ガイド:「このワークステーションとプライマリ ドメインとの信頼関係に失敗しました」とその周辺",
        "intro": "{backend} バックエンド（動作プロファイル {profile}）での {runs} 回の実行から生成しました。以下の各文は、"
                 "実行が示したことだけを述べています。手で書いた文はありません。",
        "signs": "見えている症状と、その原因",
        "left_out": "ここでの実行結果により除外: {scenarios}。",
        "screen": "サインイン画面に「{message}」と表示される ({codes})",
        "screen_ok": "ユーザーはサインインできる ({outcome})",
        "look": "`nltest /sc_verify`: {channel}、ネットワーク: {network}、ケーブルを抜くと: {offline}、"
                "前回の変更前のパスワードでは: {previous}",
        "hidden": "{outcome}、非表示のアダプター {n} 個",
        "same": "カタログの中でこの症状をそのまま示す原因: {n} 件",
        "alike": "最初に見える症状だけでは区別できません。原因ごとにどの手順が効くかを以下に示します。",
        "cause": "{title} (`{scenario}`)",
        "proc": "`{remediation}` ({title}) は{phrase}",
        "after": "。実行後: {checks}",
        "step_failed": "。失敗した手順: {steps}",
        "worse_what": ": {worse}",
        "reason": " ({reason})",
        "failing": "探索で見つかった反例: `{remediation}` は次の条件で{phrase}: {changes} (`{regression}`)",
        "dc": "DC での確認: 同じに見える原因の見分け方",
        "dc_intro": "以下のいくつかの原因は、コンピューター側ではまったく同じに見えます。DC で見分けます: "
                    "`Get-ADComputer {computer} -Properties Enabled, PasswordLastSet` (または [Active Directory "
                    "ユーザーとコンピューター]) で、コンピューター オブジェクトがあるか、有効か、パスワードがいつ設定されたかが"
                    "わかります。最初の確認の時点で各原因が DC で示したこと:",
        "dc_group": "コンピューター側の症状: {look}",
        "dc_line": "{object}、{enabled}、{password} → `{scenario}`: {title}。最も影響の小さい実証済みの修正: {fix}",
        "dc_MISSING": "オブジェクトがない (MISSING)", "dc_PRESENT": "オブジェクトがある (PRESENT)",
        "dc_DISABLED": "オブジェクトがある (DISABLED)", "enabled_yes": "有効", "enabled_no": "無効",
        "enabled_none": "-", "pwd_set": "パスワードの最終設定はこの確認の {age} 前",
        "pwd_none": "パスワードなし",
        "fix_none": "ここでは実証なし", "fix_name": "`{remediation}` (下記)",
        "least": "最も影響の小さい実証済みの修正:",
        "others": "この原因で実行したほかの手順 ({n} 件)",
        "checklist": "元記事のチェックリスト（原因別）",
        "checklist_intro": "`{remediation}`: {title}。各段階のあとで再度試し、直った時点でやめます。",
        "stage": "段階 {n}: {steps}",
        "col_cause": "原因", "col_verdict": "チェックリスト", "col_stage": "解決した段階",
        "stage_n": "段階 {n}", "never": "なし",
    },
})


@dataclass
class Block:
    kind: str                          # h1, h2, h3, h4, p, li, table
    text: str = ""
    depth: int = 0
    evidence: tuple[Evidence, ...] = ()
    rows: list[list[str]] = field(default_factory=list)
    row_evidence: list[Evidence] = field(default_factory=list)
    anchor: Optional[str] = None


def _codes(o: Observation) -> str:
    codes = [str(o.win32)] if o.win32 else []
    if o.ntstatus and o.ntstatus != "0x00000000":
        codes.append(o.ntstatus)
    return ", ".join(codes) or o.outcome


def _seen(o: Observation, t: dict) -> str:
    text = o.outcome + (f" ({_codes(o)})" if o.win32 else "")
    return t["hidden"].format(outcome=text, n=o.hidden) if o.hidden else text


def blocks(guide: Guide, lang: str = "en") -> list[Block]:
    t, phrase = TEXT.of(lang), PHRASES.of(lang)
    out = [Block("h1", t["title"]),
           Block("p", t["intro"].format(runs=len(guide.journals), backend=guide.backend, profile=guide.profile))]
    out += _at_the_dc(guide, t)
    out.append(Block("h2", t["signs"]))
    if guide.left_out:
        out.append(Block("p", t["left_out"].format(scenarios=", ".join(
            f"`{e.scenario}` ({phrase[e.verdict]})" for e in guide.left_out)), evidence=tuple(guide.left_out)))
    by_screen: dict[str, list[Sign]] = {}
    for sign in guide.signs:
        by_screen.setdefault(sign.looks["logon"].outcome, []).append(sign)
    for signs in by_screen.values():
        first = signs[0].looks["logon"]
        looks = [c.looks[0] for s in signs for c in s.causes]
        message = first.message.get(lang) or first.message.get("en")
        heading = (t["screen"].format(message=message, codes=_codes(first)) if first.win32 and message
                   else t["screen_ok"].format(outcome=first.outcome))
        out.append(Block("h3", heading, evidence=tuple(looks)))
        for sign in signs:
            out += _sign(sign, t, phrase, lang)
    if guide.checklist:
        out += _checklist(guide, t, phrase)
    return out


def _look(sign: Sign, t: dict) -> str:
    o = sign.looks
    return t["look"].format(channel=_seen(o["channel"], t), network=_seen(o["network"], t),
                            offline=_seen(o["offline"], t), previous=_seen(o["offline_previous"], t))


def _at_the_dc(guide: Guide, t: dict) -> list[Block]:
    """First: the causes that look the same at the computer, told apart by what the DC shows of its object."""
    alike = [s for s in guide.signs if s.alike and any(c.dc for c in s.causes)]
    if not alike:
        return []
    e = next(c.dc_evidence for c in alike[0].causes if c.dc_evidence)
    computer = guide.journals[(e.scenario, e.remediation)].entries[e.entry].args.get("computer", "")
    out = [Block("h2", t["dc"]), Block("p", t["dc_intro"].format(computer=computer))]
    for sign in alike:
        first = sign.looks["logon"]
        out.append(Block("li", t["dc_group"].format(look=f"{_codes(first)}; {_look(sign, t)}")))
        for cause in sorted(sign.causes, key=lambda c: (c.dc.outcome if c.dc else "~", c.dc.age or 0 if c.dc else 0)):
            dc = cause.dc
            if dc is None:
                continue
            enabled = t["enabled_none"] if dc.outcome == "MISSING" else t["enabled_yes" if dc.outcome == "PRESENT"
                                                                          else "enabled_no"]
            password = t["pwd_none"] if dc.age is None else t["pwd_set"].format(age=durations.format(round(dc.age)))
            least = cause.least_invasive
            fix = t["fix_name"].format(remediation=least.remediation) if least else t["fix_none"]
            out.append(Block("li", t["dc_line"].format(object=t[f"dc_{dc.outcome}"], enabled=enabled,
                                                       password=password, scenario=cause.scenario, title=cause.title,
                                                       fix=fix), depth=1, evidence=(cause.dc_evidence,)))
    return out


def _sign(sign: Sign, t: dict, phrase: dict, lang: str) -> list[Block]:
    look = _look(sign, t)
    out = [Block("h4", look, evidence=tuple(e for c in sign.causes for e in c.looks[1:])),
           Block("p", t["same"].format(n=len(sign.causes)))]
    if len(sign.causes) > 1:
        out.append(Block("p", t["alike"]))
    for cause in sign.causes:
        out += _cause(cause, t, phrase)
    return out


def _cause(cause: Cause, t: dict, phrase: dict) -> list[Block]:
    """The cause, its least invasive proven fix, then every other procedure run on it, folded."""
    out = [Block("li", t["cause"].format(title=cause.title, scenario=cause.scenario), anchor=f"cause-{cause.scenario}")]
    procs = cause.fixed_by + cause.not_fixed_by + cause.made_worse_by + cause.not_run
    least = cause.least_invasive
    if least is not None:
        out += _with_failing(least, t, phrase, t["least"] + " ")
        procs = procs[1:]
    if procs:
        out.append(Block("fold", t["others"].format(n=len(procs))))
        for proc in procs:
            out += _with_failing(proc, t, phrase)
        out.append(Block("endfold"))
    return out


def _with_failing(proc: Procedure, t: dict, phrase: dict, lead: str = "") -> list[Block]:
    first = _procedure(proc, t, phrase)
    first.text = lead + first.text
    out = [first]
    for cond in proc.failing:
        out.append(Block("li", t["failing"].format(remediation=proc.remediation, phrase=phrase[cond.verdict],
                                                   changes="; ".join(cond.changes), regression=cond.regression),
                         depth=2, evidence=(cond.evidence,)))
    return out


def _procedure(proc: Procedure, t: dict, phrase: dict) -> Block:
    text = t["proc"].format(remediation=proc.remediation, title=proc.title, phrase=phrase[proc.verdict])
    if proc.worse:
        text += t["worse_what"].format(worse="; ".join(proc.worse))
    if proc.after:
        text += t["after"].format(checks=", ".join(f"{verb} → {outcome}" for verb, outcome, _ in proc.after))
    if proc.failed_steps:
        text += t["step_failed"].format(steps="; ".join(proc.failed_steps))
    if proc.reason:
        text += t["reason"].format(reason=proc.reason)
    return Block("li", text, depth=1, evidence=(proc.evidence, *(e for _, _, e in proc.after)))


def _checklist(guide: Guide, t: dict, phrase: dict) -> list[Block]:
    c = guide.checklist
    out = [Block("h2", t["checklist"]), Block("p", t["checklist_intro"].format(remediation=c.remediation,
                                                                               title=c.title))]
    out += [Block("li", t["stage"].format(n=s.number, steps=", ".join(f"`{x}`" for x in s.steps))) for s in c.stages]
    table = Block("table", rows=[[t["col_cause"], t["col_verdict"], t["col_stage"]]])
    for row in c.rows:
        stage = t["stage_n"].format(n=row.stage) if row.stage else t["never"]
        table.rows.append([f"`{row.scenario}`", phrase[row.verdict], stage])
        table.row_evidence.append(row.evidence)
    out.append(table)
    return out


def markdown(guide: Guide, lang: str = "en") -> str:
    lines: list[str] = []
    for b in blocks(guide, lang):
        if b.kind.startswith("h"):
            lines += ["", "#" * int(b.kind[1]) + " " + b.text, ""]
        elif b.kind == "p":
            lines += [b.text, ""]
        elif b.kind == "li":
            lines.append("  " * b.depth + "- " + b.text)
        elif b.kind == "fold":
            lines += ["", "  <details><summary>" + b.text + "</summary>", ""]
        elif b.kind == "endfold":
            lines += ["", "  </details>", ""]
        elif b.kind == "table":
            lines += ["", "| " + " | ".join(b.rows[0]) + " |", "|" + "---|" * len(b.rows[0])]
            lines += ["| " + " | ".join(r) + " |" for r in b.rows[1:]]
            lines.append("")
    text = "\n".join(lines).strip() + "\n"
    while "\n\n\n" in text:
        text = text.replace("\n\n\n", "\n\n")
    return text
