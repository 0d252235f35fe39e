"""The plane a problem of more than two parameters is drawn on: kind, centre, seed.

Bound to ``model.knobs.plane`` both ways (`KnobsModel.set_plane`): a refused
choice shows its message under the row and changes nothing. Problems of one
or two parameters have no plane to choose: the row is hidden for them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QSignalBlocker, Qt
from PySide6.QtWidgets import QComboBox, QLabel, QSpinBox, QVBoxLayout, QWidget

from core import ConfigError
from desktop.model.slicing import CENTRES, KINDS
from desktop.panels.widgets import ErrorLabel, row

if TYPE_CHECKING:
    from desktop.model import WindowModel
    from desktop.model.knobs import KnobsChange

KIND_TEXT = {"axes": "two parameters", "random": "random directions",
             "pca": "principal directions"}
KIND_TIPS = {
    "axes": "The loss over two of the parameters (pick which below); the others are held "
            "at the centre's values.",
    "random": "The loss along two random directions, filter-normalised (each unit's "
              "weights scaled to their own size), drawn with the seed.",
    "pca": "The loss along the top two principal directions of the path so far: the plane "
           "the path moves in most; the caption says how much of its variance they hold.",
}
CENTRE_TEXT = {"start": "start", "current": "current step", "end": "end"}


class PlanePanel(QWidget):
    """"Plane" (kind), "through" (centre) and the random directions' seed."""

    def __init__(self, model: WindowModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.m = model
        self.kind = QComboBox()
        self.kind.setAccessibleName("Plane")
        for key in KINDS:
            self.kind.addItem(KIND_TEXT[key], key)
            self.kind.setItemData(self.kind.count() - 1, KIND_TIPS[key],
                                 Qt.ItemDataRole.ToolTipRole)
        self.kind.setToolTip("Which plane through parameter space the contour shows.")
        self.centre = QComboBox()
        self.centre.setAccessibleName("through")
        for key in CENTRES:
            self.centre.addItem(CENTRE_TEXT[key], key)
        self.centre.setToolTip("The point the plane passes through: the start, the step "
                               "selected in the table (else the newest), or the end.")
        self.seed = QSpinBox()
        self.seed.setAccessibleName("directions seed")
        self.seed.setRange(0, 2**31 - 1)
        self.seed.setToolTip("The seed of the random directions.")
        self.seed_label = QLabel("seed")
        self.error = ErrorLabel()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(1)
        layout.addWidget(row(QLabel("plane"), self.kind, stretch_last=True))
        layout.addWidget(row(QLabel("through"), self.centre, self.seed_label, self.seed))
        layout.addWidget(self.error)
        self.kind.currentIndexChanged.connect(self._on_edited)
        self.centre.currentIndexChanged.connect(self._on_edited)
        self.seed.valueChanged.connect(self._on_edited)
        model.knobs.changed.connect(self._on_knobs_changed)
        self.show_plane()

    def _on_knobs_changed(self, change: KnobsChange) -> None:
        if change.new_problem or "plane" in change:
            self.show_plane()

    def show_plane(self) -> None:
        """Show the plane in force (and the row only where there is a plane to choose)."""
        k = self.m.knobs
        plane = k.plane
        for combo, value in ((self.kind, plane.kind), (self.centre, plane.centre)):
            with QSignalBlocker(combo):
                combo.setCurrentIndex(max(0, combo.findData(value)))
        with QSignalBlocker(self.seed):
            self.seed.setValue(plane.seed)
        self.seed.setVisible(plane.kind == "random")
        self.seed_label.setVisible(plane.kind == "random")
        self.setVisible(k.problem.n_params > 2)
        self.error.clear_error()

    def _on_edited(self, *_args: object) -> None:
        try:
            self.m.knobs.set_plane(self.kind.currentData(), self.centre.currentData(),
                                   int(self.seed.value()))
        except ConfigError as exc:
            self.show_plane()  # back to the plane in force
            self.error.show_error(str(exc))
