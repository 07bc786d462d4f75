"""live/remote_view.py: the JSON `tendril serve` publishes (tendril.mqtt.state, built here from the
real messages a LiveBoard hears from the native simulated board) turned back into the BoardView and
log entries the LiveBoard itself shows, for everything the JSON carries."""

from __future__ import annotations

import json
import threading
from dataclasses import replace

import pytest
from tendril.contract import EventKind
from tendril.live import FanOut, LiveBoard, LogSink, Sink
from tendril.live.remote_view import RemoteViewError, board_view, event_message, log_entry
from tendril.mqtt.state import BoardState, event_json
from tendril.words import log_text

from .conftest import fast_recipe, wait_until


class StateSink(Sink):
    """What serve's MQTT side is fed: BoardState and the event JSON, from the board's thread. At
    each PARAMS (the last page of a refresh, right before the board sets its view) it keeps the
    state JSON, so the view that follows can be compared with what was published with it."""

    def __init__(self, recipe) -> None:
        self.state = BoardState("board", recipe)
        self.lock = threading.Lock()
        self.published: list[str] = []
        self.events: list[tuple[float, str, object]] = []  # (host time, event JSON, the EVENT)

    def begin_session(self, hello):
        with self.lock:
            self.state.hello(hello)

    def telemetry(self, session, msg, host_time, seq):
        with self.lock:
            self.state.telemetry(msg)

    def status(self, session, page):
        with self.lock:
            self.state.status(page)

    def params(self, session, msg):
        with self.lock:
            self.state.params_msg(msg)
            self.published.append(self.state.json())

    def event(self, session, msg, host_time, seq):
        with self.lock:
            self.state.event(msg)
            self.events.append((host_time, event_json("board", self.state.recipe, msg), msg))


# The fields of an EVENT each kind gives a meaning (contract: EventKind).
USED = {EventKind.ACT_ON: "abcv", EventKind.ACT_OFF: "abcv", EventKind.RULE_SKIP: "abc",
        EventKind.MODE: "b", EventKind.PARAM: "av", EventKind.CONFIG: "bv", EventKind.ERROR: "bv",
        EventKind.SENSOR: "abv"}
USED = {k: tuple("value" if f == "v" else f for f in v) for k, v in USED.items()}


def carried(view):
    """A BoardView without what the state JSON does not carry (docs in remote_view.py), channel
    values aside (compared apart: the JSON's are exact decimals, the board's thousandths x 0.001)."""
    return replace(view, port="", baud=0, state=None, hello=None, board="", health={}, reconnects=0,
                   channels=tuple(replace(c, lo=None, hi=None, count=0, value=None)
                                  for c in view.channels))


@pytest.mark.slow
def test_the_published_json_gives_back_the_view_and_the_log_a_live_board_shows(fast_board, tmp_path):
    recipe = fast_recipe()
    states = StateSink(recipe)
    log = LogSink.open(tmp_path / "log.db")
    board = LiveBoard(fast_board.port, sink=FanOut([log, states]), recipes=[recipe],
                      status_every=0.2).start()
    try:
        assert board.wait_online(10), board.view().error
        assert wait_until(lambda: board.view().params, 10)
        board.lease(0, 600).result(5)  # ACT_ON by a lease, then ACT_OFF: lease ended
        assert wait_until(lambda: board.view().actuators[0].on, 5)
        board.set_param(0, 41_500).result(5)  # PARAM, in the parameter's unit
        board.pause().result(5)  # MODE, and the rules show paused
        assert wait_until(lambda: board.view().paused and not board.view().actuators[0].on, 10)
        n = len(states.published)
        assert wait_until(lambda: len(states.published) >= n + 2, 10)
    finally:
        board.stop()
        log.close()
    view = board.view()
    remote = board_view(json.loads(states.published[-1]), recipe=recipe)
    assert carried(remote) == carried(view)
    assert [c.value for c in remote.channels] == [pytest.approx(c.value) for c in view.channels]
    assert all(c.value is not None for c in view.channels)
    assert remote.paused and remote.params[0].value == 41_500
    assert remote.actuators[0].max_on_ms == recipe.actuators[0].max_on_ms

    heard = [e for e in board.log if e.kind == "event"]
    assert len(heard) == len(states.events) >= 4
    for entry, (host_time, text, msg) in zip(heard, states.events):
        again = log_entry(json.loads(text), recipe, host_time)
        assert log_text(again) == log_text(entry), text
        used = ("time_ms", "kind", *USED[msg.kind])  # the JSON leaves out fields a kind does not use
        assert [getattr(again.event, f) for f in used] == [getattr(msg, f) for f in used], text
    words = [log_text(e) for e in heard]
    assert any(w.startswith("pump ON (lease)") for w in words)
    assert "dry_threshold set to 41.5 %" in words and "automation paused" in words


def test_json_that_is_not_serves_is_one_clear_error():
    with pytest.raises(RemoteViewError, match="board state"):
        board_view({"actuators": {"pump": {"on": True}}})
    with pytest.raises(RemoteViewError, match="event"):
        event_message({"kind": "act_on", "time_ms": 1, "actuator": "nope", "source": "lease",
                       "level": 255}, fast_recipe())
