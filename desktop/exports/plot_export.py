"""Plots to PNG, SVG and PDF: one plot, or several placed as they sit in a widget.

One painting routine serves all three formats: each plot's scene is rendered
with ``QGraphicsScene.render`` into its place on a canvas, over its own
background (``scene.render`` skips the view's background, PITFALLS §5).

- PNG: a QImage whose device pixel ratio is the chosen scale, so text, pens
  and the colour map are drawn at the higher resolution, not upscaled.
- SVG: ``QSvgGenerator``, because pyqtgraph 0.14's SVGExporter fails on
  Qt >= 6.11 (PITFALLS §1.1). The colour map lands as an embedded <image>,
  iso-lines, paths and axes as vectors, tick labels as <text>.
- PDF: ``QPdfWriter``, one page exactly the size of the canvas.

Both vector writers get the screen's logical DPI as their resolution:
pyqtgraph's AxisItem replays a QPicture recorded at screen DPI, and any
other resolution shrinks or blows up the axes (PITFALLS §1.1, §5).
"""

from __future__ import annotations

import contextlib
import errno
import math
import os
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pyqtgraph as pg
from PySide6.QtCore import QMarginsF, QPoint, QPointF, QRectF, QSize, QSizeF, Qt
from PySide6.QtGui import QColor, QImage, QPageSize, QPainter, QPdfWriter
from PySide6.QtSvg import QSvgGenerator
from PySide6.QtWidgets import QGraphicsItem, QWidget

from core.errors import ConfigError
from desktop.exports.files import temp_path_beside
from desktop.views import palette

PLOT_FORMATS = ("png", "svg", "pdf")
MIN_SCALE, MAX_SCALE = 0.25, 8.0
MAX_PIXELS = 16_384  # per side: Qt's raster engine and most viewers stop around here
CREATOR = "LR Playground"


@dataclass(frozen=True)
class Region:
    """One plot's scene rectangle and where it lands on the canvas (logical pixels)."""

    view: pg.GraphicsView
    source: QRectF
    target: QRectF


def plot_format(path: str | os.PathLike[str], fmt: str | None = None) -> str:
    """The format named by ``fmt`` or by the file's extension."""
    name = (fmt or os.path.splitext(os.fspath(path))[1].lstrip(".")).lower()
    if name not in PLOT_FORMATS:
        raise ConfigError(
            f"cannot tell the format of {os.fspath(path)!r}: the file name must end in "
            ".png, .svg or .pdf"
        )
    return name


def regions_of(widget: QWidget) -> tuple[list[Region], QSizeF]:
    """The plots inside ``widget`` (or ``widget`` itself) and the canvas size."""
    if isinstance(widget, pg.GraphicsView):
        source = QRectF(widget.sceneRect())
        canvas = source.size()
        return [Region(widget, source, QRectF(QPointF(0, 0), canvas))], canvas
    regions = []
    for view in widget.findChildren(pg.GraphicsView):
        port = view.viewport()
        # isVisibleTo, not isVisible: a hidden stacked page is left out even when the
        # window itself is not on screen (the headless figure)
        if not view.isVisibleTo(widget) or port.width() <= 0 or port.height() <= 0:
            continue
        corner = QPointF(port.mapTo(widget, QPoint(0, 0)))
        source = QRectF(view.sceneRect())
        regions.append(Region(view, source, QRectF(corner, source.size())))
    return regions, QSizeF(widget.size())


def export_plot(widget: QWidget, path: str | os.PathLike[str], fmt: str | None = None, *,
                scale: float = 1.0, width: int | None = None, title: str = "") -> None:
    """Write ``widget``'s plots to ``path`` as PNG, SVG or PDF (by ``fmt`` or extension).

    ``width`` (pixels of the PNG, or the SVG's display width) wins over ``scale``.
    """
    kind = plot_format(path, fmt)
    regions, canvas = _checked_regions(widget)
    scale = _scale_for(canvas, scale, width)
    writer = {"png": _write_png, "svg": _write_svg, "pdf": _write_pdf}[kind]
    with temp_path_beside(path) as tmp:
        writer(tmp, regions, canvas, scale, title or CREATOR)


def render_image(widget: QWidget, scale: float = 1.0, width: int | None = None) -> QImage:
    """The plots of ``widget`` as a QImage at ``scale`` (or ``width`` pixels wide)."""
    regions, canvas = _checked_regions(widget)
    return _image(regions, canvas, _scale_for(canvas, scale, width))


def pixel_size(widget: QWidget, scale: float = 1.0, width: int | None = None) -> QSize:
    """The PNG size an export of ``widget`` at ``scale``/``width`` will have."""
    _, canvas = regions_of(widget)
    s = _scale_for(canvas, scale, width) if canvas.width() > 0 else scale
    return QSize(round(canvas.width() * s), round(canvas.height() * s))


# ------------------------------------------------------------------ painting
def _checked_regions(widget: QWidget) -> tuple[list[Region], QSizeF]:
    regions, canvas = regions_of(widget)
    if not regions or canvas.width() < 1 or canvas.height() < 1:
        raise ConfigError("nothing to export yet: the plots are shown once the window is open")
    return regions, canvas


def _scale_for(canvas: QSizeF, scale: float, width: int | None) -> float:
    if width is not None:
        scale = float(width) / canvas.width()
    if not (math.isfinite(scale) and MIN_SCALE <= scale <= MAX_SCALE):
        raise ConfigError(
            f"the size must be between {MIN_SCALE:g}x and {MAX_SCALE:g}x the size on screen "
            f"({round(canvas.width() * MIN_SCALE)} to {round(canvas.width() * MAX_SCALE)} "
            f"pixels wide here), got {scale:.3g}x"
        )
    if max(canvas.width(), canvas.height()) * scale > MAX_PIXELS:
        raise ConfigError(f"the image would be larger than {MAX_PIXELS:,} pixels on a side; "
                          "choose a smaller size")
    return float(scale)


def _dpi(regions: list[Region]) -> int:
    return round(regions[0].view.logicalDpiX()) or 96


def paint_regions(painter: QPainter, regions: list[Region], canvas: QSizeF) -> None:
    """Paint every region onto ``painter`` in canvas coordinates, backgrounds first."""
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    painter.setRenderHint(QPainter.RenderHint.TextAntialiasing, True)
    painter.fillRect(QRectF(QPointF(0, 0), canvas), QColor(palette.BACKGROUND))
    for region in regions:
        painter.fillRect(region.target, region.view.backgroundBrush())
        scene = region.view.scene()
        with _export_mode(scene, painter, region.view.backgroundBrush().color()):
            scene.render(painter, region.target, region.source,
                         Qt.AspectRatioMode.IgnoreAspectRatio)


@contextlib.contextmanager
def _export_mode(scene: Any, painter: QPainter, background: QColor) -> Iterator[None]:
    """Items draw for export while the scene renders, and as before afterwards.

    Cached items would reach an SVG or PDF as bitmaps of the screen (the
    contour's iso-lines are cached), and pyqtgraph's scatter dots come from a
    pixmap atlas unless told they are being exported; both become vectors here.
    The resolution scale stays 1: a PNG's scale is its device pixel ratio, which
    already enlarges every symbol (telling pyqtgraph too would enlarge them twice).
    """
    no_cache = QGraphicsItem.CacheMode.NoCache
    cached = [(item, item.cacheMode()) for item in scene.items() if item.cacheMode() != no_cache]
    opts = {"antialias": True, "background": background, "painter": painter,
            "resolutionScale": 1.0}
    exporting = [item for item in scene.items() if hasattr(item, "setExportMode")]
    try:
        for item, _mode in cached:
            item.setCacheMode(no_cache)
        for item in exporting:
            item.setExportMode(True, opts)
        yield
    finally:
        for item in exporting:
            item.setExportMode(False)
        for item, mode in cached:
            item.setCacheMode(mode)


def _begin(painter: QPainter, device: Any, what: str) -> None:
    if not painter.begin(device):
        raise OSError(errno.EIO, f"Qt could not start writing the {what}")


def _image(regions: list[Region], canvas: QSizeF, scale: float) -> QImage:
    dpi = _dpi(regions)
    image = QImage(max(1, round(canvas.width() * scale)), max(1, round(canvas.height() * scale)),
                   QImage.Format.Format_ARGB32_Premultiplied)
    if image.isNull():
        raise ConfigError("not enough memory for an image that large; choose a smaller size")
    # the device pixel ratio makes text and pens render at the higher resolution;
    # the DPI must be the screen's while painting (the axes' QPicture, see above)
    image.setDevicePixelRatio(scale)
    dots_per_metre = round(dpi / 0.0254)
    image.setDotsPerMeterX(dots_per_metre)
    image.setDotsPerMeterY(dots_per_metre)
    image.fill(QColor(palette.BACKGROUND))
    painter = QPainter()
    _begin(painter, image, "image")
    try:
        paint_regions(painter, regions, canvas)
    finally:
        painter.end()
    image.setDevicePixelRatio(1.0)
    # the file says how large it is meant to be printed: the size on screen
    image.setDotsPerMeterX(round(dots_per_metre * scale))
    image.setDotsPerMeterY(round(dots_per_metre * scale))
    return image


def _write_png(tmp: str, regions: list[Region], canvas: QSizeF, scale: float,
               _title: str) -> None:
    image = _image(regions, canvas, scale)
    if not image.save(tmp, "PNG"):
        raise OSError(errno.EIO, "Qt could not encode the PNG image")


def _write_svg(tmp: str, regions: list[Region], canvas: QSizeF, scale: float,
               title: str) -> None:
    dpi = _dpi(regions)
    generator = QSvgGenerator()
    generator.setFileName(tmp)
    generator.setSize(QSize(round(canvas.width() * scale), round(canvas.height() * scale)))
    generator.setViewBox(QRectF(QPointF(0, 0), canvas))
    generator.setResolution(dpi)
    generator.setTitle(title)
    generator.setDescription(f"Exported by {CREATOR}")
    painter = QPainter()
    _begin(painter, generator, "SVG file")
    try:
        paint_regions(painter, regions, canvas)
    finally:
        painter.end()


def _write_pdf(tmp: str, regions: list[Region], canvas: QSizeF, _scale: float,
               title: str) -> None:
    dpi = _dpi(regions)
    writer = QPdfWriter(tmp)
    writer.setResolution(dpi)
    points = QSizeF(canvas.width() * 72.0 / dpi, canvas.height() * 72.0 / dpi)
    writer.setPageSize(QPageSize(points, QPageSize.Unit.Point, "",
                                 QPageSize.SizeMatchPolicy.ExactMatch))
    writer.setPageMargins(QMarginsF(0, 0, 0, 0))
    writer.setTitle(title)
    writer.setCreator(CREATOR)
    painter = QPainter()
    _begin(painter, writer, "PDF file")
    try:
        # the page holds whole device pixels; stretch the canvas onto it exactly
        painter.scale(writer.width() / canvas.width(), writer.height() / canvas.height())
        paint_regions(painter, regions, canvas)
    finally:
        painter.end()
    del writer  # QPdfWriter finishes the file when it is destroyed
