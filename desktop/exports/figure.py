"""The scripted figure: the contour with the path beside the loss curve, without a window.

``lr-playground-cli plot`` calls `write_figure`. It builds the window's own
views (so the figure looks like the window), feeds them a finished run the
way `PlotBinder` does, and exports them with `plot_export`. Without a
display, Qt runs on its offscreen platform; the views are never put on a
screen either way.
"""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from core import Problem, Run, RunConfig

FIGURE_SIZE = (1100, 460)  # logical pixels; --width scales the PNG (and the SVG's size)
DEFAULT_WIDTH = 1600


def ensure_app() -> Any:
    """The running QApplication, or a new one configured like the app's.

    QT_QPA_PLATFORM must be set before the QApplication exists, so this runs
    before PySide6 creates one (and before pyqtgraph builds anything: its
    options are read when items are made).
    """
    if sys.platform.startswith("linux") and not (
        os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
    ):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance()
    if app is None:
        from PySide6.QtCore import qInstallMessageHandler

        qInstallMessageHandler(_quiet_qt_messages)
        app = QApplication([sys.argv[0] if sys.argv else "lr-playground-cli"])
        import pyqtgraph as pg

        from desktop.views.palette import apply_plot_theme

        pg.setConfigOptions(antialias=False, imageAxisOrder="row-major")
        apply_plot_theme()
    return app


def _quiet_qt_messages(_mode: Any, _context: Any, _message: str) -> None:
    """Qt's messages, for a command-line tool: none reach stderr.

    A command's stderr holds its one ``error:`` line and nothing else. Qt's
    messages here are notices of the offscreen platform (it cannot honour size
    hints) and the image writers' own complaints (libpng on a full disk),
    whose failures the export already reports in that line.
    """


def write_figure(problem: Problem, config: RunConfig, path: str | os.PathLike[str], *,
                 width: int = DEFAULT_WIDTH) -> Run:
    """Run ``config`` on ``problem`` and write the figure to ``path`` (.png, .svg, .pdf)."""
    import core
    from desktop.exports import plot_export

    plot_export.plot_format(path)  # refuse a bad extension before any work
    run = core.make_trainer(problem, config).run()
    app = ensure_app()
    figure = build_figure(run)
    try:
        app.processEvents()  # lays the views out at their size
        plot_export.export_plot(figure, path, width=width, title=_title(run))
    finally:
        figure.close()
        figure.deleteLater()
    return run


def build_figure(run: Run) -> Any:
    """A widget holding the path view and the loss view, drawn for ``run``, laid out."""
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QHBoxLayout, QWidget

    from desktop.views.contour_view import ContourView
    from desktop.views.line_view import LineView
    from desktop.views.loss_view import LossView

    one_d = run.problem.n_params == 1
    figure = QWidget()
    # shown (so layouts and resize events happen) but never mapped on a real screen
    figure.setAttribute(Qt.WidgetAttribute.WA_DontShowOnScreen, True)
    layout = QHBoxLayout(figure)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(0)
    path_view = LineView() if one_d else ContourView()
    loss_view = LossView()
    layout.addWidget(path_view, 11)
    layout.addWidget(loss_view, 9)
    figure.resize(*FIGURE_SIZE)
    figure.show()
    _draw(run, path_view, loss_view)
    return figure


def _draw(run: Run, path_view: Any, loss_view: Any) -> None:
    from desktop.model import analysis

    problem, table = run.problem, run.table
    n = run.diverged_at if run.diverged_at is not None else len(table)
    names = problem.param_names
    loss = table["loss"][:n]
    if problem.n_params == 1:
        s = analysis.compute_surface(problem, (0, 0), None)
        path_view.set_curve(s.xs, s.Z, s.param_names[0])
        path_view.set_path(table[names[0]][:n], loss)
    else:
        axes = (0, 1)
        start = list(run.config.start or problem.start)
        through = tuple(table.row(n - 1)[p] for p in names) if n and problem.n_params > 2 else None
        s = analysis.compute_surface(problem, axes, through, path=[start])
        path_view.set_surface(s.xs, s.ys, s.Z, s.levels, s.param_names, s.minima)
        path_view.set_path(table[names[0]][:n], table[names[1]][:n])
    path_view.set_current(n - 1 if n else None)
    log = problem.min_loss is not None  # as the window: a loss unbounded below stays linear
    level = None if problem.min_loss is None else problem.min_loss + float(problem.tolerance)
    loss_view.set_loss(table["step"][:n], loss, level, log)
    loss_view.set_current(n - 1 if n else None)


def _title(run: Run) -> str:
    """The figure's heading: the same title line as the window's exports."""
    from desktop.exports.titles import run_title

    c = run.config
    what = {"diverged": f"diverged at step {run.diverged_at}",
            "converged": f"converged at step {run.converged_at}"}.get(run.status)
    schedule = c.schedule.get("name") if isinstance(c.schedule, dict) else None
    return run_title(run.problem.title, c.optimizer, c.lr, c.steps, hyper=c.hyper,
                     schedule=f"{schedule} schedule" if schedule else None, outcome=what)
