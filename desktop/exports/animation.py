"""A run as an animation: the contour with the growing path beside the loss curve.

`Animation` renders frames with the same views and the same title line as
the still exports (`figure.build_figure`, `plot_export.render_image`), one
frame per sampled row (a long run is sampled: at most ``max_frames``
frames, evenly spaced, the last row always in), and encodes them:

- GIF through Pillow (``save_all`` with ``append_images``, looping);
- MP4 through imageio-ffmpeg (H.264 in yuv420p, which every player reads;
  the ffmpeg binary comes inside its wheel from the package index).

The file is written under a temporary name beside the target and renamed
only when complete (`core.atomic_path`): a bad path, a cancel or a full
disk leave no partial file. Rendering goes in chunks (`render`), so the
window can show progress and stay responsive between them.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from core.errors import ConfigError
from core.io.atomic import atomic_path, describe_os_error

if TYPE_CHECKING:
    from core import Run

FORMATS = (".gif", ".mp4")
DEFAULT_FPS = 20
FPS_RANGE = (1, 60)
DEFAULT_WIDTH = 800
WIDTH_RANGE = (320, 1920)
DEFAULT_FRAMES = 200
FRAMES_RANGE = (2, 1000)


class Cancelled(Exception):
    """The user stopped the export (nothing is written)."""


def sample_rows(rows: int, max_frames: int) -> np.ndarray:
    """The rows that end each frame: all of them, or ``max_frames`` evenly spaced (first and
    last included)."""
    if rows <= 0:
        return np.zeros(0, dtype=np.intp)
    if rows <= max_frames:
        return np.arange(rows, dtype=np.intp)
    return np.unique(np.linspace(0, rows - 1, max_frames).round().astype(np.intp))


def check_options(path: str | os.PathLike[str], fps: int, width: int, frames: int) -> str:
    """The format (".gif" or ".mp4"), or a ConfigError saying what is allowed."""
    ext = Path(path).suffix.lower()
    if ext not in FORMATS:
        raise ConfigError(f"cannot tell the format of {str(path)!r}: the file name must end "
                          "in .gif or .mp4")
    if ext == ".mp4" and importlib.util.find_spec("imageio_ffmpeg") is None:
        raise ConfigError("MP4 needs the imageio-ffmpeg package (pip install imageio-ffmpeg); "
                          "GIF works without it")
    for name, value, (lo, hi) in (("fps", fps, FPS_RANGE), ("width", width, WIDTH_RANGE),
                                  ("frames", frames, FRAMES_RANGE)):
        if not lo <= int(value) <= hi:
            raise ConfigError(f"--{name} must be between {lo} and {hi}, got {value}")
    return ext


def _rgb(image: Any) -> np.ndarray:
    """A QImage as an (h, w, 3) uint8 array (even width and height, as H.264 needs)."""
    from PySide6.QtGui import QImage

    img = image.convertToFormat(QImage.Format.Format_RGB888)
    w, h = img.width(), img.height()
    buf = np.frombuffer(img.constBits(), dtype=np.uint8, count=img.sizeInBytes())
    arr = buf.reshape(h, img.bytesPerLine())[:, : w * 3].reshape(h, w, 3)
    return arr[: h - h % 2, : w - w % 2].copy()  # a copy: the QImage dies on return


class Animation:
    """Renders ``run`` to ``path`` frame by frame; `render` does a chunk, `close` finishes.

    Use as a context manager, or call `close` (success) or `cancel`.
    """

    def __init__(self, run: Run, path: str | os.PathLike[str], *, fps: int = DEFAULT_FPS,
                 width: int = DEFAULT_WIDTH, max_frames: int = DEFAULT_FRAMES) -> None:
        from desktop.exports import figure

        self.kind = check_options(path, fps, width, max_frames)
        self.path = str(path)
        self.run = run
        self.fps, self.width = int(fps), int(width)
        drawable = run.diverged_at if run.diverged_at is not None else len(run.table)
        self.rows = sample_rows(drawable, int(max_frames))
        if len(self.rows) == 0:
            raise ConfigError("the run has no rows to animate yet")
        self.done = 0
        self.title = figure.run_title_of(run)
        figure.ensure_app()
        self._figure = figure.build_figure(run)
        self._views = figure.figure_views(self._figure)
        self._target = atomic_path(self.path, require_data=True)
        self._tmp = self._target.__enter__()  # refuses a bad folder before any work
        self._frames: list[Any] = []  # GIF frames (paletted)
        self._encoder: Any = None
        self._closed = False

    @property
    def total(self) -> int:
        return len(self.rows)

    @property
    def finished(self) -> bool:
        return self.done >= self.total

    def __enter__(self) -> Animation:
        return self

    def __exit__(self, kind: Any, value: Any, tb: Any) -> None:
        if kind is None:
            self.close()
        else:
            self.cancel(value)

    # ------------------------------------------------------------ frames
    def frame_image(self, row: int) -> Any:
        """The figure with the run drawn up to ``row``, as a QImage."""
        from desktop.exports import figure, plot_export

        figure.draw_rows(self.run, *self._views, row + 1)
        title = f"{self.title}{' · '}step {row}"
        return plot_export.render_image(self._figure, width=self.width, title=title)

    def render(self, count: int = 1) -> int:
        """Render and encode up to ``count`` more frames; returns how many are done."""
        try:
            for _ in range(max(0, int(count))):
                if self.finished:
                    break
                self._add(_rgb(self.frame_image(int(self.rows[self.done]))))
                self.done += 1
        except BaseException as exc:
            self.cancel(exc)
            raise self._as_config_error(exc) from None
        return self.done

    def _add(self, rgb: np.ndarray) -> None:
        if self.kind == ".gif":
            from PIL import Image

            self._frames.append(Image.fromarray(rgb, "RGB").quantize(
                colors=255, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE))
            return
        if self._encoder is None:
            import imageio_ffmpeg

            h, w = rgb.shape[:2]
            self._encoder = imageio_ffmpeg.write_frames(
                self._tmp, (w, h), fps=self.fps, codec="libx264", pix_fmt_out="yuv420p",
                macro_block_size=2, ffmpeg_log_level="error", output_params=["-f", "mp4"])
            self._encoder.send(None)
        self._encoder.send(rgb.tobytes())

    # ------------------------------------------------------------ the end
    def close(self) -> None:
        """Render what is left, finish the file and rename it into place."""
        if self._closed:
            return
        try:
            self.render(self.total - self.done)
            if self.kind == ".gif":
                first, rest = self._frames[0], self._frames[1:]
                first.save(self._tmp, format="GIF", save_all=True, append_images=rest,
                           duration=max(1, round(1000 / self.fps)), loop=0, optimize=False)
            elif self._encoder is not None:
                self._encoder.close()
                self._encoder = None
        except ConfigError:
            raise
        except BaseException as exc:
            self.cancel(exc)
            raise self._as_config_error(exc) from None
        self._closed = True
        self._frames = []
        self._target.__exit__(None, None, None)  # the rename
        self._dispose()

    def cancel(self, reason: BaseException | None = None) -> None:
        """Stop: the temporary file is removed and the target is left as it was."""
        if self._closed:
            return
        self._closed = True
        self._frames = []
        if self._encoder is not None:
            with contextlib.suppress(Exception):
                self._encoder.close()
            self._encoder = None
        exc = reason if reason is not None else Cancelled("cancelled")
        with contextlib.suppress(BaseException):
            self._target.__exit__(type(exc), exc, None)
        self._dispose()

    def _dispose(self) -> None:
        if self._figure is not None:
            self._figure.close()
            self._figure.deleteLater()
            self._figure = None

    def _as_config_error(self, exc: BaseException) -> BaseException:
        if isinstance(exc, ConfigError | Cancelled | KeyboardInterrupt):
            return exc
        words = describe_os_error(exc) if isinstance(exc, OSError) else str(exc)
        return ConfigError(f"cannot write {self.path!r}: {words}")


def write_animation(run: Run, path: str | os.PathLike[str], **options: Any) -> int:
    """Render ``run`` to ``path`` (.gif or .mp4) at once; returns the number of frames."""
    with Animation(run, path, **options) as animation:
        animation.render(animation.total)
    return animation.total
