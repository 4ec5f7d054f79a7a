from __future__ import annotations

import pytest

from trustlab.specs.errors import SpecError
from trustlab.specs.source import parse


def test_positions_of_keys_and_items():
    src = parse("a:\n  b: 1\n  c:\n    - x\n    - {y: 2}\n", "f.yaml")
    assert src.data == {"a": {"b": 1, "c": ["x", {"y": 2}]}}
    assert src.where(("a", "b")) == (2, 3)
    assert src.where(("a", "c", 1, "y")) == (5, 8)
    assert src.where(("a", "c", 1, "nope")) == (5, 7)   # the nearest ancestor: the mapping


def test_empty_file_is_an_error():
    with pytest.raises(SpecError, match="the file is empty"):
        parse("", "empty.yaml")
