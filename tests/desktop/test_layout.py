"""The window as people meet it: it fits the screen, the strip shows the learning rate
and the run controls at 1280×720, the wheel scrolls the knobs without turning them, the
keyboard reaches and drives every control, and each control has a name."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("pytestqt")

from _window import close_window, open_window, settle
from PySide6.QtCore import QPoint, QPointF, QRect, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractSlider,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QLineEdit,
    QToolButton,
    QWidget,
)

from desktop.main_window import MainWindow
from desktop.window_place import fitted

pytestmark = pytest.mark.qt_log_ignore(r"^This plugin does not support propagateSizeHints\(\)$")


@pytest.fixture
def window(qtbot, tmp_path):
    w = open_window(qtbot, tmp_path, problem="quadratic", size=(1152, 648))
    yield w
    close_window(w)


@pytest.mark.parametrize("screen, size", [
    ((1280, 720), (1152, 648)),
    ((1366, 768), (1229, 691)),
    ((1920, 1080), (1400, 900)),
])
def test_the_first_window_fits_the_screen(screen, size):
    room = QRect(0, 0, *screen)
    place = fitted(room)
    assert (place.width(), place.height()) == size
    assert room.contains(place) and place.center() == room.center()


def _shown_whole(w: MainWindow, widget: QWidget) -> bool:
    """On screen, inside the window, and not cut by any of its parents."""
    if not widget.isVisible() or widget.width() <= 0 or widget.height() <= 0:
        return False
    parent = widget.parentWidget()
    while parent is not None:
        box = QRect(widget.mapTo(parent, QPoint(0, 0)), widget.size())
        if not parent.rect().contains(box):
            return False
        if parent is w:
            return True
        parent = parent.parentWidget()
    return False


def test_at_1280_by_720_every_main_control_the_status_and_the_plots_show(qtbot, window):
    w = window
    assert w.minimumSizeHint().width() <= 1152 and w.minimumSizeHint().height() <= 648
    assert (w.width(), w.height()) == (1152, 648)
    strip = w.strip
    main = [strip.play, strip.step, strip.reset, strip.lr.slider, strip.lr.field,
            *strip.presets.values(), strip.gauge, w.status_label, w.plots.contour,
            w.plots.loss, w.plots.sweep, w.plots.table]
    cut = [type(x).__name__ + " " + x.accessibleName() for x in main if not _shown_whole(w, x)]
    assert not cut, cut
    extension = w.toolbar.findChild(QToolButton, "qt_toolbar_ext_button")
    assert extension is None or not extension.isVisible()  # nothing hidden behind »
    assert w.plots.contour.height() >= 200 and w.plots.contour.width() >= 300
    # the status line holds a long sentence without cutting it
    w.strip.lr.field.field.setText("0.5")
    w.strip.lr.field.field.editingFinished.emit()
    settle(qtbot, w)
    label = w.status_label
    needed = label.heightForWidth(label.width())
    assert label.text().startswith("Diverged") and needed <= label.height()


def test_the_wheel_over_an_unfocused_knob_scrolls_the_panel_and_changes_nothing(qtbot,
                                                                              window):
    w = window
    combo = w.panels.optimizer.combo
    scroll = w.knobs_scroll.verticalScrollBar()
    assert scroll.maximum() > 0  # the panel scrolls at this size
    scroll.setValue(0)
    w.plots.contour.setFocus()
    assert not combo.hasFocus()
    before = (combo.currentIndex(), w.model.knobs.config.optimizer)
    event = QWheelEvent(QPointF(5, 5), QPointF(combo.mapToGlobal(QPoint(5, 5))), QPoint(0, 0),
                        QPoint(0, -120), Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier,
                        Qt.ScrollPhase.NoScrollPhase, False)
    QApplication.sendEvent(combo, event)
    assert (combo.currentIndex(), w.model.knobs.config.optimizer) == before
    assert scroll.value() > 0  # the panel scrolled instead
    for kind in (QComboBox, QAbstractSpinBox, QAbstractSlider):
        for widget in w.knobs_scroll.widget().findChildren(kind):
            assert widget.focusPolicy() != Qt.FocusPolicy.WheelFocus
    slider = w.strip.lr.slider  # in the strip too: an unfocused slider keeps its value
    lr = w.model.knobs.lr
    event = QWheelEvent(QPointF(5, 5), QPointF(slider.mapToGlobal(QPoint(5, 5))), QPoint(0, 0),
                        QPoint(0, 120), Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier,
                        Qt.ScrollPhase.NoScrollPhase, False)
    QApplication.sendEvent(slider, event)
    assert w.model.knobs.lr == lr


def test_the_focused_slider_keeps_its_arrow_keys_and_elsewhere_they_step(qtbot, window):
    w = window
    m = w.model
    w.activateWindow()
    qtbot.waitUntil(lambda: w.isActiveWindow(), timeout=5000)
    qtbot.mouseClick(w.strip.reset, Qt.MouseButton.LeftButton)
    settle(qtbot, w)
    slider = w.strip.lr.slider
    slider.setFocus()
    qtbot.waitUntil(slider.hasFocus, timeout=5000)
    position, lr = slider.value(), m.knobs.lr
    qtbot.keyClick(slider, Qt.Key.Key_Right)
    assert slider.value() == position + slider.singleStep()
    assert m.knobs.lr > lr and m.knobs.lr == slider.float_value()
    settle(qtbot, w)
    assert len(m.table) == 1  # → moved the slider: it took no step
    w.plots.contour.setFocus()
    qtbot.waitUntil(w.plots.contour.hasFocus, timeout=5000)
    qtbot.keyClick(w.plots.contour, Qt.Key.Key_Right)
    assert len(m.table) == 2  # with the plot focused, → is One step


def test_space_on_a_focused_button_presses_that_button(qtbot, window):
    w = window
    w.activateWindow()
    qtbot.waitUntil(lambda: w.isActiveWindow(), timeout=5000)
    w.model.reset()
    settle(qtbot, w)
    w.strip.step.setFocus()
    qtbot.waitUntil(w.strip.step.hasFocus, timeout=5000)
    qtbot.keyClick(w.strip.step, Qt.Key.Key_Space)
    assert not w.model.playing  # not Play: the focused One step took the key
    assert len(w.model.table) == 2


def _focusable(w: MainWindow) -> list[QWidget]:
    kinds = (QAbstractButton, QAbstractSlider, QAbstractSpinBox, QComboBox, QLineEdit)
    roots = (w.strip, w.knobs_scroll.widget())
    out = []
    for root in roots:
        for kind in kinds:
            for widget in root.findChildren(kind):
                if isinstance(widget.parent(), (QAbstractSpinBox, QLineEdit, QComboBox)):
                    continue  # a spin box's editor, a field's clear button
                if widget.isVisible() and widget.isEnabled() and \
                        widget.focusPolicy() & Qt.FocusPolicy.TabFocus:
                    out.append(widget)
    return list(dict.fromkeys(out))


def test_tab_reaches_every_knob_and_the_optimizers_fields_in_their_order(qtbot, window):
    w = window
    for section in w.sections.values():
        section.set_expanded(True)
    optimizer = w.panels.optimizer
    optimizer.combo.setCurrentIndex(optimizer.combo.findData("adam"))
    settle(qtbot, w)
    qtbot.waitUntil(lambda: all(i.isVisible() for i in optimizer.inputs.values()),
                    timeout=5000)  # fields built while shown appear on the next loop pass
    w.activateWindow()
    qtbot.waitUntil(lambda: w.isActiveWindow(), timeout=5000)
    w.strip.play.setFocus()
    qtbot.waitUntil(w.strip.play.hasFocus, timeout=5000)
    seen: list[QWidget] = []
    for _ in range(300):
        widget = QApplication.focusWidget()
        if widget is not None:
            seen.append(widget)
        w.focusNextChild()
    wanted = _focusable(w)
    missing = [f"{type(x).__name__} {x.accessibleName()!r}" for x in wanted if x not in seen]
    assert not missing, missing
    order = [optimizer.combo, *(i.field if hasattr(i, "field") else i
                                for i in optimizer.inputs.values())]
    first = [seen.index(x) for x in order]
    assert first == sorted(first)  # combo, then its fields, in the panel's order


def test_every_control_has_an_accessible_name_equal_to_its_label(qtbot, window):
    w = window
    for section in w.sections.values():
        section.set_expanded(True)
    names = {w.strip.play: "Play", w.strip.step: "One step", w.strip.reset: "Reset",
             w.strip.lr.slider: "Learning rate", w.strip.lr.field.field: "Learning rate",
             w.strip.presets["too-small"]: "Too small",
             w.strip.presets["just-right"]: "Just right",
             w.strip.presets["too-big"]: "Too big", w.panels.problem.combo: "Problem",
             w.panels.optimizer.combo: "Optimizer", w.panels.run.budget: "Steps",
             w.panels.run.speed: "Speed", w.panels.run.compare: "Compare presets",
             w.panels.optimizer.inputs["momentum"].field: "momentum"}
    for widget, name in names.items():
        assert widget.accessibleName() == name
    assert w.strip.lr.label.buddy() is w.strip.lr.slider
    unnamed = [f"{type(x).__name__} {getattr(x, 'text', lambda: '')()!r}"
               for x in _focusable(w) if not x.accessibleName()]
    assert not unnamed, unnamed


def test_the_focused_slider_shows_a_focus_ring(qtbot, window):
    w = window
    w.activateWindow()
    qtbot.waitUntil(lambda: w.isActiveWindow(), timeout=5000)
    slider = w.strip.lr.slider
    w.plots.contour.setFocus()
    qtbot.waitUntil(w.plots.contour.hasFocus, timeout=5000)
    plain = slider.grab().toImage()
    slider.setFocus()
    qtbot.waitUntil(slider.hasFocus, timeout=5000)
    ringed = slider.grab().toImage()
    highlight = slider.palette().color(slider.palette().ColorRole.Highlight).rgb()
    edge = [(x, 1) for x in range(2, slider.width() - 2, 7)]
    assert sum(ringed.pixel(x, y) == highlight for x, y in edge) > len(edge) // 2
    assert sum(plain.pixel(x, y) == highlight for x, y in edge) < len(edge) // 2


def test_the_sweeps_place_says_what_will_come_until_the_sweep_is_built(qtbot):
    from PySide6.QtWidgets import QLabel

    from desktop.plot_area import PlotArea
    from desktop.views.sweep_view import PENDING as SWEEP_PENDING
    from desktop.views.sweep_view import SweepView

    area = PlotArea()
    qtbot.addWidget(area)
    labels = area.right.widget(1).findChildren(QLabel)
    assert [label.text() for label in labels] == [SWEEP_PENDING]
    view = area.sweep
    assert area.right.widget(1) is view and isinstance(view, SweepView)


def test_an_empty_sweep_plot_says_why_it_is_empty(qtbot):
    from desktop.views.sweep_view import PENDING, SweepView

    view = SweepView()
    qtbot.addWidget(view)
    empty = (np.empty(0), np.empty(0), np.empty(0, dtype=str), {}, None, 0.1)
    view.set_sweep(*empty)
    assert not view.note.isHidden() and view.note.text() == PENDING
    y_range = view.getPlotItem().getViewBox().viewRange()[1]
    assert y_range == pytest.approx([-3.0, 1.0])  # 0.001 to 10, not whatever came before
    view.set_sweep(np.array([0.01, 0.1]), np.array([1.0, 0.5]), np.array(["", ""]), {}, None,
                   0.1)
    assert view.note.isHidden()
    view.set_sweep(*empty, note="Could not work out the presets for this problem: boom")
    assert not view.note.isHidden() and view.note.text().endswith("boom")
    # a box of its own in the middle of the plot, its whole sentence inside it
    view.resize(560, 320)
    view.show()
    qtbot.waitExposed(view)
    box = view.note.geometry()
    assert view.rect().contains(box) and box.width() < view.width() - 100
    assert view.note.heightForWidth(box.width()) <= box.height()
    assert abs(box.center().x() - view.rect().center().x()) < 20
