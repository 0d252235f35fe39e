"""What the window shows, the command line gives: a scheduled run saved as a session is
the same table as the run typed (cell for cell), and a diverged run ends with the
window's own sentence on why."""

from __future__ import annotations

import numpy as np
import pytest

import core
from core.analysis.verdict import HALVE
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


@pytest.mark.parametrize(("problem", "lr", "extra"), [
    ("quadratic", 0.5, []),
    ("house-prices", 0.7, []),
    ("rosenbrock", 0.005, ["--momentum", "0.9"]),
])
def test_a_diverged_run_ends_with_the_windows_sentence(tmp_path, capsys, problem, lr, extra):
    m = WindowModel()
    m.knobs.set_problem(problem)
    m.start(play=False)
    m.settle()
    if extra:
        m.knobs.set_optimizer("sgd", momentum=0.9)
    m.knobs.set_lr(lr)
    m.settle()
    assert m.trainer.status == "diverged"
    window = m.status_model.verdict.text
    assert window.endswith(HALVE)

    out = tmp_path / "t.csv"
    code = main(["run", "--problem", problem, "--lr", str(lr), "--steps", str(m.knobs.steps),
                 *extra, "--tol", str(m.trainer.config.tol), "--out", str(out)])
    stdout = capsys.readouterr().out
    assert code == 0  # a diverged run is a result, not an error
    lines = stdout.splitlines()
    assert len(lines) == 2 and lines[0].startswith(f"wrote {m.trainer.diverged_at + 1} rows")
    assert f"diverged at step {m.trainer.diverged_at}" in lines[0]
    # the same sentence; the flag to try stands where the window names its keys
    assert lines[1] == window.replace(HALVE, f"Halve the learning rate: --lr {lr / 2:.6g}.")
    if not extra:  # plain gradient descent: lr·λmax against 2
        assert "lr·λmax = " in lines[1] and "> 2" in lines[1]
