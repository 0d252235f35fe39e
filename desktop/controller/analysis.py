"""The old home of the surface computation; it lives in `desktop.model.analysis` now.

The scripted figure of the exports still imports ``compute_surface`` from here.
"""

from desktop.model.analysis import SurfaceData, compute_surface

__all__ = ["SurfaceData", "compute_surface"]
