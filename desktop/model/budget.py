"""Advance a trainer by as many rows as fit in a time budget, on a clock the caller gives.

The frame clock calls this once per frame so the window handles its events
at least every frame, whatever a step costs: a frame that ran longer would
stall input and repaint. The clock is injected (``now``), so tests drive a
clock of their own and charge each row a chosen cost: nothing they check
depends on how fast the machine is.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

FRAME_S = 1 / 60
BUDGET_S = 0.008  # trainer work per frame while playing or catching up
RERUN_BUDGET_S = 0.010  # the synchronous part of a re-run after a knob change
# the same while a knob is dragged: a move a frame, so the frame's own work (the
# views and the repaint, 7-12 ms) and the run's first part must fit in one frame
# together; the rest of the run follows once the drag pauses. Each row shown also
# costs paint (a network's row is 216 table cells and a stretch of path): with 2 ms
# a network's drag measured p50 14-15 ms and p95 up to 22, with 1 ms 8-10 and 11-12
DRAG_RERUN_BUDGET_S = 0.001
MAX_DT_S = 0.1  # a stalled frame does not turn into a burst of steps
MAX_CHUNK = 50_000

Costs = dict[tuple[str, ...], float]


def cost_key(trainer: Any) -> tuple[str, ...]:
    """Runs of one kind cost about the same per row: the memory is kept by kind."""
    cfg = getattr(trainer, "config", None)
    problem = getattr(trainer, "problem", None)
    return (
        type(trainer).__name__,
        str(getattr(problem, "name", "")),
        str(getattr(cfg, "optimizer", "")),
        str(getattr(cfg, "batch", "")),
        str(getattr(cfg, "backend", "")),
    )


def advance_within(trainer: Any, max_rows: int, budget_s: float, chunk: int = 16, *,
                   now: Callable[[], float] = time.perf_counter,
                   costs: Costs | None = None) -> int:
    """Advance ``trainer`` by up to ``max_rows`` rows, stopping once ``budget_s`` is spent.

    The chunk size adapts to the measured cost per row, so the loop checks the
    clock a few times per budget whatever a step costs. ``costs`` remembers
    the seconds per row of each kind of run: the next call sizes its first
    chunk from it instead of probing with 16 rows.
    """
    if costs is None:
        costs = {}
    key = cost_key(trainer)
    known = costs.get(key)
    if known is not None:
        chunk = max(1, min(MAX_CHUNK, int(budget_s / max(known, 1e-7) * 0.5) + 1))
    added = 0
    start = now()
    while added < max_rows and not trainer.finished:
        n = trainer.advance(min(chunk, max_rows - added))
        if n == 0:
            break
        added += n
        spent = now() - start
        if spent >= budget_s:
            break
        per_row = spent / added
        chunk = max(1, min(MAX_CHUNK, int((budget_s - spent) / max(per_row, 1e-7) * 0.5) + 1))
    if added:
        if len(costs) > 64:
            costs.clear()
        costs[key] = (now() - start) / added
    return added
