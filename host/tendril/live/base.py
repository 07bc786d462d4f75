"""What a screen needs from a board (``Board``), and the plumbing LiveBoard and LiveSource share:
a thread, a lock-guarded view that bumps a version on every change, the log of entries,
per-channel Series."""

from __future__ import annotations

import threading
import time
from collections import deque
from concurrent.futures import Future
from dataclasses import replace
from typing import Protocol, runtime_checkable

from .series import Series
from .view import BoardView, LinkState, LogEntry


@runtime_checkable
class Board(Protocol):
    """The surface the monitor draws and drives a board through, whoever holds its link: a
    LiveBoard (its port, in this process), a LiveSource (a board that does not run tendril), or a
    board another process owns (``tendril serve``, seen over MQTT: a RemoteBoard built on
    remote_view.py). Reads are snapshots safe from any thread (under ``lock`` for the Series and
    ``raw``); commands return Futures that fail with a sentence when the board cannot do that."""

    port: str
    lock: threading.RLock
    version: int  # moves on every change: a screen redraws when it did
    raw: deque  # (host time, bytes) the last chunks read from the link (empty when remote)
    recipe: object | None  # the tendril.recipes.Recipe it runs, if known

    def start(self): ...
    def stop(self, timeout: float = 5.0) -> None: ...
    def view(self) -> BoardView: ...
    def series_of(self, channel: int) -> Series: ...
    def log_since(self, seen: int) -> tuple[list[LogEntry], int]: ...
    def lease(self, actuator: int, ms: int, level: int = 255) -> Future: ...
    def off(self, actuator: int) -> Future: ...
    def pause(self) -> Future: ...
    def resume(self) -> Future: ...
    def clear_safe_mode(self) -> Future: ...
    def set_param(self, index: int, value: int) -> Future: ...
    def push(self, recipe) -> Future: ...
    def pull(self) -> Future: ...


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

    def request_stop(self) -> None:
        """Ask the thread to end, without waiting for it (``stop`` waits): an owner of many boards
        asks them all first, so they wind down together rather than one after another."""
        self._stop.set()

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
