"""Cache keys for settings given as keyword arguments.

A value's type is part of its key: ``True == 1`` and ``1 == 1.0`` in Python,
yet a check may accept one and refuse the other, and a problem built from
one may differ from one built from the other.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any


def settings_key(name: str, settings: Mapping[str, Any]) -> tuple | None:
    """A hashable key for ``name`` with ``settings``; None where a value is unhashable
    (an array, a list): such settings are not kept, only worked out each time."""
    try:
        key = (name, *sorted((k, _typed(v)) for k, v in settings.items()))
        hash(key)
    except TypeError:
        return None
    return key


def _typed(value: Any) -> Any:
    # into tuples too: (0.9, False) == (0.9, 0.0), and Adam's betas take only the second
    if isinstance(value, tuple):
        return type(value), tuple(_typed(v) for v in value)
    return type(value), value


class Kept:
    """What was made from settings, kept by `settings_key` for the next call with the
    same ones: at most ``size``, then the store starts afresh."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._made: dict[tuple, Any] = {}

    def get(self, name: str, settings: Mapping[str, Any], make: Callable[[], Any]) -> Any:
        """The thing kept for ``name`` and ``settings``, else ``make()``'s, now kept (a
        ``make`` that raises keeps nothing)."""
        # no settings (the usual call) is the key settings_key gives, without its work
        key = (name,) if not settings else settings_key(name, settings)
        if key is None:
            return make()
        made = self._made.get(key)
        if made is None:
            made = make()
            if len(self._made) >= self._size:
                self._made.clear()
            self._made[key] = made
        return made
