"""Spec problems that name the file, line, column, the key and what is allowed, in the project's own words: pydantic
finds every mistake of a file at once, and each of its errors is told here as a person would want it, with a
"did you mean" where a close name exists."""
from __future__ import annotations

import difflib
import types
import typing
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Optional

from pydantic import BaseModel, ValidationError

from trustlab.errors import TrustlabError

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


class SpecError(TrustlabError):
    """One or more problems in the catalogue; nothing was run."""

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(problems, key=lambda p: (p.file, p.line, p.column))
        super().__init__("\n".join(str(p) for p in self.problems))

    def lines(self) -> list[str]:
        return [str(p) for p in self.problems] + [f"{len(self.problems)} problem(s); nothing was run"]


def dotted(path: tuple) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def suggest(word: Any, known: typing.Iterable[str]) -> str:
    """' (did you mean 'x'?)' when a known name is close to `word`, else nothing."""
    close = difflib.get_close_matches(str(word), list(known), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


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


def _candidates(annotation: Any) -> list:
    """The types a value of `annotation` may be: Annotated, Optional, unions and lists unwrapped."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _candidates(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType, list, tuple):
        return [c for arg in typing.get_args(annotation) if arg is not Ellipsis for c in _candidates(arg)]
    return [annotation]


def allowed_keys(model: type[BaseModel], path: tuple) -> list[str]:
    """The keys the mapping at `path` (a path into the document) may have, following the models' fields; the
    members of a union are told apart by the key that comes next (a step's verb, a span's `min`)."""
    current: list = [model]
    for part in path:
        if isinstance(part, int):
            continue
        following = []
        for candidate in current:
            if isinstance(candidate, type) and issubclass(candidate, BaseModel):
                for name, info in candidate.model_fields.items():
                    if part in (name, info.alias):
                        following += _candidates(info.annotation)
        current = following
    for candidate in current:
        if isinstance(candidate, type) and issubclass(candidate, BaseModel):
            return [info.alias or name for name, info in candidate.model_fields.items()]
    return []


def _describe(value: Any) -> str:
    return {dict: "a mapping", list: "a list", str: "text", bool: "true/false", int: "a number",
            float: "a number", type(None): "nothing"}.get(type(value), type(value).__name__)


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


WANTED = {"string_type": "text", "int_type": "a whole number", "int_parsing": "a whole number",
          "int_from_float": "a whole number", "bool_type": "true or false", "bool_parsing": "true or false",
          "list_type": "a list", "tuple_type": "a list", "float_type": "a number", "float_parsing": "a number",
          "dict_type": "a mapping", "model_type": "a mapping", "model_attributes_type": "a mapping",
          "finite_number": "a finite number"}


def _quoted_choices(expected: str) -> list[str]:
    return [part.strip().strip("'") for part in expected.replace(" or ", ", ").split(",") if part.strip()]


def _message(err: dict, path: tuple, loc: tuple, model: Optional[type[BaseModel]]) -> tuple[tuple, str]:
    kind, ctx, value = err["type"], err.get("ctx") or {}, err.get("input")
    if kind == "extra_forbidden":
        key = loc[-1]
        parent = path[:-1] if path and path[-1] == key else path
        allowed = allowed_keys(model, parent) if model is not None else []
        return parent + (key,), f"unknown key {key!r}{suggest(key, allowed)}; allowed: {', '.join(allowed) or 'none'}"
    if kind == "missing":
        return path, f"required key {loc[-1]!r} is missing"
    if kind == "union_tag_invalid":
        from trustlab.specs.steps import VERBS

        known = "is not allowed here" if ctx["tag"] in VERBS else "is not a step"
        expected = _quoted_choices(ctx["expected_tags"])
        return path + (ctx["tag"],), f"{ctx['tag']!r} {known}{suggest(ctx['tag'], expected)}; allowed: " \
                                     f"{ctx['expected_tags']}"
    if kind == "union_tag_not_found":
        return path, f"a step is a mapping with one verb as its key, e.g. `- join: {{computer: LOANER01}}`; got {_describe(value)}"
    if kind in ("enum", "literal_error"):
        expected = ctx.get("expected", "")
        return path, f"{_shown(value)} is not allowed{suggest(value, _quoted_choices(expected))}; allowed: {expected}"
    if kind in WANTED:
        if isinstance(value, (dict, list)):
            return path, f"expected {WANTED[kind]}, got {_describe(value)}"
        return path, f"expected {WANTED[kind]}, got {_describe(value)} {_shown(value)}"
    if kind in ("too_short", "too_long"):
        least, most = ctx.get("min_length"), ctx.get("max_length")
        limit = f"at least {least}" if kind == "too_short" else f"at most {most}"
        return path, f"needs {limit} item{'' if (least or most) == 1 else 's'}, has {ctx.get('actual_length')}"
    if kind in ("greater_than_equal", "greater_than", "less_than_equal", "less_than"):
        bound = {"greater_than_equal": ("at least", "ge"), "greater_than": ("more than", "gt"),
                 "less_than_equal": ("at most", "le"), "less_than": ("less than", "lt")}[kind]
        return path, f"must be {bound[0]} {ctx.get(bound[1])}, got {_shown(value)}"
    if kind == "string_pattern_mismatch":
        return path, f"{_shown(value)} does not have the form it must: {_pattern(ctx.get('pattern', ''))}"
    if kind in ("string_too_short", "string_too_long"):
        return path, f"{_shown(value)} is too {'short' if kind == 'string_too_short' else 'long'}"
    if kind in ("value_error", "assertion_error"):
        return path, str(ctx.get("error", err["msg"]))
    return path, err["msg"].replace("Input should be", "expected")


PATTERNS = {r"^[a-z0-9][a-z0-9-]*$": "lower-case letters, digits and '-', starting with a letter or digit",
            r"^[A-Z][A-Z0-9-]{0,14}$": "1-15 upper-case letters, digits or '-', starting with a letter"}


def _pattern(pattern: str) -> str:
    return PATTERNS.get(pattern, f"the pattern {pattern}")


def problems_from_validation(error: ValidationError, src: "Source",
                             model: Optional[type[BaseModel]] = None) -> list[Problem]:
    out: list[Problem] = []
    for err in error.errors(include_url=False):
        loc = tuple(err["loc"])
        path, text = _message(err, _data_path(src.data, loc), loc, model)
        out.append(src.problem(path, text))
    return out
