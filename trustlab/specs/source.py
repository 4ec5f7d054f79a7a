"""YAML loaded with the line and column of every key and value kept, so every error can point into the file.

Whatever a file holds, reading it ends in a `Source` or in a `SpecError` naming a position: a file is read at most
once and is bounded in size, in nesting and in how much its aliases may expand (a few kilobytes of nested aliases, the
"billion laughs" shape, would otherwise expand to gigabytes), and an alias that refers to itself is refused before
anything walks it. The bounds are checked on PyYAML's event stream, which is flat, before the document is composed."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from trustlab.specs.errors import Problem, SpecError, problems_from_validation

Path_ = tuple  # a path into the document: keys and list indexes

MAX_BYTES = 256 << 10      # a scenario or remediation is a few kilobytes
MAX_VALUES = 20_000        # keys and values after aliases are expanded (the catalogue's largest file has ~300)
MAX_DEPTH = 50             # mappings and lists inside one another


@dataclass
class Source:
    """A parsed YAML document: plain data plus where each part of it stands in the file."""

    file: str
    data: Any
    positions: dict[Path_, tuple[int, int]] = field(default_factory=dict)

    def where(self, path: Path_) -> tuple[int, int]:
        """Line and column of `path`, or of its nearest ancestor that the file has."""
        path = tuple(path)
        while path not in self.positions and path:
            path = path[:-1]
        return self.positions.get(path, (1, 1))

    def problem(self, path: Path_, message: str) -> Problem:
        line, column = self.where(path)
        return Problem(self.file, line, column, path, message)


def _at(file: str, mark: Any, message: str) -> SpecError:
    line, column = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
    return SpecError([Problem(file, line, column, (), message)])


HINTS = {
    "mapping values are not allowed here": "a value that holds ': ' must be quoted, e.g. title: \"Repair: then reboot\"",
    "found character '\\t' that cannot start any token": "YAML is indented with spaces, not tabs",
    "found undefined alias": "an alias (*name) needs an anchor (&name) earlier in the file",
    "but found another document": "a trustlab file holds one document: remove the second `---` and what follows",
}


def _syntax(file: str, e: yaml.MarkedYAMLError) -> SpecError:
    problem = e.problem or e.context or "unreadable"
    hint = next((h for text, h in HINTS.items() if problem.startswith(text)), None)
    return _at(file, e.problem_mark or e.context_mark, f"YAML syntax: {problem}" + (f"; {hint}" if hint else ""))


def _control(file: str, text: str, e: yaml.reader.ReaderError) -> SpecError:
    """PyYAML's reader refuses characters YAML does not allow (NUL, most C0 controls, ...)."""
    before = text[:e.position]
    line, column = before.count("\n") + 1, e.position - (before.rfind("\n") + 1) + 1
    char = e.character if isinstance(e.character, str) else chr(e.character)
    return SpecError([Problem(file, line, column, (), f"the character U+{ord(char):04X} is not allowed in a YAML "
                                                     f"file (a control character); remove it")])


def _bounded(file: str, text: str) -> None:
    """Walk the event stream once: refuse deep nesting, aliases that refer to what they are part of, and aliases
    that expand beyond MAX_VALUES. Raises SpecError at the event that crosses a bound."""
    open_anchors: list[str | None] = []          # the collections being read, innermost last, by anchor
    sizes: dict[str, tuple[int, int]] = {}       # anchor -> (values, depth) of the finished node
    counts: list[list[int]] = []                 # per open collection: [values so far, deepest child]
    total = 0
    loader = yaml.SafeLoader(text)
    try:
        while loader.check_event():
            event = loader.get_event()
            size = depth = 0
            if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
                if len(open_anchors) >= MAX_DEPTH:
                    raise _at(file, event.start_mark, f"nested more than {MAX_DEPTH} levels deep; trustlab files "
                                                      f"are a few levels deep")
                open_anchors.append(event.anchor)
                counts.append([1, 0])
                total += 1
                continue
            if isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
                anchor = open_anchors.pop()
                size, depth = counts.pop()
                depth += 1
                if anchor is not None:
                    sizes[anchor] = (size, depth)
            elif isinstance(event, yaml.ScalarEvent):
                size, depth = 1, 0
                total += 1
                if event.anchor is not None:
                    sizes[event.anchor] = (1, 0)
            elif isinstance(event, yaml.AliasEvent):
                if event.anchor in open_anchors:
                    raise _at(file, event.start_mark, f"the alias *{event.anchor} refers to the value it is part of "
                                                      f"(a cycle)")
                size, depth = sizes.get(event.anchor, (1, 0))
                total += size
                if len(open_anchors) + depth > MAX_DEPTH:
                    raise _at(file, event.start_mark, f"the alias *{event.anchor} nests values more than "
                                                      f"{MAX_DEPTH} levels deep")
            else:
                continue
            if total > MAX_VALUES:
                raise _at(file, event.start_mark, f"the file expands to more than {MAX_VALUES:,} values through "
                                                  f"its aliases; write the values out instead")
            if counts:
                counts[-1][0] += size
                counts[-1][1] = max(counts[-1][1], depth)
    finally:
        loader.dispose()


def parse(text: str, file: str) -> Source:
    """Parse one YAML document; every kind of unreadable input becomes a SpecError with a position."""
    if len(text) > MAX_BYTES:
        raise SpecError([Problem(file, 1, 1, (), f"the file has {len(text):,} characters; a trustlab file has at "
                                                 f"most {MAX_BYTES:,}")])
    try:
        _bounded(file, text)
        loader = yaml.SafeLoader(text)
    except yaml.reader.ReaderError as e:
        raise _control(file, text, e) from None
    except yaml.MarkedYAMLError as e:
        raise _syntax(file, e) from None
    try:
        root = loader.get_single_node()
        if root is None:
            raise SpecError([Problem(file, 1, 1, (), "the file is empty; expected a mapping")])
        src = Source(file, None)
        src.data = _walk(loader, root, (), src)
        return src
    except yaml.MarkedYAMLError as e:
        raise _syntax(file, e) from None
    finally:
        loader.dispose()


def _value(loader: yaml.SafeLoader, node: yaml.Node, file: str) -> Any:
    try:
        return loader.construct_object(node, deep=True)
    except yaml.MarkedYAMLError:
        raise
    except (ValueError, OverflowError, TypeError) as e:      # e.g. an integer of more digits than Python reads
        why = ("a number of more than 4,300 digits" if "digits" in str(e) else str(e)[:120])
        raise _at(file, node.start_mark, f"cannot read this value: {why}") from None


def _walk(loader: yaml.SafeLoader, node: yaml.Node, path: Path_, src: Source) -> Any:
    src.positions.setdefault(path, (node.start_mark.line + 1, node.start_mark.column + 1))
    if isinstance(node, yaml.MappingNode):
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                raise _at(src.file, key_node.start_mark, "a key must be a plain value such as a name, not a "
                                                         + ("mapping" if isinstance(key_node, yaml.MappingNode)
                                                            else "list"))
            key = _value(loader, key_node, src.file)
            if key in out:
                raise SpecError([Problem(src.file, key_node.start_mark.line + 1, key_node.start_mark.column + 1,
                                         path + (key,), f"duplicate key {key!r}")])
            src.positions[path + (key,)] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
            out[key] = _walk(loader, value_node, path + (key,), src)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_walk(loader, item, path + (i,), src) for i, item in enumerate(node.value)]
    return _value(loader, node, src.file)


def read(path: Path) -> Source:
    try:
        if Path(path).stat().st_size > 4 * MAX_BYTES:              # never read a huge file to learn it is huge
            raise SpecError([Problem(str(path), 1, 1, (), f"the file is larger than {MAX_BYTES:,} characters")])
        raw = Path(path).read_bytes()
    except OSError as e:
        raise SpecError([Problem(str(path), 1, 1, (), f"cannot read: {e.strerror or e}")]) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        before = raw[:e.start]
        line, column = before.count(b"\n") + 1, e.start - (before.rfind(b"\n") + 1) + 1
        raise SpecError([Problem(str(path), line, column, (), f"the byte 0x{raw[e.start]:02X} is not UTF-8; save the "
                                                              f"file as UTF-8")]) from None
    return parse(text, str(path))


M = TypeVar("M", bound=BaseModel)


def validate(src: Source, model: type[M]) -> M:
    """The document as `model`, or SpecError with one positioned problem per mistake."""
    try:
        return model.model_validate(src.data)
    except ValidationError as e:
        raise SpecError(problems_from_validation(e, src, model)) from None


def load_yaml_model(path: Path, model: type[M]) -> M:
    return validate(read(path), model)
