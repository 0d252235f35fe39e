"""Render lr-playground.svg to the PNG sizes the desktop and the window use,
and pack them into lr-playground.ico (Windows) and lr-playground.icns (macOS).

Run after editing the SVG, and commit what it writes:

    QT_QPA_PLATFORM=offscreen python resources/icons/render_icons.py

Qt's own SVG renderer draws them, so the PNGs look like what the window shows
on platforms that cannot use the SVG (Windows taskbars, old icon themes).
"""

from __future__ import annotations

import os
import struct
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
SVG = HERE / "lr-playground.svg"
# the hicolor theme's usual app sizes; 16-48 for menus and title bars, 256/512 for docks
SIZES = (16, 24, 32, 48, 64, 128, 256, 512)


# Windows shortcuts and executables want .ico, macOS app bundles .icns; both
# formats are plain containers of PNGs, so no image library is needed
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)
# icns type codes: (code, pixel size); the @2x codes reuse the larger PNGs
ICNS_TYPES = (("icp4", 16), ("icp5", 32), ("icp6", 64), ("ic07", 128), ("ic08", 256),
              ("ic09", 512), ("ic11", 32), ("ic12", 64), ("ic13", 256), ("ic14", 512))


def png_name(size: int) -> str:
    return f"lr-playground-{size}.png"


def write_ico(folder: Path = HERE) -> Path:
    """lr-playground.ico from the rendered PNGs (PNG-compressed entries, Windows Vista+)."""
    pngs = [(folder / png_name(size)).read_bytes() for size in ICO_SIZES]
    header = struct.pack("<HHH", 0, 1, len(pngs))
    offset = len(header) + 16 * len(pngs)
    entries, blobs = b"", b""
    for size, png in zip(ICO_SIZES, pngs, strict=True):
        side = 0 if size == 256 else size  # 0 means 256 in a one-byte field
        entries += struct.pack("<BBBBHHII", side, side, 0, 0, 1, 32, len(png), offset)
        offset += len(png)
        blobs += png
    target = folder / "lr-playground.ico"
    target.write_bytes(header + entries + blobs)
    return target


def write_icns(folder: Path = HERE) -> Path:
    """lr-playground.icns from the rendered PNGs (PNG entries, macOS 10.7+)."""
    body = b""
    for code, size in ICNS_TYPES:
        png = (folder / png_name(size)).read_bytes()
        body += code.encode("ascii") + struct.pack(">I", 8 + len(png)) + png
    target = folder / "lr-playground.icns"
    target.write_bytes(b"icns" + struct.pack(">I", 8 + len(body)) + body)
    return target


def render(svg: Path = SVG, folder: Path = HERE, sizes: tuple[int, ...] = SIZES) -> list[Path]:
    """Write one PNG per size into ``folder``; return their paths."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QGuiApplication, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    # QSvgRenderer needs a QGuiApplication (fonts, image plugins); keep it alive while drawing
    _app = QGuiApplication.instance() or QGuiApplication([])
    renderer = QSvgRenderer(str(svg))
    if not renderer.isValid():
        raise SystemExit(f"error: {svg} is not an SVG that Qt can draw")
    written = []
    for size in sizes:
        image = QImage(size, size, QImage.Format.Format_ARGB32)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        renderer.render(painter)
        painter.end()
        target = folder / png_name(size)
        if not image.save(str(target), "PNG"):
            raise SystemExit(f"error: could not write {target}")
        written.append(target)
    return written


def main() -> int:
    for path in [*render(), write_ico(), write_icns()]:
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
