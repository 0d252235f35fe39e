"""Helpers the window tests share: open a window, wait for the state a test needs.

Tests wait for states (the run idle, the presets known), never for times.
"""

from __future__ import annotations

from PySide6.QtCore import QSettings, Qt, QTimer

from desktop.main_window import MainWindow
from desktop.model.knobs import DEFAULT_SPEED, MAX_SPEED
from desktop.settings import Settings

WAIT_MS = 20_000


def open_window(qtbot, tmp_path, *, problem: str | None = None,
                settings_file: str = "settings.ini", size: tuple[int, int] | None = (1200, 800),
                errors: list | None = None, quick_intro: bool = True) -> MainWindow:
    """A shown window whose first run has played; ``problem``: then switch to it.

    ``quick_intro``: the first run plays at full speed (it plays at launch, and
    30 steps a second would cost every test half a second).
    """
    qs = QSettings(str(tmp_path / settings_file), QSettings.Format.IniFormat)
    sink = errors if errors is not None else []
    w = MainWindow(settings=Settings(qs),
                   show_error=lambda _parent, title, text, *a: sink.append(text))
    qtbot.addWidget(w)
    speed = w.model.knobs.speed
    if quick_intro:
        w.model.knobs.set_speed(MAX_SPEED)
    if size is not None and w.settings.geometry() is None:
        w.resize(*size)
    w.show()
    qtbot.waitExposed(w)
    qtbot.waitUntil(lambda: w.model.trainer is not None, timeout=WAIT_MS)
    settle(qtbot, w)
    if quick_intro:
        w.model.knobs.set_speed(speed if speed != MAX_SPEED else DEFAULT_SPEED)
    if problem is not None and w.model.knobs.problem.name != problem:
        combo = w.panels.problem.combo
        combo.setCurrentIndex(combo.findData(problem))
        assert w.model.knobs.problem.name == problem
        settle(qtbot, w)
    return w


def settle(qtbot, w: MainWindow) -> None:
    """Wait until the run is idle: no re-run pending, caught up, not playing, no frame due."""
    qtbot.waitUntil(lambda: w.model.idle() and not w.runtime.clock.running, timeout=WAIT_MS)


def wait_presets(qtbot, w: MainWindow) -> None:
    """The buttons enabled and the worked-out report in (the shipped numbers come first,
    the report with each preset's reason follows from the background)."""
    insight = w.model.insight
    qtbot.waitUntil(lambda: w.strip.presets["just-right"].isEnabled()
                    and (insight.presets is not None or bool(insight.presets_failed)),
                    timeout=WAIT_MS)


def type_into(qtbot, field, text: str) -> None:
    field = getattr(field, "field", field)  # a FieldWithError or its QLineEdit
    field.clear()
    qtbot.keyClicks(field, text)
    qtbot.keyClick(field, Qt.Key.Key_Return)


def running_timers(w: MainWindow) -> list[QTimer]:
    """Timers of the window's own parts still running (the views have their own checks)."""
    owners = (w.runtime, w.extras, w.panels.formula)
    return [t for o in owners for t in o.findChildren(QTimer) if t.isActive()]


def close_window(w: MainWindow) -> None:
    w.close()
    assert not w.runtime.clock.running, "the frame clock outlived the window"
    leaked = running_timers(w)
    assert not leaked, f"QTimers still running after close: {leaked}"


def window_factory(qtbot, tmp_path, **defaults):
    """``make(problem=None, **kwargs)`` opening windows (`open_window`) that are closed
    when the test ends; ``make.errors`` collects the error messages shown."""
    windows: list[MainWindow] = []
    errors: list[str] = []

    def make(problem: str | None = None, **kwargs) -> MainWindow:
        w = open_window(qtbot, tmp_path, problem=problem, errors=errors,
                        **{**defaults, **kwargs})
        windows.append(w)
        return w

    make.errors = errors  # type: ignore[attr-defined]
    make.windows = windows  # type: ignore[attr-defined]
    return make, windows


def windows_for_a_test(qtbot, tmp_path, after_close=None, **defaults):
    """A fixture's body (``yield from``): yields `window_factory`'s ``make``, then
    closes every window it opened, checking each with ``after_close(w)`` if given."""
    make, windows = window_factory(qtbot, tmp_path, **defaults)
    yield make
    for w in windows:
        close_window(w)
        if after_close is not None:
            after_close(w)
