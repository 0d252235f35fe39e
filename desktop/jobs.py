"""Background work (presets, sweeps, compare runs, surfaces, sharpness, importing torch).

The Qt side of the model's `desktop.model.jobs.JobRunner`. Pure-Python
number crunching (the presets' sweeps and check runs, compare runs) goes to
a worker *process*: in a thread it would hold the GIL and
stall the window for hundreds of milliseconds at a time (measured: 300 ms
gaps while the and-gate presets ran). A network's presets keep that worker
busy for seconds, so the short analyses of the run on screen (λmax along
it, the range test) have a second worker process of their own
(``in_process="analysis"``): they never wait behind a sweep. Vectorised
numpy work (a surface) and imports go to a worker thread. A finished job is handed back to the GUI
thread through a queued signal of a QObject that lives there (a lambda slot
would run in the worker thread), and only the newest job of
each kind is delivered: a result made stale by a later knob change is
dropped, never queued.
"""

from __future__ import annotations

import atexit
import contextlib
import logging
import os
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal, Slot

if TYPE_CHECKING:
    from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor

log = logging.getLogger(__name__)

MAIN_POOL = "main"
_process_pools: dict[str, ProcessPoolExecutor] = {}


def process_pool(name: str = MAIN_POOL) -> ProcessPoolExecutor:
    """The worker process ``name`` shared by every window, started on first use
    ("spawn": a forked child of a Qt process is not safe)."""
    pool = _process_pools.get(name)
    if pool is None:
        import multiprocessing  # imported on first use: start-up stays light
        from concurrent.futures import ProcessPoolExecutor

        context = multiprocessing.get_context("spawn")
        # the window's pid goes along: read in the child, getppid() may already
        # be init's if the window died while the worker was still starting
        pool = ProcessPoolExecutor(max_workers=1, mp_context=context,
                                   initializer=_lower_priority, initargs=(os.getpid(),))
        if not _process_pools:
            atexit.register(shutdown_process_pool)
        _process_pools[name] = pool
    return pool


def _lower_priority(parent: int) -> None:
    """The worker yields the CPU to the window: its results can wait a frame, clicks cannot.

    It also leaves when the window's process dies without shutting the pool
    down (SIGTERM at logout, a kill): otherwise it would linger as an orphan.
    """
    with contextlib.suppress(AttributeError, OSError):  # os.nice is POSIX only
        os.nice(10)
    import threading

    threading.Thread(target=_exit_with_parent, args=(parent,), daemon=True,
                     name="lrp-parent-watch").start()


def _exit_with_parent(parent: int, interval: float = 1.0) -> None:
    import time

    while os.getppid() == parent:
        time.sleep(interval)
    os._exit(0)  # the parent is gone: nobody will read our results


def shutdown_process_pool(name: str | None = None) -> None:
    """Stop the worker process ``name`` (None: every one)."""
    for key in [name] if name is not None else list(_process_pools):
        pool = _process_pools.pop(key, None)
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)


def stop_process_pool(name: str) -> None:
    """Let the worker process ``name`` go: later jobs start a fresh worker, so they never
    wait behind the job it is busy with; it finishes that (at its lowered priority) and
    whatever else was queued for it, then exits."""
    pool = _process_pools.pop(name, None)
    if pool is not None:
        # not terminated: ending a worker mid-job makes the executor fail every job
        # still queued for it, and Python 3.11 then raises in its manager thread on
        # the ones already cancelled
        pool.shutdown(wait=False, cancel_futures=False)


class Jobs(QObject):
    """Run ``fn`` in the background; call ``done(result)`` or ``failed(exc)`` in the GUI thread."""

    _finished = Signal(str, int)  # kind, ticket (emitted from the worker thread)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._pool: ThreadPoolExecutor | None = None
        self._tickets: dict[str, int] = {}
        self._pending: dict[str, tuple[int, Future[Any], Callable[[Any], None],
                                       Callable[[BaseException], None]]] = {}
        self._pools_of: dict[str, str] = {}  # kind -> the worker process its job runs in
        self._finished.connect(self._on_finished)

    def submit(self, kind: str, fn: Callable[..., Any], done: Callable[[Any], None],
               failed: Callable[[BaseException], None], *, args: tuple[Any, ...] = (),
               in_process: bool | str = False) -> None:
        """Run ``fn(*args)`` in the background; ``in_process`` (True: the main worker
        process, a name: that worker process) needs a picklable ``fn``."""
        ticket = self._tickets.get(kind, 0) + 1
        self._tickets[kind] = ticket
        old = self._pending.get(kind)
        if old is not None:
            old[1].cancel()  # not started yet: skip it; started: its result is dropped
        if in_process:
            from concurrent.futures.process import BrokenProcessPool

            name = in_process if isinstance(in_process, str) else MAIN_POOL
            self._pools_of[kind] = name
            try:
                future = process_pool(name).submit(fn, *args)
            except BrokenProcessPool:  # the worker died (killed, out of memory): start anew
                shutdown_process_pool(name)
                future = process_pool(name).submit(fn, *args)
        else:
            if self._pool is None:
                # imported at the first job, after the window's first paint
                from concurrent.futures import ThreadPoolExecutor

                self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="lrp-jobs")
            future = self._pool.submit(fn, *args)
        self._pending[kind] = (ticket, future, done, failed)
        future.add_done_callback(lambda _f, k=kind, t=ticket: self._emit_finished(k, t))

    def _emit_finished(self, kind: str, ticket: int) -> None:
        with contextlib.suppress(RuntimeError):  # the QObject is gone: nothing to deliver
            self._finished.emit(kind, ticket)

    def busy(self, kind: str | None = None) -> bool:
        if kind is None:
            return bool(self._pending)
        return kind in self._pending

    def cancel(self, kind: str) -> None:
        entry = self._pending.pop(kind, None)
        if entry is not None:
            entry[1].cancel()
            self._tickets[kind] = self._tickets.get(kind, 0) + 1

    def wait_idle(self) -> None:
        """Block until every submitted job has run (tests and shutdown)."""
        for _, future, _, _ in list(self._pending.values()):
            if not future.cancelled():
                future.exception()

    def shutdown(self) -> None:
        pending = list(self._pending.items())
        self._pending.clear()
        for kind, (_, future, _, _) in pending:
            if not future.cancel() and not future.done() and kind in self._pools_of:
                # running in a worker process: nobody will read it, and the next window's
                # jobs would wait behind it (a network's presets take seconds)
                stop_process_pool(self._pools_of[kind])
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    @Slot(str, int)
    def _on_finished(self, kind: str, ticket: int) -> None:
        entry = self._pending.get(kind)
        if entry is None or entry[0] != ticket:
            return  # superseded by a newer job of the same kind
        del self._pending[kind]
        _, future, done, failed = entry
        if future.cancelled():
            return
        exc = future.exception()
        if exc is not None:
            log.warning("background %s failed: %s", kind, exc)
            failed(exc)
        else:
            done(future.result())
