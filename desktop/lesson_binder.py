"""`LessonBinder`: the Lessons menu, loading a lesson's set-up, its trials and its claims.

The menu is filled the first time it opens (reading the lessons costs ~20 ms
of imports, kept off the window's first paint). A lesson's set-up goes to the
knobs in one call, so a lesson that cannot load changes nothing. The claims
are checked in the model's worker process; only the newest lesson's answer
is shown.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, Qt

from core import ConfigError
from desktop.lesson_checks import claim_texts

JOB = "lesson-claims"


class LessonBinder(QObject):
    def __init__(self, window: Any, model: Any, panel: Any, dock: Any, menu: Any) -> None:
        super().__init__(window)
        self.w = window
        self.m = model
        self.panel = panel
        self.dock = dock
        self.menu = menu
        self.lesson: Any = None
        menu.aboutToShow.connect(self.fill_menu)
        panel.trialClicked.connect(self._on_panel_trial_clicked)

    def fill_menu(self) -> None:
        """One action per lesson, in the order of the seed articles (once)."""
        if self.menu.actions():
            return
        from core.lessons import list_lessons

        for lesson in list_lessons():
            action = self.menu.addAction(f"Seed {lesson.seed}: {lesson.title}")
            action.setData(lesson.name)
            action.setToolTip(lesson.summary)
            action.triggered.connect(lambda _c=False, n=lesson.name: self.open_lesson(n))

    def open_lesson(self, name: str) -> bool:
        """Load the lesson's set-up and show it; False (and a message) if it cannot load."""
        from core.lessons import get_lesson

        try:
            lesson = get_lesson(name)
            self._load_setup(lesson)
        except ConfigError as exc:
            self.w.show_error(self.w, "Lesson", f"The lesson could not be loaded: {exc}")
            return False
        self.lesson = lesson
        self.panel.show_lesson(lesson)
        if not self.dock.isVisible():
            self.dock.show()
            # a dock shown late gets a sliver of the width: give it room to read
            self.w.resizeDocks([self.dock], [self.panel.sizeHint().width()],
                               Qt.Orientation.Horizontal)
        self.dock.raise_()
        if lesson.claims:
            self.m.jobs.submit(JOB, claim_texts, self._on_claims_done, self._on_claims_failed,
                               args=(lesson.name,), in_process=True)
        return True

    def _load_setup(self, lesson: Any) -> None:
        self.m.knobs.load_setup(lesson.problem, optimizer=lesson.optimizer, lr=lesson.lr,
                          steps=lesson.steps, batch=lesson.batch, hyper=dict(lesson.hyper))

    def _in_force(self, lesson: Any) -> bool:
        k = self.m.knobs
        cfg = k.config
        return (not k.is_custom and k.problem.name == lesson.problem
                and cfg.optimizer == lesson.optimizer and dict(cfg.hyper) == dict(lesson.hyper)
                and cfg.batch == lesson.batch and cfg.schedule is None)

    def _on_panel_trial_clicked(self, index: int) -> None:
        lesson = self.lesson
        if lesson is None:
            return
        trial = lesson.trials[index]
        try:
            if not self._in_force(lesson):  # the user wandered off: back to the set-up
                self._load_setup(lesson)
            self.m.run_with(trial.lr, trial.steps if trial.steps is not None else lesson.steps)
        except ConfigError as exc:
            self.w.show_error(self.w, "Lesson", str(exc))
            return
        self.panel.show_trial(index)

    def _on_claims_done(self, results: list[tuple[str, str, bool]]) -> None:
        self.panel.show_claims(results)

    def _on_claims_failed(self, exc: BaseException) -> None:
        self.panel.show_claims_error(str(exc))
