"""YAML loaded with the line and column of every key and value kept, so every error can point into the file."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from trustlab.specs.errors import Problem, SpecError, problems_from_validation

Path_ = tuple  # a path into the document: keys and list indexes


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


def parse(text: str, file: str) -> Source:
    """Parse one YAML document; syntax errors and duplicate keys become SpecError."""
    loader = yaml.SafeLoader(text)
    try:
        root = loader.get_single_node()
        src = Source(file, None)
        if root is None:
            raise SpecError([Problem(file, 1, 1, (), "the file is empty; expected a mapping")])
        src.data = _walk(loader, root, (), src)
        return src
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        raise SpecError([Problem(file, line, col, (), f"YAML syntax: {e.problem or e.context}")]) from None
    finally:
        loader.dispose()


def _walk(loader: yaml.SafeLoader, node: yaml.Node, path: Path_, src: Source) -> Any:
    src.positions.setdefault(path, (node.start_mark.line + 1, node.start_mark.column + 1))
    if isinstance(node, yaml.MappingNode):
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node, deep=True)
            if key in out:
                raise SpecError([Problem(src.file, key_node.start_mark.line + 1, key_node.start_mark.column + 1,
                                         path + (key,), f"duplicate key {key!r}")])
            src.positions[path + (key,)] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
            out[key] = _walk(loader, value_node, path + (key,), src)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_walk(loader, item, path + (i,), src) for i, item in enumerate(node.value)]
    return loader.construct_object(node, deep=True)


def read(path: Path) -> Source:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise SpecError([Problem(str(path), 1, 1, (), f"cannot read: {e}")]) from None
    return parse(text, str(path))


M = TypeVar("M", bound=BaseModel)


def validate(src: Source, model: type[M]) -> M:
    """The document as `model`, or SpecError with one positioned problem per mistake."""
    try:
        return model.model_validate(src.data)
    except ValidationError as e:
        raise SpecError(problems_from_validation(e, src)) from None


def load_yaml_model(path: Path, model: type[M]) -> M:
    return validate(read(path), model)
