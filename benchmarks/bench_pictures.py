"""The new pictures' cost (offscreen): the data view, the arrows, the animation.

1. Knob to pixels with the Data tab in front and with the Surface tab in
   front (house prices, 1,000-step run; the slider moved once per 60 Hz
   frame, as in bench_window.py): p50 and p95 ms. Target p95 < 16 ms.
2. Live frames per second at 100,000 steps per second from a 1,000,000-row
   house-prices run, the Data tab in front and hidden. Target 60 fps.
3. The data view's own per-frame cost: drawing a new row (prediction,
   items, caption) for one input (house prices: 240 points of the line) and
   two inputs (AND gate: a 96 × 96 image and its 0.5 line); and the arrows'.
4. The animation: milliseconds per frame, GIF and MP4, 60 frames 800 px wide.

Run: .venv/bin/python benchmarks/bench_pictures.py [--moves 60] [--seconds 3] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from bench_window import FRAME_S, idle, make_window, percentile, play_for, pump_until  # noqa: E402


def use(app, window, problem: str, steps: int, lr: float, tab: str) -> None:
    m = window.model
    combo = window.panels.problem.combo
    if m.knobs.problem.name != problem:
        combo.setCurrentIndex(combo.findData(problem))
    m.knobs.set_steps(steps)
    m.knobs.set_lr(lr)
    window.plots.show_tab(tab)
    pump_until(app, lambda: not m.rerun_pending and idle(window))


def knob(app, window, tab: str, moves: int) -> list[float]:
    m = window.model
    use(app, window, "house-prices", 1000, 0.01, tab)
    slider = window.strip.lr.slider
    low, high = slider.position_of(2e-3), slider.position_of(2e-2)
    times = []
    for i in range(moves + 5):
        pos = low + (i * 7) % (high - low)
        if pos == slider.value():
            pos += 1
        wait_until = time.perf_counter() + FRAME_S
        built = m.playback.runs_built
        t0 = time.perf_counter()
        slider.setValue(pos)
        pump_until(app, lambda b=built: m.playback.runs_built > b)
        app.processEvents()
        if i >= 5:
            times.append(time.perf_counter() - t0)
        while time.perf_counter() < wait_until:
            app.processEvents()
    return times


def live(app, window, tab: str, rows: int, seconds: float) -> tuple[float, float]:

    m = window.model
    use(app, window, "house-prices", 3_000_000, 1e-9, "surface")
    m.reset()
    pump_until(app, lambda: idle(window))
    m.trainer.advance(rows - len(m.table))
    window.renderer.show_all()
    window.plots.show_tab(tab)
    m.knobs.set_speed(100_000)
    drawn = window.pictures.draws["data"]
    frames, elapsed = play_for(app, window, seconds)
    data_frames = window.pictures.draws["data"] - drawn
    return len(frames) / elapsed, data_frames / elapsed


def per_frame(app, window, problem: str, what: str, repeats: int = 200) -> float:
    """Milliseconds for the binder to draw one new row (``what``: data or arrows)."""
    m = window.model
    default = {"house-prices": 0.01, "and-gate": 0.5}[problem]
    use(app, window, problem, 400, default, "data" if what == "data" else "surface")
    binder = window.pictures
    draw = binder._draw_data if what == "data" else binder._draw_arrows
    times = []
    for i in range(repeats):
        m.selection.step = 1 + (i * 37) % 390  # a new row each time, no event
        binder._shown.clear()
        t0 = time.perf_counter()
        draw()
        times.append(time.perf_counter() - t0)
    m.selection.step = -1
    return 1e3 * percentile(times, 50)


def animation_ms(kind: str, frames: int = 60) -> float:
    import core
    from desktop.exports.animation import Animation

    run = core.train("rosenbrock", lr=1e-3, steps=2000)
    with tempfile.TemporaryDirectory() as folder:
        job = Animation(run, Path(folder) / f"run{kind}", width=800, max_frames=frames)
        t0 = time.perf_counter()
        job.close()
        return 1e3 * (time.perf_counter() - t0) / frames


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--moves", type=int, default=60)
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    app, window = make_window()
    pump_until(app, lambda: window.model.started and idle(window))
    out: dict[str, float] = {}
    for tab in ("surface", "data"):
        t = knob(app, window, tab, args.moves)
        out[f"knob_{tab}_p50"] = 1e3 * percentile(t, 50)
        out[f"knob_{tab}_p95"] = 1e3 * percentile(t, 95)
    for tab in ("surface", "data"):
        fps, draws = live(app, window, tab, args.rows, args.seconds)
        out[f"live_{tab}_fps"] = fps
        out[f"live_{tab}_data_view_draws_per_s"] = draws
    out["data_view_1_input_ms"] = per_frame(app, window, "house-prices", "data")
    out["data_view_2_inputs_ms"] = per_frame(app, window, "and-gate", "data")
    out["arrows_ms"] = per_frame(app, window, "house-prices", "arrows")
    window.close()
    out["animation_gif_ms_per_frame"] = animation_ms(".gif")
    out["animation_mp4_ms_per_frame"] = animation_ms(".mp4")
    out["load"] = os.getloadavg()[0]
    if args.json:
        print(json.dumps(out))
    else:
        for key, value in out.items():
            print(f"{key:32s} {value:10.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
