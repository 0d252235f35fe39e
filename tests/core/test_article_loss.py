"""``article_loss``: the seed articles' per-sample loops re-run as they are written, and
the column holding, row by row, the running total their loop prints.

Every number is computed by the article's own loop here, never copied from the
article (its printed numbers are not what its code prints).
"""

from __future__ import annotations

import numpy as np
import pytest
from seed_loops import and_gate_loop

import core
from core.run.article import ARTICLE_COLUMN


def glasses_loop(epochs: int) -> tuple[list[float], dict[int, float]]:
    """Seed 001's loop: the running ``total_loss`` after each sample, and what it prints."""
    X_train = np.array([[0.55, 0.48], [0.45, 0.72], [0.35, 0.03], [0.20, 0.03]])
    y_train = np.array([1, 1, 0, 0])
    weights = np.array([0.5, 0.5])
    bias = 0.0
    learning_rate = 0.1
    running, printed = [], {}
    for epoch in range(epochs):
        total_loss = 0
        for x, y_true in zip(X_train, y_train, strict=True):
            prediction = np.clip(np.dot(x, weights) + bias, 0, 1)
            loss = (y_true - prediction) ** 2
            total_loss += loss
            running.append(float(total_loss))
            error = y_true - prediction
            weights += learning_rate * error * x
            bias += learning_rate * error
        if epoch % 25 == 0:
            printed[epoch] = float(total_loss)
    return running, printed


def test_glasses_vs_ring_reads_next_to_seed_001_line_by_line():
    running, printed = glasses_loop(100)
    run = core.train("glasses-vs-ring", lr=0.1, steps=400, batch="sample")
    column = run.table[ARTICLE_COLUMN]
    # row k holds the total after update k's own sample; the last row (400) opens epoch 100
    np.testing.assert_allclose(column[:400], running, rtol=1e-12, atol=0)
    for epoch, value in printed.items():
        assert column[4 * epoch + 3] == pytest.approx(value, rel=1e-12)
    # what the article prints for epoch 0 is 0.4823; its code prints this
    assert round(column[3], 4) == 0.4635
    # the column is not the loss: at the start ½·mean(err²) = 0.0571
    assert round(run.table["loss"][0], 4) == 0.0571


def test_and_gate_reads_next_to_seed_002_line_by_line():
    trace = and_gate_loop(4001)
    running, printed = trace.running, trace.printed
    run = core.train("and-gate", lr=0.5, steps=4 * 4001, batch="sample")
    column = run.table[ARTICLE_COLUMN]
    np.testing.assert_allclose(column[:-1], running, rtol=1e-12, atol=0)
    for epoch, value in printed.items():
        assert column[4 * epoch + 3] == pytest.approx(value, rel=1e-12)


def test_the_column_is_the_same_whatever_the_chunks():
    whole = core.train("glasses-vs-ring", lr=0.1, steps=60, batch="sample").table
    trainer = core.make_trainer("glasses-vs-ring", lr=0.1, steps=60, batch="sample")
    for size in (1, 2, 3, 5, 7, 11, 100):  # chunks that start inside an epoch
        trainer.advance(size)
    np.testing.assert_array_equal(trainer.table[ARTICLE_COLUMN], whole[ARTICLE_COLUMN])


@pytest.mark.parametrize(("name", "batch"), [
    ("glasses-vs-ring", "full"), ("and-gate", 2), ("house-prices", "sample"),
    ("line-one-point", "full"), ("single-weight", "full"), ("quadratic", "full"),
])
def test_only_the_articles_own_per_sample_loop_gets_the_column(name, batch):
    """The other seeds print our loss itself; a run that is not the article's
    per-sample loop has no article line to match."""
    run = core.train(name, lr=0.01, steps=8, batch=batch)
    assert ARTICLE_COLUMN not in run.table.columns


def test_the_column_goes_into_every_export(tmp_path):
    run = core.train("and-gate", lr=0.5, steps=8, batch="sample")
    path = tmp_path / "t.csv"
    run.table.to_csv(path)
    back = core.StepTable.read_csv(path)
    assert back.columns[-1] == ARTICLE_COLUMN
    np.testing.assert_array_equal(back[ARTICLE_COLUMN], run.table[ARTICLE_COLUMN])


def test_the_column_says_what_it_is():
    from core.run.article import ARTICLE_DESCRIPTION

    assert "as its loop prints it" in ARTICLE_DESCRIPTION and "'loss' is" in ARTICLE_DESCRIPTION
