"""Lessons: each seed article's scenario, what to try, and where the article is wrong.

``list_lessons()`` and ``get_lesson(name)`` return `Lesson` objects: the
article's set-up (problem, optimizer, lr, steps, batch), a short text in our
own words, learning rates to try (each a `Trial` with the status and the
behaviour it shows), and `Claim` items, "what the article says" beside a
check that recomputes "what happens here" with `core.train`.
"""

from __future__ import annotations

from functools import lru_cache

from core.errors import ConfigError
from core.lessons.checks import CHECKS
from core.lessons.model import (
    BEHAVIOURS,
    Claim,
    ClaimResult,
    Lesson,
    Trial,
    TrialResult,
    load_lessons,
)


@lru_cache(maxsize=1)
def _lessons() -> tuple[Lesson, ...]:
    return tuple(load_lessons(CHECKS))


def list_lessons() -> list[Lesson]:
    """Every lesson, in the order of the seed articles."""
    return list(_lessons())


def get_lesson(name: str) -> Lesson:
    """The lesson called ``name`` (see `list_lessons`)."""
    for lesson in _lessons():
        if lesson.name == name:
            return lesson
    names = ", ".join(lesson.name for lesson in _lessons())
    raise ConfigError(f"unknown lesson {name!r}; choose one of: {names}")


__all__ = [
    "BEHAVIOURS",
    "Claim",
    "ClaimResult",
    "Lesson",
    "Trial",
    "TrialResult",
    "get_lesson",
    "list_lessons",
]
