"""Small timing helpers: best-of-n medians, reported as ratios in one run."""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Callable, Sequence


def per_call(fn: Callable[[], object], repeat: int = 7, number: int = 1) -> float:
    """Median seconds per call over ``repeat`` batches of ``number`` calls."""
    fn()  # warm-up
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        for _ in range(number):
            fn()
        times.append((time.perf_counter() - t0) / number)
    return statistics.median(times)


def per_call_interleaved(fns: Sequence[Callable[[], object]], repeat: int = 7) -> list[float]:
    """Median seconds per call of each of ``fns``, called in turn ``repeat`` times: a burst
    of other work on a shared machine lands on all of them alike, not on one's batch."""
    for fn in fns:
        fn()  # warm-up
    times: list[list[float]] = [[] for _ in fns]
    for _ in range(repeat):
        for spent, fn in zip(times, fns, strict=True):
            t0 = time.perf_counter()
            fn()
            spent.append(time.perf_counter() - t0)
    return [statistics.median(spent) for spent in times]


def table(rows: list[tuple[str, ...]], header: tuple[str, ...]) -> str:
    out = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    out += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(out)


def markdown_table(rows: list[tuple[str, ...]], header: tuple[str, ...],
                   text_columns: int = 1) -> str:
    """A GitHub table: the first ``text_columns`` columns left-aligned, the rest (numbers)
    right-aligned."""
    align = [":---" if i < text_columns else "---:" for i in range(len(header))]
    out = ["| " + " | ".join(header) + " |", "| " + " | ".join(align) + " |"]
    out += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(out)


def machine_note() -> str:
    """CPUs and load average now, for a results header."""
    load = os.getloadavg() if hasattr(os, "getloadavg") else (float("nan"),) * 3
    return (f"{os.cpu_count()} CPUs, load average {load[0]:.2f} / {load[1]:.2f} / "
            f"{load[2]:.2f} (1 / 5 / 15 min)")
