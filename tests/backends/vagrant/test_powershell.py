"""No value from YAML can change the PowerShell that runs: values travel as one base64 JSON literal."""
from __future__ import annotations

import base64
import json
import re

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.backends.vagrant.pslint import POWERSHELL
from trustlab.backends.vagrant import powershell

DANGEROUS = st.sampled_from(["'", '"', "$(", "`", "\n", "\r\n", ";", "|", "&", "@'", "'@", "${", "ß", "信頼", "\x00",
                             "%PATH%", "^", "--%", "’", "‘"])
VALUES = st.one_of(st.text(), st.lists(DANGEROUS, max_size=8).map("".join), st.integers(), st.booleans())
PARAMS = st.dictionaries(st.sampled_from(["User", "Domain", "Password", "Kind", "NewName"]), VALUES)


def shape(code: str) -> list[str]:
    """The syntax tree's node types, in order: what the code does, independent of the data literal's content."""
    out, stack = [], [POWERSHELL.parse(code.encode()).root_node]
    while stack:
        node = stack.pop()
        out.append(node.type)
        stack.extend(reversed(node.children))
    return out


def split_at_data(code: str) -> tuple[str, str, str]:
    """(the code before the parameters' literal, the literal, the code after it)."""
    m = re.search(r"FromBase64String\('([^']*)'\)\); \$tp", code)
    return code[:m.start(1)], m.group(1), code[m.end(1):]


def reference(limit: int) -> tuple[tuple[str, str], list[str]]:
    code = powershell.decode(powershell.invocation("logon", {}, limit=limit).command)
    before, _, after = split_at_data(code)
    return (before, after), shape(code)


REFERENCE = {limit: reference(limit) for limit in (10 ** 9, 0)}      # inline, and staged


@settings(max_examples=150, deadline=None)
@given(PARAMS)
def test_no_value_changes_the_code_that_runs(params):
    for limit, (around, tree) in REFERENCE.items():
        code = powershell.decode(powershell.invocation("logon", params, limit=limit).command)
        before, literal, after = split_at_data(code)
        assert re.fullmatch(r"[A-Za-z0-9+/=]*", literal)
        assert json.loads(base64.b64decode(literal)) == params           # the values arrive exactly
        assert (before, after) == around                                   # and nothing else differs
        assert shape(code) == tree


def test_a_long_script_is_staged_in_commands_under_the_limit_and_reassembles_exactly():
    call = powershell.invocation("logon", {"User": "alice"})
    assert call.staged, "logon.ps1 with its C# is longer than one command line"
    for staged in call.staged:
        chunks = [re.search(r"AppendAllText\('[^']+', '([^']*)'\)", powershell.decode(c)).group(1)
                  for c in staged.commands[:-1]]
        name = staged.path.rsplit("\\", 1)[1].rsplit("-", 1)[0]
        body = base64.b64decode("".join(chunks))
        assert body == b"\xef\xbb\xbf" + powershell.source(name).encode("utf-8")
        assert all(len(c) <= powershell.COMMAND_LINE_LIMIT for c in (staged.check, *staged.commands))
    assert len(call.command) <= powershell.COMMAND_LINE_LIMIT


def test_a_short_script_runs_inline():
    call = powershell.invocation("restart", {}, limit=10 ** 9)
    assert call.staged == () and "ScriptBlock]::Create" in powershell.decode(call.command)


def test_the_answer_is_the_last_marker_line():
    out = "noise\r\nTRUSTLAB-JSON:{\"a\": 1}\r\nTRUSTLAB-JSON:{\"a\": 2, \"t\": \"信\"}\r\n"
    assert powershell.answer(out) == {"a": 2, "t": "信"}
    try:
        powershell.answer("Access is denied.")
    except ValueError as e:
        assert "printed no TRUSTLAB-JSON answer" in str(e)
    else:
        raise AssertionError("no answer must be an error")


@settings(max_examples=150, deadline=None)
@given(st.one_of(st.text().filter(lambda t: "\x00" not in t), st.lists(DANGEROUS.filter(lambda t: t != "\x00"),
                                                                        max_size=8).map("".join)))
def test_a_host_side_hyperv_argument_stays_one_literal(value):
    """Hyper-V's cmdlets run on the host with values as single-quoted literals (providers.quoted)."""
    from trustlab.backends.vagrant.providers import quoted as _quoted

    tree = POWERSHELL.parse(f"Write-Output {_quoted(value)}".encode())
    literals = [n for n in _walk(tree.root_node) if n.type == "verbatim_string_characters"]
    assert not tree.root_node.has_error
    assert [n.text.decode() for n in literals] == [_quoted(value)]
    assert _read_single_quoted(_quoted(value)) == value


def _read_single_quoted(literal: str) -> str:
    """PowerShell's tokenizer for a single-quoted string: any of the four quote characters ends it unless the next
    character is a quote too, which makes one literal quote (tree-sitter knows only the ASCII one)."""
    quotes = "'\u2018\u2019\u201a\u201b"
    assert literal[0] == "'" and literal[-1] == "'"
    out, i, body = [], 0, literal[1:-1]
    while i < len(body):
        if body[i] in quotes:
            assert i + 1 < len(body) and body[i + 1] in quotes, f"the literal ends early at {i}: {literal!r}"
            out.append(body[i])
            i += 2
        else:
            out.append(body[i])
            i += 1
    return "".join(out)


def test_typographic_quotes_are_doubled_too():
    from trustlab.backends.vagrant.providers import quoted as _quoted

    assert _quoted("a\u2019b'c") == "'a\u2019\u2019b''c'"


def _walk(node):
    yield node
    for child in node.children:
        yield from _walk(child)
