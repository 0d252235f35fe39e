"""Plots to PNG, SVG and PDF: one plot, or several placed as they sit in a widget.

One painting routine serves all three formats: each plot's scene is rendered
with ``QGraphicsScene.render`` into its place on a canvas, over its own
background (``scene.render`` does not paint the view's background).

A figure with a ``title`` (the run: problem, optimizer and its non-default
hyper-parameters, learning rate, steps; see `run_title`) gets it as a
heading line above the plots, so a picture pasted into notes says what it
shows; the canvas grows by the heading's height, never narrower plots.

- PNG: a QImage whose device pixel ratio is the chosen scale, so text, pens
  and the colour map are drawn at the higher resolution, not upscaled.
- SVG: ``QSvgGenerator``, because pyqtgraph 0.14's SVGExporter fails on
  Qt >= 6.11 (it cannot parse the closepath command QtSvg now writes). The
  colour map lands as an embedded <image>, iso-lines, paths and axes as
  vectors, tick labels and the heading as <text>.
- PDF: ``QPdfWriter``, one page exactly the size of the canvas.

Each is encoded in memory and then written all-or-nothing by `core.atomic_open`:
Qt's writers report a failed write (a full disk) not at all, or only as a
library message, and Python's write raises with the reason.

Both vector writers get the screen's logical DPI as their resolution:
pyqtgraph's AxisItem replays a QPicture recorded at screen DPI, and any
other resolution shrinks or blows up the axes.
"""

from __future__ import annotations

import contextlib
import math
import os
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pyqtgraph as pg
from PySide6.QtCore import (
    QBuffer,
    QCoreApplication,
    QEvent,
    QIODevice,
    QMarginsF,
    QPoint,
    QPointF,
    QRectF,
    QSize,
    QSizeF,
    Qt,
)
from PySide6.QtGui import QColor, QImage, QPageSize, QPainter, QPdfWriter
from PySide6.QtSvg import QSvgGenerator
from PySide6.QtWidgets import QGraphicsItem, QWidget

from core.errors import ConfigError
from core.io.atomic import atomic_open, check_target
from core.limits import MAX_IMAGE_SCALE, MAX_IMAGE_SIDE, MIN_IMAGE_SCALE
from desktop.exports.heading import Heading, heading_for, paint_heading
from desktop.views import palette

PLOT_FORMATS = ("png", "svg", "pdf")
MIN_SCALE, MAX_SCALE = MIN_IMAGE_SCALE, MAX_IMAGE_SCALE
MAX_PIXELS = MAX_IMAGE_SIDE  # per side: Qt's raster engine and most viewers stop around here
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


def canvas_size(widget: QWidget, title: str = "") -> QSizeF:
    """The logical size of an export of ``widget``: its plots plus the heading, if titled."""
    _, canvas = regions_of(widget)
    heading = heading_for(title, canvas.width(), widget.font())
    return QSizeF(canvas.width(), canvas.height() + (heading.rect.height() if heading else 0.0))


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
    ``title`` becomes a heading line above the plots and the file's title
    (SVG ``<title>``, PDF Title); without one the plots stand alone.
    """
    kind = plot_format(path, fmt)
    check_target(path)  # a folder or a missing folder is refused before any painting
    regions, canvas, heading = _layout(widget, title)
    scale = _scale_for(canvas, scale, width)
    encode = {"png": _write_png, "svg": _vector_writer(_paint_svg),
              "pdf": _vector_writer(_paint_pdf)}[kind]
    # encoded in memory, then written by Python: a write that fails (a full disk)
    # raises there and names the reason, where Qt's writers fail silently or half
    data = encode(regions, canvas, scale, heading)
    if not data:
        raise ConfigError(f"cannot write {os.fspath(path)!r}: the writer produced no data")
    with atomic_open(path, "wb") as handle:
        handle.write(data)


def render_image(widget: QWidget, scale: float = 1.0, width: int | None = None,
                 title: str = "") -> QImage:
    """The plots of ``widget`` as a QImage at ``scale`` (or ``width`` pixels wide)."""
    regions, canvas, heading = _layout(widget, title)
    return _image(regions, canvas, _scale_for(canvas, scale, width), heading)


def pixel_size(widget: QWidget, scale: float = 1.0, width: int | None = None,
               title: str = "") -> QSize:
    """The PNG size an export of ``widget`` at ``scale``/``width`` will have."""
    canvas = canvas_size(widget, title)
    s = _scale_for(canvas, scale, width) if canvas.width() > 0 else scale
    return QSize(round(canvas.width() * s), round(canvas.height() * s))


# ------------------------------------------------------------------ painting
def _checked_regions(widget: QWidget) -> tuple[list[Region], QSizeF]:
    regions, canvas = regions_of(widget)
    if not regions or canvas.width() < 1 or canvas.height() < 1:
        raise ConfigError("nothing to export yet: the plots are shown once the window is open")
    return regions, canvas


def _settle(widget: QWidget) -> None:
    """Lay the plots out for the data they hold now, before they are painted.

    An axis learns how wide its tick labels are only while painting, and
    asks for room afterwards: a plot whose data changed since it was last
    on screen would otherwise be exported with its tick labels over its
    title. Each axis measures its labels here (at the screen's DPI), and
    the layouts that asked for room are done before anything is painted.
    """
    views = [widget] if isinstance(widget, pg.GraphicsView) else widget.findChildren(
        pg.GraphicsView)
    for view in views:
        dots_per_metre = round((view.logicalDpiX() or 96) / 0.0254)
        probe = QImage(1, 1, QImage.Format.Format_ARGB32_Premultiplied)
        probe.setDotsPerMeterX(dots_per_metre)
        probe.setDotsPerMeterY(dots_per_metre)
        painter = QPainter(probe)
        try:
            for item in view.scene().items():
                if isinstance(item, pg.AxisItem) and item.isVisible():
                    item.generateDrawSpecs(painter)
        finally:
            painter.end()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest)


def _layout(widget: QWidget, title: str) -> tuple[list[Region], QSizeF, Heading | None]:
    """The plots' regions moved down below the heading, and the whole canvas."""
    _settle(widget)
    regions, canvas = _checked_regions(widget)
    heading = heading_for(title, canvas.width(), widget.font())
    if heading is None:
        return regions, canvas, None
    dy = heading.rect.height()
    moved = [Region(r.view, r.source, r.target.translated(0.0, dy)) for r in regions]
    return moved, QSizeF(canvas.width(), canvas.height() + dy), heading


def _scale_for(canvas: QSizeF, scale: float, width: int | None) -> float:
    low, high = width_range(canvas.width())
    if width is not None:
        if not low <= width <= high:
            raise ConfigError(f"the width must be {low:,} to {high:,} pixels here "
                              f"({MIN_SCALE:g}x to {MAX_SCALE:g}x the size on screen), "
                              f"got {width:,}")
        scale = float(width) / canvas.width()
    if not (math.isfinite(scale) and MIN_SCALE <= scale <= MAX_SCALE):
        raise ConfigError(
            f"the size must be between {MIN_SCALE:g}x and {MAX_SCALE:g}x the size on screen "
            f"({low:,} to {high:,} pixels wide here), got {scale:g}x"
        )
    if max(canvas.width(), canvas.height()) * scale > MAX_PIXELS:
        raise ConfigError(f"the image would be larger than {MAX_PIXELS:,} pixels on a side; "
                          "choose a smaller size")
    return float(scale)


def width_range(canvas_width: float) -> tuple[int, int]:
    """The widths in pixels an export of a canvas this wide may have (whole pixels
    within the scale limits)."""
    return math.ceil(canvas_width * MIN_SCALE), math.floor(canvas_width * MAX_SCALE)


def _dpi(regions: list[Region]) -> int:
    return round(regions[0].view.logicalDpiX()) or 96


def paint_regions(painter: QPainter, regions: list[Region], canvas: QSizeF,
                  heading: Heading | None = None) -> None:
    """Paint the heading and every region onto ``painter`` in canvas coordinates,
    backgrounds first."""
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    painter.setRenderHint(QPainter.RenderHint.TextAntialiasing, True)
    painter.fillRect(QRectF(QPointF(0, 0), canvas), QColor(palette.BACKGROUND))
    if heading is not None:
        paint_heading(painter, heading)
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
        raise ConfigError(f"Qt could not start writing the {what}")


def _image(regions: list[Region], canvas: QSizeF, scale: float,
           heading: Heading | None = None) -> QImage:
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
    _paint_on(image, "image", regions, canvas, heading)
    image.setDevicePixelRatio(1.0)
    # the file says how large it is meant to be printed: the size on screen
    image.setDotsPerMeterX(round(dots_per_metre * scale))
    image.setDotsPerMeterY(round(dots_per_metre * scale))
    return image


@contextlib.contextmanager
def _memory() -> Iterator[QBuffer]:
    """A QBuffer open for writing, for Qt's writers to fill in memory."""
    buffer = QBuffer()
    if not buffer.open(QIODevice.OpenModeFlag.WriteOnly):
        raise ConfigError("not enough memory to encode the image")
    yield buffer


def _write_png(regions: list[Region], canvas: QSizeF, scale: float,
               heading: Heading | None) -> bytes:
    image = _image(regions, canvas, scale, heading)
    if heading is not None:
        image.setText("Title", heading.text)
    image.setText("Software", CREATOR)
    with _memory() as buffer:
        if not image.save(buffer, "PNG"):
            raise ConfigError("Qt could not encode the PNG image")
        return bytes(buffer.data())


def _vector_writer(paint: Any) -> Any:
    """An encoder that paints into memory through ``paint(buffer, ...)`` (SVG, PDF)."""
    def write(regions: list[Region], canvas: QSizeF, scale: float,
              heading: Heading | None) -> bytes:
        with _memory() as buffer:
            paint(buffer, regions, canvas, scale, heading)
            return bytes(buffer.data())
    return write


def _paint_svg(buffer: QBuffer, regions: list[Region], canvas: QSizeF, scale: float,
               heading: Heading | None) -> None:
    dpi = _dpi(regions)
    generator = QSvgGenerator()
    generator.setOutputDevice(buffer)
    generator.setSize(QSize(round(canvas.width() * scale), round(canvas.height() * scale)))
    generator.setViewBox(QRectF(QPointF(0, 0), canvas))
    generator.setResolution(dpi)
    generator.setTitle(heading.text if heading is not None else CREATOR)
    generator.setDescription(f"Exported by {CREATOR}")
    _paint_on(generator, "SVG file", regions, canvas, heading)


def _paint_on(device: Any, what: str, regions: list[Region], canvas: QSizeF,
              heading: Heading | None, scale: tuple[float, float] | None = None) -> None:
    """Paint the figure on ``device`` (``what`` names it in an error), scaled first."""
    painter = QPainter()
    _begin(painter, device, what)
    try:
        if scale is not None:
            painter.scale(*scale)
        paint_regions(painter, regions, canvas, heading)
    finally:
        painter.end()


def _paint_pdf(buffer: QBuffer, regions: list[Region], canvas: QSizeF, _scale: float,
               heading: Heading | None) -> None:
    dpi = _dpi(regions)
    writer = QPdfWriter(buffer)
    writer.setResolution(dpi)
    points = QSizeF(canvas.width() * 72.0 / dpi, canvas.height() * 72.0 / dpi)
    writer.setPageSize(QPageSize(points, QPageSize.Unit.Point, "",
                                 QPageSize.SizeMatchPolicy.ExactMatch))
    writer.setPageMargins(QMarginsF(0, 0, 0, 0))
    writer.setTitle(heading.text if heading is not None else CREATOR)
    writer.setCreator(CREATOR)
    # the page holds whole device pixels; stretch the canvas onto it exactly
    _paint_on(writer, "PDF file", regions, canvas, heading,
              scale=(writer.width() / canvas.width(), writer.height() / canvas.height()))
    del writer  # QPdfWriter finishes the file when it is destroyed
