"""Save and open session files in the window, and the File → Recent sessions menu.

A session is `core.session.Session`: the problem reference, the run config
and the pinned comparison runs, as versioned JSON. Opening one is all or
nothing: the file is read and every field validated, the problem built, the
batch checked against its data and the pinned runs computed *before* the
model is touched. Any failure is one message box naming the field and
what is allowed, and the window stays exactly as it was. Applying reproduces
the saved run exactly: same problem, start, optimizer, schedule, batches and
seed, so the same step table.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QFileDialog, QMenu

import core
from core.errors import ConfigError
from core.session import PinnedRun, ProblemRef, Session, load_session
from desktop.model.compare import MAX_PINNED
from desktop.model.knobs import Restored, check_trainable, default_axes, tolerance_of

if TYPE_CHECKING:
    from desktop.model import WindowModel

log = logging.getLogger(__name__)

FOLDER_KEY = "sessions/folder"
FILE_FILTER = "LR Playground session (*.json)"


@dataclass
class Prepared:
    """A validated session, ready to install: nothing here can fail any more."""

    restored: Restored
    pinned: list[tuple[str, Any]]
    note: str


def session_of(model: WindowModel) -> Session:
    """The model's current problem, knobs and pinned runs as a `Session`."""
    k = model.knobs
    pinned = tuple(
        PinnedRun(label=item.label, lr=item.run.config.lr, optimizer=item.run.config.optimizer,
                  hyper=dict(item.run.config.hyper))
        for item in model.compare.pinned
    )
    return Session(k.problem_ref, k.config.with_(start=k.start), pinned)


def prepare(session: Session, where: str) -> Prepared:
    """Everything that can fail, done before the window changes (ConfigError if bad)."""
    problem = session.build_problem()
    ref: ProblemRef = session.problem
    name = ref.name if ref.name is not None else problem.name
    options = dict(ref.options) if ref.name is not None else {}
    cfg = session.config
    start = problem.check_start(cfg.start if cfg.start is not None else problem.start)
    cfg = cfg.with_(problem=name, options=options, start=tuple(start),
                    tol=tolerance_of(problem))
    try:
        check_trainable(problem, cfg)
    except ConfigError as exc:
        raise ConfigError(f"{where!r}: session field 'batch': {exc}") from None
    device, note = None, ""
    if cfg.backend == "torch":
        if core.torch_available():
            device = cfg.device  # loaded in the background, as at start-up
        else:
            note = " torch is not installed here, so the run uses the numpy backend."
        cfg = cfg.with_(backend="numpy")
    pinned = []
    for pin in session.pinned[-MAX_PINNED:]:
        pin_cfg = cfg.with_(lr=pin.lr, optimizer=pin.optimizer, hyper=dict(pin.hyper))
        pinned.append((pin.label, core.make_trainer(problem, pin_cfg).run()))
    custom = ref if ref.name is None else None  # a formula or a data set: keep its recipe
    restored = Restored(problem, cfg, None, default_axes(problem), custom, device)
    return Prepared(restored, pinned, note)


class SessionIO(QObject):
    """File → Open session…, Save session…, Recent sessions, for one window."""

    def __init__(self, window: Any) -> None:
        super().__init__(window)
        self.w = window
        self.recent_menu = QMenu("Recent sessions", window)
        self.recent_menu.setObjectName("recent-sessions")
        self._rebuild_recent_menu()

    # ------------------------------------------------------------ building
    def current_session(self) -> Session:
        return session_of(self.w.model)

    # ------------------------------------------------------------ interactive
    def save_interactive(self) -> None:
        name = f"{self.w.model.knobs.problem.name}.json"
        path, _filter = QFileDialog.getSaveFileName(
            self.w, "Save session", os.path.join(self._folder(), name), FILE_FILTER)
        if path:
            self.save(path if path.lower().endswith(".json") else path + ".json")

    def open_interactive(self) -> None:
        path, _filter = QFileDialog.getOpenFileName(self.w, "Open session", self._folder(),
                                                    f"{FILE_FILTER};;All files (*)")
        if path:
            self.open(path)

    # ------------------------------------------------------------ doing
    def save(self, path: str | os.PathLike[str]) -> bool:
        """Write the session to ``path`` atomically; a failure is shown, never raised."""
        where = os.fspath(path)
        try:
            self.current_session().save(where)
        except ConfigError as exc:
            self._fail("Cannot save the session", str(exc))
            return False
        self._remember(where)
        self.w.model.show_message(f"Saved the session to {where}.")
        return True

    def open(self, path: str | os.PathLike[str]) -> bool:
        """Validate ``path`` fully, then apply it; on any error show it and change nothing."""
        where = os.fspath(path)
        try:
            prepared = prepare(load_session(where), where)
        except ConfigError as exc:
            text = str(exc)  # core names the file in most messages, not in all
            self._fail("Cannot open the session", text if where in text else f"{where!r}: {text}")
            return False
        self.w.model.install(prepared.restored, prepared.pinned,
                             f"Opened the session {where}.{prepared.note}")
        self._remember(where)
        return True

    def open_recent(self, path: str) -> bool:
        if not os.path.isfile(path):
            self.w.settings.remove_recent_session(path)
            self._rebuild_recent_menu()
            self._fail("Cannot open the session",
                       f"{path!r} no longer exists; it was removed from the recent sessions.")
            return False
        return self.open(path)

    # ------------------------------------------------------------ recent sessions
    def _remember(self, path: str) -> None:
        self.w.settings.add_recent_session(path)
        self.w.settings.set_str(FOLDER_KEY, os.path.dirname(os.path.abspath(path)))
        self._rebuild_recent_menu()

    def _rebuild_recent_menu(self) -> None:
        menu = self.recent_menu
        menu.clear()
        paths = self.w.settings.recent_sessions()
        for i, path in enumerate(paths, 1):
            action = QAction(f"&{i} {os.path.basename(path)}", menu)
            action.setToolTip(path)
            action.setStatusTip(path)
            action.setData(path)
            action.triggered.connect(lambda _checked=False, p=path: self.open_recent(p))
            menu.addAction(action)
        if paths:
            menu.addSeparator()
            menu.addAction("Clear the list", self._on_clear_triggered)
        menu.setEnabled(bool(paths))

    def _on_clear_triggered(self) -> None:
        self.w.settings.set_recent_sessions([])
        self._rebuild_recent_menu()

    # ------------------------------------------------------------ helpers
    def _fail(self, title: str, message: str) -> None:
        log.warning("%s: %s", title, message)
        self.w.show_error(self.w, title, message)

    def _folder(self) -> str:
        folder = self.w.settings.get_str(FOLDER_KEY, "")
        return folder if folder and os.path.isdir(folder) else os.path.expanduser("~")
