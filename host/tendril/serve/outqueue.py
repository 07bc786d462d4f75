"""What serve has yet to hand to the MQTT client, bounded: no I/O here (bus.py feeds paho from it).

    q = OutQueue(limit=50_000)
    q.put("tendril/b1/frames", record)                   # every one in order, up to the limit
    q.put("tendril/b1/state", text, retain=True, latest=True)  # one pending a topic: the newest
    item = q.take()                                      # (topic, payload, retain, qos) or None

A board's retained state is worth only its newest value, so a state waiting to go out is replaced
by a newer one in its place in the line (a slow broker never sees a board's stale states queue up).
Everything else (frames records, events, answers) goes out in order; when ``limit`` of them wait,
a new one is dropped and counted (the log database still has every sample), and ``episode()``
says so once when it starts and once when the queue has room again.
"""

from __future__ import annotations

import threading
from collections import deque

_LATEST = object()  # in the line: "the newest payload for this topic goes here"


class OutQueue:
    def __init__(self, limit: int = 50_000) -> None:
        self.limit = limit
        self.dropped = 0  # in all
        self._line: deque = deque()
        self._latest: dict[str, tuple[str | bytes, bool, int]] = {}
        self._lock = threading.Lock()  # the latest-value table and its place in the line
        self._episode_dropped = 0
        self._said: int | None = None  # dropped count when the episode was said; None: no episode

    def __len__(self) -> int:
        return len(self._line)

    def put(self, topic: str, payload: str | bytes, *, retain: bool = False, qos: int = 1,
            latest: bool = False) -> bool:
        """Queue one message; False when it was dropped (the queue is full)."""
        if latest:
            with self._lock:
                if topic not in self._latest:
                    self._line.append((topic, _LATEST, retain, qos))
                self._latest[topic] = (payload, retain, qos)
            return True
        if len(self._line) >= self.limit:
            self.dropped += 1
            self._episode_dropped += 1
            return False
        self._line.append((topic, payload, retain, qos))  # a deque: no lock for a hundred threads
        return True

    def take(self) -> tuple[str, str | bytes, bool, int] | None:
        """The next message, or None when nothing waits."""
        try:
            topic, payload, retain, qos = self._line.popleft()
        except IndexError:
            return None
        if payload is _LATEST:
            with self._lock:
                payload, retain, qos = self._latest.pop(topic)
        return topic, payload, retain, qos

    def episode(self) -> str | None:
        """One line when dropping starts, one when it has stopped and the queue has room again;
        None otherwise. Call it now and then from one thread."""
        if self._said is None and self._episode_dropped:
            self._said = self._episode_dropped
            return (f"MQTT publishing fell behind ({self.limit} messages waiting): dropping new "
                    "frames records until it catches up (the log database keeps every sample)")
        if self._said is not None and len(self._line) < self.limit // 2:
            n, self._said, self._episode_dropped = self._episode_dropped, None, 0
            return f"MQTT publishing caught up; {n} messages were dropped meanwhile"
        return None
