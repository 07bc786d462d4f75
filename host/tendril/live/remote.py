"""A board another process owns (`tendril serve`), seen and driven over MQTT with the surface the
monitor draws (live.base.Board): the retained state and the events through remote_view.py, every
sample from the frames topic for the charts (the state's values when serve publishes no frames),
commands as serve's commands through tendril.remote's client, each a Future.

    client = ServeClient.connect(url)
    fleet = RemoteFleet(client).start()      # fleet.boards: every board, those joining later too
"""

from __future__ import annotations

import json
import re
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor

from ..contract import TelemetryFlag
from ..mqtt import frames
from ..mqtt.state import units
from ..mqtt.topics import ONLINE
from .base import LiveBase
from .remote_view import RemoteViewError, board_view, log_entry
from .series import Series
from .view import BoardView, LinkState


class RemoteBoard(LiveBase):
    thread_name = "remote"

    def __init__(self, client, board: str) -> None:
        super().__init__(board, 0, BoardView(port=board, baud=0, state=LinkState.CONNECTING))
        self.client, self.board = client, board
        self.recipe = None
        self._state: dict | None = None
        self._online = threading.Event()
        self._available = client.boards().get(board, ONLINE) == ONLINE
        self._frames_seen = False
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"remote {board}")
        t = client.topics
        self._topics = {t.state(board): self._on_state, t.event(board): self._on_event,
                        t.frames(board): self._on_frames, t.availability(board): self._on_avail}

    # -- the stream -----------------------------------------------------------------------------
    def start(self):
        self.client.listeners.append(self._message)
        self.client.subscribe(*self._topics)
        state = self.client.state(self.board)  # retained, already in before we listened
        if state is not None:
            self._on_state(json.dumps(state).encode())
        self._pool.submit(self._load_recipe)
        return self

    def stop(self, timeout: float = 5.0) -> None:
        if self._message in self.client.listeners:
            self.client.listeners.remove(self._message)
        self._pool.shutdown(wait=False, cancel_futures=True)
        self._set(state=LinkState.STOPPED)

    def _load_recipe(self) -> None:
        from ..recipes import parse
        try:
            text = self.client.request(self.board, "pull")["recipe"]
            recipe = parse(text, f"board {self.board}")
        except Exception as exc:  # noqa: BLE001 - the views work without it
            self._note("link", f"no recipe from tendril serve: {str(exc).splitlines()[0][:200]}")
            return
        with self.lock:
            self.recipe = recipe
            self._redraw()

    def _message(self, topic: str, payload: bytes) -> None:
        handler = self._topics.get(topic)
        if handler is not None:
            handler(payload)

    def _on_avail(self, payload: bytes) -> None:
        with self.lock:
            self._available = payload.decode("utf-8", "replace") == ONLINE
            self._redraw()

    def _on_state(self, payload: bytes) -> None:
        try:
            state = json.loads(payload.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            return
        if not isinstance(state, dict):
            return
        now = time.time()
        with self.lock:
            self._state = state
            if not self._frames_seen:  # no frames topic: the state's values make the charts
                for i, value in enumerate((state.get("channels") or {}).values()):
                    series = self.series.setdefault(i, Series())
                    if value is None:
                        series.gap(now)
                    elif isinstance(value, (int, float)):
                        series.add(now, float(value))
            self._redraw()
        self._online.set()

    def _redraw(self) -> None:
        if self._state is None:  # nothing to draw yet, but an offline board says so
            self._set(state=LinkState.CONNECTING if self._available else LinkState.OFFLINE)
            return
        try:
            view = board_view(self._state, recipe=self.recipe, port=self.board,
                              online=self._available)
        except RemoteViewError as exc:
            self._note("link", str(exc))
            return
        with self.lock:
            self._view = view
            self._bump()

    def _on_event(self, payload: bytes) -> None:
        try:
            entry = log_entry(json.loads(payload.decode("utf-8")), self.recipe, time.time())
        except (UnicodeDecodeError, ValueError, RemoteViewError):
            return
        with self.lock:
            self.events += 1
            self.log.append(entry)
            self.log_count += 1
            self._bump()

    def _on_frames(self, payload: bytes) -> None:
        try:
            record = frames.decode(payload)
        except ValueError:
            return
        if record.kind != frames.TELEMETRY:
            return
        msg = record.msg
        raw = bool(int(msg.flags) & int(TelemetryFlag.RAW))
        scale = 1 if raw else 0.001
        with self.lock:
            if not self._frames_seen:
                self._frames_seen = True
                self.series.clear()  # from now on every sample, not the state's snapshots
            self.samples += len(msg.values)
            for i, v in enumerate(msg.values, msg.first_channel):
                series = self.series.setdefault(i, Series())
                if v is None:
                    series.gap(record.host_time)
                else:
                    series.add(record.host_time, v * scale)
            self._bump()

    # -- commands: serve's, by name -------------------------------------------------------------
    def _names(self, key: str) -> list[str]:
        with self.lock:
            return list((self._state or {}).get(key) or {})

    def _request(self, command: str, body: dict | None = None, pick=lambda answer: None) -> Future:
        return self._pool.submit(lambda: pick(self.client.request(self.board, command, body)))

    def _failed(self, why: str) -> Future:
        f: Future = Future()
        f.set_exception(RuntimeError(why))
        return f

    def _name(self, key: str, index: int, what: str) -> str | None:
        names = self._names(key)
        return names[index] if 0 <= index < len(names) else None

    def lease(self, actuator: int, ms: int, level: int = 255) -> Future:
        name = self._name("actuators", actuator, "actuator")
        if name is None:
            return self._failed(f"no actuator {actuator} in serve's state yet")
        return self._request("run", {"actuator": name, "for_s": units(ms), "level": level})

    def off(self, actuator: int) -> Future:
        name = self._name("actuators", actuator, "actuator")
        if name is None:
            return self._failed(f"no actuator {actuator} in serve's state yet")
        return self._request("off", {"actuator": name})

    def pause(self) -> Future:
        return self._request("pause")

    def resume(self) -> Future:
        return self._request("resume")

    def clear_safe_mode(self) -> Future:
        return self._request("clear_safe_mode")

    def set_param(self, index: int, value: int) -> Future:
        name = self._name("parameters", index, "param")
        if name is None:
            return self._failed(f"no parameter {index} in serve's state yet")
        return self._request("set", {"parameter": name, "value": units(value)})

    def push(self, recipe) -> Future:
        from .board import PushOutcome

        def outcome(answer: dict) -> PushOutcome:
            self._pool.submit(self._load_recipe)
            return PushOutcome(list(answer.get("changes") or []), bool(answer.get("already_active")), 0)
        return self._request("push", {"recipe": recipe.text}, outcome)

    def pull(self) -> Future:
        return self._request("pull", None, lambda answer: answer["recipe"])


_AVAILABILITY = re.compile(r"([0-9a-f]{8})/availability")


class RemoteFleet:
    """Every board a serve publishes, as started RemoteBoards in ``boards`` (a list that only
    grows, in the order the boards were first heard of): those there when it starts and, when
    ``follow``, each board whose availability appears later. A board that goes away stays in the
    list and shows OFFLINE (its availability), as it does in serve's retained topics. New boards
    are started on a worker of the fleet's own: paho's thread, which hears them, cannot wait for
    the subscribe a RemoteBoard makes."""

    def __init__(self, client, only: list[str] | None = None) -> None:
        self.client = client
        self.only = only  # the boards asked for; None: all of them, followed
        self.boards: list[RemoteBoard] = []
        self._lock = threading.Lock()
        self._known: set[str] = set()
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="remote fleet")

    def start(self) -> RemoteFleet:
        if self.only is not None:
            for board in self.only:
                self._join(board)
            return self
        self.client.listeners.append(self._message)  # before the look at what is known: none missed
        for board in self.client.boards():
            self._join(board)
        return self

    def stop(self) -> None:
        if self._message in self.client.listeners:
            self.client.listeners.remove(self._message)
        self._pool.shutdown(wait=True, cancel_futures=True)
        for board in list(self.boards):
            board.stop()

    def _message(self, topic: str, payload: bytes) -> None:
        if not topic.endswith("/availability"):  # every message of every board passes here
            return
        head = self.client.prefix + "/"
        found = _AVAILABILITY.fullmatch(topic[len(head):]) if topic.startswith(head) else None
        if found is not None and payload and found.group(1) not in self._known:
            self._pool.submit(self._join, found.group(1))

    def _join(self, board: str) -> None:
        with self._lock:
            if board in self._known:
                return
            self._known.add(board)
        self.boards.append(RemoteBoard(self.client, board).start())


__all__ = ["RemoteBoard", "RemoteFleet"]
