"""`BackendModel`: switching the backend, with torch imported in the background first.

Importing torch takes 2-3 s, so choosing the torch backend first loads it as
a background job ("torch backend loading…"), then sets the knob; the run
goes on with numpy meanwhile, and if loading fails it stays there.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import core
from core import ConfigError
from desktop.model import analysis
from desktop.model.events import Event
from desktop.model.knobs import TORCH_INSTALL_HINT

if TYPE_CHECKING:
    from desktop.model.jobs import JobRunner
    from desktop.model.knobs import KnobsModel


class BackendModel:
    """``request(backend, device)``; ``message`` and ``error`` say how loading went."""

    def __init__(self, knobs: KnobsModel, jobs: JobRunner) -> None:
        self.knobs = knobs
        self.jobs = jobs
        self.torch_ready = False
        self.message: Event[str] = Event("backend.message")
        self.error: Event[str] = Event("backend.error")

    def request(self, backend: str, device: str = "auto") -> None:
        """Switch the backend; torch is imported in the background first."""
        if backend == "torch" and not self.torch_ready:
            if not core.torch_available():
                raise ConfigError(TORCH_INSTALL_HINT)
            self.knobs.config.with_(backend=backend, device=device)  # validates the names
            self.load_torch(device)
            return
        self.knobs.set_backend(backend, device)

    def load_torch(self, device: str) -> None:
        self.message.emit("torch backend loading…")
        self.jobs.submit("torch", analysis.import_torch_backend,
                         lambda _ok: self._on_torch_ready(device), self._on_torch_failed)

    def _on_torch_ready(self, device: str) -> None:
        self.torch_ready = True
        try:
            self.knobs.set_backend("torch", device)
        except ConfigError as exc:
            self.error.emit(str(exc))

    def _on_torch_failed(self, exc: BaseException) -> None:
        self.error.emit(f"The torch backend could not be loaded ({exc}); staying on numpy.")
