"""Typed access to the window's remembered settings (QSettings underneath).

QSettings hands back strings from an INI file in a fresh process, and
PySide6 6.11 round-trips ``value(key, type=float)`` through float32
(a float typed in comes back with other digits), so every value is stored
as text we write ourselves: floats as ``repr``, structures as JSON, and
parsed back here with a fallback default.
Tests pass ``QSettings(path, IniFormat)`` so they never touch the user's file.
"""

from __future__ import annotations

import json
import logging
import math
import os
from typing import Any

from PySide6.QtCore import QByteArray, QSettings

log = logging.getLogger(__name__)

KNOBS_KEY = "run/knobs"
GEOMETRY_KEY = "window/geometry"
STATE_KEY = "window/state"
VERSION_KEY = "settings/version"
VERSION = 1
RECENT_SESSIONS_KEY = "sessions/recent"
MAX_RECENT_SESSIONS = 8


class Settings:
    """The window's settings: geometry, dock state and the last problem's knobs."""

    def __init__(self, qsettings: QSettings | None = None) -> None:
        self._q = qsettings if qsettings is not None else QSettings()

    @property
    def qsettings(self) -> QSettings:
        return self._q

    def file_name(self) -> str:
        return str(self._q.fileName())

    # ---------------------------------------------------------------- scalars
    def get_str(self, key: str, default: str = "") -> str:
        value = self._q.value(key)
        return default if value is None else str(value)

    def set_str(self, key: str, value: str) -> None:
        self._q.setValue(key, str(value))

    def get_float(self, key: str, default: float) -> float:
        text = self._q.value(key)
        if text is None:
            return default
        try:
            value = float(str(text))
        except ValueError:
            log.warning("setting %s=%r is not a number; using %r", key, text, default)
            return default
        return value if math.isfinite(value) else default

    def set_float(self, key: str, value: float) -> None:
        self._q.setValue(key, repr(float(value)))  # repr round-trips exactly

    def get_int(self, key: str, default: int) -> int:
        text = self._q.value(key)
        if text is None:
            return default
        try:
            return int(str(text))
        except ValueError:
            return default

    def set_int(self, key: str, value: int) -> None:
        self._q.setValue(key, str(int(value)))

    def get_bool(self, key: str, default: bool) -> bool:
        text = self._q.value(key)
        if text is None:
            return default
        return str(text).strip().lower() in ("1", "true", "yes", "on")  # bool("false") is True

    def set_bool(self, key: str, value: bool) -> None:
        self._q.setValue(key, "true" if value else "false")

    def get_json(self, key: str, default: Any = None) -> Any:
        text = self._q.value(key)
        if text is None:
            return default
        try:
            return json.loads(str(text))
        except (ValueError, RecursionError):  # a hand-edited settings file: not ours to trust
            log.warning("setting %s is not valid JSON; ignoring it", key)
            return default

    def set_json(self, key: str, value: Any) -> None:
        self._q.setValue(key, json.dumps(value))  # json writes floats with repr

    # ---------------------------------------------------------------- bytes
    def get_bytes(self, key: str) -> QByteArray | None:
        value = self._q.value(key)
        if isinstance(value, QByteArray) and not value.isEmpty():
            return value
        if isinstance(value, (bytes, bytearray)) and value:
            return QByteArray(bytes(value))
        return None

    def set_bytes(self, key: str, value: QByteArray) -> None:
        self._q.setValue(key, value)

    # ---------------------------------------------------------------- the app's own
    def knobs(self) -> dict[str, Any]:
        """The last problem and knobs as saved by `save_knobs` (empty if none)."""
        if self.get_int(VERSION_KEY, VERSION) != VERSION:
            return {}
        value = self.get_json(KNOBS_KEY, {})
        return value if isinstance(value, dict) else {}

    def save_knobs(self, knobs: dict[str, Any]) -> None:
        self.set_int(VERSION_KEY, VERSION)
        self.set_json(KNOBS_KEY, knobs)

    def geometry(self) -> QByteArray | None:
        return self.get_bytes(GEOMETRY_KEY)

    def window_state(self) -> QByteArray | None:
        return self.get_bytes(STATE_KEY)

    def save_window(self, geometry: QByteArray, state: QByteArray) -> None:
        self.set_bytes(GEOMETRY_KEY, geometry)
        self.set_bytes(STATE_KEY, state)

    def sync(self) -> None:
        self._q.sync()

    # ---------------------------------------------------------------- recent sessions
    def recent_sessions(self) -> list[str]:
        """Session files opened or saved lately, newest first (at most 8)."""
        value = self.get_json(RECENT_SESSIONS_KEY, [])
        if not isinstance(value, list):
            return []
        return [p for p in value if isinstance(p, str) and p][:MAX_RECENT_SESSIONS]

    def set_recent_sessions(self, paths: list[str]) -> None:
        self.set_json(RECENT_SESSIONS_KEY, list(paths)[:MAX_RECENT_SESSIONS])

    def add_recent_session(self, path: str) -> list[str]:
        """Put ``path`` (made absolute) first; the oldest beyond 8 drop off."""
        path = os.path.abspath(path)
        paths = [path, *(p for p in self.recent_sessions() if p != path)]
        self.set_recent_sessions(paths)
        return paths[:MAX_RECENT_SESSIONS]

    def remove_recent_session(self, path: str) -> list[str]:
        paths = [p for p in self.recent_sessions() if p != path]
        self.set_recent_sessions(paths)
        return paths
