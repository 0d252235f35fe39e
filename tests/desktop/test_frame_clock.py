"""The one frame clock and the one throttle, on a clock the test moves: a request when
idle is served at once, requests inside a frame are merged into the next one, the clock
ticks while the model wants frames and stops when it does not."""

from __future__ import annotations

import pytest

pytest.importorskip("pytestqt")

from desktop.frame_clock import FRAME_MS, FrameClock
from desktop.model.events import Event
from desktop.throttle import Throttle


class FakeClock:
    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t

    def advance(self, ms: float) -> None:
        self.t += ms / 1000.0


class FakeModel:
    """What the clock needs of the model: frame(dt), wants_frames(), frame_requested."""

    def __init__(self) -> None:
        self.frame_requested: Event[None] = Event()
        self.frames: list[float] = []
        self.busy = 0  # frames it still wants
        self.playback = type("P", (), {"now": None})()

    def frame(self, dt: float) -> None:
        self.frames.append(dt)
        self.busy = max(0, self.busy - 1)

    def wants_frames(self) -> bool:
        return self.busy > 0


@pytest.fixture
def clock(qapp):
    model = FakeModel()
    fake = FakeClock()
    frame_clock = FrameClock(model)
    frame_clock.now = fake
    yield frame_clock, model, fake
    frame_clock.stop()


def test_a_request_when_idle_is_drawn_on_the_next_pass_of_the_event_loop(qtbot, clock):
    frame_clock, model, _fake = clock
    model.frame_requested.emit(None)  # a knob moved
    assert model.frames == [] and frame_clock.running  # not inside the announcement
    assert frame_clock._throttle.wait_ms == 0  # the leading edge: no waiting
    qtbot.waitUntil(lambda: model.frames == [0.0], timeout=5000)
    assert not frame_clock.running  # nothing more to do


def test_a_held_clock_keeps_a_request_for_its_release(qtbot, clock):
    frame_clock, model, _fake = clock
    frame_clock.hold()  # the window between its first show and its first paint
    model.frame_requested.emit(None)
    qtbot.wait(50)  # several passes of the event loop
    assert model.frames == [] and not frame_clock.running
    frame_clock.release()
    qtbot.waitUntil(lambda: model.frames == [0.0], timeout=5000)
    frame_clock.hold()
    frame_clock.release()  # nothing was asked meanwhile: no frame
    qtbot.wait(50)
    assert model.frames == [0.0]


def test_requests_within_a_frame_are_merged_into_the_next_one(clock):
    frame_clock, model, fake = clock
    frame_clock.request()
    frame_clock.tick()
    fake.advance(5)
    for _ in range(10):  # a burst of slider moves inside one frame
        frame_clock.request()
    assert model.frames == [0.0] and frame_clock.running
    assert frame_clock._throttle.wait_ms == 11  # what is left of the frame
    fake.advance(FRAME_MS)
    frame_clock.tick()  # the trailing frame: one, reading the newest state
    assert len(model.frames) == 2 and not frame_clock.running


def test_the_clock_ticks_while_the_model_wants_frames_and_passes_the_time(clock):
    frame_clock, model, fake = clock
    model.busy = 4  # the first frame and three more
    frame_clock.request()
    frame_clock.tick()
    assert frame_clock.running
    for _ in range(3):
        fake.advance(FRAME_MS)
        frame_clock.tick()
    assert model.frames == pytest.approx([0.0, 0.016, 0.016, 0.016])
    assert not frame_clock.running  # idle again: no timer left


def test_a_stalled_frame_is_not_a_burst_of_steps(clock):
    frame_clock, model, fake = clock
    model.busy = 2
    frame_clock.request()
    frame_clock.tick()
    fake.advance(2000)  # the machine hung for two seconds
    frame_clock.tick()
    assert model.frames[-1] == pytest.approx(0.1)


def test_a_view_can_ask_for_frames(clock):
    frame_clock, _model, fake = clock
    waiting = {"n": 2}

    def wants() -> bool:
        waiting["n"] -= 1
        return waiting["n"] > 0

    frame_clock.want_frames(wants)
    frame_clock.request()
    frame_clock.tick()
    assert frame_clock.running
    fake.advance(FRAME_MS)
    frame_clock.tick()
    assert not frame_clock.running


def test_the_throttle_leads_then_trails_and_a_debounce_waits_for_quiet(qapp):
    fake = FakeClock()
    calls: list[float] = []
    throttle = Throttle(lambda: calls.append(fake()), 100, now=fake)
    throttle()
    assert calls == [fake.t]  # the leading edge
    fake.advance(30)
    throttle()
    throttle()
    assert len(calls) == 1 and throttle.pending and throttle.wait_ms == 70
    throttle.flush()
    assert len(calls) == 2 and not throttle.pending
    debounce = Throttle(lambda: calls.append(-1.0), 150, leading=False, now=fake)
    debounce()
    debounce()
    assert calls[-1] != -1.0 and debounce.pending and debounce.wait_ms == 150
    debounce.cancel()
    assert not debounce.pending


def test_a_request_while_only_a_view_waits_is_answered_at_once(clock):
    """Frames that only let a view wait (the sweep marker waits for a drag to rest) do
    not hold back a knob's frame: only frames with model work count against the rate."""
    frame_clock, model, fake = clock
    waiting = [True]
    frames = len(model.frames)
    frame_clock.want_frames(lambda: waiting[0])
    frame_clock.request()
    frame_clock.tick()  # the knob's frame (work)
    fake.advance(12)
    frame_clock.tick()  # a view-only frame, 12 ms later
    fake.advance(5)  # 17 ms after the work frame, 5 ms after the view's
    frame_clock.request()
    assert frame_clock._throttle.wait_ms == 0  # the leading edge, not 11 ms more
    fake.advance(3)
    frame_clock.request()  # a second move 3 ms later: still one frame per frame
    frame_clock.tick()
    fake.advance(3)
    frame_clock.request()
    assert frame_clock._throttle.wait_ms == FRAME_MS - 3
    assert len(model.frames) == frames + 3
    waiting[0] = False
