"""The window's three targets, measured in one run (offscreen).

1. Knob to pixels: the learning-rate slider moved while paused on a
   1,000-step run; time from the slider's value change to the end of the
   repaint of the whole window (the re-run, the table model, every plot).
   Moves are spaced one 60 Hz frame apart, as a drag delivers them, so the
   frame clock's one-re-run-per-frame coalescing never delays a move.
   Target: p95 < 16 ms.
2. Live: frames per second while playing at 100,000 steps per second with
   a run of over 1,000,000 rows (the trajectory and the loss curve are the
   whole run, so both hold 1M+ points, more than the 100k-point trajectory
   of the target). Target: 60 fps.
3. Launch: wall time from starting the process to the first painted window,
   ``lr-playground`` against a minimal PySide6 + pyqtgraph window, each a
   fresh subprocess printing the time at a ``QTimer.singleShot(0)`` after
   ``show()`` that calls ``repaint()`` first. Interleaved runs, medians.
   Target: at most 1.25x. (Offscreen, that ``repaint()`` can come before the
   window is exposed, so this is time to a shown window one event-loop turn
   later; ``bench_launch.py`` times Qt's own first flush instead.)

Reported: p50, p95 and max milliseconds per slider move; frames per second
(paints of the loss view per second of wall time) with the frame gap p50 and
p95 and the steps per second achieved.

Before/after on a shared machine: ``--baseline DIR`` runs the knob and live
measurements for another checkout (e.g. a copy of the tree before a change)
and for this one in alternating subprocesses, ``--rounds`` times, and prints
both side by side (the median over rounds of each figure). Other sessions load
this machine, so only figures from one such run compare.

Run: .venv/bin/python benchmarks/bench_window.py [--moves 100] [--launches 5]
     [--only knob,live,launch] [--baseline DIR --rounds 3] [--code DIR] [--json]
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from _timing import table  # noqa: E402

FRAME_S = 1 / 60

MINIMAL = ROOT / "benchmarks" / "minimal_window.py"


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    k = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[k]


def make_window():
    import pyqtgraph as pg
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    from desktop.main_window import MainWindow
    from desktop.settings import Settings
    from desktop.views.palette import apply_plot_theme

    app = QApplication.instance() or QApplication([])
    pg.setConfigOptions(antialias=False, imageAxisOrder="row-major")
    apply_plot_theme()
    scratch = tempfile.mkdtemp(prefix="lrp-bench-")
    settings = Settings(QSettings(os.path.join(scratch, "s.ini"), QSettings.Format.IniFormat))
    window = MainWindow(settings=settings, show_error=lambda *a: print("error:", a[2]))
    window.resize(1400, 900)
    window.show()
    return app, window


def paint_times(widget) -> tuple[list[float], object]:
    """The times of the paint events ``widget`` gets from now on, and the event filter
    that records them (keep it: the filter lives as long as it is referenced)."""
    from PySide6.QtCore import QEvent, QObject

    times: list[float] = []

    class PaintCounter(QObject):
        def eventFilter(self, obj, event):
            if event.type() == QEvent.Type.Paint:
                times.append(time.perf_counter())
            return False

    counter = PaintCounter()
    widget.installEventFilter(counter)
    return times, counter


def play_for(app, window, seconds: float) -> tuple[list[float], float]:
    """Play the run for ``seconds``: the times the loss view painted, and the time taken."""
    viewport = window.plots.loss.viewport()
    frames, counter = paint_times(viewport)
    window.model.play()
    start = time.perf_counter()
    while time.perf_counter() - start < seconds:
        app.processEvents()
    window.model.pause()
    elapsed = time.perf_counter() - start
    viewport.removeEventFilter(counter)
    return frames, elapsed


def pump_until(app, condition, timeout_s: float = 30.0) -> None:
    deadline = time.perf_counter() + timeout_s
    while not condition():
        if time.perf_counter() > deadline:
            raise TimeoutError("condition not reached")
        app.processEvents()


def idle(window) -> bool:
    """The run caught up, nothing playing, no frame due."""
    return window.model.idle() and not window.runtime.clock.running


def knob_to_pixels(app, window, moves: int, full_repaint: bool) -> list[float]:
    """Seconds from a slider value change to the end of the repaint, one per move.

    ``full_repaint``: repaint the whole window (``window.repaint()``); else let
    Qt repaint what changed (``processEvents``), as the running program does.
    """
    m = window.model
    combo = window.panels.problem.combo
    combo.setCurrentIndex(combo.findData("rosenbrock"))
    m.knobs.set_steps(1000)
    m.knobs.set_lr(5e-4)
    pump_until(app, lambda: m.insight.presets is not None and idle(window))
    assert len(m.table) == 1001, f"the run should have 1,000 steps, has {len(m.table) - 1}"
    slider = window.strip.lr.slider
    low, high = slider.position_of(2e-4), slider.position_of(1e-3)
    positions = [low + (i * 7) % (high - low) for i in range(moves + 5)]
    times = []
    for i, pos in enumerate(positions):
        if pos == slider.value():
            pos += 1
        wait_until = time.perf_counter() + FRAME_S  # a drag moves once per frame
        built = m.playback.runs_built
        t0 = time.perf_counter()
        slider.setValue(pos)
        pump_until(app, lambda b=built: m.playback.runs_built > b)  # a coalesced one too
        if full_repaint:
            window.repaint()
        else:
            app.processEvents()  # delivers the update requests: dirty widgets paint
        elapsed = time.perf_counter() - t0
        if i >= 5:  # warm-up moves
            times.append(elapsed)
        while time.perf_counter() < wait_until:
            app.processEvents()
    assert len(m.table) == 1001
    return times


def live_fps(app, window, rows: int, seconds: float = 3.0) -> tuple[float, int, list[float]]:
    """Frames painted per second while playing at 100,000 steps/s from a run of ``rows``."""

    m = window.model
    combo = window.panels.problem.combo
    combo.setCurrentIndex(combo.findData("quadratic"))
    m.knobs.set_steps(3_000_000)
    m.knobs.set_lr(2e-6)  # slow enough that 3M steps never reach the tolerance
    pump_until(app, lambda: not m.rerun_pending)
    m.reset()  # back to row 0, so no catch-up to the 3M-step budget is pending
    pump_until(app, lambda: idle(window))
    m.trainer.advance(rows - len(m.table))  # set-up, not measured
    window.renderer.show_all()  # the views take the grown run
    m.knobs.set_speed(100_000)
    rows0 = len(m.table)
    frames, elapsed = play_for(app, window, seconds)
    gaps = [b - a for a, b in itertools.pairwise(frames)]
    return len(frames) / elapsed, len(m.table) - rows0, gaps


def first_paint(command: list[str], env: dict[str, str],
                plots: bool = False) -> float | tuple[float, float]:
    """Seconds to the first paint (and, with ``plots``, to the plots painting a run)."""
    t0 = time.time()
    proc = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                            text=True, cwd=ROOT)
    first = None
    try:
        assert proc.stdout is not None
        for line in proc.stdout:
            if line.startswith("first-paint "):
                first = float(line.split()[1]) - t0
                if not plots:
                    return first
            elif line.startswith("plots-painted ") and first is not None:
                return first, float(line.split()[1]) - t0
        raise RuntimeError(f"{command[0]} never reported its first paint")
    finally:
        proc.kill()
        proc.wait()


def launch(runs: int) -> tuple[list[float], list[float], list[float]]:
    scratch = tempfile.mkdtemp(prefix="lrp-launch-")
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(ROOT),
           "XDG_CONFIG_HOME": os.path.join(scratch, "config"),
           "XDG_DATA_HOME": os.path.join(scratch, "data")}
    app_cmd = [sys.executable, "-m", "desktop.app", "--report-first-paint",
               "--quit-after-ms", "2000"]
    minimal_cmd = [sys.executable, str(MINIMAL), "--stamp"]
    first_paint(app_cmd, env)  # warm the OS file cache for both
    first_paint(minimal_cmd, env)
    ours, plotted, minimal = [], [], []
    for _ in range(runs):
        minimal.append(first_paint(minimal_cmd, env))
        first, plots = first_paint(app_cmd, env, plots=True)
        ours.append(first)
        plotted.append(plots)
    return ours, plotted, minimal


LIVE_ROWS = (100_000, 1_000_000)


def measure(args: argparse.Namespace) -> dict[str, float]:
    """The selected measurements of this process's checkout, as named figures (ms, fps, s)."""
    parts = set(args.only.split(","))
    out: dict[str, float] = {}
    if parts & {"knob", "live"}:
        app, window = make_window()
        pump_until(app, lambda: window.model.started and idle(window))
        if "knob" in parts:
            knob = knob_to_pixels(app, window, args.moves, full_repaint=False)
            out |= {"knob_p50": 1e3 * percentile(knob, 50), "knob_p95": 1e3 * percentile(knob, 95),
                    "knob_max": 1e3 * max(knob), "knob_moves": len(knob)}
            full = knob_to_pixels(app, window, args.moves, full_repaint=True)
            out |= {"knob_full_p50": 1e3 * percentile(full, 50),
                    "knob_full_p95": 1e3 * percentile(full, 95)}
        if "live" in parts:
            for rows in LIVE_ROWS:
                fps, steps, gaps = live_fps(app, window, rows, args.seconds)
                k = f"live_{rows // 1000}k"
                out |= {f"{k}_fps": fps, f"{k}_steps_per_s": steps / args.seconds,
                        f"{k}_gap_p50": 1e3 * percentile(gaps, 50) if gaps else float("nan"),
                        f"{k}_gap_p95": 1e3 * percentile(gaps, 95) if gaps else float("nan")}
        window.close()
    if "launch" in parts:
        ours, plotted, minimal = launch(args.launches)
        out |= {"launch_minimal_s": statistics.median(minimal),
                "launch_ours_s": statistics.median(ours),
                "launch_ratio": statistics.median(ours) / statistics.median(minimal),
                "launch_plots_s": statistics.median(plotted),
                "launch_plots_ratio": statistics.median(plotted) / statistics.median(minimal)}
    out["load"] = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return out


# (key, what it measures, unit, target, met-test)
FIGURES = [
    ("knob_p50", "knob to pixels, p50 (1,000-step rosenbrock; the changed widgets repaint)",
     "ms", "", None),
    ("knob_p95", "knob to pixels, p95", "ms", "< 16 ms", lambda v: v < 16.0),
    ("knob_max", "knob to pixels, max", "ms", "", None),
    ("knob_full_p50", "knob to pixels with a full window.repaint(), p50", "ms", "", None),
    ("knob_full_p95", "knob to pixels with a full window.repaint(), p95", "ms", "", None),
    *[item for rows in LIVE_ROWS for item in (
        (f"live_{rows // 1000}k_fps", f"live fps at 100,000 steps/s from a {rows:,}-row run "
         "(trajectory and loss curve hold every row)", "fps", "60", lambda v: v >= 57.0),
        (f"live_{rows // 1000}k_gap_p50", "  frame gap p50", "ms", "", None),
        (f"live_{rows // 1000}k_gap_p95", "  frame gap p95", "ms", "", None),
        (f"live_{rows // 1000}k_steps_per_s", "  steps per second achieved", "/s", "", None),
    )],
    ("launch_minimal_s", "launch to first paint, minimal PySide6 + pyqtgraph (median)", "s", "",
     None),
    ("launch_ours_s", "launch to first paint, lr-playground (median)", "s", "", None),
    ("launch_ratio", "launch ratio", "x", "<= 1.25x", lambda v: v <= 1.25),
    ("launch_plots_s", "launch to the plots painting the first run (median)", "s", "", None),
    ("launch_plots_ratio", "launch ratio, plots included", "x", "<= 1.25x",
     lambda v: v <= 1.25),
]


def fmt(value: float | None, unit: str) -> str:
    if value is None or value != value:
        return "-"
    if unit == "ms":
        return f"{value:.1f} ms"
    if unit == "/s":
        return f"{value:,.0f}"
    if unit == "s":
        return f"{value:.2f} s"
    if unit == "x":
        return f"{value:.2f}x"
    return f"{value:.1f}"


def run_checkout(code: str, args: argparse.Namespace) -> dict[str, float]:
    """``measure`` for the checkout at ``code``, in a fresh process."""
    cmd = [sys.executable, str(Path(__file__).resolve()), "--json", "--code", code,
           "--only", args.only, "--moves", str(args.moves), "--seconds", str(args.seconds),
           "--launches", str(args.launches)]
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, check=False)
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("{")]
    if proc.returncode != 0 or not lines:
        raise RuntimeError(f"benchmark of {code} failed:\n{proc.stderr[-2000:]}")
    return json.loads(lines[-1])


def main() -> int:
    global ROOT
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--moves", type=int, default=100)
    parser.add_argument("--launches", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--only", default="knob,live,launch",
                        help="comma-separated: knob, live, launch")
    parser.add_argument("--code", default=str(ROOT),
                        help="the checkout whose desktop/ and core/ are measured")
    parser.add_argument("--baseline", default=None,
                        help="another checkout, measured in alternation with --code")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()
    code = str(Path(args.code).resolve())
    if code != str(ROOT):
        ROOT = Path(code)  # the launch subprocesses start that checkout too
        sys.path.insert(0, code)

    if args.baseline is None:
        results = {"this": measure(args)}
        columns = [("value", "this")]
    else:
        runs: dict[str, list[dict[str, float]]] = {"baseline": [], "this": []}
        for _ in range(args.rounds):
            runs["baseline"].append(run_checkout(str(Path(args.baseline).resolve()), args))
            runs["this"].append(run_checkout(code, args))
        results = {name: {k: statistics.median(r[k] for r in rs) for k in rs[0]}
                   for name, rs in runs.items()}
        columns = [("before (baseline)", "baseline"), ("after (this)", "this")]
    if args.json:
        print(json.dumps(results["this"]))
        return 0
    rows_out = []
    for key, label, unit, target, met in FIGURES:
        if key not in results["this"]:
            continue
        values = [results[name].get(key) for _, name in columns]
        ok = "" if met is None else ("yes" if met(values[-1]) else "no")
        rows_out.append((label, *(fmt(v, unit) for v in values), target, ok))
    print(table(rows_out, ("measure", *(c for c, _ in columns), "target", "met")))
    load = ", ".join(f"{results[name]['load']:.1f}" for _, name in columns)
    rounds = "" if args.baseline is None else (
        f"; medians over {args.rounds} alternating rounds (baseline {args.baseline})")
    print(f"\n{args.moves} slider moves (5 more to warm up), {args.seconds:g} s live per run, "
          f"{args.launches} launches each{rounds}; {os.cpu_count()} CPUs, load average at the "
          f"end {load}, QT_QPA_PLATFORM={os.environ['QT_QPA_PLATFORM']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
