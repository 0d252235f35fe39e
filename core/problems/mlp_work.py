"""Where many networks are evaluated at once: reused work arrays and two threads.

A sweep or a loss-landscape slice evaluates tens to thousands of small networks
per call, in chunks. Two things decide its speed beyond the arithmetic:

- A chunk's activations are a few hundred kilobytes. Allocated afresh on every
  step, the C allocator hands that memory back to the system and takes it again
  each time, and the page faults double a sweep's time; so the work arrays are
  kept from one call to the next (one set per thread).
- numpy lets go of the interpreter lock inside its loops and matrix products,
  so chunks evaluated on two threads run side by side on two cores. Each chunk
  writes its own rows of the result, so the numbers are the same bit for bit
  whichever thread computes them.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from concurrent.futures import ThreadPoolExecutor

    from core._types import FloatArray

_SHAPES_KEPT = 48  # past it the set of work arrays starts again


class _Scratch(threading.local):
    """One thread's work arrays, by name, layer and shape."""

    def __init__(self) -> None:
        self.arrays: dict[tuple[str, int, tuple[int, ...]], FloatArray] = {}


_SCRATCH = _Scratch()


def work_array(name: str, layer: int, shape: tuple[int, ...]) -> FloatArray:
    """An uninitialised array of ``shape``, the same one each time this thread asks.

    Whatever it held is overwritten by the next call: copy what is kept.
    """
    arrays = _SCRATCH.arrays
    key = (name, layer, shape)
    array = arrays.get(key)
    if array is None:
        if len(arrays) >= _SHAPES_KEPT:
            arrays.clear()
        array = arrays[key] = np.empty(shape)
    return array


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


THREADS = min(2, _cores())
_pool: ThreadPoolExecutor | None = None
_pool_lock = threading.Lock()


def _executor() -> ThreadPoolExecutor:
    global _pool
    with _pool_lock:
        if _pool is None:
            # imported here: a program that never evaluates many networks at once
            # (the window at start-up) does not load the executor machinery
            from concurrent.futures import ThreadPoolExecutor

            _pool = ThreadPoolExecutor(THREADS, thread_name_prefix="networks")
        return _pool


def _forget_pool() -> None:
    # a forked child has none of the parent's threads: it starts its own pool
    global _pool, _pool_lock
    _pool, _pool_lock = None, threading.Lock()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_pool)


def each_chunk(work: Callable[[slice], None], parts: Sequence[slice]) -> None:
    """``work(part)`` for every part, on two threads where there are two cores.

    The threads compute under the caller's numpy error settings, which numpy
    keeps per thread: a caller that silences overflow is not warned from a worker.
    """
    if len(parts) < 2 or THREADS < 2 or threading.current_thread().name.startswith("networks"):
        for part in parts:
            work(part)
        return
    settings = np.geterr()

    def under_settings(part: slice) -> None:
        with np.errstate(**settings):
            work(part)

    for future in [_executor().submit(under_settings, part) for part in parts]:
        future.result()
