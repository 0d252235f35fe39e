"""Screenshots of the window as a person sees it, for looking at and for the README.

Runs the real window on the display it is given (start Xvfb first, e.g.
``Xvfb :99 -screen 0 1280x720x24 &``), drives it through a few scenes with
the window model's own verbs, and saves, per scene, the window alone and the
whole screen:

    DISPLAY=:99 QT_QPA_PLATFORM=xcb .venv/bin/python tools/screenshots.py OUT_DIR [SCENE ...]

Scenes: launch, too-big, compare, data, reset, inspector, stability, gradcheck,
nadam, article, fit, neuron, network, units, surface3d, arrows, drag (default: all).
Nothing here is a test; the pictures are for eyes.
"""

from __future__ import annotations

import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


SCENES = (
    "launch", "too-big", "compare", "data", "reset", "inspector", "stability", "gradcheck",
    "nadam", "article", "fit", "neuron", "network", "units", "surface3d", "arrows", "drag",
)


class Studio:
    """The window, its model and the folder the pictures go to; each scene a method."""

    def __init__(self, app, window, out: Path) -> None:
        self.app, self.window, self.model, self.out = app, window, window.model, out

    def wait(self, done: Callable[[], bool], limit_s: float = 30.0) -> None:
        import time

        end = time.monotonic() + limit_s
        while not done() and time.monotonic() < end:
            self.app.processEvents()
            time.sleep(0.01)

    def idle(self) -> bool:
        # the run is idle and no view waits for its throttled refresh
        m, w = self.model, self.window
        return (m.trainer is not None and m.idle() and not w.runtime.clock.running
                and not w.extras.inspector_binder.pending
                and not (w.plots.has("loss") and w.plots.loss.axes_settling))

    def presets_known(self) -> bool:
        return bool(self.model.insight.preset_lrs())

    def shot(self, name: str) -> None:
        for _ in range(5):
            self.app.processEvents()
        self.window.grab().save(str(self.out / f"{name}.png"))
        screen = self.window.screen().grabWindow(0)
        screen.save(str(self.out / f"{name}-screen.png"))
        print(self.out / f"{name}.png")

    def launch(self) -> None:
        self.wait(lambda: self.model.trainer is not None and len(self.model.table) > 5)
        self.shot("launch-playing")
        self.wait(self.idle)
        self.shot("launch-done")

    def too_big(self) -> None:
        self.model.knobs.set_problem("quadratic")
        self.wait(self.presets_known)
        self.model.apply_preset("too-big")
        self.wait(self.idle)
        self.shot("too-big")

    def compare(self) -> None:
        self.model.knobs.set_problem("rosenbrock")
        self.wait(self.presets_known)
        self.model.apply_preset("just-right")
        self.wait(self.idle)
        self.model.compare_presets()
        self.wait(lambda: bool(self.model.compare.runs) and self.idle())
        self.shot("compare")

    def data(self) -> None:
        self.model.knobs.set_problem("house-prices")
        self.wait(self.presets_known)
        self.model.apply_preset("just-right")
        self.wait(self.idle)
        self.shot("data")

    def reset(self) -> None:
        self.model.reset()
        self.wait(self.idle)
        self.shot("reset")

    def inspector(self) -> None:
        self.model.knobs.set_problem("line-one-point")
        self.wait(self.idle)
        self.model.select_step(1)
        self.wait(self.idle)
        self.shot("inspector")

    def drag(self) -> None:
        """The lr slider dragged (a move a frame): mid-drag, then once the knobs rest."""
        import time

        self.model.knobs.set_problem("beale")
        self.wait(self.idle)
        slider = self.window.strip.lr.slider
        for step in (4, 4, 4, 4, 4):
            slider.setValue(slider.value() + step)
            end = time.monotonic() + 1 / 60
            while time.monotonic() < end:
                self.app.processEvents()
        self.shot("drag-moving")
        self.wait(self.idle)
        self.shot("drag-rested")

    def show_section(self, title: str) -> None:
        section = self.window.sections[title]
        section.set_expanded(True)
        for _ in range(5):
            self.app.processEvents()
        self.window.knobs_scroll.ensureWidgetVisible(section, 0, 0)
        bar = self.window.knobs_scroll.verticalScrollBar()
        bar.setValue(min(bar.maximum(), section.y()))

    def stability(self) -> None:
        self.model.knobs.set_problem("house-prices")
        self.wait(self.idle)
        self.show_section("Stability")
        self.shot("stability")

    def gradcheck(self) -> None:
        self.model.knobs.set_problem("glasses-vs-ring")
        self.wait(self.idle)
        self.model.select_step(40)
        self.show_section("Gradient check")
        self.window.panels.gradcheck.button.click()
        check = self.model.gradcheck
        self.wait(lambda: check.answer is not None or bool(check.error))
        self.wait(self.idle)
        self.show_section("Gradient check")
        self.shot("gradcheck")

    def nadam(self) -> None:
        self.model.knobs.set_problem("rosenbrock")
        self.model.knobs.set_optimizer("nadam")
        self.model.knobs.set_lr(0.03)
        self.wait(self.idle)
        self.show_section("Optimizer")
        self.shot("nadam")
        self.model.knobs.set_optimizer("sgd")  # the scenes after it show plain SGD

    def article(self) -> None:
        self.model.knobs.set_problem("glasses-vs-ring")
        self.wait(self.idle)
        self.model.select_step(3)  # the last sample of epoch 0: the article's "Epoch 0" line
        self.wait(self.idle)
        table = self.window.plots.table
        bar = table.horizontalScrollBar()
        bar.setValue(bar.maximum())
        self.shot("article")

    def fit(self) -> None:  # the data view: house prices, the line being fitted
        self.model.knobs.set_problem("house-prices")
        self.wait(self.idle)
        self.window.plots.show_tab("data")
        self.model.select_step(12)
        self.wait(self.idle)
        self.shot("fit")
        self.model.select_step(-1)
        self.wait(self.idle)
        self.shot("fit-end")

    def neuron(self) -> None:  # two inputs: the shaded output and the decision boundary
        self.model.knobs.set_problem("and-gate")
        self.wait(self.idle)
        self.window.plots.show_tab("data")
        self.model.select_step(201)
        self.wait(self.idle)
        self.shot("neuron")

    def network(self) -> None:  # a small network learning the spiral: its decision boundary
        self.model.knobs.set_problem("spiral")
        self.wait(self.idle, 120)
        self.window.plots.show_tab("data")
        self.wait(self.idle)
        self.shot("network")
        # the loss on the plane of the path's principal directions, the path on it; the
        # gauge at the run's own λmax (worked out in the background)
        self.window.plots.show_tab("surface")
        sharp = self.model.sharpness
        self.wait(lambda: self.idle() and not self.model.jobs.busy("surface")
             and self.model.insight.gauge.at_step is not None and not sharp.busy, 60)
        self.shot("network-plane")
        self.window.plots.show_tab("sharpness")
        self.wait(lambda: sharp.data(self.model.trainer, len(self.model.table))[0].size > 10
             and not sharp.busy, 60)
        self.wait(self.idle)
        self.shot("network-sharpness")
        self.window.actions["range-test"].trigger()
        test = self.model.range_test
        self.wait(lambda: test.result is not None and not test.running, 60)
        self.wait(self.idle)
        self.shot("network-range")

    def units(self) -> None:  # a CSV of your own with "normalise x"
        folder = Path(tempfile.mkdtemp())
        csv = folder / "sizes.csv"
        xs = [0.8, 1.1, 1.5, 1.9, 2.2, 2.6, 3.0, 3.4]
        csv.write_text("size,price\n" + "".join(
            f"{x},{3 * x + 2 + 0.2 * ((i * 7) % 5 - 2)}\n" for i, x in enumerate(xs)))
        self.window.extras.own.load_data(str(csv), {"model": "linear", "normalize": True,
                                               "x_column": None, "y_column": None})
        self.wait(self.idle)
        self.window.plots.show_tab("data")
        self.wait(self.idle)
        self.shot("units")

    def surface3d(self) -> None:
        self.model.knobs.set_problem("rosenbrock")
        self.wait(self.presets_known)
        self.model.apply_preset("just-right")
        self.wait(self.idle)
        self.window.plots.show_tab("surface3d")
        view = self.window.plots.surface3d
        self.wait(lambda: view._checked or not view.available)
        self.model.select_step(400)
        self.wait(self.idle)
        self.shot("surface3d")

    def arrows(self) -> None:
        self.window.plots.show_tab("surface")
        self.model.knobs.set_problem("quadratic")
        self.model.knobs.set_optimizer("sgd", momentum=0.9)
        self.wait(self.idle)
        self.model.select_step(6)
        self.window.actions["step-back"].trigger()
        self.wait(self.idle)
        self.shot("arrows")


def main(argv: list[str]) -> int:
    import pyqtgraph as pg
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    from desktop.main_window import MainWindow
    from desktop.settings import Settings
    from desktop.views.palette import apply_plot_theme

    if not argv or any(name not in SCENES for name in argv[1:]):
        print(__doc__)
        return 2
    out = Path(argv[0])
    out.mkdir(parents=True, exist_ok=True)
    app = QApplication.instance() or QApplication(["lr-playground"])
    pg.setConfigOptions(antialias=False, imageAxisOrder="row-major")
    apply_plot_theme()
    ini = Path(tempfile.mkdtemp()) / "settings.ini"
    window = MainWindow(settings=Settings(QSettings(str(ini), QSettings.Format.IniFormat)))
    window.show()
    studio = Studio(app, window, out)
    for name in argv[1:] or SCENES:
        getattr(studio, name.replace("-", "_"))()
    window.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
