"""serve's log database behind one writer thread: board threads only queue what they hear.

A LogSink commits from whichever board thread finds the batch due, and holds its lock while it
does; with a hundred boards a commit (600 channels' chunks, compaction now and then) took long
enough that every other board thread waited on that lock before it could hand its TELEMETRY to
MQTT (docs/benchmarks.md, "serve at 100 boards"). Here TELEMETRY, EVENT and source rows go into
a queue (a deque: appending needs no lock of ours) and one thread moves them into the LogSink
and commits every ``every`` seconds. What needs an answer (a session id, a remembered recipe)
still goes straight to the LogSink.

Nothing is dropped: ``flush()`` and ``close()`` drain the queue first; a failed commit leaves the
rows in the store's own queue (LogSink keeps its ``error``), as before.
"""

from __future__ import annotations

import logging
import threading
from collections import deque

from ..live import LogSink
from ..live.sinks import Sink

log = logging.getLogger("tendril.serve")


class QueuedLog(Sink):
    def __init__(self, log: LogSink, every: float = 0.25) -> None:
        self.log = log
        self.every = every
        self._queue: deque[tuple] = deque()
        self._draining = threading.Lock()  # one drain at a time keeps the rows in order
        self._wake = threading.Event()
        self._stopping = False
        self._thread = threading.Thread(target=self._run, name="log writer", daemon=True)
        self._thread.start()

    @classmethod
    def open(cls, path=None) -> QueuedLog:
        return cls(LogSink.open(path))

    # --- what a board hands over: queued ----------------------------------------------------------
    def telemetry(self, session, msg, host_time: float, seq: int) -> None:
        self._queue.append((self.log.telemetry, (session, msg, host_time, seq)))

    def event(self, session, msg, host_time: float, seq: int) -> None:
        self._queue.append((self.log.event, (session, msg, host_time, seq)))

    def row(self, session, host_time: float, values: dict[str, float]) -> None:
        self._queue.append((self.log.row, (session, host_time, values)))

    # --- what needs an answer now: straight through -----------------------------------------------
    def begin_session(self, hello):
        return self.log.begin_session(hello)

    def begin_source_session(self, kind: str, device_key: str):
        return self.log.begin_source_session(kind, device_key)

    def config(self, device_id: int, image: bytes, direction: str,
               recipe_text: str | None = None):
        return self.log.config(device_id, image, direction, recipe_text=recipe_text)

    def recipe_text(self, device_id: int, recipe_hash: bytes) -> str | None:
        return self.log.recipe_text(device_id, recipe_hash)

    def flush_due(self) -> None:
        """Board threads call this in their loops; the writer thread commits, not they."""

    # --- the writer ---------------------------------------------------------------------------------
    def _drain(self) -> int:
        n = 0
        queue = self._queue
        with self._draining:
            while queue:
                fn, args = queue.popleft()
                fn(*args)
                n += 1
        return n

    def _run(self) -> None:
        while not self._stopping:
            self._wake.wait(self.every)
            self._wake.clear()
            try:
                self._drain()
                self.log.flush_due()  # a StorageError is kept in log.error; the rows stay queued
            except Exception as exc:  # noqa: BLE001 - a bug: say it, keep the writer alive
                log.error("log writer: %s: %s", type(exc).__name__, exc)

    @property
    def pending(self) -> int:
        return len(self._queue) + self.log.pending

    @property
    def committed(self) -> int:
        return self.log.committed

    @property
    def error(self):
        return self.log.error

    @property
    def path(self):
        return self.log.path

    def flush(self) -> int:
        """Everything queued, committed now (from the calling thread); the rows written."""
        self._drain()
        return self.log.flush()

    def close(self) -> None:
        """Stop the writer, then drain, commit and close the database."""
        self._stopping = True
        self._wake.set()
        self._thread.join()
        self._drain()
        self.log.close()
