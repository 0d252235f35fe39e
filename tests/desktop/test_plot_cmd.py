"""``lr-playground-cli plot``: the contour + path + loss-curve figure without a window.

In-process through ``desktop.cli.main`` (with the tests' QApplication) for the
three formats and the bad inputs, and once as a real command in a subprocess
with no display and no QT_QPA_PLATFORM, where it must pick offscreen itself
and print nothing on stderr. Everything that is not the plot command stays
free of Qt, and core's own command line (``python -m core.cli``) never loads it.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest

pytest.importorskip("pytestqt")

from PySide6.QtGui import QImage
from PySide6.QtSvg import QSvgRenderer

from desktop.cli import main

pytestmark = pytest.mark.qt_log_ignore(r"^This plugin does not support propagateSizeHints\(\)$")

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
RUN = ["--problem", "rosenbrock", "--lr", "0.001", "--steps", "200", "--start", "-1,1.5"]
SVG = "{http://www.w3.org/2000/svg}"


def test_plot_writes_png_svg_and_pdf(qapp, tmp_path, capsys):
    png, svg, pdf = (str(tmp_path / f"fig.{ext}") for ext in ("png", "svg", "pdf"))
    assert main(["plot", *RUN, "--out", png, "--width", "1200"]) == 0
    assert main(["plot", *RUN, "--out", svg]) == 0
    assert main(["plot", *RUN, "--out", pdf]) == 0
    out = capsys.readouterr().out
    assert f"wrote {png}: 201 rows" in out
    image = QImage(png)
    assert image.width() == 1200 and 400 < image.height() < 600
    assert QSvgRenderer(svg).isValid()
    root = ET.parse(svg).getroot()
    texts = {(t.text or "").strip() for t in root.iter(f"{SVG}text")}
    assert {"a", "b", "step"} <= texts  # both plots' axes
    assert any("lr = 0.001" in t for t in texts)  # the run's title
    assert len(root.findall(f".//{SVG}image")) == 2  # the surface and the colour bar
    assert any(p.get("d", "").startswith("M-1,1.5 L") for p in root.iter(f"{SVG}path"))
    data = (tmp_path / "fig.pdf").read_bytes()
    assert data.startswith(b"%PDF-") and len(re.findall(rb"/Type\s*/Page(?![a-z])", data)) == 1


def test_plot_of_a_one_parameter_problem_and_a_formula(qapp, tmp_path):
    assert main(["plot", "--problem", "single-weight", "--out", str(tmp_path / "w.png"),
                 "--width", "600"]) == 0
    assert QImage(str(tmp_path / "w.png")).width() == 600
    assert main(["plot", "--formula", "(1-a)**2 + 5*(b-a**2)**2", "--lr", "0.01",
                 "--out", str(tmp_path / "f.svg")]) == 0
    assert QSvgRenderer(str(tmp_path / "f.svg")).isValid()


@pytest.mark.parametrize("extra, message", [
    (["--out", "fig.txt"], "must end in .png, .svg, .pdf"),
    # the help's range is the check's: 0.25x to 8x the figure's 1,100 pixels on screen
    (["--out", "fig.png", "--width", "10"], "--width must be a whole number of pixels from "
                                            "275 to 8,800, got '10'"),
    (["--out", "fig.png", "--width", "274"], "from 275 to 8,800, got '274'"),
    (["--out", "fig.png", "--width", "8801"], "from 275 to 8,800, got '8801'"),
    (["--out", "no/such/folder/fig.png"], "does not exist"),
    (["--out", "fig.png", "--lr", "-1"], "lr must be a number >= 0"),
])
def test_bad_plot_input_is_one_error_line_and_no_file(qapp, tmp_path, capsys, monkeypatch,
                                                      extra, message):
    monkeypatch.chdir(tmp_path)
    args = ["plot", "--problem", "quadratic", *extra]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and message in err and err.count("\n") == 1, err
    assert os.listdir(tmp_path) == []


def test_an_unwritable_output_fails_cleanly(qapp, tmp_path, capsys, monkeypatch):
    def refuse(src, dst):
        raise PermissionError(13, "Permission denied", str(dst))

    monkeypatch.setattr(os, "replace", refuse)
    out = tmp_path / "fig.png"
    assert main(["plot", "--problem", "quadratic", "--out", str(out)]) == 2
    assert capsys.readouterr().err == f"error: cannot write {str(out)!r}: Permission denied\n"
    assert os.listdir(tmp_path) == []


def test_the_plot_command_runs_headless_as_a_program(tmp_path):
    env = {k: v for k, v in os.environ.items()
           if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    env["PYTHONPATH"] = ROOT
    out = tmp_path / "fig.svg"
    done = subprocess.run([sys.executable, "-m", "desktop.cli", "plot", *RUN, "--out", str(out)],
                          capture_output=True, text=True, env=env, timeout=120, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    # no Qt noise on a command line (a machine's font warnings are not ours to judge)
    assert "propagateSizeHints" not in done.stderr and "Traceback" not in done.stderr
    assert QSvgRenderer(str(out)).isValid()


def test_the_other_commands_never_load_qt():
    probe = ("import sys, core.cli; core.cli.build_parser();"
             "core.cli.main(['problems']);"
             "print(sorted(m for m in ('PySide6', 'pyqtgraph', 'desktop') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                         cwd=ROOT, check=True)
    assert out.stdout.strip().splitlines()[-1] == "[]"
    probe = ("import sys, desktop.cli; desktop.cli.main(['problems']);"
             "print(sorted(m for m in ('PySide6', 'pyqtgraph') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                         cwd=ROOT, check=True)
    assert out.stdout.strip().splitlines()[-1] == "[]"


def test_core_alone_has_every_command_but_plot_with_the_same_messages(capsys):
    import core.cli

    assert core.cli.main(["problems"]) == 0
    with pytest.raises(SystemExit) as stop:
        core.cli.main(["plot", "--problem", "quadratic", "--out", "x.png"])
    assert stop.value.code == 2
    assert "invalid choice: 'plot'" in capsys.readouterr().err
    assert main(["run", "--problem", "quadratic", "--lr", "-1", "--out", "x.csv"]) == 2
    assert capsys.readouterr().err.startswith("error: ")


def test_the_help_lists_plot_beside_cores_commands(capsys):
    with pytest.raises(SystemExit) as stop:
        main(["--help"])
    assert stop.value.code == 0
    out = capsys.readouterr().out
    for command in ("problems", "run", "presets", "sweep", "plot"):
        assert f"    {command} " in out


# ---------------------------------------------------------------- nothing escapes
PLOT_BAD = {  # flag: values that must be refused, and what the message names
    "--width": (["nan", "inf", "1e309", "x", "", "1" * 5000, "274", "8801", "-1", "2.5",
                 "1600,1", "true"], ("width",)),
    "--out": (["x", "", "fig.txt", "/", "/no/such/folder/f.png", "1" * 5000 + ".png"],
              ("write", "format", "folder", "long")),
    "--lr": (["nan", "inf", "-1", "x", "1e309"], ("lr",)),
    "--steps": (["-1", "nan", "x", "10000001", "2.5"], ("steps",)),
    "--start": (["nan,1", "1", "x,1", "1,2,3", ""], ("start",)),
    "--problem": (["x", "", "__import__('os')"], ("problem",)),
}


@pytest.mark.parametrize("flag", list(PLOT_BAD))
def test_every_plot_flag_refuses_every_kind_of_bad_value(qapp, tmp_path, capsys, monkeypatch,
                                                         flag):
    monkeypatch.chdir(tmp_path)
    values, names = PLOT_BAD[flag]
    for value in values:
        argv = ["plot", "--problem", "quadratic", "--steps", "5", "--out", "f.png"]
        if flag in argv:
            argv[argv.index(flag) + 1] = value
        else:
            argv += [flag, value]
        code = main(argv)
        err = capsys.readouterr().err
        where = (flag, value[:30], err)
        assert code == 2 and err.startswith("error: ") and err.count("\n") == 1, where
        assert len(err) < 500 and any(n in err.lower() for n in names), where
        assert os.listdir(tmp_path) == [], where


def test_a_diverging_plot_is_a_result(qapp, tmp_path, capsys):
    out = tmp_path / "d.png"
    assert main(["plot", "--problem", "rosenbrock", "--lr", "1e300", "--steps", "5",
                 "--out", str(out)]) == 0
    stdout, err = capsys.readouterr()
    assert err == "" and "diverged at step 1" in stdout and QImage(str(out)).width() == 1600


@pytest.mark.parametrize("ext", ["png", "svg", "pdf"])
def test_a_full_disk_is_one_line_and_no_file(qapp, tmp_path, capsys, monkeypatch, ext):
    """The image is encoded in memory and written by Python, whose write says why it failed."""
    import core.io.atomic

    real_open = open

    class FullDisk:
        def __init__(self, *args, **kwargs):
            self.handle = real_open(*args, **kwargs)

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.handle.close()

        def write(self, _data):
            raise OSError(28, "No space left on device")

    monkeypatch.setattr(core.io.atomic, "open", FullDisk, raising=False)
    out = tmp_path / f"fig.{ext}"
    code = main(["plot", "--problem", "quadratic", "--steps", "5", "--out", str(out)])
    err = capsys.readouterr().err
    assert code == 2 and err == f"error: cannot write {str(out)!r}: No space left on device\n"
    assert os.listdir(tmp_path) == []


@pytest.mark.parametrize("command, docstring_module", [
    ("plot", "desktop.plot_cmd"), ("animate", "desktop.animate_cmd"),
    ("gradcheck", "core.cli.gradcheck_cmd"), ("lr-range-test", "core.cli.range_cmd"),
])
def test_a_commands_help_is_its_modules_docstring(capsys, command, docstring_module):
    import importlib

    doc = importlib.import_module(docstring_module).__doc__
    head, description = doc.split("\n\n")[:2]
    with pytest.raises(SystemExit):
        main(["--help"])
    listing = " ".join(capsys.readouterr().out.split())
    assert f"{command} {head.split(': ', 1)[1].rstrip('.')}" in listing
    with pytest.raises(SystemExit):
        main([command, "--help"])
    own = " ".join(capsys.readouterr().out.split())
    assert " ".join(description.split()) in own
    assert "Qt is imported" not in own  # notes for readers of the code stay out
