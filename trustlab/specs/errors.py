"""Spec problems that name the file, line, column, the key and what is allowed."""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

if TYPE_CHECKING:
    from trustlab.specs.source import Source


@dataclass(frozen=True)
class Problem:
    file: str
    line: int
    column: int
    path: tuple
    message: str

    @property
    def key(self) -> str:
        return dotted(self.path)

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}:{self.column}"
        return f"{where}: {self.key}: {self.message}" if self.path else f"{where}: {self.message}"


class SpecError(Exception):
    """One or more problems in the catalogue; nothing was run."""

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(problems, key=lambda p: (p.file, p.line, p.column))
        super().__init__("\n".join(str(p) for p in self.problems))


def dotted(path: tuple) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _data_path(data: Any, loc: tuple) -> tuple:
    """Pydantic's location minus the parts that are not in the document (union tags, wrapper names)."""
    path: list = []
    for part in loc:
        if isinstance(data, dict) and part in data:
            data = data[part]
            path.append(part)
        elif isinstance(data, list) and isinstance(part, int) and 0 <= part < len(data):
            data = data[part]
            path.append(part)
    return tuple(path)


def _describe(value: Any) -> str:
    return {dict: "a mapping", list: "a list", str: "text", bool: "true/false", int: "a number",
            float: "a number", type(None): "nothing"}.get(type(value), type(value).__name__)


def _message(err: dict, path: tuple, loc: tuple) -> tuple[tuple, str]:
    kind, ctx, value = err["type"], err.get("ctx") or {}, err.get("input")
    if kind == "unknown_key":
        return path + (ctx["key"],), f"unknown key {ctx['key']!r}; allowed: {ctx['allowed']}"
    if kind == "missing":
        return path, f"required key {loc[-1]!r} is missing"
    if kind == "union_tag_invalid":
        from trustlab.specs.steps import VERBS

        known = "is not allowed here" if ctx["tag"] in VERBS else "is not a step"
        return path + (ctx["tag"],), f"{ctx['tag']!r} {known}; allowed: {ctx['expected_tags']}"
    if kind == "union_tag_not_found":
        return path, f"a step is a mapping with one verb as its key, e.g. `- join: {{computer: LOANER01}}`; got {_describe(value)}"
    if kind in ("enum", "literal_error"):
        return path, f"{value!r} is not allowed; allowed: {ctx.get('expected')}"
    if kind in ("string_type", "int_type", "int_parsing", "bool_type", "bool_parsing", "list_type", "dict_type",
                "model_type", "model_attributes_type", "float_type"):
        wanted = {"string_type": "text", "int_type": "a whole number", "int_parsing": "a whole number",
                  "bool_type": "true or false", "bool_parsing": "true or false", "list_type": "a list",
                  "float_type": "a number"}.get(kind, "a mapping")
        return path, f"expected {wanted}, got {_describe(value)} {value!r}" if not isinstance(value, (dict, list)) \
            else f"expected {wanted}, got {_describe(value)}"
    if kind == "value_error":
        return path, str(ctx.get("error", err["msg"]))
    return path, err["msg"]


def problems_from_validation(error: ValidationError, src: "Source") -> list[Problem]:
    out: list[Problem] = []
    for err in error.errors(include_url=False):
        loc = tuple(err["loc"])
        path, text = _message(err, _data_path(src.data, loc), loc)
        out.append(src.problem(path, text))
    return out
