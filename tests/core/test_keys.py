"""`core.keys`: what was made from settings, kept by name and typed values."""

from __future__ import annotations

import pytest

from core.keys import Kept, settings_key


def test_a_setting_is_kept_by_its_value_and_its_type_and_the_store_is_bounded():
    made: list[tuple] = []

    def make(*key):
        made.append(key)
        return list(key)  # a new object each time it is made

    kept = Kept(2)
    first = kept.get("p", {"a": 1}, lambda: make("p", 1))
    assert kept.get("p", {"a": 1}, lambda: make("p", 1)) is first  # kept
    assert kept.get("p", {"a": 1.0}, lambda: make("p", 1.0)) is not first  # 1 == 1.0, not the same
    assert kept.get("p", {"a": True}, lambda: make("p", True)) is not first  # nor True
    assert len(made) == 3
    # and inside a tuple: (0.9, False) == (0.9, 0.0), yet not the same setting
    assert settings_key("p", {"b": (0.9, False)}) != settings_key("p", {"b": (0.9, 0.0)})
    # two kept at most: the third one started the store afresh, so 1 is made again
    again = kept.get("p", {"a": 1}, lambda: make("p", 1))
    assert again is not first and len(made) == 4
    # an unhashable setting is made every time, never kept
    assert settings_key("p", {"a": [1]}) is None
    kept.get("p", {"a": [1]}, lambda: make("list"))
    kept.get("p", {"a": [1]}, lambda: make("list"))
    assert made[-2:] == [("list",), ("list",)]


def test_a_make_that_raises_keeps_nothing():
    kept, calls = Kept(4), []

    def refuse():
        calls.append(1)
        raise ValueError("no")

    for _ in range(2):
        with pytest.raises(ValueError, match="no"):
            kept.get("p", {"a": 2}, refuse)
    assert len(calls) == 2  # tried again: the refusal was not kept
