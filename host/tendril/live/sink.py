"""One log database shared by the boards of a logger or a UI: the Store behind a lock, as a Sink.

Board threads queue rows and call ``flush_due`` in their loops; whichever thread finds the batch
due commits it. SQLite sees one writer at a time, and a batch is one transaction."""

from __future__ import annotations

import threading
import time

from ..errors import StorageError
from ..store import Store
from .sinks import Sink


class LogSink(Sink):
    def __init__(self, store: Store) -> None:
        self.store = store
        self.lock = threading.Lock()
        self.committed = 0  # rows committed by this sink
        self.error: StorageError | None = None  # the last failed flush (rows stay queued)

    @classmethod
    def open(cls, path=None) -> LogSink:
        return cls(Store.open(path))

    @property
    def path(self):
        return self.store.path

    def begin_session(self, hello) -> int:
        with self.lock:
            return self.store.begin_session(hello)

    def telemetry(self, session: int, msg, host_time: float, seq: int) -> None:
        with self.lock:
            self.store.add_telemetry(session, msg, host_time, seq)

    def event(self, session: int, msg, host_time: float, seq: int) -> None:
        with self.lock:
            self.store.add_event(session, msg, host_time, seq)

    def config(self, device_id: int, image: bytes, direction: str,
               recipe_text: str | None = None) -> int:
        with self.lock:
            return self.store.record_config(device_id, image, direction, recipe_text=recipe_text)

    def recipe_text(self, device_id: int, recipe_hash: bytes) -> str | None:
        with self.lock:
            return self.store.recipe_text(device_id, recipe_hash)

    def begin_source_session(self, kind: str, device_key: str) -> int:
        with self.lock:
            return self.store.begin_source_session(kind, device_key)

    def row(self, session: int, host_time: float, values: dict[str, float]) -> None:
        with self.lock:
            self.store.add_row(session, host_time, values)

    @property
    def pending(self) -> int:
        return self.store.pending

    def flush_due(self) -> None:
        """Commit if 250 ms are up. A StorageError (a full disk) is kept in ``error`` and the rows
        stay queued for the next try: logging goes on, nothing received is dropped."""
        if not self.lock.acquire(blocking=False):
            return  # another board is committing right now
        try:
            n = self.store.pending
            if self.store.flush_due(time.monotonic()):
                self.committed += n
                self.error = None
        except StorageError as exc:
            self.error = exc
        finally:
            self.lock.release()

    def flush(self) -> int:
        with self.lock:
            n = self.store.flush()
            self.committed += n
            self.error = None
            return n

    def rows_since(self, session_ids, since: float) -> int:
        """Rows committed for those sessions at host time ``since`` or later."""
        with self.lock:
            return self.store.rows_since(session_ids, since)

    def abandon(self) -> None:
        """Let go of the database without writing what is queued (a final flush failed)."""
        with self.lock:
            self.store.abandon()

    def close(self) -> None:
        with self.lock:
            n = self.store.pending
            self.store.close()
            self.committed += n
