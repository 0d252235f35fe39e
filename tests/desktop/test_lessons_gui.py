"""Lessons in the window: every lesson opens from the Lessons menu with its set-up, a trial
button runs its learning rate, and the claims box shows every claim recomputed."""

from __future__ import annotations

import pytest

pytest.importorskip("pytestqt")

from PySide6.QtCore import QSettings, Qt, QTimer

from core.lessons import list_lessons
from desktop.main_window import MainWindow
from desktop.settings import Settings

WAIT_MS = 30_000


def own_timers_running(w: MainWindow) -> list[QTimer]:
    """Timers of the controller and of this feature's parts still running (the views
    have their own checks)."""
    owners = (w.controller, w.extras, w.panels.formula)
    return [t for o in owners for t in o.findChildren(QTimer) if t.isActive()]


@pytest.fixture
def window(qtbot, tmp_path):
    qs = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    errors: list[str] = []
    w = MainWindow(settings=Settings(qs),
                   show_error=lambda _parent, _title, text, *a: errors.append(text))
    w.errors = errors
    qtbot.addWidget(w)
    w.resize(1300, 850)
    w.show()
    qtbot.waitExposed(w)
    qtbot.waitUntil(lambda: w.controller.trainer is not None, timeout=WAIT_MS)
    yield w
    w.close()
    assert not own_timers_running(w)


def settle(qtbot, w: MainWindow) -> None:
    c = w.controller
    qtbot.waitUntil(lambda: not c._rerun_timer.isActive() and not c._clock.running,
                    timeout=WAIT_MS)


def lesson_action(w: MainWindow, name: str):
    menu = w.extras.lessons_menu
    menu.aboutToShow.emit()  # what opening the menu does: it is filled on first use
    return next(a for a in menu.actions() if a.data() == name)


def test_the_lessons_menu_lists_every_lesson(window):
    menu = window.extras.lessons_menu
    assert menu.title() == "&Lessons"
    assert menu.menuAction() in window.menuBar().actions()
    menu.aboutToShow.emit()
    menu.aboutToShow.emit()  # filled once
    assert [a.data() for a in menu.actions()] == [lesson.name for lesson in list_lessons()]


def test_every_lesson_opens_from_the_menu_runs_a_trial_and_checks_its_claims(qtbot, window):
    c, panel = window.controller, window.extras.lesson
    for lesson in list_lessons():
        lesson_action(window, lesson.name).trigger()
        assert not window.errors
        assert window.extras.lesson_dock.isVisible()
        assert c.problem.name == lesson.problem and c.config.lr == lesson.lr
        assert (c.config.optimizer, c.config.steps, c.config.batch) == (
            lesson.optimizer, lesson.steps, lesson.batch)
        assert lesson.title in panel.title.text()
        assert panel.summary.text() == lesson.summary
        assert [b.text() for b in panel.buttons] == [f"lr {t.lr:g}" for t in lesson.trials]
        trial = lesson.trials[-1]
        built = c.runs_built
        qtbot.mouseClick(panel.buttons[-1], Qt.MouseButton.LeftButton)
        assert c.config.lr == trial.lr
        assert c.config.steps == (trial.steps if trial.steps is not None else lesson.steps)
        settle(qtbot, window)
        assert c.runs_built > built and c.trainer.finished  # the whole budget was run
        # the window stops at the problem's tolerance; the lesson's own run goes on
        reached = trial.expect == "reaches" and c.trainer.status == "converged"
        assert c.trainer.status == trial.status or reached, lesson.name
        assert trial.text in panel.trial_note.text()
        qtbot.waitUntil(lambda: not panel.claims_pending, timeout=WAIT_MS)
        shown = panel.claims.text()
        for claim in lesson.claims:
            result = claim.check()
            assert result.holds, claim.key
            assert _escaped(claim.article_says) in shown
            assert _escaped(result.text) in shown


def test_a_trial_after_wandering_off_goes_back_to_the_lessons_set_up(qtbot, window):
    c, panel = window.controller, window.extras.lesson
    lesson_action(window, "house-prices").trigger()
    c.set_problem("quadratic")
    c.set_optimizer("adam")
    qtbot.mouseClick(panel.buttons[0], Qt.MouseButton.LeftButton)
    assert (c.problem.name, c.config.optimizer) == ("house-prices", "sgd")
    assert c.config.lr == panel.lesson.trials[0].lr
    settle(qtbot, window)


def _escaped(text: str) -> str:
    from desktop.panels.lesson_panel import breakable

    return breakable(text)  # escaped, with break chances in long tokens
