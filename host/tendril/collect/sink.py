"""FramesSink: a Sink that turns every call of a board's thread into a frames record
(mqtt/frames.py) and hands it to ``publish(topic, payload)`` (QoS 1, not retained, on
``<prefix>/<board>/frames``). It holds no client: serve (or a test) gives the publish callable.

A session of this sink is the boot it belongs to, ``(device_id, boot_count)``. One sink may carry
many boards (serve has one for all): each board's HELLO record is sent again every ``hello_every``
seconds while that board still speaks (from ``flush_due``), so a collector that never saw the first
one (it subscribed later) can still open the session. Boards that do not run tendril
(``begin_source_session``/``row``) are not published: they have no device id to name a topic.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable

from ..live.sinks import Sink
from ..mqtt import frames
from ..mqtt.frames import Record
from ..mqtt.topics import DEFAULT_PREFIX, Topics, board_id


class FramesSink(Sink):
    def __init__(self, publish: Callable[[str, bytes], object], prefix: str = DEFAULT_PREFIX, *,
                 hello_every: float = 60.0, clock: Callable[[], float] = time.time) -> None:
        self.publish = publish
        self.topics = Topics(prefix)
        self.hello_every = hello_every
        self.clock = clock
        self.run = random.getrandbits(32)
        self.lock = threading.Lock()
        self.number = 0  # records published
        self._hellos: dict[int, list] = {}  # device id -> [its HELLO, due at, spoke since]
        self._next_due = float("inf")  # the earliest due: flush_due's quick way out

    def _send(self, kind: int, board: tuple[int, int], host_time: float | None = None,
              seq: int = 0, **fields) -> None:
        with self.lock:  # only the number: a hundred board threads queued on a lock held
            self.number += 1  # across encode and publish (docs/benchmarks.md)
            number = self.number
        record = Record(kind, self.clock() if host_time is None else host_time, seq, board,
                        self.run, number, **fields)
        self.publish(self.topics.frames(board_id(board[0])), frames.encode(record))

    def begin_session(self, hello) -> tuple[int, int]:
        board = (hello.device_id, hello.boot_count)
        due = time.monotonic() + self.hello_every
        with self.lock:
            self._hellos[hello.device_id] = [hello, due, False]
            self._next_due = min(self._next_due, due)
        self._send(frames.HELLO, board, msg=hello)
        return board

    def recipe(self, session, recipe) -> None:
        if session is None:
            return
        if recipe is None:
            self._send(frames.RECIPE, session, known=False)
        else:
            self._send(frames.RECIPE, session, known=True, name=recipe.meta.name,
                       text=recipe.text or "")

    def telemetry(self, session, msg, host_time: float, seq: int) -> None:
        if session is not None:
            self._spoke(session)
            self._send(frames.TELEMETRY, session, host_time, seq, msg=msg)

    def event(self, session, msg, host_time: float, seq: int) -> None:
        if session is not None:
            self._spoke(session)
            self._send(frames.EVENT, session, host_time, seq, msg=msg)

    def status(self, session, page) -> None:
        if session is not None:
            self._send(frames.STATUS, session, msg=page)

    def params(self, session, msg) -> None:
        if session is not None:
            self._send(frames.PARAMS, session, msg=msg)

    def config(self, device_id: int, image: bytes, direction: str,
               recipe_text: str | None = None) -> None:
        entry = self._hellos.get(device_id)
        boot = entry[0].boot_count if entry is not None else 0
        self._send(frames.CONFIG, (device_id, boot), direction=direction, image=bytes(image),
                   text=recipe_text)

    def flush_due(self) -> None:
        now = time.monotonic()
        if now < self._next_due:  # every board thread calls this many times a second
            return
        with self.lock:
            due = []
            for entry in self._hellos.values():
                if now >= entry[1]:
                    if entry[2]:  # a board gone quiet (unplugged) is not announced again
                        due.append(entry[0])
                    entry[1], entry[2] = now + self.hello_every, False
            self._next_due = min((e[1] for e in self._hellos.values()), default=float("inf"))
        for hello in due:
            self._send(frames.HELLO, (hello.device_id, hello.boot_count), msg=hello)

    def _spoke(self, session: tuple[int, int]) -> None:
        entry = self._hellos.get(session[0])
        if entry is not None:
            entry[2] = True
