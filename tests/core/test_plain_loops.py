"""The benchmark's baseline does the program's work: `benchmarks/plain_loops.py` (the
seed articles' way of writing a run, in Python floats) gives the rows `core.train`
records, so `bench_defaults.py` times two programs doing the same thing.

The plain loops share no code with the program; each row's parameters, full-data loss
and full-data gradient must agree with the program's to a few units in the last place
(the sums over examples may be added in another order).
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

import core

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
import plain_loops

OPTIMIZERS = [("sgd", {}), ("sgd", {"momentum": 0.9}), ("adam", {}), ("rmsprop", {}),
              ("adagrad", {}), ("nadam", {}), ("radam", {}), ("adamax", {}), ("adadelta", {})]


@pytest.mark.parametrize("optimizer, hyper", OPTIMIZERS)
@pytest.mark.parametrize("name", list(plain_loops.PROBLEMS))
def test_a_plain_loop_records_the_rows_the_program_records(name, optimizer, hyper):
    problem = core.get_problem(name)
    steps = min(problem.default_steps, 300)
    for batch in (["full"] if plain_loops.PROBLEMS[name][1] <= 1 else ["full", "sample", 2]):
        ours = core.train(name, optimizer=optimizer, lr=problem.default_lr, steps=steps,
                          batch=batch, **hyper)
        rows = plain_loops.run(name, problem.start, optimizer=optimizer, lr=problem.default_lr,
                               steps=steps, batch=batch, **hyper)
        names = problem.param_names
        columns = [*names, "loss", *(f"grad_{n}" for n in names)]
        n = min(len(ours.table), len(rows))  # ours stops at convergence, the plain loop not
        assert n >= min(len(ours.table), 2)
        expected = np.array(rows[:n])
        got = np.column_stack([ours.table[c][:n] for c in columns])
        np.testing.assert_allclose(got, expected, rtol=1e-11, atol=1e-12,
                                   err_msg=f"{name} / {optimizer} {hyper} / {batch}")
