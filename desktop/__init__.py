"""The LR Playground window (PySide6 + pyqtgraph). Thin: every number comes from `core`."""
