"""Knob to pixels for every built-in problem × optimizer × batch mode, in the window (offscreen).

For each combination, set through the window model's knobs (``set_problem``,
then ``set_optimizer`` and ``set_batch``) at the problem's default learning
rate and step budget, the learning-rate slider is moved the way a drag moves
it, one 60 Hz frame apart, between the slider positions of 0.5× and 2× the
problem's default learning rate. Measured, in milliseconds:

- knob → pixels p50 / p95: from the slider's value change to the end of the
  FIRST repaint after it (the re-run built up to its synchronous budget, the
  views drawn): what the user sees while dragging. Target: p95 < 16 ms.
- whole run p50: from the slider's value change until the re-run has every
  row (the frame clock catches up on what the synchronous budget left over)
  and that last part is painted. Measured in a second series of moves, each
  waiting for the run to be whole before the next.

The timing follows ``bench_window.knob_to_pixels`` (its window, pump and idle
helpers are imported, not copied); only the set-up and the slider range differ.

Run: .venv/bin/python benchmarks/bench_knob_matrix.py [--moves 30] [--settle-moves 10]
     [--only rosenbrock,beale] [--markdown]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))
if not os.environ.get("DISPLAY"):
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from _timing import machine_note, markdown_table, table  # noqa: E402
from bench_defaults import OPTIMIZERS, label, modes  # noqa: E402
from bench_window import FRAME_S, idle, make_window, percentile, pump_until  # noqa: E402

import core  # noqa: E402

TARGET_MS = 16.0
WARMUP = 5


def batch_modes(problem: core.Problem, default_only: bool = False) -> list[str | int]:
    """The problem's default batch first, then the others the batch knob takes."""
    default = problem.default_batch
    if default_only:
        return [default]
    others = [b for b in modes(problem.n_samples) if b != default]
    return [default, *others] if problem.n_samples > 1 else [default]


def set_up(app, window, name: str, optimizer: str, hyper: dict, batch: str | int,
           presets_wait_s: float) -> bool:
    """The combination in force, its default run whole and painted. The presets (worked
    out in a background process) are waited for up to ``presets_wait_s``: False if they
    were still being worked out, competing for the CPUs, when the moves began."""
    k = window.model.knobs
    k.set_problem(name)  # the problem's default lr, steps and batch
    k.set_optimizer(optimizer, **hyper)
    k.set_batch(batch)
    m = window.model
    pump_until(app, lambda: idle(window), timeout_s=120)
    try:
        pump_until(app, lambda: m.insight.presets is not None or bool(m.insight.presets_failed),
                   timeout_s=presets_wait_s)
    except TimeoutError:
        return False
    finally:
        app.processEvents()
    return True


def positions(window, lr: float, count: int) -> list[int]:
    """Slider positions between 0.5× and 2× ``lr``, stepping like a drag back and forth."""
    slider = window.strip.lr.slider
    low, high = slider.position_of(lr * 0.5), slider.position_of(lr * 2.0)
    span = max(1, high - low)
    return [low + (i * 7) % span for i in range(count)]


def move(slider, pos: int) -> int:
    if pos == slider.value():
        pos = pos + 1 if pos < slider.maximum() else pos - 1
    slider.setValue(pos)
    return pos


def drag(app, window, lr: float, moves: int) -> list[float]:
    """Seconds from each slider move to the end of the first repaint, moves a frame apart."""
    m = window.model
    slider = window.strip.lr.slider
    times = []
    for i, pos in enumerate(positions(window, lr, moves + WARMUP)):
        wait_until = time.perf_counter() + FRAME_S  # a drag moves once per frame
        built = m.playback.runs_built
        t0 = time.perf_counter()
        move(slider, pos)
        pump_until(app, lambda b=built: m.playback.runs_built > b)  # a coalesced one too
        app.processEvents()  # delivers the update requests: dirty widgets paint
        elapsed = time.perf_counter() - t0
        if i >= WARMUP:
            times.append(elapsed)
        while time.perf_counter() < wait_until:
            app.processEvents()
    return times


def whole_runs(app, window, lr: float, moves: int) -> list[float]:
    """Seconds from each slider move until the re-run has every row, painted."""
    m = window.model
    slider = window.strip.lr.slider
    pump_until(app, lambda: idle(window), timeout_s=120)
    times = []
    for i, pos in enumerate(positions(window, lr, moves + 1)):
        wait_until = time.perf_counter() + FRAME_S
        built = m.playback.runs_built
        t0 = time.perf_counter()
        move(slider, pos)
        pump_until(app, lambda b=built: (m.playback.runs_built > b and not m.rerun_pending
                                         and m.playback.caught_up), timeout_s=120)
        app.processEvents()  # the last rows painted
        elapsed = time.perf_counter() - t0
        if i >= 1:
            times.append(elapsed)
        pump_until(app, lambda: idle(window), timeout_s=120)
        while time.perf_counter() < wait_until:
            app.processEvents()
    return times


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--moves", type=int, default=30, help="slider moves per combination (drag)")
    ap.add_argument("--settle-moves", type=int, default=10,
                    help="moves per combination that wait for the whole run")
    ap.add_argument("--presets-wait", type=float, default=5.0,
                    help="seconds to wait for the background presets before the moves")
    ap.add_argument("--only", default="", help="comma-separated problem names")
    ap.add_argument("--default-batch-only", action="store_true",
                    help="each problem's default batch only (not full, sample and 2 too)")
    ap.add_argument("--markdown", action="store_true", help="a GitHub table")
    args = ap.parse_args()
    names = [n for n in args.only.split(",") if n] or list(core.list_problems())
    unknown = [n for n in names if n not in core.list_problems()]
    if unknown:
        ap.error(f"unknown problem(s): {', '.join(unknown)}")

    app, window = make_window()
    pump_until(app, lambda: window.model.started and idle(window), timeout_s=120)
    rows = []
    worst = (0.0, "")
    over = 0
    busy = 0
    started = time.perf_counter()
    for name in names:
        problem = core.get_problem(name)
        for optimizer, hyper in OPTIMIZERS:
            for batch in batch_modes(problem, args.default_batch_only):
                quiet = set_up(app, window, name, optimizer, hyper, batch, args.presets_wait)
                busy += not quiet
                k = window.model.knobs
                lr, steps = k.lr, k.steps
                dragged = drag(app, window, lr, args.moves)
                whole = whole_runs(app, window, lr, args.settle_moves)
                p50, p95 = 1e3 * percentile(dragged, 50), 1e3 * percentile(dragged, 95)
                what = f"{name} / {label(optimizer, hyper)} / {batch}"
                worst = max(worst, (p95, what))
                over += p95 > TARGET_MS
                rows.append((name if quiet else f"{name} *", label(optimizer, hyper), str(batch),
                             f"{steps:,}",
                             f"{p50:.1f}", f"{p95:.1f}",
                             f"{1e3 * statistics.median(whole):.1f}"))
                print(f"  {what}: p50 {p50:.1f} ms, p95 {p95:.1f} ms", file=sys.stderr,
                      flush=True)
    window.close()
    header = ("problem", "optimizer", "batch", "steps", "knob→pixels p50 ms",
              "knob→pixels p95 ms", "whole run p50 ms")
    if args.markdown:
        print(markdown_table(rows, header, text_columns=3))
        print(f"\n- worst knob→pixels p95: **{worst[0]:.1f} ms** ({worst[1]}; target < "
              f"{TARGET_MS:g} ms)")
        print(f"- combinations over {TARGET_MS:g} ms at p95: **{over}** of {len(rows)}")
        if busy:
            print(f"- `*`: the presets were still being worked out in the background after "
                  f"{args.presets_wait:g} s ({busy} combinations): they shared the CPUs "
                  "with the moves, as they do for a user who drags at once")
        print(f"- {args.moves} dragged moves (+{WARMUP} warm-up) and {args.settle_moves} "
              f"whole-run moves per combination, lr from 0.5× to 2× the default; "
              f"{time.perf_counter() - started:.0f} s in all; {machine_note()}; "
              f"QT_QPA_PLATFORM={os.environ.get('QT_QPA_PLATFORM', '')}")
    else:
        print(table(rows, header))
        print(f"\nworst knob→pixels p95: {worst[0]:.1f} ms ({worst[1]}; target < "
              f"{TARGET_MS:g} ms)")
        print(f"combinations over {TARGET_MS:g} ms at p95: {over} of {len(rows)}")
        if busy:
            print(f"*: presets still being worked out in the background ({busy} combinations)")
        print(f"{machine_note()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
