"""Sweep, surface and preset timings, as ratios measured in one run.

- 1,000 learning rates x 1,000 steps on a 2-parameter problem as one `core.sweep`
  (target < 100 ms) against 1,000 separate `core.train` runs (target: at least
  50x faster; 50 runs are timed and scaled up).
- A 256 x 256 `core.surface` for every built-in problem (target < 30 ms each).
- Linear regression's surface on 100,000 points against 3 points (sufficient
  statistics: the same cost).
- `core.presets` per built-in problem (plain SGD), for the window's buttons.

Run: .venv/bin/python benchmarks/bench_analysis.py
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
from core.analysis.presets import presets
from core.analysis.surface import surface, view_window
from core.analysis.sweep import sweep
from core.problems.regression import LinearRegression

RATES = 1000
STEPS = 1000
SEPARATE = 50  # separate runs timed; scaled to RATES


def regression(n: int) -> LinearRegression:
    rng = np.random.default_rng(0)
    x = rng.uniform(0.5, 3.0, n)
    y = 2.0 * x + 1.0 + rng.normal(0.0, 0.3, n)
    return LinearRegression(name=f"reg{n}", title="r", param_names=("a", "b"),
                            start=(0.0, 0.0), description="r", data=core.Dataset(x[:, None], y))


def sweep_rows() -> list[tuple[str, ...]]:
    cases = [
        ("quadratic, sgd, all stable", "quadratic", np.geomspace(1e-4, 0.19, RATES), {}),
        ("quadratic, sgd, 40% diverge", "quadratic", np.geomspace(1e-4, 1.0, RATES), {}),
        ("rosenbrock, sgd", "rosenbrock", np.geomspace(1e-6, 1.9e-3, RATES), {}),
        ("rosenbrock, sgd momentum 0.9", "rosenbrock", np.geomspace(1e-7, 1.9e-4, RATES),
         {"momentum": 0.9}),
        ("rosenbrock, adam", "rosenbrock", np.geomspace(1e-4, 1.0, RATES),
         {"optimizer": "adam"}),
        ("house-prices (3 points), sgd", "house-prices", np.geomspace(1e-5, 0.19, RATES), {}),
        ("regression 100,000 points, sgd", regression(100_000),
         np.geomspace(1e-5, 0.19, RATES), {}),
    ]
    rows = []
    for label, problem, lrs, kw in cases:
        one = per_call(lambda p=problem, lrs=lrs, kw=kw: sweep(p, lrs, steps=STEPS, **kw),
                       repeat=5)
        picked = lrs[:: RATES // SEPARATE]

        def separate(p=problem, picked=picked, kw=kw) -> None:
            opt = kw.get("optimizer", "sgd")
            hyper = {k: v for k, v in kw.items() if k != "optimizer"}
            for lr in picked:
                core.train(p, lr=float(lr), steps=STEPS, optimizer=opt, **hyper)

        many = per_call(separate, repeat=3) * RATES / len(picked)
        verdict = "yes" if one < 0.1 and many / one >= 50 else "no"
        rows.append((label, f"{one * 1e3:.1f}", f"{many * 1e3:.0f}", f"{many / one:.0f}x",
                     verdict))
    return rows


def surface_rows() -> list[tuple[str, ...]]:
    rows = []
    for name in core.list_problems():
        problem = core.get_problem(name)
        (x0, x1), (y0, y1) = view_window(problem)
        xs, ys = np.linspace(x0, x1, 256), np.linspace(y0, y1, 256)
        t = per_call(lambda p=problem, xs=xs, ys=ys: surface(p, xs, ys), repeat=7, number=3)
        rows.append((name, f"{problem.n_params}", f"{problem.n_samples}", f"{t * 1e3:.2f}",
                     "yes" if t < 0.03 else "no"))
    return rows


def regression_rows() -> list[tuple[str, ...]]:
    xs, ys = np.linspace(-1, 5, 256), np.linspace(-3, 4, 256)
    rows = []
    base = None
    for n in (3, 1000, 100_000):
        problem = regression(n)
        t = per_call(lambda p=problem: surface(p, xs, ys), repeat=7, number=3)
        base = base or t
        rows.append((f"{n:,} points", f"{t * 1e3:.2f}", f"{t / base:.2f}x"))
    # what the grid would cost without sufficient statistics (per-example, 1,000 points)
    problem = regression(1000)
    aa, bb = np.meshgrid(xs, ys)

    def direct() -> None:
        r = aa[..., None] * problem.data.x[:, 0] + bb[..., None] - problem.data.y
        np.mean(r * r, axis=-1)

    t = per_call(direct, repeat=3)
    rows.append(("1,000 points, per-example broadcasting", f"{t * 1e3:.1f}",
                 f"{t / base:.0f}x"))
    return rows


def preset_rows() -> list[tuple[str, ...]]:
    rows = []
    for name in core.list_problems():
        problem = core.get_problem(name)
        t0 = time.perf_counter()
        lrs = presets(problem)
        t = time.perf_counter() - t0
        rows.append((name, f"{problem.default_steps}", f"{problem.default_batch}",
                     f"{t * 1e3:.0f}",
                     " / ".join(f"{lrs[k]:.3g}" for k in ("too-small", "just-right", "too-big"))))
    return rows


def main() -> None:
    print(f"## Sweep: {RATES:,} learning rates x {STEPS:,} steps\n")
    print(table(sweep_rows(), ("problem", "one sweep ms", f"{RATES:,} core.train ms",
                               "speed-up", "< 100 ms and >= 50x")))
    print("\n## Surface: 256 x 256 grid\n")
    print(table(surface_rows(), ("problem", "params", "examples", "ms", "< 30 ms")))
    print("\n## Linear regression surface vs data size (256 x 256)\n")
    print(table(regression_rows(), ("data", "ms", "vs 3 points")))
    print("\n## Presets (plain SGD, the problem's default budget)\n")
    print(table(preset_rows(), ("problem", "steps", "batch", "ms",
                                "too-small / just-right / too-big")))


if __name__ == "__main__":
    main()
