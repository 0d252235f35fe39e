"""Session files in the window: save → open reproduces the run, bad files change nothing,
the recent-sessions menu, and a session named on the command line opens on launch.

Message boxes are captured through the window's ``show_error`` (never shown);
file dialogs are monkeypatched (never opened).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("pytestqt")

from _window import close_window, open_window
from PySide6.QtWidgets import QFileDialog

import core
from desktop.app import split_session_arg
from desktop.main_window import MainWindow

pytestmark = pytest.mark.qt_log_ignore(r"^This plugin does not support propagateSizeHints\(\)$")

WAIT_MS = 20_000
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


class _Errors(list):
    """(title, text) of each message box the window asked for."""


@pytest.fixture
def window(qtbot, tmp_path):
    errors = _Errors()
    w = open_window(qtbot, tmp_path, size=(1100, 750), errors=errors)
    # open_window's sink keeps the text only; keep the title too
    w.show_error = lambda _p, title, text, *a: errors.append((title, text))
    w.errors = errors  # type: ignore[attr-defined]
    yield w
    close_window(w)


def settle(qtbot, w: MainWindow) -> None:
    m = w.model
    qtbot.waitUntil(lambda: m.idle() and not w.runtime.clock.running
                    and m.trainer is not None and m.trainer.finished, timeout=WAIT_MS)


def snapshot(w: MainWindow) -> tuple:
    m = w.model
    return (json.dumps(m.knobs_dict(), sort_keys=True), m.knobs.config, m.knobs.problem.name,
            m.table.block().copy(), [(r.label, r.key) for r in m.compare.runs])


def same(a: tuple, b: tuple) -> bool:
    return a[:3] == b[:3] and np.array_equal(a[3], b[3], equal_nan=True) and a[4] == b[4]


def test_save_then_open_reproduces_the_identical_table(qtbot, window, tmp_path, monkeypatch):
    w = window
    k = w.model.knobs
    k.set_problem("quadratic", condition=25.0)
    k.set_optimizer("adam", betas=(0.8, 0.99), amsgrad=True)
    k.set_lr(0.04)
    k.set_steps(150)
    k.set_start([1.5, -2.0])
    k.set_schedule({"name": "step", "step_size": 40, "gamma": 0.5})
    settle(qtbot, w)
    w.model.pin()
    k.set_lr(0.02)
    settle(qtbot, w)
    saved = snapshot(w)
    path = tmp_path / "experiment.json"
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        staticmethod(lambda *a, **k: (str(tmp_path / "experiment"), "")))
    w.actions["save"].trigger()  # Ctrl+S: the dialog's name gets .json
    assert path.is_file(), w.errors
    doc = json.loads(path.read_text())
    assert doc["problem"] == {"name": "quadratic", "options": {"condition": 25.0}}
    assert (doc["optimizer"], doc["lr"], doc["steps"], doc["start"]) == ("adam", 0.04 / 2, 150,
                                                                         [1.5, -2.0])
    assert [p["lr"] for p in doc["pinned"]] == [0.04]

    k.set_problem("rosenbrock")  # something else entirely
    settle(qtbot, w)
    monkeypatch.setattr(QFileDialog, "getOpenFileName",
                        staticmethod(lambda *a, **k: (str(path), "")))
    w.actions["open"].trigger()  # Ctrl+O
    settle(qtbot, w)
    assert w.errors == []
    opened = snapshot(w)
    assert same(saved, opened)
    assert np.array_equal(opened[3], core.make_trainer(k.problem, k.config).run().table.block())
    (label, key, run), = w.model.compare.runs
    assert label.startswith("pinned: adam") and key == "pin-0"
    assert (run.config.lr, run.config.optimizer) == (0.04, "adam")
    assert len(w.plots.contour._compare_items) == 1  # the pinned run is drawn again
    assert w.strip.lr.field.text() == "0.02"
    assert f"Opened the session {path}" in w.status_label.text()


BAD = {
    "not JSON": ("{ this is not json", ["not valid JSON", "line 1"]),
    "not a session": ('{"hello": 1}', ["'format'", "lr-playground-session"]),
    "unknown version": ({"version": 99}, ["version 99", "version 1"]),
    "missing field": ({"lr": None}, ["'lr'", "missing"]),
    "negative lr": ({"lr": -0.5}, ["'lr'", ">= 0"]),
    "too many steps": ({"steps": 10**9}, ["'steps'", "at most"]),
    "unknown problem": ({"problem": {"name": "nope"}}, ["'problem'", "rosenbrock"]),
    "bad option": ({"problem": {"name": "quadratic", "options": {"condition": 0}}},
                   ["condition", "from 1 to"]),
    "wrong start": ({"start": [1, 2, 3]}, ["'start'", "2 values"]),
    "infinite number": ('{"format": "lr-playground-session", "version": 1, "lr": Infinity}',
                        ["Infinity", "finite"]),
    "batches without data": ({"batch": "sample"}, ["'batch'", "needs a data problem",
                                                   "use batch 'full'"]),
    "bad pinned run": ({"pinned": [{"lr": "fast"}]}, ["pinned[0]", "lr"]),
}


def bad_file(tmp_path, kind: str) -> tuple[str, list[str]]:
    change, words = BAD[kind]
    if isinstance(change, str):
        text = change
    else:
        doc = json.loads(core.session.session_for(  # a valid session, then one field broken
            "quadratic", core.RunConfig(problem="quadratic", lr=0.1, start=(1.0, 1.0))).to_json())
        for key, value in change.items():
            if value is None:
                doc.pop(key)
            else:
                doc[key] = value
        text = json.dumps(doc)
    path = tmp_path / f"{kind.replace(' ', '-')}.json"
    path.write_text(text)
    return str(path), words


def test_each_bad_session_is_refused_with_its_message_and_the_window_unchanged(qtbot, window,
                                                                              tmp_path):
    w = window
    w.model.knobs.set_lr(0.05)
    settle(qtbot, w)
    before = snapshot(w)
    runs = w.model.playback.runs_built
    for kind in BAD:
        path, words = bad_file(tmp_path, kind)
        assert not w.session_io.open(path), kind
        title, text = w.errors[-1]
        assert title == "Cannot open the session"
        assert path in text, (kind, text)
        for word in words:
            assert word in text, (kind, word, text)
        assert same(before, snapshot(w)), kind
    assert len(w.errors) == len(BAD)
    assert w.model.playback.runs_built == runs  # nothing was even re-run
    assert w.settings.recent_sessions() == []  # a refused file is not "recent"
    assert not w.session_io.open(tmp_path / "missing.json")
    assert "no such file" in w.errors[-1][1]


def test_recent_sessions_keep_eight_and_prune_missing_files(qtbot, window, tmp_path):
    w = window
    paths = []
    for i in range(9):
        path = tmp_path / f"s{i}.json"
        w.model.knobs.set_lr(0.01 * (i + 1))
        assert w.session_io.save(path)
        paths.append(str(path))
    menu = w.session_io.recent_menu
    listed = [a.data() for a in menu.actions() if a.data()]
    assert listed == paths[::-1][:8]  # newest first, the oldest dropped
    assert menu.actions()[0].text() == "&1 s8.json"
    os.remove(paths[5])
    action = next(a for a in menu.actions() if a.data() == paths[5])
    action.trigger()
    assert paths[5] in w.errors[-1][1] and "no longer exists" in w.errors[-1][1]
    assert paths[5] not in w.settings.recent_sessions()
    assert paths[5] not in [a.data() for a in menu.actions()]
    next(a for a in menu.actions() if a.data() == paths[2]).trigger()  # opens it
    assert w.model.knobs.lr == pytest.approx(0.03)
    assert w.settings.recent_sessions()[0] == paths[2]


def test_a_failed_save_keeps_the_old_file_and_says_why(window, tmp_path, monkeypatch):
    w = window
    path = tmp_path / "kept.json"
    path.write_text("the old session")

    def refuse(src, dst):
        raise PermissionError(13, "Permission denied", str(dst))

    monkeypatch.setattr(os, "replace", refuse)
    assert not w.session_io.save(path)
    title, text = w.errors[-1]
    assert title == "Cannot save the session"
    assert str(path) in text and "Permission denied" in text
    assert path.read_text() == "the old session"
    assert [n for n in os.listdir(tmp_path) if n != "settings.ini"] == ["kept.json"]
    assert w.settings.recent_sessions() == []


def test_a_formula_session_round_trips(qtbot, window, tmp_path):
    w = window
    k = w.model.knobs
    ref = core.session.ProblemRef(formula="(1-a)**2 + 10*(b-a**2)**2", params=("a", "b"))
    k.set_custom_problem(ref.build(), ref)
    k.set_lr(0.01)
    k.set_start([-1.0, 2.0])
    settle(qtbot, w)
    saved = snapshot(w)
    assert w.session_io.save(tmp_path / "formula.json")
    assert json.loads((tmp_path / "formula.json").read_text())["problem"] == {
        "formula": "(1-a)**2 + 10*(b-a**2)**2", "params": ["a", "b"]}
    k.set_problem("quadratic")
    settle(qtbot, w)
    assert w.session_io.open(tmp_path / "formula.json"), w.errors
    settle(qtbot, w)
    assert same(saved, snapshot(w))
    assert w.session_io.current_session().problem == ref  # saving again keeps the formula


def test_the_command_line_names_a_session_apart_from_qts_options():
    assert split_session_arg(["s.json"]) == ("s.json", [])
    assert split_session_arg(["-platform", "offscreen", "a b.json", "-style=fusion"]) == (
        "a b.json", ["-platform", "offscreen", "-style=fusion"])
    assert split_session_arg(["-reverse"]) == (None, ["-reverse"])
    assert split_session_arg(["-reverse", "s.json"]) == ("s.json", ["-reverse"])


def test_a_session_on_the_command_line_opens_on_launch(tmp_path):
    path = tmp_path / "launch.json"
    session = core.session.session_for(
        "quadratic", core.RunConfig(problem="quadratic", lr=0.0123, steps=40, seed=4,
                                    optimizer="rmsprop", start=(2.0, -1.0)))
    session.save(path)
    expected = core.make_trainer(session.build_problem(), session.config).run().table.block()
    np.save(tmp_path / "expected.npy", expected)
    code = (
        "import sys, numpy as np\n"
        "import desktop.main_window as mw\n"
        "class Spy(mw.MainWindow):\n"
        "    def closeEvent(self, event):\n"
        "        m = self.model\n"
        "        same = np.array_equal(m.table.block(), np.load(sys.argv[2]))\n"
        "        print('state', m.knobs.problem.name, m.knobs.lr, m.knobs.config.optimizer,"
        " same)\n"
        "        super().closeEvent(event)\n"
        "mw.MainWindow = Spy\n"
        "from desktop.app import main\n"
        "sys.exit(main(['lr-playground', sys.argv[1], '--quit-after-ms', '2500']))\n"
    )
    env = {"QT_QPA_PLATFORM": "offscreen", "HOME": str(tmp_path), "PATH": "/usr/bin:/bin",
           "XDG_CONFIG_HOME": str(tmp_path / "config"), "XDG_DATA_HOME": str(tmp_path / "data"),
           "PYTHONPATH": ROOT}
    out = subprocess.run([sys.executable, "-c", code, str(path), str(tmp_path / "expected.npy")],
                         capture_output=True, text=True, env=env, timeout=120, cwd=ROOT)
    assert out.returncode == 0, out.stderr[-2000:]
    assert "state quadratic 0.0123 rmsprop True" in out.stdout, (out.stdout, out.stderr[-2000:])


# ---------------------------------------------------------------- hostile files
def _hostile(tmp_path) -> dict[str, tuple[str, list[str]]]:
    """The files a careless or hostile user may open as a session: (path, message words)."""
    good = json.loads(core.session.session_for(
        "quadratic", core.RunConfig(problem="quadratic", lr=0.1, start=(1.0, 1.0))).to_json())

    def file(name: str, text: str) -> str:
        path = tmp_path / name
        path.write_text(text)
        return str(path)

    def changed(name: str, raw: str, **fields: object) -> str:
        text = json.dumps({**good, **fields, "lr": "@LR@"}).replace('"@LR@"', raw)
        return file(name, text)

    data_pipe = tmp_path / "data.csv"
    cases = {
        "pinned 5": (changed("p5.json", "0.1", pinned=5), ["'pinned'", "list"]),
        "pinned true": (changed("pt.json", "0.1", pinned=True), ["'pinned'", "true"]),
        "pinned[2].lr": (changed("p2.json", "0.1", pinned=[{"lr": 0.1}, {"lr": 0.2},
                                                          {"lr": "fast"}]),
                         ["'pinned[2].lr'", "number"]),
        "4,000 digits": (changed("digits.json", "9" * 4000), ["'lr'", "4,000 digits"]),
        "1e999": (changed("e999.json", "1e999"), ["'lr'", "beyond float64"]),
        "version true": (changed("vt.json", "0.1", version=True), ["'version'", "true"]),
        "version 1.0": (changed("v1.json", "0.1", version=1.0), ["'version'", "1.0"]),
        "nested": (file("deep.json", "[" * 100_000 + "]" * 100_000), ["nested", "100,000"]),
        "a folder": (str(tmp_path), ["is a folder"]),
    }
    if Path("/dev/zero").exists():
        cases["a device"] = ("/dev/zero", ["is a device"])
    if hasattr(os, "mkfifo"):
        fifo = tmp_path / "pipe.json"
        os.mkfifo(fifo)
        cases["a pipe"] = (str(fifo), ["is a pipe (FIFO)"])
        os.mkfifo(data_pipe)
        cases["data from a pipe"] = (
            file("dp.json", json.dumps({**good, "problem": {"data": str(data_pipe)}})),
            ["'problem'", "is a pipe (FIFO)"])
    return cases


def test_hostile_session_files_opened_from_the_menu_change_nothing(qtbot, window, tmp_path,
                                                                   monkeypatch):
    """File → Open session… on each: one message naming what is wrong, the window as it was.

    A pipe that no one writes to would block a reader for ever; should the check
    regress, a thread opens it for writing after a while, so the test fails
    instead of hanging.
    """
    w = window
    w.model.knobs.set_lr(0.05)
    settle(qtbot, w)
    before = snapshot(w)
    runs = w.model.playback.runs_built
    cases = _hostile(tmp_path)
    unblock = _unblock_pipes_later([p for p, _ in cases.values()])
    try:
        for kind, (path, words) in cases.items():
            monkeypatch.setattr(QFileDialog, "getOpenFileName",
                                staticmethod(lambda *a, p=path, **k: (p, "")))
            count = len(w.errors)
            w.actions["open"].trigger()
            assert len(w.errors) == count + 1, kind
            title, text = w.errors[-1]
            assert title == "Cannot open the session", (kind, title)
            assert "\n" not in text and len(text) < 500, (kind, text)
            for word in words:
                assert word in text, (kind, word, text)
            assert same(before, snapshot(w)), kind
    finally:
        unblock.set()
    assert w.model.playback.runs_built == runs
    assert w.settings.recent_sessions() == []


def _unblock_pipes_later(paths: list[str]):
    """An event; unless it is set within 60 s, each pipe among ``paths`` is opened for
    writing once (which wakes a reader blocked on it with an end of file)."""
    import stat
    import threading

    done = threading.Event()
    pipes = [p for p in paths if os.path.exists(p) and stat.S_ISFIFO(os.stat(p).st_mode)]

    def wake() -> None:
        if done.wait(60):
            return
        for pipe in pipes:
            try:
                fd = os.open(pipe, os.O_WRONLY | os.O_NONBLOCK)
            except OSError:
                continue
            os.close(fd)

    threading.Thread(target=wake, daemon=True).start()
    return done
