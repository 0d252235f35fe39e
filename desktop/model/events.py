"""A tiny typed event: the model's way of saying that something changed, without Qt.

Each sub-model owns its events as attributes (``knobs.changed``,
``playback.rows_added``); views connect to them and read the model's
public state. An event is emitted synchronously, in connection order, so
everything that derives from a change (the status sentence, the gauge, the
plots) is updated within the same call that made it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Generic, TypeVar

T = TypeVar("T")


class Event(Generic[T]):
    """``connect(slot)``; ``emit(value)`` calls every slot with ``value``."""

    __slots__ = ("_blocked", "_slots", "name")

    def __init__(self, name: str = "") -> None:
        self.name = name
        self._slots: list[Callable[[T], object]] = []
        self._blocked = 0

    def connect(self, slot: Callable[[T], object]) -> Callable[[T], object]:
        """Call ``slot(value)`` on every emit; returns ``slot`` (usable as a decorator)."""
        if slot not in self._slots:
            self._slots.append(slot)
        return slot

    def disconnect(self, slot: Callable[[T], object]) -> None:
        """Stop calling ``slot``; disconnecting one that is not connected does nothing."""
        if slot in self._slots:
            self._slots.remove(slot)

    def disconnect_all(self) -> None:
        self._slots.clear()

    def emit(self, value: T) -> None:
        if self._blocked:
            return
        for slot in tuple(self._slots):  # a slot may disconnect itself
            slot(value)

    @contextmanager
    def blocked(self) -> Iterator[None]:
        """Emit nothing inside the block (a batch of changes announced once after)."""
        self._blocked += 1
        try:
            yield
        finally:
            self._blocked -= 1

    def __len__(self) -> int:
        return len(self._slots)

    def __repr__(self) -> str:
        return f"<Event {self.name or '?'} ({len(self._slots)} slots)>"


def connect_named(owner: object, model: object, *parts: str) -> None:
    """Connect each of ``owner``'s handlers named ``_on_<part>_<event>`` to that event.

    ``part`` names an attribute of ``model`` ("knobs", "insight", ...), or is
    "model" for the model itself: ``_on_insight_surface_changed`` listens to
    ``model.insight.surface_changed``, ``_on_model_framed`` to ``model.framed``.
    A handler's name then says what it listens to, and a handler that names an
    event the part does not have fails at once, not silently.
    """
    handlers = [name for name in dir(type(owner)) if name.startswith("_on_")]
    for part in parts:
        source = model if part == "model" else getattr(model, part)
        prefix = f"_on_{part}_"
        for name in handlers:
            if name.startswith(prefix):
                getattr(source, name.removeprefix(prefix)).connect(getattr(owner, name))
