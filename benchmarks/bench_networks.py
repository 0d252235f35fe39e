"""Network timings (a 2-8-8-1 tanh MLP on 200 points, full batch), as ratios in one run.

- One numpy step (loss, hand-written backprop, update) against one torch
  ``nn.Sequential`` + ``optim.SGD`` step on the CPU in float64 (target: numpy at
  most a third of torch); also `core.train`'s cost per step over 1,000 steps.
- A 64 x 64 loss slice along two random directions (`core.surface(directions=)`)
  and the window's whole slice job (the plane built too) (target < 100 ms).
- 100 learning rates x 1,000 steps as one `core.sweep` (target < 2 s).
- λmax by 20 Hessian-vector products and Lanczos (`core.sharpness`, target < 20 ms).
- The window model's frames per second while a network plays at 1,000 and at
  100,000 steps a second (the frame loop only, no painting), against the same
  loop on rosenbrock: how much of a frame the network's steps take.

Benchmarks measure; no test asserts on these times.
Run: .venv/bin/python benchmarks/bench_networks.py
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _timing import per_call, table

import core
from desktop.model import WindowModel, analysis, slicing

PROBLEM = "circle"
FRAME_SECONDS = 2.0


def numpy_step_s(problem) -> float:
    theta = np.array(problem.start, dtype=np.float64)

    def step() -> None:
        nonlocal theta
        _loss, grad = problem.loss_and_grad(theta)
        theta = theta - 0.5 * grad

    return per_call(step, repeat=7, number=200)


def torch_step_s(problem) -> float | None:
    try:
        import torch
    except ImportError:
        return None
    torch.set_num_threads(1)
    x = torch.tensor(problem.data.x, dtype=torch.float64)
    y = torch.tensor(problem.data.y, dtype=torch.float64)[:, None]
    model = torch.nn.Sequential(torch.nn.Linear(2, 8), torch.nn.Tanh(), torch.nn.Linear(8, 8),
                                torch.nn.Tanh(), torch.nn.Linear(8, 1)).double()
    opt = torch.optim.SGD(model.parameters(), lr=0.5)
    bce = torch.nn.BCEWithLogitsLoss()

    def step() -> None:
        opt.zero_grad()
        bce(model(x), y).backward()
        opt.step()

    return per_call(step, repeat=7, number=100)


def slice_s(problem) -> tuple[float, float]:
    theta = np.asarray(problem.start, dtype=np.float64)
    plane = core.random_plane(theta, problem.filters(), 0)
    grid = np.linspace(-1, 1, 64)
    surface = per_call(lambda: core.surface(problem, grid, grid, through=theta,
                                            directions=(plane.d1, plane.d2)), repeat=5)
    run = core.train(problem, lr=0.5, steps=200)
    spec = slicing.slice_spec(problem, slicing.PlaneChoice("pca", "end", 0), run.table,
                              len(run.table), len(run.table) - 1)
    job = per_call(lambda: analysis.compute_slice(problem, spec), repeat=5)
    return surface, job


def frames_per_s(problem: str, speed: float) -> tuple[float, int]:
    """Frames of the window model's loop per second of wall time while the run plays,
    and the rows it made (a small lr: neither run reaches its tolerance and stops)."""
    m = WindowModel()
    m.knobs.set_problem(problem)
    m.knobs.set_steps(1_000_000)
    m.knobs.set_lr(1e-4)
    m.knobs.set_speed(speed)
    m.start(play=True)
    m.frame(1 / 60)
    frames, t0 = 0, time.perf_counter()
    while time.perf_counter() - t0 < FRAME_SECONDS:
        m.frame(1 / 60)
        frames += 1
    elapsed = time.perf_counter() - t0
    rows = len(m.table)
    m.shutdown()
    return frames / elapsed, rows


def main() -> int:
    problem = core.get_problem(PROBLEM)
    rows: list[tuple[str, ...]] = []
    ours = numpy_step_s(problem)
    theirs = torch_step_s(problem)
    ratio = "" if theirs is None else f"{ours / theirs:.2f} of torch"
    rows.append(("numpy step (2-8-8-1, 200 points)", f"{ours * 1e6:.1f} µs", "≤ 1/3 of torch",
                 ratio))
    rows.append(("torch nn.Sequential + SGD step", "n/a" if theirs is None else
                 f"{theirs * 1e6:.1f} µs", "", ""))
    t0 = time.perf_counter()
    core.train(problem, lr=0.5, steps=1000)
    rows.append(("core.train, per step of 1,000", f"{(time.perf_counter() - t0) * 1e3:.1f} µs",
                 "", ""))
    surface, job = slice_s(problem)
    rows.append(("64 × 64 slice, core.surface(directions=)", f"{surface * 1e3:.1f} ms",
                 "< 100 ms", ""))
    rows.append(("64 × 64 slice, the window's job (PCA plane)", f"{job * 1e3:.1f} ms",
                 "< 100 ms", ""))
    t0 = time.perf_counter()
    core.sweep(problem, np.geomspace(1e-3, 10, 100), steps=1000)
    rows.append(("sweep 100 lrs × 1,000 steps", f"{time.perf_counter() - t0:.2f} s", "< 2 s",
                 ""))
    theta = np.asarray(problem.start, dtype=np.float64)
    sharp = per_call(lambda: core.sharpness(problem, theta, 20), repeat=7)
    rows.append(("sharpness (20 Hessian-vector products)", f"{sharp * 1e3:.1f} ms", "< 20 ms",
                 ""))
    for speed in (1_000.0, 100_000.0):
        net, made = frames_per_s(PROBLEM, speed)
        bowl, _ = frames_per_s("rosenbrock", speed)
        rows.append((f"window model frames/s, {speed:,.0f} steps/s ({made:,} rows)",
                     f"{net:,.0f} fps", "≥ 60 fps",
                     f"{net / bowl:.3f} of rosenbrock ({bowl:,.0f} fps)"))
    print(table(rows, ("measure", "value", "target", "ratio")))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
