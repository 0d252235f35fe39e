"""`AnalysisBinder`: feeds the sharpness plot, the range test tab and the surface caption.

Thin: every number and sentence comes from the model (`RunAnalyses`,
`SurfaceData.caption`). The sharpness plot is drawn when its values change
or the run does, and only while its tab is in front; the model works λmax
out only while that tab is in front (or the gauge follows it). A click on a
range-test marker or a Use button puts that learning rate in force through
the model; a refusal is said in the status line and changes nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from core import ConfigError
from desktop.model.events import connect_named

if TYPE_CHECKING:
    from desktop.model import WindowModel
    from desktop.plot_area import PlotArea


class AnalysisBinder:
    """Binds ``model.analyses`` and the surface's caption to the plots."""

    def __init__(self, model: WindowModel, plots: PlotArea) -> None:
        self.m = model
        self.v = plots
        self.draws = 0  # sharpness redraws (tests count the work)
        a = model.analyses
        a.sharpness.changed.connect(self._on_sharpness_changed)
        a.range_test.changed.connect(self._on_range_changed)
        connect_named(self, model, "model", "knobs")
        model.insight.presets_changed.connect(self._on_range_changed)
        model.insight.surface_changed.connect(self._on_surface_changed)
        plots.on_tab_shown(self._on_plots_tab_shown)
        plots.on_built("sharpness", self._on_sharpness_built)
        plots.on_built("range", self._on_range_built)

    # ------------------------------------------------------------ verbs
    def run_range_test(self) -> None:
        """The menu's and the strip's action: show the tab and run the test."""
        self.v.show_tab("range")
        self.m.analyses.run_range_test()

    def use(self, which: str) -> None:
        try:
            self.m.analyses.use_lr(which)
        except ConfigError as exc:
            self.m.show_message(str(exc)[:1].upper() + str(exc)[1:] + ".")

    # ------------------------------------------------------------ slots
    def _on_sharpness_built(self, view: Any) -> None:
        self._draw_sharpness()

    def _on_range_built(self, view: Any) -> None:
        view.usePicked.connect(self.use)
        view.runRequested.connect(self.m.analyses.run_range_test)
        self._on_range_changed(None)

    def _on_plots_tab_shown(self, key: str) -> None:
        shown = key == "sharpness"
        self.m.analyses.sharpness.shown = shown
        if shown:
            self.m.analyses.request_sharpness()
            self._draw_sharpness()

    def _on_sharpness_changed(self, _none: None) -> None:
        self._draw_sharpness()

    def _on_model_framed(self, frame: Any) -> None:
        if frame.replaced or frame.added:
            self._draw_sharpness()

    def _on_knobs_changed(self, change: Any) -> None:
        if change.changes_run or change.new_problem:
            self._on_range_changed(None)

    def _on_surface_changed(self, surface: Any) -> None:
        self.v.set_caption("" if surface is None or surface.plane is None else surface.caption)

    # ------------------------------------------------------------ drawing
    def _draw_sharpness(self) -> None:
        if not self.v.has("sharpness") or self.v.tab_shown() != "sharpness":
            return
        view = self.v.sharpness
        a = self.m.analyses
        rows, lam, steps, lines = a.sharpness_plot()
        t = self.m.trainer
        how = "" if t is None else a.method(t.problem)
        view.set_values(rows, lam, how)
        view.set_limits(steps, lines)
        view.set_caption(a.sharpness_caption())
        self.draws += 1

    def _on_range_changed(self, _arg: Any) -> None:
        if not self.v.has("range"):
            return
        view = self.v.range_test
        rt = self.m.analyses.range_test
        k = self.m.knobs
        view.set_result(rt.result)
        view.set_running(rt.running)
        view.set_sentence(self.m.analyses.range_sentence(),
                          rt.stale(k.problem, k.config, k.start))
