"""Exports from the window: plots to PNG/SVG/PDF, the step table, the clipboard, bundles.

Every file is checked by reading it back (image size, SVG as XML, PDF pages,
table text against `StepTable`'s own writers). Failures are simulated with a
monkeypatched ``os.replace``/``os.rename`` (as root, folder permissions are
not enforced) and must leave no file behind. The exported contour PNG and
SVG (rendered back to PNG) are kept for a person to look at when LRP_SHOTS_DIR names a folder.
"""

from __future__ import annotations

import json
import os
import re
import xml.etree.ElementTree as ET

import pytest

pytest.importorskip("pytestqt")

from _window import close_window, settle
from PySide6.QtCore import QItemSelectionModel, QSettings, QSizeF, Qt
from PySide6.QtGui import QColor, QGuiApplication, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer
from PySide6.QtWidgets import QFileDialog

from core.session import parse_session
from desktop.exports import heading, plot_export
from desktop.exports.export_dialog import ExportChoice, ExportDialog
from desktop.main_window import MainWindow
from desktop.settings import Settings

pytestmark = pytest.mark.qt_log_ignore(r"^This plugin does not support propagateSizeHints\(\)$")

WAIT_MS = 20_000
SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture
def window(qtbot, tmp_path):
    errors: list[tuple[str, str]] = []
    qs = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    w = MainWindow(settings=Settings(qs),
                   show_error=lambda _p, title, text, *a: errors.append((title, text)))
    w.errors = errors  # type: ignore[attr-defined]
    qtbot.addWidget(w)
    w.resize(1200, 800)
    w.show()
    qtbot.waitExposed(w)
    qtbot.waitUntil(lambda: w.model.trainer is not None, timeout=WAIT_MS)
    yield w
    close_window(w)


def show_problem(qtbot, w: MainWindow, name: str, lr: float | None = None) -> None:
    if w.model.knobs.problem.name != name:
        combo = w.panels.problem.combo
        combo.setCurrentIndex(combo.findData(name))
    if lr is not None:
        w.model.knobs.set_lr(lr)
    settle(qtbot, w)
    # the sweep plot has data
    qtbot.waitUntil(lambda: w.model.insight.sweep is not None, timeout=WAIT_MS)


def select_rows(w: MainWindow, rows: list[int]) -> None:
    view = w.plots.table
    flags = QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows
    view.clearSelection()
    for r in rows:
        view.selectionModel().select(w.plots.model.index(r, 0), flags)
    assert view.selected_rows() == rows


def svg_to_png(svg_path: str, png_path: str, width: int) -> QImage:
    renderer = QSvgRenderer(svg_path)
    box = renderer.viewBoxF()
    image = QImage(width, round(width * box.height() / box.width()), QImage.Format.Format_ARGB32)
    image.fill(0xFFFF00FF)  # magenta shows through wherever the SVG paints no background
    painter = QPainter(image)
    renderer.render(painter)
    painter.end()
    image.save(png_path)
    return image


def leftovers(folder) -> list[str]:
    return [n for n in os.listdir(folder) if ".part" in n]


# ------------------------------------------------------------------ plots
def test_png_of_each_plot_and_the_area_has_the_chosen_size(qtbot, window, tmp_path, keep_shot):
    w = window
    show_problem(qtbot, w, "rosenbrock", lr=1e-3)
    widgets = w.exports.plot_widgets()
    assert set(widgets) == {"path", "loss", "sweep", "area"}
    title = w.exports.figure_title()
    for key, widget in widgets.items():
        canvas = plot_export.canvas_size(widget, title)  # the plots and the title above them
        path = tmp_path / f"{key}.png"
        assert w.exports.export(ExportChoice(key, "png", scale=2.0), path), w.errors
        image = QImage(str(path))
        assert (image.width(), image.height()) == (round(canvas.width() * 2),
                                                   round(canvas.height() * 2))
    assert w.exports.export(ExportChoice("path", "png", width=1000), tmp_path / "w.png")
    assert QImage(str(tmp_path / "w.png")).width() == 1000
    keep_shot(tmp_path / "path.png", "export_png.png")
    keep_shot(tmp_path / "area.png", "export_area_png.png")
    # the colour map and the path are in the picture, not a blank canvas
    image = QImage(str(tmp_path / "path.png"))
    colours = {image.pixel(x, y) for x in range(0, image.width(), 9)
               for y in range(0, image.height(), 9)}
    assert len(colours) > 50


def test_svg_holds_the_colour_map_iso_lines_path_and_axes(qtbot, window, tmp_path, keep_shot):
    w = window
    show_problem(qtbot, w, "rosenbrock", lr=1e-3)
    path = str(tmp_path / "contour.svg")
    assert w.exports.export(ExportChoice("path", "svg"), path), w.errors
    assert QSvgRenderer(path).isValid()
    root = ET.parse(path).getroot()
    paths = root.findall(f".//{SVG}path")
    images = root.findall(f".//{SVG}image")
    texts = [(t.text or "").strip() for t in root.iter(f"{SVG}text")]
    # the surface (one pixel per grid point) and the colour bar's strip are embedded
    # images; nothing else is (the path's dots and the iso-lines are vectors)
    sizes = sorted((int(i.get("width")), int(i.get("height"))) for i in images)
    assert sizes == [(1, 256), (len(w.model.insight.surface.xs), len(w.model.insight.surface.ys))]
    assert len(paths) >= 5  # two frames, the iso-lines, the run's path, markers
    assert len(root.findall(f".//{SVG}polyline")) >= 20  # axis lines and ticks
    segments = sorted(len(re.findall(r"[LC]", p.get("d", ""))) for p in paths)
    assert segments[-1] > 500  # the iso-lines: one long path of many segments
    x0, y0 = w.model.knobs.config.start or w.model.knobs.problem.start
    assert any(p.get("d", "").startswith(f"M{x0:g},{y0:g} L") for p in paths)  # the run
    names = w.model.knobs.problem.param_names
    assert set(names) <= set(texts)  # axis titles
    assert {"-1", "0", "1", "2"} <= set(texts)  # tick labels
    assert any("log scale" in t for t in texts)  # the colour bar's title
    # rendered back, it is the picture on screen, on its white background
    image = svg_to_png(path, str(tmp_path / "export_svg.png"), 1200)
    keep_shot(tmp_path / "export_svg.png")
    magenta = sum(image.pixel(x, y) == 0xFFFF00FF for x in range(0, 1200, 10)
                  for y in range(0, image.height(), 10))
    assert magenta == 0


def test_svg_and_pdf_of_the_whole_plot_area(qtbot, window, tmp_path):
    w = window
    show_problem(qtbot, w, "quadratic")
    svg, pdf = str(tmp_path / "area.svg"), str(tmp_path / "area.pdf")
    assert w.exports.export(ExportChoice("area", "svg"), svg), w.errors
    assert w.exports.export(ExportChoice("area", "pdf"), pdf), w.errors
    texts = [(t.text or "").strip() for t in ET.parse(svg).getroot().iter(f"{SVG}text")]
    assert "step" in texts and "learning rate" in " ".join(texts)  # loss and sweep axes too
    data = (tmp_path / "area.pdf").read_bytes()
    assert data.startswith(b"%PDF-") and data.rstrip().endswith(b"%%EOF")
    assert len(re.findall(rb"/Type\s*/Page(?![a-z])", data)) == 1
    canvas = plot_export.canvas_size(w.plots, w.exports.figure_title())
    dpi = round(w.plots.logicalDpiX())
    box = re.search(rb"/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]", data)
    assert float(box.group(1)) == pytest.approx(canvas.width() * 72 / dpi, abs=1)
    assert float(box.group(2)) == pytest.approx(canvas.height() * 72 / dpi, abs=1)


def test_a_failed_export_leaves_no_file_and_keeps_the_old_one(qtbot, window, tmp_path,
                                                              monkeypatch):
    w = window
    show_problem(qtbot, w, "quadratic")

    def refuse(src, dst):
        raise PermissionError(13, "Permission denied", str(dst))

    monkeypatch.setattr(os, "replace", refuse)
    for fmt, target in (("png", "path"), ("svg", "loss"), ("pdf", "area"), ("csv", "table")):
        old = tmp_path / f"old.{fmt}"
        old.write_text("the old file")
        assert not w.exports.export(ExportChoice(target, fmt), old)
        title, text = w.errors[-1]
        assert title == "Export failed"
        assert str(old) in text and "Permission denied" in text, text
        assert old.read_text() == "the old file"
        assert leftovers(tmp_path) == []
    missing = tmp_path / "no-such-folder" / "x.png"
    assert not w.exports.export(ExportChoice("path", "png"), missing)
    assert "does not exist" in w.errors[-1][1] and str(missing) in w.errors[-1][1]


# ------------------------------------------------------------------ tables and clipboard
@pytest.mark.parametrize("fmt", ["csv", "tsv", "md", "json"])
def test_table_exports_equal_the_tables_own_writers(qtbot, window, tmp_path, fmt):
    w = window
    show_problem(qtbot, w, "line-one-point")
    table = w.model.table
    whole = tmp_path / f"whole.{fmt}"
    assert w.exports.export(ExportChoice("table", fmt), whole), w.errors
    assert whole.read_text(encoding="utf-8") == table.to_text(fmt)
    select_rows(w, [1, 2, 4])
    part = tmp_path / f"part.{fmt}"
    assert w.exports.export(ExportChoice("table", fmt, selected_only=True), part), w.errors
    assert part.read_text(encoding="utf-8") == table.select([1, 2, 4]).to_text(fmt)
    if fmt == "json":
        assert json.loads(part.read_text())["rows"][0][0] == 1


def test_ctrl_c_on_the_table_copies_the_selected_rows_with_the_header(qtbot, window):
    w = window
    show_problem(qtbot, w, "line-one-point")
    table = w.model.table
    select_rows(w, [0, 3, 5])
    w.plots.table.setFocus()
    qtbot.waitUntil(lambda: w.plots.table.hasFocus(), timeout=5000)
    QGuiApplication.clipboard().clear()
    qtbot.keyClick(w.plots.table, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    mime = QGuiApplication.clipboard().mimeData()
    expected = table.select([0, 3, 5])
    assert mime.text() == expected.to_text("tsv")
    assert mime.text().splitlines()[0].split("\t") == table.columns
    assert bytes(mime.data("text/csv")).decode() == expected.to_text("csv")
    assert "Copied 3 rows" in w.status_label.text()


# ------------------------------------------------------------------ the dialog and the bundle
def test_export_dialog_offers_formats_and_sizes_per_target(qtbot):
    dialog = ExportDialog([("path", "Contour"), ("area", "Whole plot area"), ("table", "Table")],
                          {"path": QSizeF(500, 400), "area": QSizeF(1000, 600)}, 2)
    qtbot.addWidget(dialog)
    formats = [dialog.format.itemData(i) for i in range(dialog.format.count())]
    assert formats == ["png", "svg", "pdf"]
    dialog.scale.setValue(3.0)
    assert dialog.width_px.value() == 1500 and dialog.size_note.text() == "1500 × 1200 pixels"
    dialog.width_px.setValue(1234)
    assert dialog.choice() == ExportChoice("path", "png", scale=pytest.approx(2.47, abs=0.01),
                                           width=1234)
    dialog.target.setCurrentIndex(2)
    formats = [dialog.format.itemData(i) for i in range(dialog.format.count())]
    assert formats == ["csv", "tsv", "md", "json"]
    dialog.rows.setCurrentIndex(1)
    choice = dialog.choice()
    assert (choice.target, choice.fmt, choice.width, choice.selected_only) == (
        "table", "csv", None, True)


def test_file_export_asks_what_and_where_then_writes(qtbot, window, tmp_path, monkeypatch):
    w = window
    show_problem(qtbot, w, "quadratic")
    asked = {}

    def ask(cls, parent, targets, sizes, selected, initial=None):
        asked.update(targets=[k for k, _ in targets], sizes=set(sizes))
        return ExportChoice("loss", "svg")

    monkeypatch.setattr(ExportDialog, "ask", classmethod(ask))
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        staticmethod(lambda *a, **k: (str(tmp_path / "curve"), "")))
    w.actions["export"].trigger()
    assert asked["targets"] == ["path", "loss", "sweep", "area", "table"]
    assert QSvgRenderer(str(tmp_path / "curve.svg")).isValid()  # the extension was added
    assert w.settings.get_str("exports/folder") == str(tmp_path)


def test_bundle_writes_one_folder_with_plots_table_and_session(qtbot, window, tmp_path,
                                                               monkeypatch):
    w = window
    show_problem(qtbot, w, "quadratic")
    monkeypatch.setattr(QFileDialog, "getExistingDirectory",
                        staticmethod(lambda *a, **k: str(tmp_path)))
    w.actions["bundle"].trigger()
    (folder,) = [p for p in tmp_path.iterdir() if p.is_dir()]
    assert re.fullmatch(r"quadratic-\d{8}-\d{6}", folder.name)
    names = sorted(p.name for p in folder.iterdir())
    plots = ["all-plots", "contour", "loss-curve", "lr-sweep"]
    assert names == sorted([*(f"{p}.{e}" for p in plots for e in ("png", "svg")),
                            "session.json", "steps.csv"])
    assert (folder / "steps.csv").read_text() == w.model.table.to_text("csv")
    session = parse_session((folder / "session.json").read_text())
    assert session.config.lr == w.model.knobs.config.lr
    assert session.problem.name == "quadratic"
    assert all(QSvgRenderer(str(folder / f"{p}.svg")).isValid() for p in plots)

    def refuse(src, dst):
        raise PermissionError(13, "Permission denied", str(dst))

    monkeypatch.setattr(os, "rename", refuse)
    assert w.exports.bundle(tmp_path) is None
    assert "Permission denied" in w.errors[-1][1]
    assert [p.name for p in tmp_path.iterdir() if p.is_dir()] == [folder.name]


# ------------------------------------------------------------------ titles, remembered choices
def test_exported_figures_carry_the_runs_title(qtbot, window, tmp_path, keep_shot):
    w = window
    show_problem(qtbot, w, "quadratic", lr=0.05)
    w.model.knobs.set_optimizer("sgd", momentum=0.9)
    settle(qtbot, w)
    title = w.exports.figure_title()
    problem = w.model.knobs.problem.title
    assert title.startswith(problem)
    # the optimizer with what differs from torch's defaults, the lr, the step budget
    assert " · sgd (momentum 0.9) · lr = 0.05 · " in title
    assert title.split(" · ")[3] == f"{w.model.knobs.config.steps} steps"
    svg, png = str(tmp_path / "area.svg"), str(tmp_path / "area.png")
    assert w.exports.export(ExportChoice("area", "svg"), svg), w.errors
    assert w.exports.export(ExportChoice("area", "png", scale=1.0), png), w.errors
    keep_shot(png, "export_area_titled.png")
    root = ET.parse(svg).getroot()
    words = " ".join((t.text or "").strip() for t in root.iter(f"{SVG}text"))
    assert problem in words and "lr = 0.05" in words and "momentum 0.9" in words
    assert (root.findtext(f"{SVG}title") or "") == title
    image = QImage(png)
    assert image.text("Title") == title
    # the heading is a band of dark text on white above the plots, the plots below it
    canvas = plot_export.regions_of(w.plots)[1]
    band = round(image.height() - canvas.height())
    assert 15 < band < 80
    dark = sum(QColor(image.pixel(x, y)).value() < 100
               for x in range(0, image.width() // 2) for y in range(band))
    assert dark > 50
    pdf = tmp_path / "loss.pdf"
    assert w.exports.export(ExportChoice("loss", "pdf"), pdf), w.errors
    assert pdf.read_bytes().startswith(b"%PDF-")


def test_a_single_plots_title_wraps_instead_of_running_off(qtbot, window):
    w = window
    show_problem(qtbot, w, "quadratic")
    long_title = "Quadratic bowl " * 12
    sweep = w.exports.plot_widgets()["sweep"]
    width = plot_export.regions_of(sweep)[1].width()
    one_line = heading.heading_for("Quadratic bowl", width)
    wrapped = heading.heading_for(long_title, width)
    assert wrapped.rect.width() == width and wrapped.rect.height() > 1.8 * one_line.rect.height()
    assert heading.heading_for("", width) is None  # no title, no band


def test_the_dialog_opens_on_the_last_choice_and_keeps_it_across_restarts(qtbot, window,
                                                                          tmp_path, monkeypatch):
    w = window
    show_problem(qtbot, w, "quadratic")
    seen = []
    answers = [ExportChoice("sweep", "pdf"), ExportChoice("path", "png", scale=3.0, width=1700)]

    def ask(cls, parent, targets, sizes, selected, initial=None):
        seen.append(initial)
        return answers[len(seen) - 1] if len(seen) <= len(answers) else None

    monkeypatch.setattr(ExportDialog, "ask", classmethod(ask))
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        staticmethod(lambda *a, **k: (str(tmp_path / f"x{len(seen)}"), "")))
    w.exports.export_interactive()
    w.exports.export_interactive()
    w.exports.export_interactive()  # cancelled: the last choice stays
    assert seen == [None, answers[0], answers[1]]
    assert (tmp_path / "x1.pdf").exists() and QImage(str(tmp_path / "x2.png")).width() == 1700
    # a new window on the same settings (a restart) opens on the same choice
    from desktop.exports.actions import ExportActions

    again = ExportActions(w, w.session_io)
    assert again.last_choice() == answers[1]
    # a plot's own right-click "Export…" opens the dialog on that plot
    w.plots.sweep.export_action.trigger()
    assert seen[-1] == ExportChoice("sweep", "png", scale=3.0, width=1700)


def test_the_dialog_restores_what_still_applies(qtbot):
    targets = [("path", "Contour"), ("area", "Whole plot area"), ("table", "Table")]
    sizes = {"path": QSizeF(500, 400), "area": QSizeF(1000, 600)}
    dialog = ExportDialog(targets, sizes, 3, initial=ExportChoice("area", "svg"))
    qtbot.addWidget(dialog)
    assert (dialog.target.currentData(), dialog.format.currentData()) == ("area", "svg")
    dialog = ExportDialog(targets, sizes, 3,
                          initial=ExportChoice("path", "png", scale=3.0, width=1234))
    qtbot.addWidget(dialog)
    assert dialog.choice() == ExportChoice("path", "png", scale=pytest.approx(2.47, abs=0.01),
                                           width=1234)
    dialog = ExportDialog(targets, sizes, 0, initial=ExportChoice("table", "md",
                                                                    selected_only=True))
    qtbot.addWidget(dialog)
    choice = dialog.choice()
    assert (choice.target, choice.fmt, choice.selected_only) == ("table", "md", False)
    gone = ExportDialog(targets[1:], sizes, 0, initial=ExportChoice("line", "csv"))
    qtbot.addWidget(gone)
    assert (gone.target.currentData(), gone.format.currentData()) == ("area", "png")


def test_no_plot_offers_pyqtgraphs_own_exporters(qtbot, window):
    w = window
    show_problem(qtbot, w, "quadratic")
    for view in (w.plots.contour, w.plots.loss, w.plots.sweep):
        menu = view.scene().contextMenu
        # only the app's own entry: pyqtgraph's dialog (Matplotlib, HDF5, its failing
        # SVG) is not reachable from any plot
        assert menu == [view.export_action] and view.export_action.text() == "Export…"
        assert view.scene().exportDialog is None
    from desktop.views import SweepView

    alone = SweepView()  # a plot nobody exports from (the command line's figure)
    qtbot.addWidget(alone)
    assert alone.scene().contextMenu == []
