"""Many networks in one call: chunks, reused work arrays and two threads change no number.

Oracle: the same networks evaluated one at a time in the calling thread.
"""

from __future__ import annotations

import os
import threading

import numpy as np
import pytest

import core
from core.problems import mlp, mlp_work
from core.problems.network import network_problem

MANY = 2 * mlp.CHUNK + 7  # three chunks of unequal size


def _thetas(problem, count: int, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return problem.start + rng.normal(scale=0.8, size=(count, problem.n_params))


@pytest.mark.parametrize("activation", ["tanh", "relu", "sigmoid"])
def test_many_networks_at_once_equal_each_alone_bit_for_bit(activation):
    problem = network_problem("xor", hidden="6,5", activation=activation)
    thetas = _thetas(problem, MANY)
    x, y = problem.data.x, problem.data.y
    values, grads = mlp.loss_and_grad(problem.layout, activation, thetas, x, y)
    logits = mlp.forward(problem.layout, activation, thetas, x)
    for i in (0, mlp.CHUNK - 1, mlp.CHUNK, MANY - 1):
        value, grad = mlp.loss_and_grad(problem.layout, activation, thetas[i], x, y)
        assert value == values[i] and np.array_equal(grad, grads[i])
        assert np.array_equal(mlp.forward(problem.layout, activation, thetas[i], x), logits[i])
    # a second call over the same work arrays gives the same numbers
    again = mlp.loss_and_grad(problem.layout, activation, thetas, x, y)
    assert np.array_equal(again[0], values) and np.array_equal(again[1], grads)


def test_a_grid_of_networks_keeps_its_axes():
    problem = core.get_problem("circle")
    grid = _thetas(problem, 3 * MANY).reshape(3, MANY, problem.n_params)
    losses = problem.loss(grid)
    assert losses.shape == (3, MANY)
    assert losses[2, 5] == problem.loss(grid[2, 5])


def test_the_callers_numpy_error_settings_hold_in_the_worker_threads():
    problem = core.get_problem("circle")
    huge = np.full((MANY, problem.n_params), 1e306)
    huge[::2] *= -1
    args = (problem.layout, problem.activation, huge, problem.data.x, problem.data.y)
    with np.errstate(all="raise"), pytest.raises(FloatingPointError):
        mlp.loss_and_grad(*args)
    with np.errstate(all="ignore"):  # the suite turns any warning into a failure
        values, _ = mlp.loss_and_grad(*args)
    assert values.shape == (MANY,)


def test_work_arrays_are_kept_per_thread():
    mine = mlp_work.work_array("probe", 0, (3, 4))
    assert mlp_work.work_array("probe", 0, (3, 4)) is mine
    assert mlp_work.work_array("probe", 1, (3, 4)) is not mine
    theirs: list[np.ndarray] = []
    worker = threading.Thread(target=lambda: theirs.append(
        mlp_work.work_array("probe", 0, (3, 4))))
    worker.start()
    worker.join()
    assert theirs[0] is not mine


@pytest.mark.skipif(not hasattr(os, "fork"), reason="fork is POSIX only")
def test_a_forked_child_starts_its_own_threads():
    problem = core.get_problem("circle")
    thetas = _thetas(problem, MANY)
    parent = problem.loss_and_grad(thetas)[1]  # the parent's pool is running now
    pid = os.fork()
    if pid == 0:  # the child: a pool whose threads did not survive would hang here
        child = problem.loss_and_grad(thetas)[1]
        os._exit(0 if np.array_equal(child, parent) else 3)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
