"""The window's model: plain Python, no Qt (a test holds it to that).

`WindowModel` is the one source of truth for what the window shows; its
sub-models (knobs, playback, insight, compare, selection, status, backend)
each announce their own changes through typed `Event` s. The Qt side binds widgets to
them and drives ``frame()`` from one frame clock.
"""

from core import Theory, Verdict
from core.analysis.verdict import explain, facts_of, tail_trend
from desktop.model.analysis import SurfaceData
from desktop.model.backend import BackendModel
from desktop.model.compare import ComparedRun, CompareModel
from desktop.model.events import Event
from desktop.model.insight import Gauge, InsightModel
from desktop.model.jobs import JobRunner, QueuedJobs
from desktop.model.knobs import KnobsChange, KnobsModel
from desktop.model.playback import PlaybackModel
from desktop.model.player_verbs import PRESETS
from desktop.model.selection import SelectionModel
from desktop.model.status import StatusModel
from desktop.model.window_model import Frame, WindowModel

__all__ = [
    "PRESETS",
    "BackendModel",
    "CompareModel",
    "ComparedRun",
    "Event",
    "Frame",
    "Gauge",
    "InsightModel",
    "JobRunner",
    "KnobsChange",
    "KnobsModel",
    "PlaybackModel",
    "QueuedJobs",
    "SelectionModel",
    "StatusModel",
    "SurfaceData",
    "Theory",
    "Verdict",
    "WindowModel",
    "explain",
    "facts_of",
    "tail_trend",
]
