"""The loss surface in 3-D, with the run's path and its current point on it.

pyqtgraph's OpenGL items (`GLSurfacePlotItem`, `GLLinePlotItem`,
`GLScatterPlotItem`) in a `GLViewWidget`: drag to rotate, wheel to zoom.
Height is log-scaled, ``log10(loss − min + ε)``, so a valley as steep as
Rosenbrock's reads as a valley and not a flat sheet with one wall. The box
is normalised (each parameter to [−1, 1], height to [0, 1]) so the camera
suits any problem; the axis titles give the parameters' own names.

OpenGL does not start everywhere (no GPU driver, a remote or headless
session): the GL widget is made only when this view is made (the user
opens the 3-D tab), and if the import, the context or the first paint
fails the view shows one line saying so instead, and nothing else in the
window depends on it.
"""

from __future__ import annotations

import logging

import numpy as np
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QColor, QFont
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from core.numfmt import format_compact
from desktop.views import palette

log = logging.getLogger(__name__)

MAX_PATH_POINTS = 2_000  # a longer path is drawn through evenly spaced rows
HEIGHT = 1.0  # the surface's height in the normalised box
LIFT = 0.012  # the path floats this much above the surface, so it is never hidden in it
UNAVAILABLE = "3-D view unavailable: OpenGL could not start ({reason}). The other plots work."


def gl_problem() -> str | None:
    """Why OpenGL cannot start here (None: a context can be made). Asked before any GL
    widget exists, so a platform without OpenGL is never asked to make one."""
    from PySide6.QtGui import QGuiApplication, QOpenGLContext

    platform = QGuiApplication.platformName()
    if platform in ("offscreen", "minimal", "vnc"):
        return f"the {platform!r} Qt platform has no OpenGL"
    context = QOpenGLContext()
    if not context.create():
        return "no OpenGL context on this display"
    return None


def make_gl_widget():
    """A pyqtgraph `GLViewWidget` (imports PyOpenGL: raises where it is missing, or
    where OpenGL cannot start)."""
    problem = gl_problem()
    if problem is not None:
        raise RuntimeError(problem)
    import pyqtgraph.opengl as gl

    return gl.GLViewWidget()


def log_height(Z: np.ndarray,
               floor: float | None = None) -> tuple[np.ndarray, float, float, float, float]:
    """``log10(Z − floor + ε)`` with ε a small share of the range; its finite min and max,
    the floor and ε used.

    Non-finite values become the highest finite height (a wall, not a hole).
    """
    Z = np.asarray(Z, dtype=np.float64)
    finite = np.isfinite(Z)
    if not finite.any():
        return np.zeros_like(Z), 0.0, 1.0, 0.0, 1.0
    lo = float(np.min(Z[finite])) if floor is None else float(floor)
    hi = float(np.max(Z[finite]))
    eps = max(1e-4 * (hi - lo), 1e-12)
    with np.errstate(all="ignore"):
        h = np.log10(np.maximum(Z - lo, 0.0) + eps)
    top = float(np.max(h[finite]))
    h = np.where(finite, h, top)
    return h, float(np.min(h)), top, lo, eps


class Surface3DView(QWidget):
    """The surface, the path and the current point in 3-D, or one line why not."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("surface3d")
        self.setAccessibleName("3-D surface")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.message = QLabel()
        self.message.setObjectName("surface3d-message")
        self.message.setWordWrap(True)
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.message.hide()
        layout.addWidget(self.message)
        self.failure: str | None = None
        self.gl = None
        self.items: dict[str, object] = {}
        self._box: tuple[float, float, float, float, float, float] | None = None
        self._checked = False
        try:
            self.gl = make_gl_widget()
            self._build_items()
        except Exception as exc:  # no PyOpenGL, or pyqtgraph's GL module cannot load
            log.warning("3-D view: %s", exc)
            self._fail(str(exc) if isinstance(exc, RuntimeError) else
                       f"{type(exc).__name__}: {exc}")
            return
        self.gl.setCameraPosition(distance=4.2, elevation=28, azimuth=-60)
        self.gl.setAccessibleName("3-D surface")
        self.caption = QLabel()
        self.caption.setObjectName("surface3d-caption")
        self.caption.setWordWrap(True)
        layout.addWidget(self.caption)
        layout.addWidget(self.gl, 1)

    @property
    def available(self) -> bool:
        return self.failure is None

    def _fail(self, reason: str) -> None:
        self.failure = reason
        self.message.setText(UNAVAILABLE.format(reason=reason))
        self.message.show()
        if self.gl is not None:
            self.gl.hide()
            self.gl.setParent(None)
            self.gl.deleteLater()
            self.gl = None
        self.items = {}

    def _build_items(self) -> None:
        import pyqtgraph.opengl as gl

        self.items = {
            "surface": gl.GLSurfacePlotItem(computeNormals=False, smooth=False),
            "path": gl.GLLinePlotItem(color=(0.0, 0.0, 0.0, 1.0), width=2, antialias=True,
                                      mode="line_strip"),
            "point": gl.GLScatterPlotItem(color=_rgba(palette.CURRENT), size=12, pxMode=True),
            "start": gl.GLScatterPlotItem(color=_rgba(palette.START), size=9, pxMode=True),
        }
        for item in self.items.values():
            self.gl.addItem(item)
        for key, pos in (("x", (1.25, -1.1, 0.0)), ("y", (-1.1, 1.25, 0.0)),
                         ("z", (-1.1, -1.1, HEIGHT + 0.1))):
            label = gl.GLTextItem(pos=pos, text=key, color=QColor(palette.FOREGROUND),
                                  font=QFont(self.font().family(), 11))
            self.items[f"label-{key}"] = label
            self.gl.addItem(label)
        self.gl.setBackgroundColor(palette.BACKGROUND)

    # ------------------------------------------------------------ Qt
    def showEvent(self, event) -> None:  # Qt override
        super().showEvent(event)
        if self.gl is not None and not self._checked:
            # the context is made on the first paint: look once the event loop has run
            QTimer.singleShot(0, self, self.check_context)

    def check_context(self) -> bool:
        """True if OpenGL started; else the view says why (once shown)."""
        if self.gl is None:
            return False
        self._checked = True
        context = self.gl.context()
        if not self.gl.isValid() or context is None or not context.isValid():
            self._fail("no OpenGL context on this display")
            return False
        return True

    # ------------------------------------------------------------ data
    def set_surface(self, xs, ys, Z, names: tuple[str, str], floor: float | None = None) -> None:
        """The loss ``Z[j, i]`` at ``(xs[i], ys[j])``; ``floor`` the loss's lowest value."""
        xs, ys = np.asarray(xs, dtype=np.float64), np.asarray(ys, dtype=np.float64)
        h, lo, hi, self._floor, self._eps = log_height(Z, floor)
        self._box = (xs[0], xs[-1], ys[0], ys[-1], lo, hi)
        if not self.items:
            return
        z01 = (h - lo) / (hi - lo) if hi > lo else np.zeros_like(h)
        colours = _colours(z01)
        self.items["surface"].setData(x=self._nx(xs), y=self._ny(ys), z=HEIGHT * z01.T,
                                      colors=colours.transpose(1, 0, 2).reshape(-1, 4))
        for key, text in (("x", names[0]), ("y", names[1]), ("z", "log loss")):
            self.items[f"label-{key}"].setData(text=text)
        self.caption.setText(f"Across: {names[0]} and {names[1]}; up: log₁₀(loss − "
                             f"{format_compact(self._floor, 4)} + ε), the surface's colours as "
                             "on the contour map. Drag to rotate, wheel to zoom.")

    def set_path(self, x, y, loss, current: int | None = None) -> None:
        """The run's rows (``loss`` their loss); the point at row ``current`` (None: last)."""
        if self._box is None or not self.items:
            return
        x, y, loss = (np.asarray(a, dtype=np.float64).reshape(-1) for a in (x, y, loss))
        n = min(len(x), len(y), len(loss))
        keep = _inside(x[:n], y[:n], loss[:n], self._box)
        rows = np.arange(keep)
        if keep > MAX_PATH_POINTS:  # evenly spaced rows, the last one always in
            rows = np.unique(np.linspace(0, keep - 1, MAX_PATH_POINTS).round().astype(np.intp))
        pos = self._points(x[rows], y[rows], loss[rows])
        if len(pos) >= 2:
            self.items["path"].setData(pos=pos)
        else:
            self.items["path"].setData(pos=np.zeros((0, 3)))
        self.items["start"].setData(pos=pos[:1] if len(pos) else np.zeros((0, 3)))
        k = keep - 1 if current is None else min(int(current), keep - 1)
        at = self._points(x[k : k + 1], y[k : k + 1], loss[k : k + 1]) if k >= 0 else None
        self.items["point"].setData(pos=at if at is not None else np.zeros((0, 3)))

    def _nx(self, x: np.ndarray) -> np.ndarray:
        x0, x1 = self._box[0], self._box[1]
        return 2.0 * (x - x0) / (x1 - x0) - 1.0

    def _ny(self, y: np.ndarray) -> np.ndarray:
        y0, y1 = self._box[2], self._box[3]
        return 2.0 * (y - y0) / (y1 - y0) - 1.0

    def _points(self, x: np.ndarray, y: np.ndarray, loss: np.ndarray) -> np.ndarray:
        lo, hi = self._box[4], self._box[5]
        with np.errstate(all="ignore"):
            h = np.log10(np.maximum(loss - self._floor, 0.0) + self._eps)
        z = HEIGHT * np.clip((h - lo) / (hi - lo) if hi > lo else 0.0 * h, 0.0, 1.0) + LIFT
        return np.column_stack([self._nx(x), self._ny(y), z])

    # ------------------------------------------------------------ for tests
    def item_data(self, key: str) -> np.ndarray | None:
        """The positions an item holds (``pos`` of the path and points, ``z`` of the surface)."""
        item = self.items.get(key)
        if item is None:
            return None
        if key == "surface":
            return item._z
        return item.pos


def _inside(x: np.ndarray, y: np.ndarray, loss: np.ndarray,
            box: tuple[float, ...]) -> int:
    """Rows from the start that are finite and within the box widened by half its size."""
    x0, x1, y0, y1 = box[:4]
    wx, wy = 0.5 * (x1 - x0), 0.5 * (y1 - y0)
    with np.errstate(invalid="ignore"):
        ok = (np.isfinite(x) & np.isfinite(y) & np.isfinite(loss)
              & (x >= x0 - wx) & (x <= x1 + wx) & (y >= y0 - wy) & (y <= y1 + wy))
    bad = np.flatnonzero(~ok)
    return int(bad[0]) if bad.size else len(ok)


def _rgba(hex_colour: str) -> tuple[float, float, float, float]:
    c = QColor(hex_colour)
    return (c.redF(), c.greenF(), c.blueF(), 1.0)


def _colours(z01: np.ndarray) -> np.ndarray:
    """RGBA 0..1 per grid point from the window's surface colour map (low loss dark)."""
    lut = palette.surface_colormap().getLookupTable(nPts=256, alpha=False) / 255.0
    idx = np.clip((z01 * 255).round().astype(np.intp), 0, 255)
    rgba = np.ones((*z01.shape, 4))
    rgba[..., :3] = lut[idx]
    return rgba
