"""The Store: one SQLite file, WAL, batched inserts the caller flushes (no threads in here)."""

from __future__ import annotations

import os
import sqlite3
import time
from pathlib import Path
from typing import Self

from ..errors import StorageError
from .schema import MIGRATIONS, SCHEMA_VERSION

FLUSH_INTERVAL = 0.25  # seconds: the longest a logged row waits before its commit
FLUSH_ROWS = 50_000  # a batch this big is committed at once, whatever the time
_SEQ_MOD, _SEQ_HALF = 1 << 16, 1 << 15

_INSERT_SAMPLE = ("INSERT OR IGNORE INTO samples (session_id, seq, channel, device_ms, host_time,"
                  " value, raw) VALUES (?, ?, ?, ?, ?, ?, ?)")
_INSERT_EVENT = ("INSERT OR IGNORE INTO events (session_id, seq, device_ms, kind, a, b, c, value,"
                 " host_time) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")


def default_path() -> Path:
    """$TENDRIL_DB, else tendril.db in the user data directory (platformdirs)."""
    env = os.environ.get("TENDRIL_DB")
    if env:
        return Path(env)
    from platformdirs import user_data_path
    return user_data_path("tendril", appauthor=False) / "tendril.db"


def _storage_error(path, exc: sqlite3.Error, doing: str) -> StorageError:
    text = str(exc)
    if "full" in text:
        return StorageError(f"{path}: the disk is full while {doing}; rows committed before are"
                            " kept, free some space and log again")
    return StorageError(f"{path}: {text} while {doing}")


class Store:
    """A log database. ``Store.open(path)`` creates or migrates it.

    A logger calls ``begin_session(hello)`` once per boot it sees, then ``add_telemetry`` and
    ``add_event`` for every frame, and ``flush_due(now)`` every loop; rows are committed in
    batches at least every FLUSH_INTERVAL seconds and on ``flush()`` / ``close()``.
    """

    def __init__(self, conn: sqlite3.Connection, path: Path) -> None:
        self.conn = conn
        self.path = path
        self._samples: list[tuple] = []
        self._events: list[tuple] = []
        self._last_flush = time.monotonic()
        self._seq: dict[int, int] = {}  # session id -> last unwrapped sequence number

    # --- opening ----------------------------------------------------------------------------------

    @classmethod
    def open(cls, path: str | Path | None = None) -> Store:
        if path is None:
            path = default_path()
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise StorageError(f"{path.parent}: cannot create it: {exc.strerror}") from exc
        path = Path(path)
        if path.is_dir():
            raise StorageError(f"{path}: is a directory, not a database file")
        try:
            conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        except sqlite3.Error as exc:
            raise _storage_error(path, exc, "opening the database") from exc
        try:
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            if version > SCHEMA_VERSION:
                raise StorageError(f"{path}: written by a newer tendril (schema {version}, this"
                                   f" version knows {SCHEMA_VERSION}); update tendril to use it")
            # WAL: a crash never corrupts the file and readers (export) never block the logger.
            # NORMAL: no fsync per commit; on power loss the last commits may roll back.
            mode = conn.execute("PRAGMA journal_mode=WAL").fetchone()[0]
            if mode.lower() != "wal":
                raise StorageError(f"{path}: cannot use WAL mode (got {mode})")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute("PRAGMA foreign_keys=ON")
            conn.execute("PRAGMA busy_timeout=5000")
            for step in range(version, SCHEMA_VERSION):
                conn.execute("BEGIN IMMEDIATE")
                _run_script(conn, MIGRATIONS[step])
                conn.execute(f"PRAGMA user_version={step + 1}")
                conn.execute("COMMIT")
        except StorageError:
            conn.close()
            raise
        except sqlite3.Error as exc:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            conn.close()
            raise _storage_error(path, exc, "opening the database") from exc
        return cls(conn, path)

    # --- writing ----------------------------------------------------------------------------------

    def begin_session(self, hello, host_time: float | None = None) -> int:
        """The session id of the boot ``hello`` announces; the same id again for a boot already
        logged (a reconnect without a reset). Committed at once."""
        now = time.time() if host_time is None else host_time
        fw = f"{hello.fw_major}.{hello.fw_minor}.{hello.fw_patch}"
        with self._write("starting a session"):
            self.conn.execute(
                "INSERT INTO devices (device_id, board_class, first_seen, last_seen)"
                " VALUES (?, ?, ?, ?) ON CONFLICT (device_id) DO UPDATE SET"
                " board_class = excluded.board_class, last_seen = excluded.last_seen",
                (hello.device_id, int(hello.board_class), now, now))
            row = self.conn.execute("SELECT id FROM sessions WHERE device_id = ? AND boot_count = ?",
                                    (hello.device_id, hello.boot_count)).fetchone()
            if row is None:
                cur = self.conn.execute(
                    "INSERT INTO sessions (device_id, boot_count, protocol_version, fw_version,"
                    " fw_name, reset_cause, flags, capabilities, config_generation, recipe_hash,"
                    " host_start) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (hello.device_id, hello.boot_count, hello.protocol_version, fw, hello.text,
                     int(hello.reset_cause), int(hello.flags), int(hello.capabilities),
                     hello.config_generation, bytes(hello.recipe_hash), now))
                session = cur.lastrowid
            else:
                session = row[0]
        return session

    def _unwrap(self, session: int, seq: int) -> int:
        """The u16 frame seq as a sequence number that keeps counting past 65535 in a session.

        A seq a little behind the last one (a frame seen again after a reconnect) maps to the
        number it had the first time, so the UNIQUE index drops it."""
        last = self._seq.get(session)
        if last is None:
            row = self.conn.execute(
                "SELECT max(s) FROM (SELECT max(seq) AS s FROM samples WHERE session_id = ?"
                " UNION ALL SELECT max(seq) FROM events WHERE session_id = ?)",
                (session, session)).fetchone()
            queued = [r[1] for r in (*self._samples, *self._events) if r[0] == session]
            last = max([v for v in (row[0], *queued) if v is not None], default=None)
            if last is None:
                self._seq[session] = seq
                return seq
        delta = (seq - last) % _SEQ_MOD
        if delta >= _SEQ_HALF:
            delta -= _SEQ_MOD
        ext = last + delta
        self._seq[session] = max(ext, last)
        return ext

    def add_telemetry(self, session: int, msg, host_time: float, seq: int) -> None:
        """Queue one TELEMETRY frame (``seq`` from its header): one row per channel value."""
        ext = self._unwrap(session, seq)
        raw = int(msg.flags) & 1
        first, t = msg.first_channel, msg.time_ms
        self._samples.extend((session, ext, first + i, t, host_time, v, raw)
                             for i, v in enumerate(msg.values))

    def add_event(self, session: int, msg, host_time: float, seq: int) -> None:
        """Queue one EVENT frame (``seq`` from its header)."""
        ext = self._unwrap(session, seq)
        self._events.append((session, ext, msg.time_ms, int(msg.kind), msg.a, int(msg.b), msg.c,
                             msg.value, host_time))

    def record_config(self, device_id: int, image: bytes, direction: str, *,
                      recipe_text: str | None = None, host_time: float | None = None) -> int:
        """Keep one config image pushed to or read from a device (its generation and hash are
        read from the image header). Committed at once; returns its row id."""
        if direction not in ("pushed", "read"):
            raise ValueError(f"direction must be 'pushed' or 'read', not {direction!r}")
        from ..image import decode
        img = decode(image)
        now = time.time() if host_time is None else host_time
        with self._write("recording a config"):
            cur = self.conn.execute(
                "INSERT INTO config_history (device_id, host_time, direction, generation,"
                " recipe_hash, image, recipe_text) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (device_id, now, direction, img.generation, bytes(img.recipe_hash), bytes(image),
                 recipe_text))
        return cur.lastrowid

    @property
    def pending(self) -> int:
        """Rows queued and not yet committed."""
        return len(self._samples) + len(self._events)

    def flush_due(self, now: float | None = None) -> bool:
        """Commit the queued rows if the oldest may have waited FLUSH_INTERVAL (``now`` is
        time.monotonic()) or the batch is big. True when it committed."""
        now = time.monotonic() if now is None else now
        if self.pending and (now - self._last_flush >= FLUSH_INTERVAL or self.pending >= FLUSH_ROWS):
            self.flush(now)
            return True
        if not self.pending:
            self._last_flush = now
        return False

    def flush(self, now: float | None = None) -> int:
        """Commit every queued row in one transaction; return how many were queued. On an error
        the transaction rolls back, the rows stay queued and StorageError is raised."""
        n = self.pending
        if n:
            with self._write("writing samples"):
                if self._samples:
                    self.conn.executemany(_INSERT_SAMPLE, self._samples)
                if self._events:
                    self.conn.executemany(_INSERT_EVENT, self._events)
            self._samples, self._events = [], []
        self._last_flush = time.monotonic() if now is None else now
        return n

    def _write(self, doing: str):
        return _Transaction(self, doing)

    def close(self) -> None:
        """Flush and close. Queued rows that cannot be written raise StorageError."""
        try:
            self.flush()
        finally:
            self.conn.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class _Transaction:
    """BEGIN ... COMMIT, or ROLLBACK and StorageError: committed rows are never touched."""

    def __init__(self, store: Store, doing: str) -> None:
        self.store, self.doing = store, doing

    def __enter__(self) -> None:
        try:
            self.store.conn.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            raise _storage_error(self.store.path, exc, self.doing) from exc

    def __exit__(self, kind, exc, tb) -> bool:
        conn = self.store.conn
        if kind is None:
            try:
                conn.execute("COMMIT")
                return False
            except sqlite3.Error as err:
                exc = err
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        if isinstance(exc, sqlite3.Error):
            raise _storage_error(self.store.path, exc, self.doing) from exc
        return False


def _run_script(conn: sqlite3.Connection, script: str) -> None:
    """Run DDL statements one by one inside the open transaction (executescript would COMMIT)."""
    for stmt in script.split(";"):
        body = "\n".join(line.split("--")[0] for line in stmt.splitlines()).strip()
        if body:
            conn.execute(body)
