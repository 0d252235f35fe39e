"""Seconds from process start to the first painted window: LR Playground vs a minimal window.

Measured in one run, interleaved, as subprocesses started cold:

- ``minimal``: a PySide6 + pyqtgraph window with one curve, the baseline
  (0.8-0.9 s on a 2-core machine; the target is at most 1.25x it);
- ``installed``: the command a desktop menu entry runs (the ``lr-playground``
  script pip installed, or ``python -m desktop.app`` from a checkout);
- ``bundle``: the PyInstaller one-folder program, if one is built
  (``--bundle PATH``, ``dist/lr-playground/lr-playground``, or ``--build-bundle``).

"First paint" is the first time Qt flushes a painted top-level window to the
screen, which Qt itself reports when asked for its ``qt.widgets.painting``
debug log. That needs nothing from the program, so a frozen bundle is timed
exactly like a script. It also checks that the installed program never
imports torch (``PYTHONPROFILEIMPORTTIME``), and that the bundle holds none.

Run: .venv/bin/python benchmarks/bench_launch.py [--repeat 7] [--platform offscreen|xcb]
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _timing import table

from desktop.launcher import launch_command

ROOT = Path(__file__).resolve().parent.parent

MINIMAL = Path(__file__).resolve().parent / "minimal_window.py"

PAINT_LOG = "qt.widgets.painting.debug=true"
TIMEOUT_S = 60.0


def first_paint_s(command: list[str], platform: str, cwd: Path,
                  extra_env: dict[str, str] | None = None) -> tuple[float | None, list[str]]:
    """Seconds until the program's first window flush, and the stderr lines up to it."""
    env = {**os.environ, "QT_QPA_PLATFORM": platform, "QT_LOGGING_RULES": PAINT_LOG,
           **(extra_env or {})}
    start = time.perf_counter()
    # its own session, so the worker processes the window starts are killed with it
    proc = subprocess.Popen(command, cwd=cwd, env=env, stdin=subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            text=True, errors="replace", start_new_session=os.name != "nt")
    # a program that never paints must not hang the benchmark
    watchdog = threading.Timer(TIMEOUT_S, kill_group, (proc,))
    watchdog.start()
    lines: list[str] = []
    try:
        assert proc.stderr is not None
        for line in proc.stderr:
            if line.startswith("qt.widgets.painting: Flushing"):
                return time.perf_counter() - start, lines
            lines.append(line)
        return None, lines
    finally:
        watchdog.cancel()
        kill_group(proc)
        proc.wait()


def kill_group(proc: subprocess.Popen[str]) -> None:
    if os.name == "nt":
        proc.kill()
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)


def complete_s(command: list[str], platform: str, cwd: Path) -> float | None:
    """Seconds until the window is whole: its knobs, inspector and lessons, built in
    the turn after the first paint (the program's own ``window-complete`` stamp)."""
    env = {**os.environ, "QT_QPA_PLATFORM": platform}
    start = time.time()
    proc = subprocess.Popen([*command, "--report-first-paint"], cwd=cwd, env=env,
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True, errors="replace",
                            start_new_session=os.name != "nt")
    watchdog = threading.Timer(TIMEOUT_S, kill_group, (proc,))
    watchdog.start()
    try:
        assert proc.stdout is not None
        for line in proc.stdout:
            if line.startswith("window-complete "):
                return float(line.split()[1]) - start
        return None
    finally:
        watchdog.cancel()
        kill_group(proc)
        proc.wait()


def imported_torch(command: list[str], platform: str, cwd: Path) -> bool | None:
    """Whether the program imported torch before its first paint (None: could not tell)."""
    seconds, lines = first_paint_s(command, platform, cwd, {"PYTHONPROFILEIMPORTTIME": "1"})
    timed = [line for line in lines if line.startswith("import time:")]
    if seconds is None or not timed:
        return None
    names = {line.rsplit("|", 1)[-1].strip().split(".")[0] for line in timed}
    return "torch" in names


def find_bundle(args: argparse.Namespace, scratch: Path) -> Path | None:
    exe_name = "lr-playground.exe" if os.name == "nt" else "lr-playground"
    if args.build_bundle:
        print("building the bundle (about a minute) ...", flush=True)
        build = subprocess.run([sys.executable, "-m", "PyInstaller", "--noconfirm",
                                "--log-level", "WARN", "--distpath", str(scratch / "dist"),
                                "--workpath", str(scratch / "work"),
                                str(ROOT / "resources" / "lr-playground.spec")],
                               cwd=scratch, capture_output=True, text=True)
        if build.returncode:
            raise SystemExit(f"error: the bundle did not build:\n{build.stderr[-3000:]}")
        return scratch / "dist" / "lr-playground" / exe_name
    if args.bundle:
        return Path(args.bundle).resolve()
    default = ROOT / "dist" / "lr-playground" / exe_name
    return default if default.is_file() else None


def folder_mb(folder: Path) -> float:
    # PySide6's Qt/lib holds symlinks to the same libraries; count each file once, as du does
    files = (p for p in folder.rglob("*") if p.is_file() and not p.is_symlink())
    return sum(p.stat().st_size for p in files) / 2**20


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--platform", default="offscreen", help="Qt platform: offscreen or xcb")
    parser.add_argument("--bundle", help="path of a built bundle's executable")
    parser.add_argument("--build-bundle", action="store_true", help="build one into a temp folder")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="bench-launch-") as tmp:
        scratch = Path(tmp)
        installed = launch_command()
        # `python -m desktop.app` only works from the checkout; a script works anywhere
        installed_cwd = ROOT if installed[1:2] == ["-m"] else scratch
        candidates = {
            "minimal PySide6 + pyqtgraph": ([sys.executable, str(MINIMAL)], scratch),
            "lr-playground (installed)": (installed, installed_cwd),
        }
        bundle = find_bundle(args, scratch)
        if bundle is not None:
            candidates["lr-playground (PyInstaller bundle)"] = ([str(bundle)], scratch)

        times: dict[str, list[float]] = {name: [] for name in candidates}
        failures: dict[str, str] = {}
        for round_ in range(args.repeat + 1):  # round 0 warms the disk cache
            for name, (command, cwd) in candidates.items():
                seconds, lines = first_paint_s(command, args.platform, cwd)
                if seconds is None:
                    failures[name] = "".join(lines[-5:]).strip() or "no paint within the timeout"
                elif round_:
                    times[name].append(seconds)

        base = statistics.median(times["minimal PySide6 + pyqtgraph"])
        rows = []
        for name, samples in times.items():
            if not samples:
                rows.append((name, "n/a", "n/a", "n/a"))
                continue
            med = statistics.median(samples)
            rows.append((name, f"{med:.3f}", f"{min(samples):.3f}", f"{med / base:.2f}x"))
        print(f"\nfirst paint, {args.platform}, median of {args.repeat} cold starts "
              f"(target: installed <= 1.25x minimal)\n")
        print(table(rows, ("program", "median s", "best s", "vs minimal")))

        whole = [complete_s(installed, args.platform, installed_cwd) for _ in range(args.repeat)]
        whole_s = [w for w in whole if w is not None]
        if whole_s:
            print(f"\nlr-playground whole (knobs, inspector, lessons built after the first "
                  f"paint): median {statistics.median(whole_s):.3f} s")

        torch_seen = imported_torch(installed, args.platform, installed_cwd)
        verdict = {True: "YES (fix this)", False: "no", None: "could not tell"}[torch_seen]
        print(f"\ninstalled program imported torch before first paint: {verdict}")
        print(f"  command: {' '.join(installed)}")
        if bundle is not None:
            internal = bundle.parent / "_internal"
            print(f"bundle: {bundle.parent} ({folder_mb(bundle.parent):.0f} MiB); "
                  f"torch inside: {'YES' if (internal / 'torch').exists() else 'no'}")
        for name, why in failures.items():
            print(f"failed: {name}: {why}")
    return 1 if failures or torch_seen else 0


if __name__ == "__main__":
    sys.exit(main())
