"""`GradCheckModel`: the gradient check of the problem on screen, at the point on screen.

Asked for with a button (`WindowModel.check_gradient`), it runs core's
`core.gradient_check` (hand-derived, autograd and central differences) as a
background job: autograd needs torch, whose first import takes seconds, and
the window must not wait for it. The answer names the point and the step it
was taken at, so it stays true of what it describes; a new problem clears it.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import core
from desktop.model.events import Event

if TYPE_CHECKING:
    from core import GradCheck
    from desktop.model.jobs import JobRunner


@dataclass(frozen=True)
class GradCheckAnswer:
    """core's check and where it was taken: a table row, or the start (``step`` None)."""

    check: GradCheck
    step: int | None


def check_at(problem: Any, point: tuple[float, ...]) -> Any:
    """core's gradient check (a worker job: it may import torch)."""
    return core.gradient_check(problem, point)


class GradCheckModel:
    """``request(problem, point, step)``; ``answer``, ``pending``, ``error``; ``changed``."""

    def __init__(self, jobs: JobRunner) -> None:
        self.jobs = jobs
        self.answer: GradCheckAnswer | None = None
        self.pending = False
        self.error = ""
        self.changed: Event[None] = Event("gradcheck.changed")

    @property
    def loading_torch(self) -> bool:
        """The check will import torch first (seconds, the first time)."""
        return core.torch_available() and "torch" not in sys.modules

    def request(self, problem: Any, point: tuple[float, ...], step: int | None) -> None:
        self.pending, self.error = True, ""
        self.changed.emit(None)

        def done(check: Any) -> None:
            self.pending, self.answer = False, GradCheckAnswer(check, step)
            self.changed.emit(None)

        def failed(exc: BaseException) -> None:
            self.pending, self.answer = False, None
            self.error = f"The gradient could not be checked here: {exc}"
            self.changed.emit(None)

        self.jobs.submit("gradcheck", check_at, done, failed, args=(problem, point))

    def clear(self) -> None:
        """A new problem: a check of the old one would describe something else."""
        self.jobs.cancel("gradcheck")
        if self.answer is not None or self.pending or self.error:
            self.answer, self.pending, self.error = None, False, ""
            self.changed.emit(None)
