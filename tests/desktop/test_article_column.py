"""The step table shows the seed article's own loss, and its header says what it is."""

from __future__ import annotations

from PySide6.QtCore import Qt

import core
from core.run.article import ARTICLE_COLUMN, ARTICLE_DESCRIPTION
from desktop.views.step_table import StepTableModel


def test_the_article_column_is_shown_with_its_meaning(qapp):
    table = core.train("glasses-vs-ring", lr=0.1, steps=8, batch="sample").table
    model = StepTableModel(table)
    names = [model.headerData(j, Qt.Orientation.Horizontal) for j in range(model.columnCount())]
    j = names.index(ARTICLE_COLUMN)
    tip = model.headerData(j, Qt.Orientation.Horizontal, Qt.ItemDataRole.ToolTipRole)
    assert tip == ARTICLE_DESCRIPTION
    assert model.headerData(names.index("loss"), Qt.Orientation.Horizontal,
                            Qt.ItemDataRole.ToolTipRole) is None
    assert model.data(model.index(3, j)) == "0.463484"  # seed 001's epoch 0, as its code prints
