"""Background work as the model sees it: submit by kind, newest of a kind wins.

The window gives the model its Qt `desktop.jobs.Jobs` (a worker thread and
a worker process, results delivered on the GUI thread). Without Qt, tests
and scripts give it `QueuedJobs`, which runs each job when ``drain()`` is
called, in order, on the caller's thread: deterministic, no threads.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

Done = Callable[[Any], None]
Failed = Callable[[BaseException], None]


class JobRunner(Protocol):
    def submit(self, kind: str, fn: Callable[..., Any], done: Done, failed: Failed, *,
               args: tuple[Any, ...] = (), in_process: bool | str = False) -> None: ...

    def cancel(self, kind: str) -> None: ...

    def busy(self, kind: str | None = None) -> bool: ...

    def shutdown(self) -> None: ...


class QueuedJobs:
    """Jobs that wait for ``drain()``; a newer job of a kind replaces the older one."""

    def __init__(self) -> None:
        self._queue: dict[str, tuple[Callable[..., Any], tuple[Any, ...], Done, Failed]] = {}

    def submit(self, kind: str, fn: Callable[..., Any], done: Done, failed: Failed, *,
               args: tuple[Any, ...] = (), in_process: bool | str = False) -> None:
        self._queue.pop(kind, None)
        self._queue[kind] = (fn, args, done, failed)

    def cancel(self, kind: str) -> None:
        self._queue.pop(kind, None)

    def busy(self, kind: str | None = None) -> bool:
        return bool(self._queue) if kind is None else kind in self._queue

    def drain(self) -> int:
        """Run every queued job (and those they queue); how many ran."""
        ran = 0
        while self._queue:
            kind = next(iter(self._queue))
            fn, args, done, failed = self._queue.pop(kind)
            ran += 1
            try:
                result = fn(*args)
            except Exception as exc:
                failed(exc)
            else:
                done(result)
        return ran

    def shutdown(self) -> None:
        self._queue.clear()
