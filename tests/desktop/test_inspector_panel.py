"""The step inspector in the window: it follows the selected row (or the newest), shows
seed 003's numbers, steps with → and flags what changed, and throttles while playing."""

from __future__ import annotations

import pytest

pytest.importorskip("pytestqt")

from _window import settle as settle_run
from _window import windows_for_a_test
from PySide6.QtCore import Qt

from desktop.main_window import MainWindow

WAIT_MS = 20_000


@pytest.fixture
def make_window(qtbot, tmp_path):
    def not_fading(w: MainWindow) -> None:
        assert not w.extras.inspector.fading

    yield from windows_for_a_test(qtbot, tmp_path, not_fading, size=(1300, 850))


def settle(qtbot, w: MainWindow) -> None:
    settle_run(qtbot, w)
    qtbot.waitUntil(lambda: w.plots.model.rowCount() == len(w.model.table), timeout=WAIT_MS)


def shown(qtbot, w: MainWindow, step: int) -> str:
    """Wait until the inspector shows ``step``; its text as a reader sees it."""
    panel, binder = w.extras.inspector, w.extras.inspector_binder
    qtbot.waitUntil(lambda: not binder.pending and panel.inspection is not None
                    and panel.inspection.step == step, timeout=WAIT_MS)
    return panel.rendered_text()


def line_of(text: str, start: str) -> str:
    return next(line.strip() for line in text.splitlines() if line.strip().startswith(start))


def seed_003_rows(lr: float = 0.1, rows: int = 6) -> list[dict[str, float]]:
    """Seed 003's loop, written out: y = a·x + b through x = 1, y = 4, from a = 3, b = 4."""
    a, b, x, y = 3.0, 4.0, 1.0, 4.0
    out = []
    for _ in range(rows):
        y_pred = a * x + b
        error = y_pred - y
        grad_a, grad_b = 2 * error * x, 2 * error
        out.append({"a": a, "b": b, "y_pred": y_pred, "error": error, "grad_a": grad_a,
                    "grad_b": grad_b, "loss": error**2,
                    "new_a": a - lr * grad_a, "new_b": b - lr * grad_b})
        a, b = out[-1]["new_a"], out[-1]["new_b"]
    return out


def test_selecting_rows_0_to_5_shows_seed_003s_numbers(qtbot, make_window):
    w = make_window("line-one-point")
    c = w.model
    c.knobs.set_lr(0.1)
    settle(qtbot, w)
    expected = seed_003_rows()
    assert f"{expected[5]['a']:.4f}" == "1.6166" and f"{expected[5]['loss']:.4f}" == "0.0544"
    for k, row in enumerate(expected):
        w.plots.table.selectRow(k)
        assert c.selection.step == k
        text = shown(qtbot, w, k)
        f = {key: f"{value:.4f}" for key, value in row.items()}
        assert text.startswith("1. Predict")
        assert line_of(text, "prediction").endswith(
            f"= {f['a']}·1.0000 + {f['b']} = {f['y_pred']}")
        assert line_of(text, "error").endswith(f"= {f['y_pred']} − 4.0000 = {f['error']}")
        assert line_of(text, "L =").endswith(f"= {f['loss']}")
        assert line_of(text, "ga =").endswith(f"= {f['grad_a']}")
        assert line_of(text, "gb =").endswith(f"= {f['grad_b']}")
        assert line_of(text, "new a").endswith(f"= {f['a']} − 0.1 × {f['grad_a']} = {f['new_a']}")
        assert line_of(text, "new b").endswith(f"= {f['b']} − 0.1 × {f['grad_b']} = {f['new_b']}")
        caption = f"<b>Step {k}</b> of {len(c.table) - 1}, selected in the table"
        assert w.extras.inspector.title.text().startswith(caption)
    settle(qtbot, w)


def test_the_right_key_takes_one_step_and_flags_what_changed(qtbot, make_window):
    w = make_window("line-one-point")
    c, panel = w.model, w.extras.inspector
    w.activateWindow()
    qtbot.waitUntil(lambda: w.isActiveWindow(), timeout=5000)
    w.plots.table.selectRow(0)  # a selected row: stepping goes back to following the newest
    qtbot.keyClick(w, Qt.Key.Key_R)
    assert len(c.table) == 1
    shown(qtbot, w, 0)
    assert panel.changed == frozenset()  # nothing before step 0
    qtbot.keyClick(w, Qt.Key.Key_Right)
    assert len(c.table) == 2 and c.selection.step == -1
    text = shown(qtbot, w, 1)
    inspection = panel.inspection
    assert {"update.a", "update.b", "gradient.a", "loss"} <= inspection.changed
    assert panel.changed == inspection.changed
    assert "predict.0.example" not in panel.changed  # x and y stay
    html = panel.body_html()
    assert html.count("background-color") == len(inspection.changed)
    assert panel.fading  # the tint fades after a single step
    row = seed_003_rows()[1]
    assert line_of(text, "new a").endswith(f"{row['new_a']:.4f}")
    qtbot.mouseClick(panel.step, Qt.MouseButton.LeftButton)  # the panel's own Step button
    assert len(c.table) == 3
    shown(qtbot, w, 2)
    qtbot.waitUntil(lambda: not panel.fading, timeout=WAIT_MS)
    assert panel.body_html().count("background-color") == len(panel.changed)  # a rest tint
    settle(qtbot, w)


def test_the_inspector_follows_a_playing_run_at_most_ten_times_a_second(qtbot, make_window):
    w = make_window("rosenbrock")
    c, binder = w.model, w.extras.inspector_binder
    clock = {"t": 100.0}
    binder.now = lambda: clock["t"]  # the throttle reads a clock the test moves
    c.reset()
    c.knobs.set_speed(2000)
    before = binder.renders
    c.play()
    qtbot.waitUntil(lambda: len(c.table) > 1200, timeout=WAIT_MS)
    assert binder.renders - before >= 1  # it follows the run while it plays
    binder.refresh_now()
    rendered_at = binder.renders
    assert w.extras.inspector.title.text().endswith("· sgd") and "while the run plays" in \
        w.extras.inspector.title.text()  # not "of N, the newest": the run moves on
    # 31.25 ms after a render, the next one waits what is left of its 100 ms
    clock["t"] += 0.03125
    binder.request()
    assert binder.pending and binder._throttle.wait_ms == 69  # ceil(100 - 31.25)
    assert binder.renders == rendered_at
    c.pause()
    last = len(c.table) - 1
    shown(qtbot, w, last)  # the newest, once paused, says so
    caption = f"<b>Step {last}</b> of {last}, the newest"
    qtbot.waitUntil(lambda: w.extras.inspector.title.text().startswith(caption),
                    timeout=WAIT_MS)
    settle(qtbot, w)


def test_adam_shows_its_moments_and_bias_corrections(qtbot, make_window):
    w = make_window("house-prices")
    c = w.model
    c.knobs.set_optimizer("adam")
    c.knobs.set_lr(0.1)
    settle(qtbot, w)
    w.plots.table.selectRow(1)
    text = shown(qtbot, w, 1)
    inspection = w.extras.inspector.inspection
    for name in ("w", "b"):
        m = inspection.state["exp_avg"][name]
        v = inspection.state["exp_avg_sq"][name]
        assert line_of(text, f"m{name} =").endswith(f"= {m:.4f}".replace("-", "−"))
        assert line_of(text, f"v{name} =").endswith(f"= {v:.4f}")
    assert "bc1 = 1 − β1t" in text and "bc2 = 1 − β2t" in text
    settle(qtbot, w)


def test_a_costly_refresh_makes_the_next_one_wait_longer(qtbot, make_window, monkeypatch):
    """A refresh takes at most a fifth of the time: one that cost 50 ms (on the test's
    clock) is followed by the next only 250 ms after it began; a cheap one by 100 ms."""
    from desktop.inspector_binder import MAX_SHARE, PLAYING_INTERVAL_MS

    w = make_window("rosenbrock")
    binder, panel = w.extras.inspector_binder, w.extras.inspector
    clock = {"t": 100.0}
    binder.now = lambda: clock["t"]
    real = panel.show_inspection
    cost = {"s": 0.05}

    def costly(*args, **kwargs):
        clock["t"] += cost["s"]
        return real(*args, **kwargs)

    monkeypatch.setattr(panel, "show_inspection", costly)
    w.model.select_step(3)  # shown at once (the leading edge), at a cost of 50 ms
    assert binder._throttle.interval_ms == round(50 / MAX_SHARE) == 250
    clock["t"] += 0.1  # 150 ms after the refresh began
    w.model.select_step(4)
    assert binder.pending and binder._throttle.wait_ms == 100
    cost["s"] = 0.0
    binder.refresh_now()
    assert binder._throttle.interval_ms == PLAYING_INTERVAL_MS
    settle(qtbot, w)


def test_a_slider_drag_is_inspected_once_the_knobs_rest(qtbot, make_window, monkeypatch):
    """A drag replaces the run every frame: the inspector builds nothing while it goes
    on (each inspection would cost a frame of it), then shows the last run once. The
    rest it waits for is made a minute long, so no machine is slow enough to end it
    between two moves; the refresh the rest would ask for is then called in by hand."""
    from desktop.model import rest

    w = make_window("beale")
    c, binder = w.model, w.extras.inspector_binder
    c.knobs.set_steps(200)
    settle(qtbot, w)
    binder.refresh_now()
    monkeypatch.setattr(rest, "REST_S", 60.0)
    before = binder.renders
    slider = w.strip.lr.slider
    for i in range(6):
        slider.setValue(slider.value() + (3 if i % 2 == 0 else -2))
        qtbot.waitUntil(lambda: not c.rerun_pending and c.playback.caught_up,
                        timeout=WAIT_MS)
        assert binder.renders == before and binder.pending
        panel = w.extras.inspector  # the old run's step, greyed, said to be the old one's
        assert panel.outdated and "run changed" in panel.title.text()
    binder.refresh_now()  # the knobs have rested: the waiting refresh runs
    assert binder.renders == before + 1 and not binder.pending
    assert not w.extras.inspector.outdated
    last = len(c.table) - 1
    assert w.extras.inspector.title.text().startswith(f"<b>Step {last}</b> of {last}")
    monkeypatch.setattr(rest, "REST_S", 0.12)  # the knobs rest: the frames stop
    settle(qtbot, w)
