"""The seed articles' worked examples, re-run with their own loops.

Each test re-implements an article's training loop as plainly as the article
writes it and holds ``core.train`` to it step by step. Every number is
computed here; none is copied from the articles (some of theirs are wrong).
"""

from __future__ import annotations

import numpy as np
import pytest
from seed_loops import and_gate_loop

import core


# ------------------------------------------------------------- seed 003
def seed_003_loop(steps: int) -> dict[str, list[float]]:
    """Seed 003: y = a·x + b on the point (1, 4) from a=3, b=4, lr 0.1."""
    x, y_true, a, b, lr = 1.0, 4.0, 3.0, 4.0, 0.1
    rows: dict[str, list[float]] = {k: [] for k in
                                    ("a", "b", "y_pred", "error", "grad_a", "grad_b", "loss")}
    for _ in range(steps + 1):
        y_pred = a * x + b
        error = y_pred - y_true
        grad_a = 2 * error * x
        grad_b = 2 * error
        for name, value in zip(rows, (a, b, y_pred, error, grad_a, grad_b, error**2),
                               strict=True):
            rows[name].append(value)
        a = a - lr * grad_a
        b = b - lr * grad_b
    return rows


def test_line_one_point_is_seed_003s_table():
    run = core.train("line-one-point", lr=0.1, steps=5)
    assert run.status == "finished"
    table = run.table
    assert len(table) == 6
    for name, values in seed_003_loop(5).items():
        np.testing.assert_allclose(table[name], values, rtol=1e-15, atol=0, err_msg=name)
    np.testing.assert_array_equal(table["step"], np.arange(6))


# ------------------------------------------------------------- seed 002
def test_single_weight_is_seed_002s_train_one_neuron():
    x, target, lr, epochs = 1.5, 1.0, 0.1, 20
    w = 0.3
    ws, losses, grads, outputs = [], [], [], []
    for _ in range(epochs):
        output = w * x
        current_loss = (output - target) ** 2
        grad = 2 * (output - target) * x
        ws.append(w)
        losses.append(current_loss)
        grads.append(grad)
        outputs.append(output)
        w = w - lr * grad
    ws.append(w)

    run = core.train("single-weight", lr=0.1, steps=20)
    table = run.table
    assert run.status == "finished" and len(table) == 21
    np.testing.assert_allclose(table["w"], ws, rtol=1e-15, atol=0)
    np.testing.assert_allclose(table["loss"][:-1], losses, rtol=1e-15, atol=0)
    np.testing.assert_allclose(table["grad_w"][:-1], grads, rtol=1e-15, atol=0)
    np.testing.assert_allclose(table["output"][:-1], outputs, rtol=1e-15, atol=0)
    np.testing.assert_allclose(table["error"][:-1], np.array(outputs) - target, rtol=1e-15)
    # it heads for the ideal weight 1/1.5 the article names
    assert abs(table["w"][-1] - 1 / 1.5) < 1e-4


def test_and_gate_is_seed_002s_per_sample_loop():
    trace = and_gate_loop(50)
    after, squared_errors = trace.after, trace.squared_errors

    run = core.train("and-gate", lr=0.5, steps=200, batch="sample")
    table = run.table
    assert run.status == "finished" and len(table) == 201
    ours = np.stack([table["w1"], table["w2"], table["b"]], axis=-1)
    np.testing.assert_allclose(ours[0], [0.1, -0.2, 0.0], rtol=0, atol=0)
    # row k + 1 holds the parameters after update k
    np.testing.assert_allclose(ours[1:], after, rtol=1e-12, atol=1e-15)
    # the loss is half the squared error, so the article's err² is twice ours
    np.testing.assert_allclose(2 * table["batch_loss"][:-1], squared_errors, rtol=1e-12)
    np.testing.assert_array_equal(table["epoch"], np.arange(201) // 4)


# ------------------------------------------------------------- seed 001
def test_glasses_vs_ring_is_seed_001s_loop():
    X_train = np.array([[0.55, 0.48], [0.45, 0.72], [0.35, 0.03], [0.20, 0.03]])
    y_train = np.array([1, 1, 0, 0])
    weights = np.array([0.5, 0.5])
    bias = 0.0
    learning_rate = 0.1
    after, epoch_losses, clipped, clipped_wrong = [], [], 0, 0
    for _ in range(100):
        total_loss = 0
        for x, y_true in zip(X_train, y_train, strict=True):
            z = np.dot(x, weights) + bias
            prediction = np.clip(z, 0, 1)
            loss = (y_true - prediction) ** 2
            total_loss += loss
            error = y_true - prediction
            # where the clip is active the article still updates, the true
            # gradient does not: count the updates where that matters
            clipped += int(z < 0 or z > 1)
            clipped_wrong += int((z < 0 or z > 1) and error != 0)
            weights += learning_rate * error * x
            bias += learning_rate * error
            after.append((weights[0], weights[1], bias))
        epoch_losses.append(total_loss)
    # the clip is active on this run, but only ever on the right side
    assert clipped > 0 and clipped_wrong == 0

    run = core.train("glasses-vs-ring", lr=0.1, steps=400, batch="sample")
    table = run.table
    assert run.status == "finished" and len(table) == 401
    ours = np.stack([table["w1"], table["w2"], table["b"]], axis=-1)
    np.testing.assert_allclose(ours[1:], after, rtol=1e-12, atol=1e-15)
    # the article's epoch loss sums err² over its four updates: 2·Σ batch_loss
    per_epoch = 2 * table["batch_loss"][:-1].reshape(100, 4).sum(axis=1)
    np.testing.assert_allclose(per_epoch, epoch_losses, rtol=1e-12, atol=1e-15)
    assert epoch_losses[-1] < epoch_losses[0] / 10


# ------------------------------------------------------------- seed 004
def test_house_prices_is_seed_004s_torch_loop():
    torch = pytest.importorskip("torch", reason="seed 004 is written in torch")
    from torch import nn, optim

    X = torch.tensor([[1.5], [2.0], [2.5]], dtype=torch.float64)
    y = torch.tensor([[300], [400], [500]], dtype=torch.float64)
    model = nn.Linear(1, 1).double()
    with torch.no_grad():
        # the article starts from torch's random init; we start both at 0
        model.weight.zero_()
        model.bias.zero_()
    loss_fn = nn.MSELoss()
    optimizer = optim.SGD(model.parameters(), lr=0.01)
    ws, bs, losses = [], [], []
    for _ in range(100):
        ws.append(model.weight.item())
        bs.append(model.bias.item())
        y_pred = model(X)
        loss = loss_fn(y_pred, y)
        losses.append(loss.item())
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    ws.append(model.weight.item())
    bs.append(model.bias.item())
    losses.append(loss_fn(model(X), y).item())

    run = core.train("house-prices", lr=0.01, steps=100)
    table = run.table
    assert run.status == "finished" and len(table) == 101
    np.testing.assert_allclose(table["w"], ws, rtol=1e-10)
    np.testing.assert_allclose(table["b"], bs, rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(table["loss"], losses, rtol=1e-10)
    # 100 epochs at lr 0.01 are far from enough to fit the line exactly
    assert table["loss"][-1] > 1.0
