"""Peak memory of loading a big CSV, as a multiple of the file's size.

A CSV of random (x, y) rows, about ``--mb`` MB (default 300), is written to a
temporary folder; then, each in a fresh process, `core.read_table` and
`core.data_problem` (linear, and linear with --normalize) load it. Two
measures of the peak, each minus what the process held before the load:
the resident set (``ru_maxrss``, everything the process touched) and
tracemalloc's peak (the allocations of Python and numpy alone, from a second
run: tracing slows every allocation). The target is at most ~2x the file's
size.

Run: .venv/bin/python benchmarks/bench_csv_memory.py [--mb 300] [--wide]
(--wide: four columns with text beside the numbers, which takes the
line-by-line reader)
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent

PROBE = r"""
import gc, json, resource, sys, time, tracemalloc
import numpy as np
import core
what, path, traced = sys.argv[1], sys.argv[2], sys.argv[3] == "traced"
gc.collect()
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
if traced:
    tracemalloc.start()
t0 = time.perf_counter()
if what == "read_table":
    table = core.read_table(path)
    rows = table.x.size
elif what == "data_problem":
    rows = core.data_problem(path).n_samples
else:
    rows = core.data_problem(path, normalize=True).n_samples
seconds = time.perf_counter() - t0
peak = tracemalloc.get_traced_memory()[1] if traced else 0
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
print(json.dumps({"rows": rows, "rss": after - before, "traced": peak, "seconds": seconds}))
"""


def write_csv(path: Path, megabytes: float, wide: bool) -> int:
    """Random rows until the file has about ``megabytes`` MB; return its size."""
    rng = np.random.default_rng(0)
    target = int(megabytes * 1e6)
    written = 0
    with open(path, "w", encoding="utf-8") as handle:
        handle.write("size,name,note,price\n" if wide else "size,price\n")
        while written < target:
            x = rng.uniform(0.5, 4.0, 200_000)
            y = 120.0 * x + rng.normal(0.0, 15.0, x.size)
            pairs = zip(x.tolist(), y.tolist(), strict=True)
            if wide:
                lines = "".join(f"{a!r},h{i},\"ok\",{b!r}\n" for i, (a, b) in enumerate(pairs))
            else:
                lines = "".join(f"{a!r},{b!r}\n" for a, b in pairs)
            handle.write(lines)
            written += len(lines)
    return path.stat().st_size


def measure(what: str, path: Path) -> dict[str, float]:
    """Time and RSS from a plain run; tracemalloc's peak from a second, traced run
    (tracing slows every allocation, so it would spoil the time)."""
    result = {}
    for mode in ("plain", "traced"):
        out = subprocess.run([sys.executable, "-c", PROBE, what, str(path), mode],
                             capture_output=True, text=True, check=True, cwd=ROOT,
                             env={**os.environ, "PYTHONPATH": str(ROOT)})
        run = json.loads(out.stdout)
        result.update(run if mode == "plain" else {"traced": run["traced"]})
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mb", type=float, default=300.0)
    parser.add_argument("--wide", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "big.csv"
        t0 = time.perf_counter()
        size = write_csv(path, args.mb, args.wide)
        print(f"file: {size / 1e6:,.0f} MB ({'four columns, text beside' if args.wide else 'x,y'}),"
              f" written in {time.perf_counter() - t0:.1f} s")
        print(f"{'load':<26}{'rows':>12}{'seconds':>9}{'RSS peak':>12}{'traced peak':>13}")
        for what in ("read_table", "data_problem", "data_problem --normalize"):
            m = measure(what, path)
            print(f"{what:<26}{m['rows']:>12,}{m['seconds']:>9.1f}"
                  f"{m['rss'] / size:>11.2f}x{m['traced'] / size:>12.2f}x")


if __name__ == "__main__":
    main()
