"""Hostile and careless spec files for the fuzz test and the fuzz campaign (benchmarks/fuzz_specs.py): YAML text
generated from the language's own grammar, and valid catalogue files mutated (lines deleted, duplicated and
swapped, wrong types, odd Unicode, deep nesting, aliases, huge scalars, control characters, truncation).

`judge(text, name)` reads one file the way every command does and says how it ended: "accepted", "rejected" (a
SpecError whose every problem has a position in the file), or raises what escaped."""
from __future__ import annotations

import re
import tempfile
from pathlib import Path

import yaml
from hypothesis import strategies as st

from trustlab.specs.catalogue import load_file
from trustlab.specs.errors import SpecError
from trustlab.specs.outcomes import ChannelStatus, NetworkStatus, Outcome
from trustlab.specs.reference import BEHAVIOURS
from trustlab.specs.steps import VERBS

BREAKS = re.compile("\r\n|[\n\r\x85\u2028\u2029]")
ROOT = Path(__file__).resolve().parents[2]
FILES = sorted((ROOT / "scenarios").rglob("*.yaml")) + sorted((ROOT / "remediations").glob("*.yaml"))
TEXTS = [(p.stem, p.read_text(encoding="utf-8")) for p in FILES]

TOP = ["id", "title", "description", "models", "tags", "lab", "affected", "setup", "break", "symptoms", "fixes",
       "steps", "verify", "background", "regression"]
ARGS = sorted({name for v in VERBS.values() for name in v.args.model_fields} | {"for", "min", "max", "default"})
WORDS = (TOP + ARGS + list(VERBS) + [o.value for o in Outcome] + [c.value for c in ChannelStatus]
         + [n.value for n in NetworkStatus] + list(BEHAVIOURS) + ["any_order", "maybe", "LOANER01", "DC01", "alice",
                                                                   "current", "previous", "domain_admin", "none"])
ODD = ["\x00", "\x07", "\x1b", "\u202e", "\ufeff", "\ud7ff", "\U0001f600", "\u3000", "：", "\t", "\r", "\x85",
       "\u2028", "é", "𝕏", "\\", "'", '"', "&a", "*a", "!!python/object:os.system", "!!binary", "%YAML 1.1", "---",
       "...", "? ", "- ", ": ", "{", "}", "[", "]", "|", ">", "#"]
SCALARS = st.one_of(st.sampled_from(WORDS), st.sampled_from(["45s", "90m", "-31d", "1h30m", "200x", "0s", "999999999w",
                                                             "-0s", "1e9", "true", "null", "~", "0x1F"]),
                    st.integers(-10**6, 10**6), st.booleans(), st.none(), st.floats(allow_nan=True),
                    st.text(max_size=20))


def documents() -> st.SearchStrategy[str]:
    """YAML documents from the language's grammar: mappings with its keys, steps with its verbs, values of every
    type it takes (and of types it does not)."""
    values = st.recursive(SCALARS, lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.sampled_from(WORDS), inner, max_size=4),
        st.builds(lambda verb, args: {verb: args}, st.sampled_from(list(VERBS)),
                  st.dictionaries(st.sampled_from(ARGS), inner, max_size=3))), max_leaves=25)
    top = st.dictionaries(st.sampled_from(TOP), values, min_size=1, max_size=8)
    return top.map(lambda doc: yaml.safe_dump(doc, allow_unicode=True, sort_keys=False))


@st.composite
def mutated(draw) -> tuple[str, str]:
    """A valid catalogue file with one to four mutations; returns (its id, the text)."""
    name, text = draw(st.sampled_from(TEXTS))
    lines = text.splitlines()
    for _ in range(draw(st.integers(1, 4))):
        if not lines:
            lines = [""]
        i = draw(st.integers(0, len(lines) - 1))
        kind = draw(st.sampled_from(["delete", "duplicate", "swap", "value", "odd", "indent", "nest", "alias",
                                     "huge", "truncate", "control", "key"]))
        line = lines[i]
        if kind == "delete":
            del lines[i]
        elif kind == "duplicate":
            lines.insert(i, line)
        elif kind == "swap":
            j = draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
        elif kind == "value" and ":" in line:
            head = line.split(":", 1)[0]
            lines[i] = f"{head}: {draw(SCALARS)!s}"
        elif kind == "odd":
            at = draw(st.integers(0, len(line)))
            lines[i] = line[:at] + draw(st.sampled_from(ODD)) + line[at:]
        elif kind == "indent":
            lines[i] = " " * draw(st.integers(0, 9)) + line.lstrip()
        elif kind == "nest":
            depth = draw(st.integers(1, 400))
            lines.insert(i, "x: " + "[" * depth + "]" * depth)
        elif kind == "alias":
            width = draw(st.integers(2, 12))
            levels = draw(st.integers(1, 9))
            block = ["l0: &l0 [" + ", ".join(["x"] * width) + "]"]
            block += [f"l{k}: &l{k} [" + ", ".join([f"*l{k - 1}"] * width) + "]" for k in range(1, levels)]
            lines[i:i] = block
        elif kind == "huge":
            lines.insert(i, f"title: {'A' * draw(st.integers(1, 300_000))}")
        elif kind == "truncate":
            lines = lines[:i] + [line[:draw(st.integers(0, len(line)))]]
        elif kind == "control":
            lines[i] = line + draw(st.sampled_from(["\x00", "\x01", "\x08", "\x0b", "\x0c", "\x1f", "\x7f", "\ufffe"]))
        elif kind == "key":
            lines.insert(i, draw(st.sampled_from(["? [a, b]\n: 1", "? {a: 1}\n: 2", "1: x", "null: y", "true: z",
                                                  "<<: {a: 1}", "&a b: *a"])))
    return name, "\n".join(lines) + "\n"


def judge(text: str, name: str, folder: Path | None = None) -> tuple[str, list]:
    """Read `text` as the file `name.yaml` exactly as every command does. Returns ("accepted", []) or
    ("rejected", problems); anything else escapes."""
    with tempfile.TemporaryDirectory(dir=folder) as tmp:
        path = Path(tmp) / f"{name}.yaml"
        path.write_text(text, encoding="utf-8", errors="surrogatepass")
        try:
            load_file(path)
        except SpecError as e:
            lines = len(BREAKS.split(text)) + 1          # YAML's own line breaks, as its marks count them
            for p in e.problems:
                assert p.file == str(path), p
                assert 1 <= p.line <= lines and p.column >= 1, p
            return "rejected", e.problems
    return "accepted", []
