"""Read-only attributes that a model passes on from one of its parts."""

from __future__ import annotations

from typing import Any


def passed_on(part: str, name: str, doc: str | None = None) -> Any:
    """A property that reads ``self.<part>.<name>``: the owner's readers need not
    know which of its parts keeps the value."""

    def read(self: Any) -> Any:
        return getattr(getattr(self, part), name)

    read.__name__ = name
    return property(read, doc=doc or f"The {part}'s {name}.")
