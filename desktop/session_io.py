"""Save and open session files in the window, and the File → Recent sessions menu.

A session is `core.session.Session`: the problem reference, the run config
and the pinned comparison runs, as versioned JSON. Opening one is all or
nothing: the file is read and every field validated, the problem built, the
batch checked against its data and the pinned runs computed *before* the
controller is touched. Any failure is one message box naming the field and
what is allowed, and the window stays exactly as it was. Applying reproduces
the saved run exactly: same problem, start, optimizer, schedule, batches and
seed, so the same step table.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QFileDialog, QMenu

import core
from core.errors import ConfigError
from core.session import PinnedRun, ProblemRef, Session, load_session
from desktop.controller import state
from desktop.controller.compare import MAX_PINNED

log = logging.getLogger(__name__)

FOLDER_KEY = "sessions/folder"
FILE_FILTER = "LR Playground session (*.json)"


@dataclass
class Prepared:
    """A validated session, ready to install: nothing here can fail any more."""

    ref: ProblemRef
    problem: Any
    config: Any
    pinned: list[tuple[str, str, Any]]
    torch_device: str | None
    note: str


def problem_ref_of(controller: Any) -> ProblemRef:
    """How to rebuild the controller's problem: its own reference if it keeps one, else
    read from the problem (a built-in's name and options, a formula, a data file)."""
    own = getattr(controller, "problem_ref", None)
    own = own() if callable(own) else own
    if isinstance(own, ProblemRef):
        return own
    problem = controller.problem
    opts = dict(getattr(problem, "options", None) or {})
    if problem.name == "formula" and "formula" in opts:
        return ProblemRef(formula=str(opts["formula"]),
                          params=tuple(opts.get("params") or problem.param_names))
    if problem.name == "data":
        if not opts.get("path"):
            raise ConfigError("this data set was not read from a file, so a session cannot "
                              "refer to it; load it from a CSV file first")
        return ProblemRef(data=os.path.abspath(str(opts["path"])),
                          model=str(opts.get("model") or "linear"),
                          normalize=bool(opts.get("normalize")),
                          x_column=opts.get("x_column"), y_column=opts.get("y_column"))
    return ProblemRef(name=problem.name, options=dict(controller.config.options))


def session_of(controller: Any) -> Session:
    """The controller's current problem, knobs and pinned runs as a `Session`."""
    cfg = controller.config
    start = tuple(cfg.start or controller.problem.start)
    pinned = tuple(
        PinnedRun(label=label, lr=run.config.lr, optimizer=run.config.optimizer,
                  hyper=dict(run.config.hyper))
        for label, key, run in controller.compare_runs if key.startswith("pin-")
    )
    return Session(problem_ref_of(controller), cfg.with_(start=start), pinned)


def prepare(session: Session, where: str) -> Prepared:
    """Everything that can fail, done before the window changes (ConfigError if bad)."""
    problem = session.build_problem()
    ref = session.problem
    name = ref.name if ref.name is not None else problem.name
    options = dict(ref.options) if ref.name is not None else {}
    cfg = session.config
    start = problem.check_start(cfg.start if cfg.start is not None else problem.start)
    cfg = cfg.with_(problem=name, options=options, start=tuple(start),
                    tol=state.tolerance_of(problem))
    try:
        state.check_trainable(problem, cfg)
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
    for i, pin in enumerate(session.pinned[-MAX_PINNED:]):
        pin_cfg = cfg.with_(lr=pin.lr, optimizer=pin.optimizer, hyper=dict(pin.hyper))
        run = core.make_trainer(problem, pin_cfg).run()
        pinned.append((pin.label, f"pin-{i}", run))
    return Prepared(ref, problem, cfg, pinned, device, note)


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
        return session_of(self.w.controller)

    # ------------------------------------------------------------ interactive
    def save_interactive(self) -> None:
        name = f"{self.w.controller.problem.name}.json"
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
        self.w.controller.show_message(f"Saved the session to {where}.")
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
        self._apply(prepared)
        self._remember(where)
        self.w.controller.show_message(f"Opened the session {where}.{prepared.note}")
        return True

    def open_recent(self, path: str) -> bool:
        if not os.path.isfile(path):
            self.w.settings.remove_recent_session(path)
            self._rebuild_recent_menu()
            self._fail("Cannot open the session",
                       f"{path!r} no longer exists; it was removed from the recent sessions.")
            return False
        return self.open(path)

    def _apply(self, prepared: Prepared) -> None:
        c = self.w.controller
        axes = (0, 1) if prepared.problem.n_params > 1 else (0, 0)
        if prepared.ref.name is None and hasattr(c, "set_custom_problem"):
            # the controller's record of how to rebuild a formula or data problem
            # (controller/custom.py): saving again or restarting must find the recipe
            c._custom = (prepared.problem, prepared.ref)
        # one install of the whole config (set_custom_problem would first run the
        # problem's defaults): the same path the controller's restore() takes
        c._install(prepared.problem, prepared.config, axes)
        c.compare_runs = list(prepared.pinned)
        c._pin_count = len(prepared.pinned)
        if prepared.pinned:
            # the plots exist only once the controller has started (after the first paint)
            self._when_started(c.compareChanged.emit)
        if prepared.torch_device is not None:
            try:
                c.set_backend("torch", prepared.torch_device)
            except ConfigError as exc:
                c.show_message(str(exc))

    def _when_started(self, fn: Callable[[], Any]) -> None:
        c = self.w.controller
        if c.started:
            fn()
            return

        def once() -> None:
            c.runReset.disconnect(once)
            fn()

        c.runReset.connect(once)

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
