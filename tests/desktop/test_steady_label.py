"""`SteadyLabel`: a text that changes every frame re-lays out nothing, and is never cut."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QVBoxLayout, QWidget

from desktop.panels.steady_label import SteadyLabel

SENTENCE = "At lr {}, lr·λmax = 1.234 < 2: each step shrinks the error along the steepest " \
           "direction."


class LayoutRequests(QObject):
    def __init__(self) -> None:
        super().__init__()
        self.count = 0

    def eventFilter(self, obj, event):
        if event.type() == QEvent.Type.LayoutRequest:
            self.count += 1
        return False


def holder(qtbot, label: SteadyLabel, width: int = 300) -> QWidget:
    box = QWidget()
    layout = QVBoxLayout(box)
    layout.addWidget(label)
    layout.addStretch(1)
    qtbot.addWidget(box)
    box.resize(width, 400)
    box.show()
    qtbot.waitExposed(box)
    qtbot.wait(20)  # the first layout's own requests delivered
    return box


def test_a_changing_text_asks_no_layout_to_recompute(qtbot):
    label = SteadyLabel(SENTENCE.format("0.0100"), lines=3, selectable=True)
    box = holder(qtbot, label)
    requests = LayoutRequests()
    box.installEventFilter(requests)
    counts = []
    for lr in ("0.0123", "0.0456", "0.0789", "0.1011"):
        label.setText(SENTENCE.format(lr))
        qtbot.wait(1)
        counts.append((requests.count, label.minimumHeight(), label.height(), label.width()))
    assert requests.count == 0, counts
    assert label.text() == SENTENCE.format("0.1011") == label.label.text()


def test_a_longer_text_grows_the_label_and_a_shorter_one_does_not_shrink_it(qtbot):
    label = SteadyLabel("short", lines=1)
    box = holder(qtbot, label, width=200)  # noqa: F841 (kept: the label lives in it)
    one_line = label.height()
    label.setText(" ".join([SENTENCE.format("0.5")] * 3))
    qtbot.waitUntil(lambda: label.height() > 3 * one_line)
    assert label.heightForWidth(label.width()) <= label.height()  # not cut
    grown = label.height()
    label.setText("short again")
    qtbot.wait(20)
    assert label.height() == grown


def test_a_one_line_label_grows_wider_for_a_longer_number(qtbot):
    label = SteadyLabel("lr·λmax 1.5", wrap=False)
    box = QWidget()
    qtbot.addWidget(box)
    label.setParent(box)
    box.show()
    narrow = label.minimumWidth()
    label.setText("lr·λmax ∞ (no limit: the loss curves downward here)")
    assert label.minimumWidth() > narrow
    assert label.minimumWidth() >= label.label.sizeHint().width()


def test_the_holder_carries_the_labels_name_and_tip():
    label = SteadyLabel("x")
    label.setAccessibleName("Status")
    label.setToolTip("What the run did.")
    assert label.accessibleName() == label.label.accessibleName() == "Status"
    assert label.toolTip() == label.label.toolTip() == "What the run did."
