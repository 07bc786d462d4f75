"""The MQTT sink: what each board's thread hands it becomes the board's retained state, its events
and its Home Assistant discovery (tendril.mqtt builds the payloads; this only keeps them and
publishes them through the bus).

A board's session here is its id (topics.board_id). Several board threads call in at once: one lock
guards the boards' states. Publishing while the broker is away does nothing; ``republish()`` sends
everything again once it is back (and after Home Assistant's birth message).
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

from ..mqtt.discovery import Discovery
from ..mqtt.state import BoardState, event_json
from ..mqtt.topics import OFFLINE, ONLINE, Topics, board_id
from ..live.sinks import Sink


@dataclass
class _Board:
    board: str
    hello: object = None
    state: BoardState | None = None
    online: bool = False
    run_times: dict = field(default_factory=dict)
    lock: threading.RLock = field(default_factory=threading.RLock)  # this board's state
    state_due: float = 0.0  # monotonic time a TELEMETRY may publish the state again
    state_dirty: bool = False  # a TELEMETRY changed the state and it was held back


_NO_BOARD = threading.RLock()  # for a call about a board not seen yet (it finds no state)


class MqttSink(Sink):
    def __init__(self, bus, topics: Topics, discovery: dict, *, version: str = "",
                 state_every: float = 0.5) -> None:
        """``discovery``: Discovery's keyword arguments (serve name, prefix, commands).
        ``state_every``: a board's TELEMETRY publishes its retained state at most this often (the
        latest wins, sent by ``publish_held``); events, STATUS and parameters publish at once.
        Every sample still goes out as a frames record (collect/sink.py)."""
        self.state_every = state_every
        self.bus = bus
        self.topics = topics
        self.discovery_args = discovery
        self.version = version
        self.lock = threading.Lock()  # the boards dict only; each board's state has its own
        self.boards: dict[str, _Board] = {}

    # --- Sink -----------------------------------------------------------------------------------
    def begin_session(self, hello) -> str:
        board = board_id(hello.device_id)
        entry = self._entry(board)
        with entry.lock:
            entry.hello = hello
            if entry.state is not None:
                entry.state.hello(hello)
        self.set_online(board, True)
        return board

    def recipe(self, session, recipe) -> None:
        if session is None:
            return
        entry = self._entry(session)
        with entry.lock:
            old = entry.state
            if recipe is None:
                entry.state = None
            else:
                state = BoardState(session, recipe)
                if entry.hello is not None:
                    state.hello(entry.hello)
                for name, ms in entry.run_times.items():
                    if name in state.run_time_ms and ms <= next(
                            a.run_limit_ms for a in recipe.actuators if a.name == name):
                        state.run_time_ms[name] = ms
                entry.state = state
            previous = old.recipe if old is not None else None
        if recipe is None:
            if previous is not None:  # the board lost its config: its entities go
                self.bus.publish(self._discovery(session).topic, "", retain=True)
            return
        self._publish_discovery(session, previous)
        self._publish_state(session)

    def telemetry(self, session, msg, host_time, seq) -> None:
        entry = self.boards.get(session) if session is not None else None
        if entry is None:
            return
        with entry.lock:
            state = entry.state
            if state is None or not state.telemetry(msg):
                return
            if time.monotonic() < entry.state_due:
                entry.state_dirty = True  # publish_held sends the latest
                return
        self._publish_state(session)

    def publish_held(self, force: bool = False) -> None:
        """The states TELEMETRY changed but held back, once their time is up (serve's tick), or
        all of them now (``force``: serve stopping)."""
        now = time.monotonic()
        with self.lock:
            due = [b for b, e in self.boards.items()
                   if e.state_dirty and (force or now >= e.state_due)]
        for board in due:
            self._publish_state(board)

    def event(self, session, msg, host_time, seq) -> None:
        with self._lock_of(session):
            state = self._state(session)
            recipe = state.recipe if state is not None else None
            if state is not None:
                state.event(msg)
        if session is not None:
            self.bus.publish(self.topics.event(session), event_json(session, recipe, msg))
        if state is not None:
            self._publish_state(session)

    def status(self, session, page) -> None:
        with self._lock_of(session):
            state = self._state(session)
            if state is None:
                return
            before = state.json()
            state.status(page)
            changed = state.json() != before
        if changed:
            self._publish_state(session)

    def params(self, session, msg) -> None:
        with self._lock_of(session):
            state = self._state(session)
            if state is None:
                return
            before = state.json()
            state.params_msg(msg)
            changed = state.json() != before
        if changed:
            self._publish_state(session)

    # --- serve's side ----------------------------------------------------------------------------
    def set_online(self, board: str, online: bool) -> None:
        entry = self._entry(board)
        with entry.lock:
            entry.online = online
        self.bus.publish(self.topics.availability(board), ONLINE if online else OFFLINE, retain=True)

    def set_run_time(self, board: str, actuator: str, ms: int) -> None:
        entry = self.boards[board]
        with entry.lock:
            entry.run_times[actuator] = ms
            if entry.state is not None:
                entry.state.run_time_ms[actuator] = ms
        self._publish_state(board)

    def state_of(self, board: str) -> BoardState | None:
        with self.lock:
            entry = self.boards.get(board)
            return entry.state if entry is not None else None

    def payload_of(self, board: str) -> dict | None:
        with self._lock_of(board):
            state = self._state(board)
            return state.payload() if state is not None else None

    def republish(self) -> None:
        """Discovery, state and availability of every board again (a reconnect, HA's birth)."""
        with self.lock:
            boards = list(self.boards.values())
        for entry in boards:
            if entry.state is not None:
                self._publish_discovery(entry.board, None)
                self._publish_state(entry.board)
            self.bus.publish(self.topics.availability(entry.board),
                             ONLINE if entry.online else OFFLINE, retain=True)

    def offline_messages(self) -> list[tuple[str, str]]:
        with self.lock:
            return [(self.topics.availability(b), OFFLINE) for b in self.boards]

    # --- plumbing -------------------------------------------------------------------------------
    def _entry(self, board: str) -> _Board:
        with self.lock:
            return self.boards.setdefault(board, _Board(board))

    def _lock_of(self, board):
        entry = self.boards.get(board) if board is not None else None
        return entry.lock if entry is not None else _NO_BOARD

    def _state(self, session) -> BoardState | None:
        entry = self.boards.get(session) if session is not None else None
        return entry.state if entry is not None else None

    def _discovery(self, board: str) -> Discovery:
        return Discovery(board, topics=self.topics, **self.discovery_args)

    def _publish_discovery(self, board: str, previous) -> None:
        entry = self.boards[board]
        with entry.lock:
            state, hello = entry.state, entry.hello
        if state is None:
            return
        d = self._discovery(board)
        if previous is not None and set(d.components(previous)) - set(d.components(state.recipe)):
            # the dropped entities as {"p": ...} first (HA removes them), then the payload without
            self.bus.publish(d.topic, d.json(state.recipe, hello, previous, self.version), retain=True)
        self.bus.publish(d.topic, d.json(state.recipe, hello, None, self.version), retain=True)

    def _publish_state(self, board: str) -> None:
        with self._lock_of(board):
            state = self._state(board)
            text = state.json() if state is not None else None
            entry = self.boards.get(board)
            if entry is not None:
                entry.state_due = time.monotonic() + self.state_every
                entry.state_dirty = False
        if text is not None:
            self.bus.publish(self.topics.state(board), text, retain=True, latest=True)
