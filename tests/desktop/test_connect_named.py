"""Handlers connected by their names: ``_on_<part>_<event>`` listens to ``<part>.<event>``."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from desktop.model.events import Event, connect_named


def _model():
    return SimpleNamespace(framed=Event("framed"),
                           knobs=SimpleNamespace(changed=Event("changed")),
                           insight=SimpleNamespace(surface_changed=Event("surface")))


class Listener:
    def __init__(self) -> None:
        self.heard: list[tuple[str, object]] = []

    def _on_model_framed(self, value: object) -> None:
        self.heard.append(("framed", value))

    def _on_knobs_changed(self, value: object) -> None:
        self.heard.append(("knobs", value))

    def _on_insight_surface_changed(self, value: object) -> None:
        self.heard.append(("surface", value))

    def _on_plots_tab_shown(self, value: object) -> None:  # a part not named: left alone
        self.heard.append(("tab", value))


def test_each_handler_hears_the_event_its_name_says_and_only_that():
    model, listener = _model(), Listener()
    connect_named(listener, model, "model", "knobs", "insight")
    model.knobs.changed.emit(1)
    model.insight.surface_changed.emit(2)
    model.framed.emit(3)
    assert listener.heard == [("knobs", 1), ("surface", 2), ("framed", 3)]
    assert len(model.knobs.changed) == 1 and len(model.framed) == 1


def test_parts_not_named_are_not_connected():
    model, listener = _model(), Listener()
    connect_named(listener, model, "knobs")
    model.framed.emit(1)
    model.insight.surface_changed.emit(2)
    assert listener.heard == []


def test_a_handler_for_an_event_the_part_lacks_fails_at_once():
    class Typo(Listener):
        def _on_knobs_chnged(self, value: object) -> None:
            pass

    with pytest.raises(AttributeError, match="chnged"):
        connect_named(Typo(), _model(), "knobs")
