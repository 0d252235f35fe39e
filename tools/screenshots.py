"""Screenshots of the window as a person sees it, for looking at and for the README.

Runs the real window on the display it is given (start Xvfb first, e.g.
``Xvfb :99 -screen 0 1280x720x24 &``), drives it through a few scenes with
the window model's own verbs, and saves, per scene, the window alone and the
whole screen:

    DISPLAY=:99 QT_QPA_PLATFORM=xcb .venv/bin/python tools/screenshots.py OUT_DIR [SCENE ...]

Scenes: launch, too-big, compare, data, reset, inspector, stability, gradcheck,
nadam, article, fit, neuron, network, units, surface3d, arrows (default: all).
Nothing here is a test; the pictures are for eyes.
"""

from __future__ import annotations

import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main(argv: list[str]) -> int:
    import pyqtgraph as pg
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    from desktop.main_window import MainWindow
    from desktop.settings import Settings
    from desktop.views.palette import apply_plot_theme

    if not argv:
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
    model = window.model

    def wait(done: Callable[[], bool], limit_s: float = 30.0) -> None:
        import time

        end = time.monotonic() + limit_s
        while not done() and time.monotonic() < end:
            app.processEvents()
            time.sleep(0.01)

    def idle() -> bool:
        # the run is idle and no view waits for its throttled refresh
        return (model.trainer is not None and model.idle() and not window.runtime.clock.running
                and not window.extras.inspector_binder.pending)

    def presets_known() -> bool:
        return bool(model.insight.preset_lrs())

    def shot(name: str) -> None:
        for _ in range(5):
            app.processEvents()
        window.grab().save(str(out / f"{name}.png"))
        screen = window.screen().grabWindow(0)
        screen.save(str(out / f"{name}-screen.png"))
        print(out / f"{name}.png")

    def launch() -> None:
        wait(lambda: model.trainer is not None and len(model.table) > 5)
        shot("launch-playing")
        wait(idle)
        shot("launch-done")

    def too_big() -> None:
        model.knobs.set_problem("quadratic")
        wait(presets_known)
        model.apply_preset("too-big")
        wait(idle)
        shot("too-big")

    def compare() -> None:
        model.knobs.set_problem("rosenbrock")
        wait(presets_known)
        model.apply_preset("just-right")
        wait(idle)
        model.compare_presets()
        wait(lambda: bool(model.compare.runs) and idle())
        shot("compare")

    def data() -> None:
        model.knobs.set_problem("house-prices")
        wait(presets_known)
        model.apply_preset("just-right")
        wait(idle)
        shot("data")

    def reset() -> None:
        model.reset()
        wait(idle)
        shot("reset")

    def inspector() -> None:
        model.knobs.set_problem("line-one-point")
        wait(idle)
        model.select_step(1)
        wait(idle)
        shot("inspector")

    def show_section(title: str) -> None:
        section = window.sections[title]
        section.set_expanded(True)
        for _ in range(5):
            app.processEvents()
        window.knobs_scroll.ensureWidgetVisible(section, 0, 0)
        bar = window.knobs_scroll.verticalScrollBar()
        bar.setValue(min(bar.maximum(), section.y()))

    def stability() -> None:
        model.knobs.set_problem("house-prices")
        wait(idle)
        show_section("Stability")
        shot("stability")

    def gradcheck() -> None:
        model.knobs.set_problem("glasses-vs-ring")
        wait(idle)
        model.select_step(40)
        show_section("Gradient check")
        window.panels.gradcheck.button.click()
        wait(lambda: model.gradcheck.answer is not None or bool(model.gradcheck.error))
        wait(idle)
        show_section("Gradient check")
        shot("gradcheck")

    def nadam() -> None:
        model.knobs.set_problem("rosenbrock")
        model.knobs.set_optimizer("nadam")
        model.knobs.set_lr(0.03)
        wait(idle)
        show_section("Optimizer")
        shot("nadam")

    def article() -> None:
        model.knobs.set_problem("glasses-vs-ring")
        wait(idle)
        model.select_step(3)  # the last sample of epoch 0: the article's "Epoch 0" line
        wait(idle)
        table = window.plots.table
        bar = table.horizontalScrollBar()
        bar.setValue(bar.maximum())
        shot("article")

    def fit() -> None:  # the data view: house prices, the line being fitted
        model.knobs.set_problem("house-prices")
        wait(idle)
        window.plots.show_tab("data")
        model.select_step(12)
        wait(idle)
        shot("fit")
        model.select_step(-1)
        wait(idle)
        shot("fit-end")

    def neuron() -> None:  # two inputs: the shaded output and the decision boundary
        model.knobs.set_problem("and-gate")
        wait(idle)
        window.plots.show_tab("data")
        model.select_step(201)
        wait(idle)
        shot("neuron")

    def network() -> None:  # a small network learning the spiral: its decision boundary
        model.knobs.set_problem("spiral")
        wait(idle, 120)
        window.plots.show_tab("data")
        wait(idle)
        shot("network")
        # the loss on the plane of the path's principal directions, the path on it; the
        # gauge at the run's own λmax (worked out in the background)
        window.plots.show_tab("surface")
        sharp = model.sharpness
        wait(lambda: idle() and not model.jobs.busy("surface")
             and model.insight.gauge.at_step is not None and not sharp.busy, 60)
        shot("network-plane")
        window.plots.show_tab("sharpness")
        wait(lambda: sharp.data(model.trainer, len(model.table))[0].size > 10
             and not sharp.busy, 60)
        wait(idle)
        shot("network-sharpness")
        window.actions["range-test"].trigger()
        wait(lambda: model.range_test.result is not None and not model.range_test.running, 60)
        wait(idle)
        shot("network-range")

    def units() -> None:  # a CSV of your own with "normalise x"
        folder = Path(tempfile.mkdtemp())
        csv = folder / "sizes.csv"
        xs = [0.8, 1.1, 1.5, 1.9, 2.2, 2.6, 3.0, 3.4]
        csv.write_text("size,price\n" + "".join(
            f"{x},{3 * x + 2 + 0.2 * ((i * 7) % 5 - 2)}\n" for i, x in enumerate(xs)))
        window.extras.own.load_data(str(csv), {"model": "linear", "normalize": True,
                                               "x_column": None, "y_column": None})
        wait(idle)
        window.plots.show_tab("data")
        wait(idle)
        shot("units")

    def surface3d() -> None:
        model.knobs.set_problem("rosenbrock")
        wait(presets_known)
        model.apply_preset("just-right")
        wait(idle)
        window.plots.show_tab("surface3d")
        wait(lambda: window.plots.surface3d._checked or not window.plots.surface3d.available)
        model.select_step(400)
        wait(idle)
        shot("surface3d")

    def arrows() -> None:
        window.plots.show_tab("surface")
        model.knobs.set_problem("quadratic")
        model.knobs.set_optimizer("sgd", momentum=0.9)
        wait(idle)
        model.select_step(6)
        window.actions["step-back"].trigger()
        wait(idle)
        shot("arrows")

    scenes = {"launch": launch, "too-big": too_big, "compare": compare, "data": data,
              "reset": reset, "inspector": inspector, "stability": stability,
              "gradcheck": gradcheck, "nadam": nadam, "article": article, "fit": fit,
              "neuron": neuron, "network": network, "units": units, "surface3d": surface3d,
              "arrows": arrows}
    for name in argv[1:] or list(scenes):
        scenes[name]()
    window.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
