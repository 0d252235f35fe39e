"""A scheduled run seen in the window, saved as a session, is the same run typed on the
command line: the window model's own table, the session's and the CLI's, cell for cell."""

from __future__ import annotations

import numpy as np
import pytest

import core
from core.cli import main
from core.run.table import StepTable
from core.session import load_session
from desktop.model import WindowModel
from desktop.session_io import session_of


@pytest.mark.parametrize(("spec", "flags"), [
    ({"name": "cosine", "T_max": 25, "eta_min": 0.001},
     ["--schedule", "cosine", "--schedule-option", "T_max=25",
      "--schedule-option", "eta_min=0.001"]),
    ({"name": "step", "step_size": 10, "gamma": 0.5},
     ["--schedule", "step", "--schedule-option", "step_size=10",
      "--schedule-option", "gamma=0.5"]),
])
def test_the_windows_scheduled_run_is_the_cli_run(tmp_path, capsys, spec, flags):
    m = WindowModel()
    m.knobs.set_problem("rosenbrock")
    m.start(play=False)
    m.settle()
    m.knobs.set_lr(0.0015)
    m.knobs.set_optimizer("adam", betas=(0.8, 0.99))
    m.knobs.set_schedule(spec)
    m.settle()
    on_screen = m.table
    path = tmp_path / "s.json"
    session_of(m).save(path)
    back = load_session(path)
    saved = core.make_trainer(back.build_problem(), back.config).run().table

    typed = {}
    for tol in (None, "0.001"):  # the window stops at rosenbrock's tolerance, 0.001
        out = tmp_path / f"typed-{tol}.csv"
        code = main(["run", "--problem", "rosenbrock", "--lr", "0.0015", "--steps",
                     str(back.config.steps), "--optimizer", "adam", "--betas", "0.8,0.99",
                     *flags, *(["--tol", tol] if tol else []), "--out", str(out)])
        assert code == 0, capsys.readouterr().err
        typed[tol] = StepTable.read_csv(out)
    assert m.trainer.config.tol == 0.001
    assert typed[None].columns == saved.columns == list(on_screen.columns)
    np.testing.assert_array_equal(typed[None].block(), saved.block())
    np.testing.assert_array_equal(typed["0.001"].block(), on_screen.block())
