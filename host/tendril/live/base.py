"""The plumbing LiveBoard and LiveSource share: a thread, a lock-guarded view that bumps a
version on every change, the log of entries, per-channel Series."""

from __future__ import annotations

import threading
import time
from collections import deque
from dataclasses import replace

from .series import Series
from .view import BoardView, LinkState, LogEntry


class LiveBase:
    """Subclasses set ``_view`` and implement ``_run`` (the thread's body)."""

    thread_name = "live"

    def __init__(self, port: str, baud: int, view: BoardView) -> None:
        self.port, self.baud = port, baud
        self.lock = threading.RLock()
        self.version = 0  # bumped on every change; a UI redraws when it moved
        self.series: dict[int, Series] = {}
        self.log: deque[LogEntry] = deque(maxlen=5000)
        self.raw: deque[tuple[float, bytes]] = deque(maxlen=512)  # the last chunks read (raw console)
        self.samples = 0
        self.events = 0
        self.rows = 0  # rows handed to the sink
        self.log_count = 0  # LogEntries ever noted: ``log[-(log_count - seen):]`` are the new ones
        self.session_ids: list[int] = []  # the store sessions logged into, in order
        self._view = view
        self._stop = threading.Event()
        self._online = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self):
        self._thread = threading.Thread(target=self._run, name=f"{self.thread_name} {self.port}",
                                        daemon=True)
        self._thread.start()
        return self

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
        self._set(state=LinkState.STOPPED)

    def wait_online(self, timeout: float) -> bool:
        return self._online.wait(timeout)

    def view(self) -> BoardView:
        with self.lock:
            return self._view

    def log_since(self, seen: int) -> tuple[list[LogEntry], int]:
        """The log entries noted after the first ``seen`` (as many as the log still holds), and the
        count to pass next time."""
        with self.lock:
            n = min(self.log_count - seen, len(self.log))
            lines = [self.log[i] for i in range(len(self.log) - n, len(self.log))] if n > 0 else []
            return lines, self.log_count

    def series_of(self, channel: int) -> Series:
        with self.lock:
            return self.series.setdefault(channel, Series())

    def _run(self) -> None:
        raise NotImplementedError

    def _note(self, kind: str, text: str, when: float | None = None, **more) -> None:
        with self.lock:
            self.log.append(LogEntry(time.time() if when is None else when, kind, text, **more))
            self.log_count += 1
            self._bump()

    def _set(self, **changes) -> None:
        with self.lock:
            self._view = replace(self._view, **changes)
            self._bump()

    def _bump(self) -> None:
        self.version += 1
