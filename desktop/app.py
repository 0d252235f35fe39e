"""``lr-playground``: start the window.

Start-up stays light: torch is never imported here (the torch backend loads
in the background when chosen), pyqtgraph's options and the plot theme are
set before any plot exists, and the window makes only what its first paint
shows (the strip, the contour, the loss curve, the first run, the status
line); the knobs' panels, the step inspector and the lessons are built just
after it, and the presets, the sweep and the worker process follow.
"""

from __future__ import annotations

import argparse
import gc
import sys
import time
from collections.abc import Sequence
from typing import Any

ORG = "LR Playground"
APP = "LR Playground"
DESKTOP_ID = "lr-playground"


def parse_args(argv: Sequence[str]) -> tuple[argparse.Namespace, list[str]]:
    parser = argparse.ArgumentParser(prog="lr-playground", add_help=True,
                                     description="Turn the knobs of gradient descent.")
    # hidden: smoke tests and the launch benchmark
    parser.add_argument("--quit-after-ms", type=int, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--report-first-paint", action="store_true", help=argparse.SUPPRESS)
    return parser.parse_known_args(list(argv))


# Qt's own options that take a value (``-platform offscreen``): that value is no session file
QT_VALUE_OPTIONS = frozenset({
    "platform", "platformpluginpath", "platformtheme", "plugin", "style", "stylesheet",
    "session", "display", "geometry", "qwindowgeometry", "title", "qwindowtitle",
    "qwindowicon", "name", "font", "fn", "qmljsdebugger",
})


def split_session_arg(rest: Sequence[str]) -> tuple[str | None, list[str]]:
    """The session file named on the command line (``lr-playground s.json``, the
    .desktop file's %f) and the arguments left for Qt."""
    session, qt_args = None, []
    expect_value = False
    for arg in rest:
        if expect_value:
            qt_args.append(arg)
            expect_value = False
        elif arg.startswith("-"):
            qt_args.append(arg)
            expect_value = "=" not in arg and arg.lstrip("-") in QT_VALUE_OPTIONS
        elif session is None:
            session = arg
        else:
            qt_args.append(arg)
    return session, qt_args


def _launcher_flags(argv: Sequence[str]) -> int | None:
    try:
        from desktop.launcher import handle_launcher_flags
    except ImportError:
        return None
    return handle_launcher_flags(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """Open the LR Playground window; returns the exit status."""
    if getattr(sys, "frozen", False):  # the presets' worker process, in a frozen bundle
        import multiprocessing

        multiprocessing.freeze_support()  # a worker runs its job here and never returns
    # no cycle collection while the program starts: it makes some 100,000 objects that
    # all live on, and the collector would walk them over and over (about 30 ms, a
    # tenth of the time to the first paint); it is back once the window is whole
    gc.disable()
    try:
        return _run(argv)
    finally:
        gc.enable()


def _run(argv: Sequence[str] | None) -> int:
    # the window model (and the engine it runs) first: PySide6 checks every module
    # imported after it for its __feature__ switches by reading the module's
    # source, and none of these has Qt in it
    import desktop.model  # noqa: F401
    from desktop.errors import guard_std_streams

    guard_std_streams()  # a Windows gui-script has no stderr: pythonw gives it none
    argv = list(sys.argv if argv is None else argv)
    handled = _launcher_flags(argv[1:])
    if handled is not None:
        return handled
    args, rest = parse_args(argv[1:])
    session_path, qt_args = split_session_arg(rest)

    from PySide6.QtCore import QCoreApplication, QTimer
    from PySide6.QtWidgets import QApplication

    QCoreApplication.setOrganizationName(ORG)
    QCoreApplication.setApplicationName(APP)
    app = QApplication.instance() or QApplication([argv[0], *qt_args])
    QApplication.setDesktopFileName(DESKTOP_ID)

    from desktop import errors

    errors.setup_logging()
    import pyqtgraph as pg

    pg.setConfigOptions(antialias=False, imageAxisOrder="row-major")
    from desktop.views.palette import apply_plot_theme

    apply_plot_theme()
    from desktop.main_window import MainWindow

    window = MainWindow()
    window.completed.connect(_collect_again)
    # the icon with the knobs: reading its SVG is 3 ms the first paint need not wait for
    window.completed.connect(lambda: _set_icon(window))
    errors.install_excepthook(lambda: window)
    window.show()
    if session_path is not None:
        # after the window shows: a bad file is a message box over the window, not a silent start
        QTimer.singleShot(0, lambda: window.session_io.open(session_path))
    if args.report_first_paint:
        QTimer.singleShot(0, lambda: _report_paint(window))
        window.plots.on_built("contour", lambda view: _report_plots(window, view))
        window.completed.connect(_report_complete)
    if args.quit_after_ms is not None:
        QTimer.singleShot(max(0, args.quit_after_ms), window.close)
    return int(app.exec())


def _collect_again() -> None:
    gc.enable()


def _report_paint(window: object) -> None:
    window.repaint()  # type: ignore[attr-defined]
    print(f"first-paint {time.time():.6f}", flush=True)


def _report_complete() -> None:
    print(f"window-complete {time.time():.6f}", flush=True)


def _report_plots(window: Any, view: Any) -> None:
    """Print when the contour first paints the first run (the launch benchmark)."""
    from PySide6.QtCore import QEvent, QObject

    class Reporter(QObject):
        def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # Qt override
            if event.type() == QEvent.Type.Paint and window.model.trainer is not None:
                watched.removeEventFilter(self)
                print(f"plots-painted {time.time():.6f}", flush=True)
            return False

    reporter = Reporter(window)  # the window owns it (Qt parent): it lives as long
    view.viewport().installEventFilter(reporter)


def _set_icon(window: object) -> None:
    try:
        from PySide6.QtGui import QIcon

        from desktop.launcher import icon_path

        window.setWindowIcon(QIcon(str(icon_path())))  # type: ignore[attr-defined]
    except Exception:  # an icon is a nicety; a missing one never stops the start
        pass


if __name__ == "__main__":
    raise SystemExit(main())
