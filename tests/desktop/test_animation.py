"""The run as an animation: GIF and MP4, sampled frames, and no partial file, ever.

The writer (`desktop.exports.animation`), the window's File → Export run as
animation… with its progress and Cancel, and ``lr-playground-cli animate``
with its bad inputs (one ``error:`` line, exit 2, nothing else on stderr).
"""

from __future__ import annotations

import errno
import os
import subprocess

import numpy as np
import pytest
from PIL import Image
from PySide6.QtWidgets import QFileDialog

import core
from core.errors import ConfigError
from desktop.cli import main
from desktop.exports import animation
from desktop.exports.animation import Animation, sample_rows, write_animation
from tests.desktop._window import close_window, open_window

pytestmark = pytest.mark.qt_log_ignore(r"^This plugin does not support propagateSizeHints\(\)$")

RUN = ["--problem", "quadratic", "--lr", "0.1", "--steps", "30"]


def _leftovers(folder) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_sample_rows_keep_first_and_last_and_at_most_the_budget():
    np.testing.assert_array_equal(sample_rows(5, 200), np.arange(5))
    rows = sample_rows(1_000_001, 200)
    assert len(rows) == 200 and rows[0] == 0 and rows[-1] == 1_000_000
    assert np.all(np.diff(rows) > 0)
    assert len(sample_rows(0, 10)) == 0


def test_gif_has_one_frame_per_sampled_row_and_loops(qapp, tmp_path):
    run = core.train("quadratic", lr=0.1, steps=60)
    path = tmp_path / "run.gif"
    frames = write_animation(run, path, fps=10, width=480, max_frames=25)
    assert frames == 25
    with Image.open(path) as im:
        assert im.format == "GIF" and im.n_frames == 25
        assert im.info["loop"] == 0 and im.info["duration"] == 100
        assert im.size[0] == 480
        im.seek(24)
        colours = im.convert("RGB").getcolors(maxcolors=1 << 16)
        assert colours is not None and len(colours) > 20  # a picture, not a blank
    assert _leftovers(tmp_path) == ["run.gif"]


def test_mp4_is_h264_with_the_frames(qapp, tmp_path):
    import imageio_ffmpeg

    run = core.train("rosenbrock", lr=1e-3, steps=80)
    path = tmp_path / "run.mp4"
    write_animation(run, path, fps=12, width=500, max_frames=12)
    # (not read_frames: it leaves its pipes open once ffmpeg has exited)
    frames, seconds = imageio_ffmpeg.count_frames_and_secs(str(path))
    assert frames == 12 and seconds == pytest.approx(1.0)
    probe = subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-i", str(path)],
                           capture_output=True, text=True, check=False)
    assert "Video: h264" in probe.stderr and "yuv420p" in probe.stderr
    assert _leftovers(tmp_path) == ["run.mp4"]


def test_frames_grow_with_the_run(qapp, tmp_path):
    run = core.train("quadratic", lr=0.1, steps=40)
    job = Animation(run, tmp_path / "a.gif", max_frames=5)
    try:
        from desktop.exports.figure import figure_views

        path_view, loss_view = figure_views(job._figure)
        job.frame_image(int(job.rows[2]))
        assert len(loss_view._curve.getData()[0]) == job.rows[2] + 1
        assert len(path_view.path_data()[0]) >= 2
    finally:
        job.cancel()
    assert _leftovers(tmp_path) == []


def test_cancel_and_a_full_disk_leave_no_file(qapp, tmp_path, monkeypatch):
    run = core.train("quadratic", lr=0.1, steps=40)
    (tmp_path / "keep.gif").write_bytes(b"old")
    job = Animation(run, tmp_path / "keep.gif", max_frames=10)
    job.render(3)
    job.cancel()
    assert (tmp_path / "keep.gif").read_bytes() == b"old"  # the old file untouched
    assert _leftovers(tmp_path) == ["keep.gif"]

    def full(*_a, **_k):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(Image.Image, "save", full)
    with pytest.raises(ConfigError, match="No space left on device"):
        write_animation(run, tmp_path / "new.gif", max_frames=4)
    assert _leftovers(tmp_path) == ["keep.gif"]


def test_bad_paths_and_options_are_refused_before_any_work(qapp, tmp_path):
    run = core.train("quadratic", lr=0.1, steps=5)
    with pytest.raises(ConfigError, match=r"must end in \.gif or \.mp4"):
        Animation(run, tmp_path / "x.avi")
    with pytest.raises(ConfigError, match="does not exist"):
        Animation(run, tmp_path / "no" / "x.gif")
    with pytest.raises(ConfigError, match="fps must be between 1 and 60"):
        Animation(run, tmp_path / "x.gif", fps=61)
    assert _leftovers(tmp_path) == []


# ------------------------------------------------------------ the command line
def test_cli_animate_writes_a_gif(qapp, tmp_path, capsys):
    out = tmp_path / "r.gif"
    assert main(["animate", *RUN, "--out", str(out), "--frames", "8", "--width", "400",
                 "--fps", "5"]) == 0
    stdout, stderr = capsys.readouterr()
    assert stderr == ""
    assert stdout.startswith(f"wrote {out}: 8 frames of 31 rows at 5 fps")
    with Image.open(out) as im:
        assert im.n_frames == 8


@pytest.mark.parametrize("extra, words", [
    (["--fps", "0"], "--fps must be a whole number >= 1"),
    (["--fps", "61"], "--fps must be between 1 and 60"),
    (["--width", "100"], "--width must be a whole number >= 320"),
    (["--width", "5000"], "--width must be between 320 and 1920"),
    (["--frames", "1"], "--frames must be a whole number >= 2"),
])
def test_cli_animate_bad_input_is_one_error_line(qapp, tmp_path, capsys, extra, words):
    out = tmp_path / "r.gif"
    assert main(["animate", *RUN, "--out", str(out), *extra]) == 2
    _, stderr = capsys.readouterr()
    assert stderr.startswith("error: ") and stderr.count("\n") == 1, stderr
    assert words in stderr
    assert _leftovers(tmp_path) == []


def test_cli_animate_bad_path(qapp, tmp_path, capsys):
    assert main(["animate", *RUN, "--out", str(tmp_path / "r.avi")]) == 2
    assert main(["animate", *RUN, "--out", str(tmp_path / "no" / "r.gif")]) == 2
    _, stderr = capsys.readouterr()
    assert stderr.count("error: ") == 2 and stderr.count("\n") == 2
    assert _leftovers(tmp_path) == []


# ------------------------------------------------------------ plot --view
@pytest.mark.parametrize("view", ["contour", "loss", "sweep", "data", "all"])
def test_plot_view_choices(qapp, tmp_path, capsys, view):
    out = tmp_path / f"{view}.png"
    problem = ["--problem", "house-prices", "--lr", "0.01", "--steps", "50"]
    assert main(["plot", *problem, "--view", view, "--out", str(out)]) == 0, \
        capsys.readouterr().err
    assert out.stat().st_size > 1000


def test_plot_view_refusals(qapp, tmp_path, capsys):
    assert main(["plot", *RUN, "--view", "data", "--out", str(tmp_path / "a.png")]) == 2
    assert main(["plot", *RUN, "--view", "pie", "--out", str(tmp_path / "b.png")]) == 2
    _, stderr = capsys.readouterr()
    assert "has no data to show" in stderr
    assert "--view must be contour, loss, sweep, data, surface3d or all" in stderr
    assert _leftovers(tmp_path) == []


def test_plot_surface3d_without_opengl_is_one_error_line(qapp, tmp_path, capsys):
    if os.environ.get("QT_QPA_PLATFORM") != "offscreen":
        pytest.skip("checks the offscreen fallback")
    out = tmp_path / "s.png"
    assert main(["plot", *RUN, "--view", "surface3d", "--out", str(out)]) == 2
    _, stderr = capsys.readouterr()
    assert stderr.startswith("error: cannot draw the 3-D view") and stderr.count("\n") == 1
    assert _leftovers(tmp_path) == []


# ------------------------------------------------------------ the window
def _export_to(w, tmp_path, monkeypatch, name: str, kind: str):
    """File → Export run as animation… answered with ``out/name``; the export started."""
    target = tmp_path / "out" / name
    target.parent.mkdir()
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), kind))
    w.actions["animate"].trigger()
    return target


def test_window_exports_the_run_with_progress(qtbot, tmp_path, monkeypatch):
    w = open_window(qtbot, tmp_path, problem="quadratic")
    try:
        target = _export_to(w, tmp_path, monkeypatch, "run.gif", "Animated GIF (*.gif)")
        assert w.animation.busy and w.animation.progress is not None
        assert w.animation.progress.accessibleName() == "Export run as animation"
        qtbot.waitUntil(lambda: not w.animation.busy, timeout=60_000)
        with Image.open(target) as im:
            rows = w.model.playback.drawable_rows()
            assert im.n_frames == min(rows, animation.DEFAULT_FRAMES)
        assert "Wrote" in w.model.status
        assert _leftovers(target.parent) == ["run.gif"]
    finally:
        close_window(w)


def test_window_cancel_leaves_nothing(qtbot, tmp_path, monkeypatch):
    w = open_window(qtbot, tmp_path, problem="quadratic")
    try:
        target = _export_to(w, tmp_path, monkeypatch, "run.mp4", "MP4 video (*.mp4)")
        qtbot.waitUntil(lambda: w.animation.job is None or w.animation.job.done >= 4,
                        timeout=60_000)
        from PySide6.QtWidgets import QPushButton

        button = next(b for b in w.animation.progress.findChildren(QPushButton)
                      if b.text() == "Cancel")
        button.click()  # the dialog's Cancel button
        assert not w.animation.busy
        assert _leftovers(target.parent) == []
        assert "cancelled" in w.model.status
    finally:
        close_window(w)


def test_mp4_without_imageio_ffmpeg_says_what_to_install(qapp, tmp_path, monkeypatch):
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: None if name == "imageio_ffmpeg" else real(name, *a))
    run = core.train("quadratic", lr=0.1, steps=5)
    with pytest.raises(ConfigError, match="pip install imageio-ffmpeg"):
        Animation(run, tmp_path / "x.mp4")
    assert _leftovers(tmp_path) == []
