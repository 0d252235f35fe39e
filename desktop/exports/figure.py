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


VIEWS = ("contour", "loss", "sweep", "data", "surface3d")
DEFAULT_VIEWS = ("contour", "loss")


def write_figure(problem: Problem, config: RunConfig, path: str | os.PathLike[str], *,
                 width: int = DEFAULT_WIDTH, views: tuple[str, ...] = DEFAULT_VIEWS) -> Run:
    """Run ``config`` on ``problem`` and write the figure to ``path`` (.png, .svg, .pdf).

    ``views``: which plots, side by side (more than two: two to a row); see `VIEWS`.
    """
    import core
    from desktop.exports import plot_export

    plot_export.plot_format(path)  # refuse a bad extension before any work
    run = core.make_trainer(problem, config).run()
    app = ensure_app()
    figure = build_figure(run, views)
    try:
        app.processEvents()  # lays the views out at their size
        _check_3d(figure)
        plot_export.export_plot(figure, path, width=width, title=run_title_of(run))
    finally:
        figure.close()
        figure.deleteLater()
    return run


def build_figure(run: Run, views: tuple[str, ...] = DEFAULT_VIEWS) -> Any:
    """A widget holding the chosen views drawn for ``run``, laid out (never on screen)."""
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QGridLayout, QWidget

    figure = QWidget()
    # shown (so layouts and resize events happen) but never mapped on a real screen
    figure.setAttribute(Qt.WidgetAttribute.WA_DontShowOnScreen, True)
    layout = QGridLayout(figure)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(0)
    made = {name: _make_view(name, run) for name in views}
    columns = 2 if len(made) > 1 else 1
    for i, view in enumerate(made.values()):
        layout.addWidget(view, i // columns, i % columns)
    if list(made) == list(DEFAULT_VIEWS):  # the classic figure: the map a little wider
        layout.setColumnStretch(0, 11)
        layout.setColumnStretch(1, 9)
    rows = -(-len(made) // columns)
    figure.resize(FIGURE_SIZE[0] if columns > 1 else FIGURE_SIZE[0] // 2 + 100,
                  FIGURE_SIZE[1] * rows)
    figure.show()
    figure._lrp_views = made  # type: ignore[attr-defined]
    _draw(run, made)
    return figure


def figure_views(figure: Any) -> tuple[Any, Any]:
    """The path view and the loss view of a figure made by `build_figure`."""
    made = figure._lrp_views
    return made["contour"], made["loss"]


def _make_view(name: str, run: Run) -> Any:
    from desktop.views.contour_view import ContourView
    from desktop.views.line_view import LineView
    from desktop.views.loss_view import LossView

    if name == "contour":
        return LineView() if run.problem.n_params == 1 else ContourView()
    if name == "loss":
        return LossView()
    if name == "sweep":
        from desktop.views.sweep_view import SweepView

        return SweepView()
    if name == "data":
        if run.problem.data is None or run.problem.output_kind is None:
            from core.errors import ConfigError

            raise ConfigError(f"problem {run.problem.name!r} has no data to show: "
                              "--view data needs a data problem")
        from desktop.views.data_view import DataView

        return DataView()
    if name == "surface3d":
        if run.problem.n_params < 2:
            from core.errors import ConfigError

            raise ConfigError("--view surface3d needs a problem with two or more parameters")
        from desktop.views.surface3d_view import Surface3DView

        return Surface3DView()
    raise ValueError(f"unknown view {name!r}")


def _check_3d(figure: Any) -> None:
    view = figure._lrp_views.get("surface3d")
    if view is not None and not view.check_context():
        from core.errors import ConfigError

        raise ConfigError(f"cannot draw the 3-D view: {view.failure}")


def drawable(run: Run) -> int:
    return run.diverged_at if run.diverged_at is not None else len(run.table)


def _draw(run: Run, made: dict[str, Any]) -> None:
    n = drawable(run)
    if "contour" in made:
        draw_surface(run, made["contour"])
    if "contour" in made and "loss" in made:
        draw_rows(run, made["contour"], made["loss"], n)
    elif "loss" in made:
        _draw_loss(run, made["loss"], n)
    if "sweep" in made:
        _draw_sweep(run, made["sweep"])
    if "data" in made:
        _draw_data(run, made["data"], n)
    if "surface3d" in made:
        _draw_3d(run, made["surface3d"], n)


def _surface(run: Run) -> Any:
    from desktop.model import analysis

    problem, table = run.problem, run.table
    n = drawable(run)
    if problem.n_params == 1:
        return analysis.compute_surface(problem, (0, 0), None)
    start = list(run.config.start or problem.start)
    names = problem.param_names
    through = tuple(table.row(n - 1)[p] for p in names) if n and problem.n_params > 2 else None
    return analysis.compute_surface(problem, (0, 1), through, path=[start])


def draw_surface(run: Run, path_view: Any) -> None:
    """The loss surface (or the 1-D curve) under the path (once per figure)."""
    s = _surface(run)
    if run.problem.n_params == 1:
        path_view.set_curve(s.xs, s.Z, s.param_names[0])
    else:
        path_view.set_surface(s.xs, s.ys, s.Z, s.levels, s.param_names, s.minima)


def draw_rows(run: Run, path_view: Any, loss_view: Any, n: int) -> None:
    """The path and the loss curve of the first ``n`` rows (the animation's frames)."""
    table, names = run.table, run.problem.param_names
    loss = table["loss"][:n]
    if run.problem.n_params == 1:
        path_view.set_path(table[names[0]][:n], loss)
    else:
        path_view.set_path(table[names[0]][:n], table[names[1]][:n])
    path_view.set_current(n - 1 if n else None)
    _draw_loss(run, loss_view, n)


def _draw_loss(run: Run, loss_view: Any, n: int) -> None:
    problem, table = run.problem, run.table
    log = problem.min_loss is not None  # as the window: a loss unbounded below stays linear
    level = None if problem.min_loss is None else problem.min_loss + float(problem.tolerance)
    loss_view.set_loss(table["step"][:n], table["loss"][:n], level, log)
    loss_view.set_current(n - 1 if n else None)


def _draw_sweep(run: Run, view: Any) -> None:
    import numpy as np

    import core
    from desktop.model import analysis

    c = run.config
    report = core.preset_report(run.problem, c.optimizer, start=c.start, **c.hyper)
    sweep = report.sweep
    start = tuple(c.start or run.problem.start)
    theory = analysis.theory_of(run.problem, start, c.optimizer, dict(c.hyper))
    limit = theory.limit if theory is not None and theory.plain_sgd else None
    view.set_sweep(np.asarray(sweep.lrs), np.asarray(sweep.final_loss),
                   np.asarray(sweep.status), analysis.preset_lrs(report), limit, c.lr)


def _draw_data(run: Run, view: Any, n: int) -> None:
    from core.run.batches import BatchPlan
    from desktop.pictures import draw_data_row, scene_for

    view.set_scene(scene_for(run.problem))
    if n:
        c = run.config
        plan = BatchPlan.make(c.batch, run.problem.n_samples, c.seed, run.problem.name)
        draw_data_row(view, run.problem, run.table, plan, n - 1)


def _draw_3d(run: Run, view: Any, n: int) -> None:
    s = _surface(run)
    floor = run.problem.min_loss
    view.set_surface(s.xs, s.ys, s.Z, s.param_names, floor)
    names = run.problem.param_names
    view.set_path(run.table[names[0]][:n], run.table[names[1]][:n], run.table["loss"][:n])


def run_title_of(run: Run) -> str:
    """The figure's heading: the same title line as the window's exports."""
    from desktop.exports.titles import run_title

    c = run.config
    what = {"diverged": f"diverged at step {run.diverged_at}",
            "converged": f"converged at step {run.converged_at}"}.get(run.status)
    schedule = c.schedule.get("name") if isinstance(c.schedule, dict) else None
    return run_title(run.problem.title, c.optimizer, c.lr, c.steps, hyper=c.hyper,
                     schedule=f"{schedule} schedule" if schedule else None, outcome=what)


_title = run_title_of  # its name before the animation shared it
