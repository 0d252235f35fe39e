"""The program as a user gets it: icons, the menu entry, a pip install, a bundle.

The slow tests build a wheel and install it into a fresh virtual environment
without torch, and build the PyInstaller bundle; each starts the window
offscreen from somewhere that is not the checkout, so they prove the
installed package (not the source tree) carries everything it needs.
"""

from __future__ import annotations

import contextlib
import importlib.metadata
import importlib.util
import os
import shutil
import signal
import struct
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import numpy as np
import pytest

from desktop import launcher
from desktop.launcher import (
    APP_ID,
    ICON_SIZES,
    desktop_entry_text,
    handle_launcher_flags,
    icon_path,
    install_desktop_entry,
    installed_paths,
    uninstall_desktop_entry,
)

ROOT = Path(__file__).resolve().parent.parent
RESOURCES = ROOT / "resources"
ALIVE_FOR_S = 3.0
# a throwaway X server where Debian's xvfb is installed (CI installs it)
XVFB_RUN = (["xvfb-run", "-a", "-s", "-screen 0 1280x800x24"] if shutil.which("xvfb-run")
            and sys.platform.startswith("linux") else None)
# the runtime dependencies pinned to what this run has, so the fresh venv gets
# the Qt this project verified (6.12.0 aborts Python 3.11, see pyproject.toml) and pip
# can reuse its cache
PINNED = ("PySide6-Essentials", "shiboken6", "numpy", "pyqtgraph", "contourpy")
COPY_IGNORE = shutil.ignore_patterns(".venv", ".git", "build", "dist", "*.egg-info", "__pycache__",
                                     ".pytest_cache", ".ruff_cache", ".mypy_cache", ".hypothesis",
                                     "artifacts")


def png_size_of(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    return struct.unpack(">II", data[16:24])


def png_size(path: Path) -> tuple[int, int]:
    return png_size_of(path.read_bytes()[:24])


def desktop_keys(text: str) -> dict[str, str]:
    lines = text.splitlines()
    assert lines[0] == "[Desktop Entry]"
    return dict(line.split("=", 1) for line in lines[1:] if line and not line.startswith("#"))


def validate(path: Path) -> None:
    tool = shutil.which("desktop-file-validate")
    if tool is None:
        pytest.skip("desktop-file-validate not installed (Debian: desktop-file-utils)")
    out = subprocess.run([tool, str(path)], capture_output=True, text=True, timeout=60)
    problems = [line for line in out.stdout.splitlines() + out.stderr.splitlines()
                if ": error:" in line or ": warning:" in line]
    assert out.returncode == 0 and not problems, out.stdout + out.stderr


def app_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    """The environment of a user session in a throwaway home: no source tree on the path."""
    home = tmp_path / "home"
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    env.update(HOME=str(home), XDG_CONFIG_HOME=str(home / ".config"),
               XDG_DATA_HOME=str(home / ".local" / "share"), XDG_CACHE_HOME=str(home / ".cache"),
               QT_QPA_PLATFORM="offscreen")
    env.update(extra)
    home.mkdir(exist_ok=True)
    return env


def assert_window_stays_up(command: list[str], cwd: Path, env: dict[str, str]) -> float:
    """Start the window, check it is alive after a few seconds and printed no traceback.

    Returns the seconds from start to its first-paint line (nan if it printed none)."""
    out_path, err_path = cwd / "window.out", cwd / "window.err"
    spawned = time.time()  # reported, never asserted: the window prints its first paint time
    with out_path.open("w") as out, err_path.open("w") as err:
        # its own session, so the worker processes it starts go down with it;
        # files, not pipes, so a straggler cannot keep us waiting for EOF
        proc = subprocess.Popen([*command, "--report-first-paint"], cwd=cwd, env=env,
                                stdin=subprocess.DEVNULL, stdout=out, stderr=err,
                                start_new_session=True)
    try:
        deadline = time.perf_counter() + ALIVE_FOR_S
        while time.perf_counter() < deadline and proc.poll() is None:
            time.sleep(0.1)
        alive = proc.poll() is None
    finally:
        stop_group(proc)
    stdout = out_path.read_text(errors="replace")
    stderr = err_path.read_text(errors="replace")
    assert alive, f"the window exited with {proc.returncode} within {ALIVE_FOR_S} s:\n{stderr}"
    assert "Traceback" not in stderr and "Traceback" not in stdout, stderr
    stamps = [float(line.split()[1]) for line in stdout.splitlines()
              if line.startswith("first-paint ")]
    return round(stamps[0] - spawned, 3) if stamps else float("nan")


def stop_group(proc: subprocess.Popen[bytes]) -> None:
    """SIGTERM the window's process group, workers included, then SIGKILL what is left."""
    if os.name == "nt":
        proc.kill()
        proc.wait()
        return
    for sig, grace in ((signal.SIGTERM, 10), (signal.SIGKILL, 10)):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, sig)
        try:
            proc.wait(timeout=grace)
            break
        except subprocess.TimeoutExpired:
            continue
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)  # stragglers in the group


def app_handles_launcher_flags() -> bool:
    return "handle_launcher_flags" in (ROOT / "desktop" / "app.py").read_text(encoding="utf-8")


# --- icons and the desktop file (fast) --------------------------------------------------------


def test_every_icon_size_is_rendered_and_found_by_icon_path():
    assert icon_path() == RESOURCES / "icons" / f"{APP_ID}.svg"
    assert icon_path().read_text(encoding="utf-8").lstrip().startswith("<?xml")
    for size in ICON_SIZES:
        assert icon_path(size).name == f"{APP_ID}-{size}.png"
        assert png_size(icon_path(size)) == (size, size)
    assert icon_path(20) == icon_path(24)  # in between: the next larger one
    assert icon_path(4096) == icon_path(512)
    with pytest.raises(ValueError, match="positive"):
        icon_path(0)
    assert launcher.icon_files()[-1] == icon_path()


def test_ico_and_icns_hold_the_committed_pngs():
    """Windows shortcuts and the macOS app bundle take these; stale ones would show an old icon."""
    folder = RESOURCES / "icons"
    ico = (folder / f"{APP_ID}.ico").read_bytes()
    reserved, kind, count = struct.unpack("<HHH", ico[:6])
    assert (reserved, kind) == (0, 1)
    sizes = []
    for i in range(count):
        width, height, _, _, _, bits, length, offset = struct.unpack(
            "<BBBBHHII", ico[6 + 16 * i: 22 + 16 * i])
        size = width or 256
        assert (width, bits) == (height, 32)
        assert ico[offset:offset + length] == (folder / f"{APP_ID}-{size}.png").read_bytes()
        sizes.append(size)
    assert sizes == [s for s in ICON_SIZES if s <= 256]

    icns = (folder / f"{APP_ID}.icns").read_bytes()
    assert icns[:4] == b"icns" and struct.unpack(">I", icns[4:8])[0] == len(icns)
    pos, entries = 8, {}
    while pos < len(icns):
        code, length = icns[pos:pos + 4].decode(), struct.unpack(">I", icns[pos + 4:pos + 8])[0]
        entries[code] = icns[pos + 8:pos + length]
        pos += length
    # icp4..ic09: 16..512 px at 1x; ic11..ic14: 16..256 pt at 2x
    pixels = {"icp4": 16, "icp5": 32, "icp6": 64, "ic07": 128, "ic08": 256, "ic09": 512,
              "ic11": 32, "ic12": 64, "ic13": 256, "ic14": 512}
    assert entries.keys() == pixels.keys()
    for code, size in pixels.items():
        assert entries[code] == (folder / f"{APP_ID}-{size}.png").read_bytes(), code


def test_committed_pngs_match_the_svg(qapp, tmp_path):
    from PySide6.QtGui import QImage

    script = RESOURCES / "icons" / "render_icons.py"
    spec = importlib.util.spec_from_file_location("render_icons", script)
    assert spec and spec.loader
    render_icons = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(render_icons)
    fresh = render_icons.render(folder=tmp_path, sizes=(16, 64, 256))
    for path in fresh:
        ours = QImage(str(path)).convertToFormat(QImage.Format.Format_ARGB32)
        committed = QImage(str(RESOURCES / "icons" / path.name)).convertToFormat(ours.format())
        assert ours.size() == committed.size()
        a = np.frombuffer(bytes(ours.constBits()), np.uint8).astype(float)
        b = np.frombuffer(bytes(committed.constBits()), np.uint8).astype(float)
        mean_diff = float(np.abs(a - b).mean())
        # rasterisers drift by a level or two between Qt releases; a stale PNG differs by far more
        assert mean_diff < 2.0, (f"{path.name} differs from the SVG (mean {mean_diff:.1f}); "
                                 "run resources/icons/render_icons.py")


def test_desktop_template_is_valid_and_complete():
    path = RESOURCES / f"{APP_ID}.desktop"
    keys = desktop_keys(path.read_text(encoding="utf-8"))
    assert keys["Type"] == "Application"
    assert keys["Exec"] == f"{APP_ID} %f"
    assert keys["Icon"] == APP_ID
    assert keys["Terminal"] == "false"
    assert keys["StartupWMClass"] == APP_ID
    assert keys["Categories"] == "Education;Science;Math;"
    assert {"Name", "GenericName", "Comment"} <= keys.keys()
    validate(path)


@pytest.mark.parametrize(("program", "exec_value"), [
    ("/usr/bin/lr-playground", "/usr/bin/lr-playground %f"),
    ("/home/ana/my apps/bin/lr-playground", '"/home/ana/my apps/bin/lr-playground" %f'),
    ("/opt/100%/$HOME/lr-playground", '"/opt/100%%/\\\\$HOME/lr-playground" %f'),
    ("/opt/back\\slash/lr-playground", '"/opt/back\\\\\\\\slash/lr-playground" %f'),
])
def test_exec_line_quotes_awkward_paths(tmp_path, program, exec_value):
    text = desktop_entry_text([program])
    keys = desktop_keys(text)
    assert keys["Exec"] == exec_value
    assert keys["TryExec"] == program.replace("\\", "\\\\")
    path = tmp_path / f"{APP_ID}.desktop"
    path.write_text(text, encoding="utf-8")
    validate(path)


def test_exec_line_rejects_a_line_break():
    with pytest.raises(ValueError, match="line break"):
        desktop_entry_text(["/opt/a\nb/lr-playground"])


def test_importing_the_launcher_loads_neither_qt_nor_torch():
    probe = ("import sys, desktop.launcher; "
             "print(sorted(m for m in ('torch', 'PySide6', 'pyqtgraph') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                         cwd=ROOT, check=True, timeout=60)
    assert out.stdout.strip() == "[]"


# --- the desktop entry in an XDG home (fast) ------------------------------------------------


def tree(folder: Path) -> dict[str, bytes]:
    caches = ("mimeinfo.cache", "icon-theme.cache")  # what the cache tools may write
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and p.name not in caches}


def test_install_is_valid_resolvable_idempotent_and_undone_exactly(tmp_path):
    foreign = tmp_path / "icons" / "hicolor" / "48x48" / "apps" / "someone-else.png"
    foreign.parent.mkdir(parents=True)
    foreign.write_bytes(b"not ours")

    written = install_desktop_entry(xdg_data_home=tmp_path)
    assert written == installed_paths(tmp_path)
    entry = tmp_path / "applications" / f"{APP_ID}.desktop"
    assert written[0] == entry
    validate(entry)

    keys = desktop_keys(entry.read_text(encoding="utf-8"))
    program = keys["TryExec"]
    assert os.path.isabs(program) and os.path.isfile(program) and os.access(program, os.X_OK)
    assert keys["Exec"].endswith(" %f")

    # the Icon name resolves through the hicolor theme to every size we ship
    found = {p.parent.parent.name: p for p in (tmp_path / "icons" / "hicolor").glob(
        f"*/apps/{keys['Icon']}.*")}
    assert set(found) == {f"{s}x{s}" for s in ICON_SIZES} | {"scalable"}
    for size in ICON_SIZES:
        assert png_size(found[f"{size}x{size}"]) == (size, size)
    assert found["scalable"].read_bytes() == icon_path().read_bytes()

    before = tree(tmp_path)
    assert install_desktop_entry(xdg_data_home=tmp_path) == written
    assert tree(tmp_path) == before

    assert uninstall_desktop_entry(xdg_data_home=tmp_path) == written
    assert not any(p.exists() for p in written)
    assert tree(tmp_path) == {str(foreign.relative_to(tmp_path)): b"not ours"}
    assert uninstall_desktop_entry(xdg_data_home=tmp_path) == []


def run_flags(flag: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    code = ("from desktop.launcher import handle_launcher_flags; "
            f"raise SystemExit(handle_launcher_flags([{flag!r}]))")
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=ROOT, env=env, timeout=120)


def test_flags_print_one_line_per_file(tmp_path):
    env = {**os.environ, "XDG_DATA_HOME": str(tmp_path)}
    expected = [str(p) for p in installed_paths(tmp_path)]

    done = run_flags("--install-desktop-entry", env)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [f"wrote {p}" for p in expected]
    validate(Path(expected[0]))

    done = run_flags("--uninstall-desktop-entry", env)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [f"removed {p}" for p in expected]
    assert not any(Path(p).exists() for p in expected)


def test_flags_report_a_failure_in_one_line(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("", encoding="utf-8")
    done = run_flags("--install-desktop-entry", {**os.environ, "XDG_DATA_HOME": str(blocker)})
    assert done.returncode == 1
    assert done.stdout == ""
    lines = done.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and "a-file" in lines[0]


def test_flags_leave_other_arguments_to_the_window(capsys):
    assert handle_launcher_flags(["lr-playground"]) is None
    assert handle_launcher_flags(["lr-playground", "--quit-after-ms", "5"]) is None
    both = ["--install-desktop-entry", "--uninstall-desktop-entry"]
    assert handle_launcher_flags(both) == 1
    assert capsys.readouterr().err.startswith("error: choose one of")


@pytest.mark.skipif(not app_handles_launcher_flags(),
                    reason="desktop/app.py does not call handle_launcher_flags yet")
def test_the_gui_script_installs_the_entry_without_opening_a_window(tmp_path):
    env = app_env(tmp_path, XDG_DATA_HOME=str(tmp_path / "xdg"))
    done = subprocess.run([sys.executable, "-m", "desktop.app", "--install-desktop-entry"],
                          capture_output=True, text=True, cwd=ROOT, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    entry = tmp_path / "xdg" / "applications" / f"{APP_ID}.desktop"
    assert done.stdout.splitlines()[0] == f"wrote {entry}"
    validate(entry)


# --- a wheel in a fresh venv without torch (slow) ------------------------------------------


WINDOWS = os.name == "nt"


def venv_python(venv: Path) -> Path:
    return venv / ("Scripts/python.exe" if WINDOWS else "bin/python")


def venv_script(venv: Path, name: str) -> Path:
    return venv / ("Scripts" if WINDOWS else "bin") / (name + (".exe" if WINDOWS else ""))


@pytest.mark.slow
def test_wheel_installs_into_a_fresh_venv_and_runs_from_elsewhere(tmp_path):
    # build from a copy: an in-tree build leaves build/ and *.egg-info behind, and
    # a stale build/lib can slip deleted files into the wheel
    source = tmp_path / "src"
    shutil.copytree(ROOT, source, ignore=COPY_IGNORE)
    wheels = tmp_path / "wheels"
    subprocess.run([sys.executable, "-m", "pip", "wheel", str(source), "--no-deps", "-q",
                    "-w", str(wheels)], check=True, timeout=600, capture_output=True)
    (wheel,) = wheels.glob("lr_playground-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    icons = {f"resources/icons/{APP_ID}-{s}.png" for s in ICON_SIZES}
    assert icons | {f"resources/icons/{APP_ID}.svg", f"resources/{APP_ID}.desktop",
                    "desktop/launcher.py", "core/__init__.py"} <= names
    assert not any(n.startswith("tests/") for n in names)

    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    pins = tmp_path / "pins.txt"
    pins.write_text("".join(f"{name}=={importlib.metadata.version(name)}\n" for name in PINNED
                            if _installed(name)), encoding="utf-8")
    python = str(venv_python(venv))
    done = subprocess.run([python, "-m", "pip", "install", "-q", str(wheel), "-c", str(pins)],
                          capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr[-3000:]

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = app_env(tmp_path)
    find_torch = "import importlib.util as u; print(u.find_spec('torch'))"
    has_torch = subprocess.run([python, "-c", find_torch], capture_output=True, text=True,
                               cwd=elsewhere, env=env, check=True)
    assert has_torch.stdout.strip() == "None"

    cli = subprocess.run([str(venv_script(venv, "lr-playground-cli")), "run", "--problem",
                          "line-one-point", "--steps", "5", "--out", "t.csv"],
                         capture_output=True, text=True, cwd=elsewhere, env=env, timeout=120)
    assert cli.returncode == 0, cli.stderr
    rows = (elsewhere / "t.csv").read_text(encoding="utf-8").splitlines()
    assert rows[0].startswith("step,epoch,lr,a,b,loss") and len(rows) == 7

    probe = ("import sysconfig, core, desktop, resources\n"
             "from desktop.launcher import icon_files, desktop_template_path, launch_command\n"
             "print(sysconfig.get_paths()['purelib'])\n"
             "for p in [core.__file__, desktop.__file__, *icon_files(), desktop_template_path()]:\n"
             "    print(p)\n"
             "print(launch_command()[0])\n")
    out = subprocess.run([python, "-c", probe], capture_output=True, text=True, cwd=elsewhere,
                         env=env, check=True).stdout.splitlines()
    site, files, program = Path(out[0]), [Path(p) for p in out[1:-1]], out[-1]
    assert site.is_relative_to(venv)
    for path in files:
        assert path.is_relative_to(site) and path.is_file(), path
    assert Path(program) == venv_script(venv, APP_ID)

    assert_window_stays_up([str(venv_script(venv, APP_ID))], elsewhere, env)
    if XVFB_RUN:
        assert_window_stays_up([*XVFB_RUN, str(venv_script(venv, APP_ID))], elsewhere,
                               {**env, "QT_QPA_PLATFORM": "xcb"})


def _installed(name: str) -> bool:
    try:
        importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return False
    return True


# --- the PyInstaller bundle (slow) -----------------------------------------------------------


@pytest.mark.slow
def test_pyinstaller_bundle_builds_and_starts(tmp_path, request):
    pytest.importorskip("PyInstaller", reason="PyInstaller not installed (it is in the test extra)")
    started = time.perf_counter()
    build = subprocess.run([sys.executable, "-m", "PyInstaller", "--noconfirm", "--clean",
                            "--log-level", "WARN", "--distpath", str(tmp_path / "dist"),
                            "--workpath", str(tmp_path / "work"),
                            str(RESOURCES / f"{APP_ID}.spec")],
                           capture_output=True, text=True, cwd=tmp_path, timeout=900)
    assert build.returncode == 0, build.stderr[-4000:]
    # node.user_properties: the record_property fixture warns (an error here) under xunit2
    facts = request.node.user_properties
    facts.append(("bundle_build_s", round(time.perf_counter() - started, 1)))

    folder = tmp_path / "dist" / APP_ID
    program = folder / (APP_ID + (".exe" if os.name == "nt" else ""))
    assert program.is_file()
    internal = folder / "_internal"
    assert not (internal / "torch").exists(), "torch must stay out of the bundle"
    for size in ICON_SIZES:
        assert (internal / "resources" / "icons" / f"{APP_ID}-{size}.png").is_file()
    assert (internal / "resources" / f"{APP_ID}.desktop").is_file()
    size_mb = sum(p.stat().st_size for p in folder.rglob("*")
                  if p.is_file() and not p.is_symlink()) / 2**20
    facts.append(("bundle_mib", round(size_mb)))

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = app_env(tmp_path)
    facts.append(("bundle_first_paint_s", assert_window_stays_up([str(program)], elsewhere, env)))
    if XVFB_RUN:  # a real X11 window too: the xcb plugin and the libraries it pulls in
        assert_window_stays_up([*XVFB_RUN, str(program)], elsewhere,
                               {**env, "QT_QPA_PLATFORM": "xcb"})
    print(dict(facts))  # shown with -s or -rP: the size and start time the issue asks for

    if app_handles_launcher_flags():
        xdg = tmp_path / "xdg"
        done = subprocess.run([str(program), "--install-desktop-entry"], capture_output=True,
                              text=True, cwd=elsewhere, env={**env, "XDG_DATA_HOME": str(xdg)},
                              timeout=120)
        assert done.returncode == 0, done.stderr
        entry = xdg / "applications" / f"{APP_ID}.desktop"
        keys = desktop_keys(entry.read_text(encoding="utf-8"))
        assert keys["TryExec"] == str(program)
