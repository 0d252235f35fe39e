"""Every command of the window, declared once: its menu, text, key and tip.

The menus, the keyboard shortcuts and the buttons of the strip and the
panels are all made from this one table (`build_actions`): a button is
``setDefaultAction(action)``, so its text, tip and enabled state are the
action's. One-key shortcuts (Space, →, R, 1 2 3 …) never take a key from the
control that has focus (`desktop.panels.widgets.KeyGuard`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMainWindow, QMenu


@dataclass(frozen=True)
class ActionSpec:
    """One command: ``key`` names it in code, ``menu`` is where it is listed."""

    key: str
    menu: str
    text: str
    shortcut: str = ""
    tip: str = ""
    checkable: bool = False
    separator_before: bool = False


MENUS = (("file", "&File"), ("edit", "&Edit"), ("run", "&Run"), ("view", "&View"),
         ("lessons", "&Lessons"), ("help", "&Help"))

ACTIONS: tuple[ActionSpec, ...] = (
    ActionSpec("open", "file", "Open session…", "Ctrl+O",
               "Open a saved experiment: its problem, knobs and pinned runs."),
    ActionSpec("open-data", "file", "Open data…", "Ctrl+D",
               "Load a CSV file as a linear or logistic regression."),
    ActionSpec("save", "file", "Save session…", "Ctrl+S",
               "Save the experiment (problem, knobs, pinned runs) as a session file."),
    ActionSpec("export", "file", "Export…", "Ctrl+E",
               "Export a plot (PNG, SVG, PDF) or the step table (CSV, TSV, Markdown, JSON).",
               separator_before=True),
    ActionSpec("animate", "file", "Export run as animation…", "",
               "Write the run as an animated GIF or MP4: the contour with the growing path "
               "beside the loss curve."),
    ActionSpec("bundle", "file", "Export bundle…", "",
               "Write the plots, the step table and the session into one folder."),
    ActionSpec("quit", "file", "Quit", "Ctrl+Q", "Close the window.", separator_before=True),
    ActionSpec("copy", "edit", "Copy rows", "Ctrl+C",
               "Copy the selected rows of the step table with the header (paste them into "
               "a spreadsheet)."),
    ActionSpec("play", "run", "Play", "Space",
               "Start or pause the descent, one step after another (Space)."),
    ActionSpec("step", "run", "One step", "Right",
               "Take a single step: predict, measure the loss, take the gradient, update "
               "the weights (→)."),
    ActionSpec("step-back", "run", "Step back", "Left",
               "Show the step before, from the run already computed (←); → goes forward "
               "again."),
    ActionSpec("reset", "run", "Reset", "R",
               "Go back to the start point and forget the steps taken (R)."),
    ActionSpec("too-small", "run", "Too small", "1",
               "A learning rate so small that each step barely moves the weights (key 1).",
               separator_before=True),
    ActionSpec("just-right", "run", "Just right", "2",
               "A learning rate that reaches the minimum within the step budget (key 2)."),
    ActionSpec("too-big", "run", "Too big", "3",
               "A learning rate so big that each step overshoots and the loss grows (key 3)."),
    ActionSpec("halve", "run", "Halve lr", "H",
               "Halve the learning rate: the first thing to try when the loss blows up (H)."),
    ActionSpec("compare", "run", "Compare presets", "C",
               "Run too small, just right and too big side by side on the same plots (C).",
               separator_before=True),
    ActionSpec("pin", "run", "Pin run", "P",
               "Keep this run on the plots to compare it with the next ones (P)."),
    ActionSpec("clear", "run", "Clear compared runs", "",
               "Remove the compared and pinned runs from the plots."),
    ActionSpec("range-test", "run", "LR range test", "",
               "Run the learning-rate range test for the knobs in force: one run whose "
               "learning rate grows from 1e-6 to 10; its suggestions beside the presets.",
               separator_before=True),
    ActionSpec("log", "view", "Log loss axis", "", "Show the loss on a log scale.",
               checkable=True),
    ActionSpec("arrows", "view", "Show arrows", "",
               "Arrows at the current point of the contour: the negative gradient and the "
               "update actually taken.", checkable=True),
    ActionSpec("help", "help", "Short help", "F1", "What the window shows and which keys do what."),
)

PRESET_KEYS = ("too-small", "just-right", "too-big")


def build_actions(window: QMainWindow, handlers: Mapping[str, Callable[[], object]],
                  parent: QObject | None = None) -> tuple[dict[str, QAction], dict[str, QMenu]]:
    """One QAction per row of `ACTIONS`, in its menu, with its key and its handler.

    Returns the actions by key and the menus by name (the window adds the
    dock toggles, recent sessions and lessons to them).
    """
    owner = parent if parent is not None else window
    menus = {name: window.menuBar().addMenu(title) for name, title in MENUS}
    actions: dict[str, QAction] = {}
    for spec in ACTIONS:
        action = QAction(spec.text, owner)
        action.setObjectName(f"action-{spec.key}")
        action.setToolTip(spec.tip)
        action.setStatusTip(spec.tip)
        if spec.shortcut:
            action.setShortcut(QKeySequence(spec.shortcut))
        action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        action.setCheckable(spec.checkable)
        handler = handlers.get(spec.key)
        if handler is not None:
            if spec.checkable:
                action.toggled.connect(lambda on, f=handler: f(on))
            else:
                action.triggered.connect(lambda _checked=False, f=handler: f())
        if spec.separator_before:
            menus[spec.menu].addSeparator()
        menus[spec.menu].addAction(action)
        window.addAction(action)  # the shortcuts work with the menu bar hidden too
        actions[spec.key] = action
    return actions, menus
