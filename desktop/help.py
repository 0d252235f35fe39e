"""The short help behind F1: what the window shows and which keys do what."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QWidget

HELP_TITLE = "LR Playground: short help"
HELP_HTML = """
<h3>Gradient descent, one step at a time</h3>
<p>Each step does four things: <b>predict</b> with the current weights and bias,
measure the <b>loss</b>, take the <b>gradient</b> (which way the loss rises fastest),
and <b>update</b> the weights by learning rate × gradient, downhill.</p>
<p>The <b>contour plot</b> shows the loss over two weights (darker is lower) and
the path of the steps; drag the start point or click to move it. The <b>loss
plot</b> shows the loss after each step, the <b>sweep</b> the final loss for many
learning rates (click it to pick one). The <b>step table</b> lists every step;
select a row to see it on the plots.</p>
<p>The <b>strip at the top</b> holds Play, One step and Reset, the learning rate (drag
the slider or type a number), the three presets and the stability gauge. The
<b>presets</b> come from the curvature of the loss: plain gradient descent is stable
only while lr·λmax &lt; 2. The other knobs are in the panel on the left; click a
section's title to open or close it. The line at the bottom says what the run on
screen did, and why.</p>
<table>
<tr><td><b>Space</b></td><td>play / pause</td></tr>
<tr><td><b>→</b></td><td>one step (in a focused slider or field, the arrows move it)</td></tr>
<tr><td><b>R</b></td><td>reset to the start point</td></tr>
<tr><td><b>1 2 3</b></td><td>too small / just right / too big</td></tr>
<tr><td><b>H</b></td><td>halve the learning rate</td></tr>
<tr><td><b>C</b> / <b>P</b></td><td>compare the three presets / pin this run</td></tr>
<tr><td><b>Ctrl+O</b></td><td>open a session</td></tr>
<tr><td><b>Ctrl+S</b></td><td>save the session</td></tr>
<tr><td><b>Ctrl+E</b></td><td>export a plot or the step table</td></tr>
<tr><td><b>Ctrl+C</b></td><td>copy the selected table rows (paste into a spreadsheet)</td></tr>
<tr><td><b>Tab</b></td><td>the next control (the focused one has a ring)</td></tr>
<tr><td><b>F1</b></td><td>this help</td></tr>
</table>
"""


def show_help(parent: QWidget | None) -> QMessageBox:
    """Open the help box without blocking (tests and the event loop carry on)."""
    box = QMessageBox(parent)
    box.setWindowTitle(HELP_TITLE)
    box.setTextFormat(Qt.TextFormat.RichText)
    box.setText(HELP_HTML)
    box.setIcon(QMessageBox.Icon.Information)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.setModal(False)
    box.show()
    return box
