"""The words trustlab's own output uses, in English and Japanese (`--lang ja`), so a technician reads all of a run
in one language: the phases, the verdict and why, the recheck, the claim, the matrix. The Windows messages come
from the outcomes (LG-9); the step texts are the file's own (`logon: {...}`) and stay as written."""
from __future__ import annotations

from trustlab.specs.words import Words

WORDS = Words.by_language({
    "en": {
        "setup": "setup", "break": "break", "symptoms": "symptoms", "remediation": "remediation",
        "verify": "verify", "recheck": "recheck (the symptoms again)",
        "before": "before the procedure (the engine's own probes)",
        "after": "after the procedure (the engine's own probes)",
        "failed": "failed", "unsupported": "unsupported",
        "expected": "expected {outcome}",
        "still there": "symptom still there", "gone": "symptom gone",
        "changed": "no longer {symptom}, not healthy either",
        "verdict": "verdict: {verdict}",
        "reason": "reason", "unmet": "unmet", "worse": "worse", "failed_steps": "failed step",
        "REPRODUCED": "", "FIXED": "", "NOT_FIXED": "", "MADE_WORSE": "", "SYMPTOMS_NOT_REPRODUCED": "",
        "BASELINE_FAILED": "", "UNSUPPORTED": "",
        "claim holds": "claim {remediation} fixes {scenario}: holds",
        "claim broken": "claim {remediation} fixes {scenario}: DOES NOT HOLD",
        "contradicted": "  known counterexample {found}: replayed {verdict} (a schedule within the claim)",
        "regression": "regression: recorded {recorded}, replayed {replayed}",
        "regression changed": " (CHANGED)",
        "matrix": "remediation × scenario",
        "legend": ("✔ claimed and fixed   + fixed, not claimed   · not fixed   ✘ made worse (usable before, not "
                   "after)   ! a claim that does not hold   ? symptoms not reproduced   - unsupported on this "
                   "backend"),
        "summary": "{reproduced}/{scenarios} scenarios reproduced, {held}/{claims} claims hold, {worse} runs made "
                   "things worse",
        "not reproduced": "  not reproduced: {scenario}: {why}",
        "shard": "shard {index} of {count}: {runs} runs; only what this shard ran is judged here (`trustlab merge` "
                 "judges the shards together)",
        "not judged": "{count} claim(s) not judged in this shard: their runs are in the others (`trustlab merge` "
                      "judges them; `--format json` lists them)",
        "not judged anywhere": "{count} claim(s) of the catalogue not judged (no shard ran them):",
        "not judged claim": "  {remediation} on {scenario}",
        "known summary": "{count} known difference(s) from Windows (≈), as the {profile} profile predicts: not "
                         "failures",
        "known": "  known difference ({profile} profile predicts {verdict}): {run}",
        "found known": ", {known} a known difference",
        "claim broken line": "  claim broken: {remediation} on {scenario}: {why}",
        "found summary": "{count} known counterexample(s) (scenarios/found/) replayed: {contradict} contradict a "
                         "claim, {outside} outside the claims, {passing} pass now, {changed} fail differently",
        "found contradicts": "contradicted by {found} (replays {verdict})",
        "found outside": "  outside its claim: {found}: replays {verdict}; {remediation} claims {scenario} only "
                         "provided {conditions}",
        "found unclaimed": "  not claimed: {found}: replays {verdict}; {remediation} does not claim {scenario}",
        "found passes": "  passes now: {found}: the procedure now gives {verdict} on it; promote it: set its "
                        "`regression: verdict:` to {verdict} so it guards the fix",
        "found changed": "  fails differently: {found}: recorded {recorded}, now {verdict}; record it again",
    },
    "ja": {
        "setup": "準備 (setup)", "break": "障害の発生 (break)", "symptoms": "症状 (symptoms)",
        "remediation": "対処手順 (remediation)", "verify": "確認 (verify)",
        "recheck": "症状の再確認 (recheck)",
        "before": "手順の前の観測 (before: エンジン自身の確認)",
        "after": "手順の後の観測 (after: エンジン自身の確認)",
        "failed": "失敗", "unsupported": "非対応",
        "expected": "期待値 {outcome}",
        "still there": "症状はまだある", "gone": "症状は解消",
        "changed": "{symptom} ではなくなったが、正常でもない",
        "verdict": "判定: {verdict}",
        "reason": "理由", "unmet": "満たされない確認", "worse": "悪化", "failed_steps": "失敗した手順",
        "REPRODUCED": "症状が再現した", "FIXED": "修復された", "NOT_FIXED": "修復されていない",
        "MADE_WORSE": "悪化した (手順の前に使えたものが、後で使えない)",
        "SYMPTOMS_NOT_REPRODUCED": "症状が再現しない (シナリオの誤り)",
        "BASELINE_FAILED": "正常な初期状態にならない (シナリオの誤り)",
        "UNSUPPORTED": "このバックエンドでは実行できない",
        "claim holds": "主張「{remediation} は {scenario} を修復する」: 成立",
        "claim broken": "主張「{remediation} は {scenario} を修復する」: 不成立",
        "contradicted": "  既知の反例 {found}: 再実行の結果 {verdict} (主張の範囲内の手順)",
        "regression": "回帰: 記録 {recorded}、再実行 {replayed}",
        "regression changed": " (変化あり)",
        "matrix": "対処手順 × シナリオ",
        "legend": ("✔ 主張どおり修復   + 主張はないが修復   · 修復されない   ✘ 悪化 (前に使えたものが後で使えない)   "
                   "! 成立しない主張   ? 症状が再現しない   - このバックエンドでは非対応"),
        "summary": "シナリオ {reproduced}/{scenarios} が再現、主張 {claims} 件中 {held} 件が成立、悪化した実行 "
                   "{worse} 件",
        "not reproduced": "  再現しない: {scenario}: {why}",
        "shard": "シャード {index}/{count}: 実行 {runs} 件。ここではこのシャードが実行したものだけを判定します "
                 "(`trustlab merge` で全シャードをまとめて判定)",
        "not judged": "このシャードで判定していない主張 {count} 件: 実行は他のシャード (`trustlab merge` が判定し、"
                      "`--format json` が一覧を示します)",
        "not judged anywhere": "どのシャードも実行しなかった主張 {count} 件 (未判定):",
        "not judged claim": "  {scenario} に対する {remediation}",
        "known summary": "Windows との既知の違い {count} 件 (≈): {profile} プロファイルの予測どおりで、失敗ではありません",
        "known": "  既知の違い ({profile} プロファイルの予測は {verdict}): {run}",
        "found known": "、既知の違い {known} 件",
        "claim broken line": "  成立しない主張: {remediation} → {scenario}: {why}",
        "found summary": "既知の反例 (scenarios/found/) {count} 件を再実行: 主張に反する {contradict} 件、主張の範囲外 "
                         "{outside} 件、今は成功 {passing} 件、記録と異なる失敗 {changed} 件",
        "found contradicts": "{found} が反例 (再実行の結果 {verdict})",
        "found outside": "  主張の範囲外: {found}: 再実行の結果 {verdict}。{remediation} が {scenario} を修復すると"
                         "主張するのは次の条件のときだけ: {conditions}",
        "found unclaimed": "  主張なし: {found}: 再実行の結果 {verdict}。{remediation} は {scenario} の修復を主張して"
                           "いない",
        "found passes": "  今は成功: {found}: 手順の結果が {verdict} になった。昇格させること: "
                        "`regression: verdict:` を {verdict} にすれば、この修正を守る回帰テストになる",
        "found changed": "  記録と異なる失敗: {found}: 記録 {recorded}、今は {verdict}。記録し直すこと",
    },
})
say = WORDS.say


def verdict_name(lang: str, verdict: str) -> str:
    """The verdict's own name, with what it means in Japanese."""
    meaning = WORDS.say(verdict, lang)
    return f"{verdict} ({meaning})" if meaning else verdict
