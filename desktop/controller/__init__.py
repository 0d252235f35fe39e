"""The window's model: the run config, the run, and what core says about them."""

from desktop.controller.analysis import Gauge, SurfaceData
from desktop.controller.controller import PRESETS, Controller

__all__ = ["PRESETS", "Controller", "Gauge", "SurfaceData"]
