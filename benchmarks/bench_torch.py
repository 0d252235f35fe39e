"""The torch backend against numpy: per-step cost of a run, and a big sweep.

1. Per step of `core.train` on a 2-parameter problem (1,000 steps), numpy
   backend vs torch backend (cpu, float64), for plain SGD and Adam.
2. A 10,000-learning-rate x 1,000-step sweep: `core.sweep` (numpy) vs
   `torch_sweep` on the cpu and, with ``--device cuda`` or when a GPU is
   found, on the GPU: float64 and float32 with autograd gradients, and
   float64 with the problem's hand-derived gradient in torch ops.

Times are medians of several runs (minimum beside them: the machine may be
shared), printed as Markdown tables of ratios against numpy in the same run.

Run: .venv/bin/python benchmarks/bench_torch.py [--device cuda] [--lrs 10000]
     [--steps 1000] [--problem rosenbrock] [--repeat 5]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _timing import table

import core
from core.analysis.sweep import sweep


def timings(fn: Callable[[], object], repeat: int) -> tuple[float, float]:
    """(median, minimum) seconds per call over ``repeat`` calls after a warm-up."""
    fn()
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), min(times)


def per_step(problem: str, steps: int, repeat: int) -> str:
    rows = []
    for optimizer, lr in (("sgd", 1e-3), ("adam", 1e-2)):
        base = None
        for backend in ("numpy", "torch"):
            med, best = timings(lambda b=backend, o=optimizer, lr=lr: core.train(
                problem, optimizer=o, lr=lr, steps=steps, backend=b, device="cpu"), repeat)
            us, us_min = med / (steps + 1) * 1e6, best / (steps + 1) * 1e6
            base = base or us
            rows.append((f"{problem} {optimizer}, {backend}", f"{us:.1f}", f"{us_min:.1f}",
                         f"{us / base:.1f}x"))
    return table(rows, ("core.train, 1 run", "µs/step (median)", "µs/step (min)",
                        "vs numpy"))


def sweep_table(problem: str, n_lrs: int, steps: int, devices: list[str], repeat: int) -> str:
    from core.torch_backend import torch_sweep
    from core.torch_backend.device import device_name, resolve_device

    lrs = np.geomspace(1e-5, 1e-2, n_lrs)
    cases: list[tuple[str, Callable[[], object]]] = [
        ("numpy core.sweep", lambda: sweep(problem, lrs, steps=steps))]
    for device in devices:
        for dtype, gradient in (("float64", "autograd"), ("float32", "autograd"),
                                ("float64", "hand")):
            dev = resolve_device(device, dtype)
            label = f"torch_sweep {dev} ({device_name(dev)}) {dtype}, {gradient}"
            cases.append((label, lambda d=device, t=dtype, g=gradient: torch_sweep(
                problem, lrs, steps=steps, device=d, dtype=t, gradient=g)))
    # interleave the cases, so a busy spell of a shared machine hits them all alike
    for _, fn in cases:
        fn()
    times: dict[str, list[float]] = {label: [] for label, _ in cases}
    for _ in range(repeat):
        for label, fn in cases:
            t0 = time.perf_counter()
            fn()
            times[label].append(time.perf_counter() - t0)
    base = statistics.median(times[cases[0][0]])
    rows = []
    for label, _ in cases:
        med, best = statistics.median(times[label]), min(times[label])
        rows.append((label, f"{med * 1e3:.0f}", f"{best * 1e3:.0f}", f"{med / base:.2f}x"))
    title = f"{n_lrs:,} learning rates x {steps:,} steps of {problem} (sgd)"
    return table(rows, (title, "ms (median)", "ms (min)", "vs numpy"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", action="append", choices=("cpu", "cuda", "mps"),
                        help="devices for the sweep (repeatable; default: cpu, and cuda if found)")
    parser.add_argument("--problem", default="rosenbrock")
    parser.add_argument("--lrs", type=int, default=10_000)
    parser.add_argument("--steps", type=int, default=1_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    if not core.torch_available():
        sys.exit('torch is not installed: pip install "lr-playground[torch]"')
    import torch

    devices = args.device or (["cpu", "cuda"] if torch.cuda.is_available() else ["cpu"])
    if "cpu" not in devices:
        devices.insert(0, "cpu")  # the cpu row is the ratio the issue asks for
    print(f"torch {torch.__version__}, numpy {np.__version__}, "
          f"{torch.get_num_threads()} cpu threads\n")
    try:
        print(per_step(args.problem, 1000, args.repeat))
        print()
        print(sweep_table(args.problem, args.lrs, args.steps, devices, args.repeat))
    except core.ConfigError as exc:  # e.g. --device cuda on a machine without one
        sys.exit(f"error: {exc}")


if __name__ == "__main__":
    main()
