"""Lessons in the window: every lesson opens from the Lessons menu with its set-up, a trial
button runs its learning rate, and the claims box shows every claim recomputed."""

from __future__ import annotations

import pytest

pytest.importorskip("pytestqt")

from _window import close_window, open_window, settle
from PySide6.QtCore import Qt

from core.lessons import list_lessons
from desktop.main_window import MainWindow

WAIT_MS = 30_000


@pytest.fixture
def window(qtbot, tmp_path):
    errors: list[str] = []
    w = open_window(qtbot, tmp_path, size=(1300, 850), errors=errors)
    w.errors = errors
    yield w
    close_window(w)


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
    c, panel = window.model, window.extras.lesson
    for lesson in list_lessons():
        lesson_action(window, lesson.name).trigger()
        assert not window.errors
        assert window.extras.lesson_dock.isVisible()
        assert c.knobs.problem.name == lesson.problem and c.knobs.config.lr == lesson.lr
        assert (c.knobs.config.optimizer, c.knobs.config.steps, c.knobs.config.batch) == (
            lesson.optimizer, lesson.steps, lesson.batch)
        assert lesson.title in panel.title.text()
        assert panel.summary.text() == lesson.summary
        assert [b.text() for b in panel.buttons] == [f"lr {t.lr:g}" for t in lesson.trials]
        trial = lesson.trials[-1]
        built = c.playback.runs_built
        qtbot.mouseClick(panel.buttons[-1], Qt.MouseButton.LeftButton)
        assert c.knobs.config.lr == trial.lr
        assert c.knobs.config.steps == (trial.steps if trial.steps is not None else lesson.steps)
        settle(qtbot, window)
        assert c.playback.runs_built > built and c.trainer.finished  # the whole budget was run
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
    c, panel = window.model, window.extras.lesson
    lesson_action(window, "house-prices").trigger()
    c.knobs.set_problem("quadratic")
    c.knobs.set_optimizer("adam")
    qtbot.mouseClick(panel.buttons[0], Qt.MouseButton.LeftButton)
    assert (c.knobs.problem.name, c.knobs.config.optimizer) == ("house-prices", "sgd")
    assert c.knobs.config.lr == panel.lesson.trials[0].lr
    settle(qtbot, window)


def _escaped(text: str) -> str:
    from desktop.panels.lesson_panel import breakable

    return breakable(text)  # escaped, with break chances in long tokens
