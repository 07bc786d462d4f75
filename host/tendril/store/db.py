"""The Store: one SQLite file, WAL, batched inserts the caller flushes (no threads in here)."""

from __future__ import annotations

import hashlib
import math
import os
import sqlite3
import time
from collections.abc import Container
from pathlib import Path
from typing import Self

import numpy as np

from ..contract import TelemetryFlag
from ..errors import StorageError
from . import chunks
from .schema import MIGRATIONS, SCHEMA_VERSION

FLUSH_INTERVAL = 0.25  # seconds: the longest a logged row waits before its commit
FLUSH_ROWS = 50_000  # a batch this big is committed at once, whatever the time
_SEQ_MOD, _SEQ_HALF = 1 << 16, 1 << 15
_RAW = int(TelemetryFlag.RAW)

_INSERT_CHANNEL = "INSERT OR IGNORE INTO channels (session_id, channel, name, unit) VALUES (?, ?, ?, ?)"
_INSERT_EVENT = ("INSERT OR IGNORE INTO events (session_id, seq, device_ms, kind, a, b, c, value,"
                 " host_time) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")

# sessions.source of boards that do not run tendril, and of files brought in by `tendril import`
SOURCE_KINDS = ("plotter", "firmata", "import")
SOURCE_ID_BASE = 1 << 32  # their synthetic device ids start here: above every u32 HELLO id
SOURCE_MAX_ABS = 9e15  # largest value add_row takes: its thousandths fit a signed 64-bit integer


def source_device_id(kind: str, device_key: str) -> int:
    """The device_id of a board that does not run tendril: 2**32 plus 48 bits of the SHA-256 of
    ``kind`` and ``device_key``. Stable across runs and machines; never a HELLO id (those are u32)."""
    digest = hashlib.sha256(f"{kind}\n{device_key}".encode()).digest()
    return SOURCE_ID_BASE + int.from_bytes(digest[:6], "big")


def device_id_text(device_id: int) -> str:
    """The one way tendril writes a device id: hex, 8 digits for a tendril board's HELLO id
    ("de7a15c8"), 12 for a board that does not run tendril (status, export, replay, the TUI)."""
    return f"{device_id:08x}"


def parse_device_id(text: str) -> int:
    """A device id as ``device_id_text`` writes it (a leading 0x is allowed)."""
    digits = text.strip().lower().removeprefix("0x")
    try:
        return int(digits, 16)
    except ValueError:
        raise ValueError(f"{text!r} is not a device id (hex, like de7a15c8)") from None


def default_path() -> Path:
    """$TENDRIL_DB, else tendril.db in the user data directory (platformdirs)."""
    env = os.environ.get("TENDRIL_DB")
    if env:
        return Path(env)
    from platformdirs import user_data_path
    return user_data_path("tendril", appauthor=False) / "tendril.db"


def connect_ro(path: str | Path) -> sqlite3.Connection:
    """A read-only connection; a missing file is an error, never created."""
    uri = Path(path).resolve().as_uri() + "?mode=ro"
    return sqlite3.connect(uri, uri=True, check_same_thread=False)


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
        # Queued samples as frames: (session, seq, first channel, device_ms, host_time, values, raw)
        self._samples: list[tuple] = []
        self._blocks: list[np.ndarray] = []  # queued chunks.ROW samples (add_rows)
        self._queued = 0  # samples in them
        self._events: list[tuple] = []
        self._last_flush = time.monotonic()
        self._seq: dict[int, int] = {}  # session id -> last unwrapped sequence number
        # Sessions of boards that do not run tendril: channel index by name, the next row number
        # (samples.seq), and the host time the session began (device_ms counts from it).
        self._channels: dict[int, dict[str, int]] = {}
        self._next_row: dict[int, int] = {}
        self._source_start: dict[int, float] = {}
        self._channel_rows: list[tuple] = []
        # (session, channel) -> (samples, chunks) in its small chunks, not yet compacted (chunks.py)
        self._small: dict[tuple[int, int], tuple[int, int]] = {}

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
            if version == 0 and not conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]:
                # A new file: 512-byte pages (a log is mostly chunk blobs, which fill their pages
                # anyway, and a dozen small tables cost a page each: a year of hourly readings is
                # 0.82 B a sample with them, 1.01 with 1 KB pages; docs/storage.md), given back as
                # chunks replace staged rows. Both must be set before the first write.
                conn.execute("PRAGMA page_size=512")
                conn.execute("PRAGMA auto_vacuum=INCREMENTAL")
            # WAL: a crash never corrupts the file and readers (export) never block the logger.
            # NORMAL: no fsync per commit; on power loss the last commits may roll back.
            mode = conn.execute("PRAGMA journal_mode=WAL").fetchone()[0]
            if mode.lower() != "wal":
                raise StorageError(f"{path}: cannot use WAL mode (got {mode})")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute("PRAGMA busy_timeout=5000")
            # Foreign keys off while a step rebuilds a table (SQLite's way to change a CHECK),
            # checked before the step commits.
            conn.execute("PRAGMA foreign_keys=OFF")
            for step in range(version, SCHEMA_VERSION):
                conn.execute("BEGIN IMMEDIATE")
                _run_script(conn, MIGRATIONS[step])
                if step + 1 == 3:  # schema 3: every sample of an older file into chunks
                    chunks.seal_all(conn)
                if conn.execute("PRAGMA foreign_key_check").fetchone() is not None:
                    raise sqlite3.IntegrityError(f"schema step {step + 1} broke a foreign key")
                conn.execute(f"PRAGMA user_version={step + 1}")
                conn.execute("COMMIT")
            conn.execute("PRAGMA foreign_keys=ON")
            if version and version < 3:
                # The rows an older file kept one per sample are chunks now: give their pages back.
                conn.execute("PRAGMA auto_vacuum=INCREMENTAL")
                conn.execute("VACUUM")
            conn.execute("BEGIN IMMEDIATE")
            chunks.seal_all(conn, older_than=time.time() - chunks.STALE_S)  # a crashed logger's stage
            from .maintain import downsample
            downsample(conn, time.time())  # when the log is set to (`tendril db downsample`)
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

    def begin_source_session(self, kind: str, device_key: str,
                             host_time: float | None = None) -> int:
        """A new session for a board that does not run tendril (``kind`` "plotter" or "firmata"),
        known by ``device_key`` (its USB serial number, else its port). Every call starts a new
        session: such a board resets when its port is opened and has no boot counter to tell.
        Its device_id is ``source_device_id(kind, device_key)``. Committed at once."""
        if kind not in SOURCE_KINDS:
            raise ValueError(f"kind must be one of {', '.join(SOURCE_KINDS)}, not {kind!r}")
        now = time.time() if host_time is None else host_time
        device = source_device_id(kind, device_key)
        with self._write("starting a session"):
            self.conn.execute(
                "INSERT INTO devices (device_id, board_class, first_seen, last_seen, source_key)"
                " VALUES (?, 0, ?, ?, ?) ON CONFLICT (device_id) DO UPDATE SET"
                " last_seen = excluded.last_seen", (device, now, now, device_key))
            boot = self.conn.execute("SELECT coalesce(max(boot_count), 0) + 1 FROM sessions"
                                     " WHERE device_id = ?", (device,)).fetchone()[0]
            cur = self.conn.execute(
                "INSERT INTO sessions (device_id, boot_count, protocol_version, fw_version,"
                " fw_name, reset_cause, flags, capabilities, config_generation, recipe_hash,"
                " host_start, source) VALUES (?, ?, 0, '', ?, 0, 0, 0, 0, ?, ?, ?)",
                (device, boot, kind, bytes(8), now, kind))
        session = cur.lastrowid
        self._channels[session] = {}
        self._next_row[session] = 0
        self._source_start[session] = now
        return session

    def add_row(self, session: int, host_time: float, values: dict[str, float], *,
                units: dict[str, str] | None = None, raw: Container[str] = ()) -> None:
        """Queue one row of a source session: a sample per value, stored in thousandths
        (rounded to the nearest 0.001) under the channel of its name; a name new to the session
        gets the next channel index (and ``units[name]``, if given, as its unit). Rows are numbered
        0, 1, 2... in samples.seq; device_ms is the host time since the session began, in ms.
        A value that is not finite or larger than SOURCE_MAX_ABS raises ValueError and queues
        nothing of the row. Names in ``raw`` are raw readings (as a board logs them in raw mode),
        stored as the nearest whole number, not in thousandths."""
        milli = {}
        for name, v in values.items():
            v = float(v)
            if not math.isfinite(v) or abs(v) > SOURCE_MAX_ABS:
                raise ValueError(_unloggable(name, v))
            milli[name] = round(v) if name in raw else round(v * 1000)
        if not milli:
            return
        chans = self._source_session(session)
        seq = self._next_row[session]
        self._next_row[session] = seq + 1
        device_ms = max(0, round((host_time - self._source_start[session]) * 1000))
        for name, m in milli.items():
            ch = self._channel(session, chans, name, units)
            self._samples.append((session, seq, ch, device_ms, host_time, (m,), int(name in raw)))
            self._queued += 1

    def add_rows(self, session: int, host_times: np.ndarray, values: dict[str, np.ndarray], *,
                 units: dict[str, str] | None = None, raw: Container[str] = ()) -> None:
        """Queue many rows of a source session at once (what ``add_row`` does a row at a time):
        ``host_times`` one per row, ``values[name]`` one float per row, NaN where the row has no
        sample of it. Rows are numbered on from the session's last. A value that is infinite or
        larger than SOURCE_MAX_ABS raises BadValue (its ``row``) and queues nothing."""
        host_times = np.asarray(host_times, np.float64)
        n = len(host_times)
        present = {}
        for name, v in values.items():
            v = np.asarray(v, np.float64)
            has = ~np.isnan(v)
            bad = np.flatnonzero(has & ~(np.abs(np.where(has, v, 0.0)) <= SOURCE_MAX_ABS))
            if len(bad):
                raise BadValue(int(bad[0]), _unloggable(name, v[bad[0]]))
            if has.any():
                present[name] = (v, has)
        if not n or not present:
            return
        chans = self._source_session(session)
        seq0 = self._next_row[session]
        self._next_row[session] = seq0 + n
        device_ms = np.maximum(0, np.rint((host_times - self._source_start[session]) * 1000)).astype(np.int64)
        seqs = np.arange(seq0, seq0 + n, dtype=np.int64)
        for name, (v, has) in present.items():
            ch = self._channel(session, chans, name, units)
            block = np.zeros(int(has.sum()), chunks.ROW)
            block["session"], block["channel"] = session, ch
            block["seq"], block["device_ms"], block["host_time"] = seqs[has], device_ms[has], host_times[has]
            block["value"] = np.rint(v[has] if name in raw else v[has] * 1000).astype(np.int64)
            block["raw"] = int(name in raw)
            self._blocks.append(block)
            self._queued += len(block)

    def _channel(self, session: int, chans: dict[str, int], name: str, units: dict[str, str] | None) -> int:
        """The channel index of ``name`` in a source session; a new name gets the next one, and a
        row for `channels` (with ``units[name]``) is queued before the samples that use it."""
        ch = chans.get(name)
        if ch is None:
            ch = chans[name] = len(chans)
            self._channel_rows.append((session, ch, name, units.get(name) if units else None))
        return ch

    def _source_session(self, session: int) -> dict[str, int]:
        """The channels of a source session begun earlier (maybe by another Store)."""
        chans = self._channels.get(session)
        if chans is not None:
            return chans
        row = self.conn.execute("SELECT source, host_start FROM sessions WHERE id = ?",
                                (session,)).fetchone()
        if row is None or row[0] == "tendril":
            raise ValueError(f"session {session} is not a source session (begin_source_session)")
        chans = dict(self.conn.execute("SELECT name, channel FROM channels WHERE session_id = ?",
                                       (session,)).fetchall())
        last = self.conn.execute("SELECT max(s) FROM (SELECT max(seq) AS s FROM samples WHERE session_id = ?"
                                 " UNION ALL SELECT max(last_seq) FROM chunks WHERE session_id = ?)",
                                 (session, session)).fetchone()[0]
        self._channels[session] = chans
        self._next_row[session] = 0 if last is None else last + 1
        self._source_start[session] = row[1]
        return chans

    def _unwrap(self, session: int, seq: int) -> int:
        """The u16 frame seq as a sequence number that keeps counting past 65535 in a session.

        A seq a little behind the last one (a frame seen again after a reconnect) maps to the
        number it had the first time, so the UNIQUE index drops it."""
        last = self._seq.get(session)
        if last is None:
            row = self.conn.execute(
                "SELECT max(s) FROM (SELECT max(seq) AS s FROM samples WHERE session_id = ?"
                " UNION ALL SELECT max(last_seq) FROM chunks WHERE session_id = ?"
                " UNION ALL SELECT max(seq) FROM events WHERE session_id = ?)",
                (session, session, session)).fetchone()
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
        raw = 1 if int(msg.flags) & _RAW else 0
        self._samples.append((session, ext, msg.first_channel, msg.time_ms, host_time, msg.values, raw))
        self._queued += len(msg.values)

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

    def recipe_text(self, device_id: int, recipe_hash: bytes) -> str | None:
        """The newest recipe text kept for the image ``recipe_hash`` on ``device_id``, or None."""
        from .query import recipe_text
        return recipe_text(self.conn, device_id, recipe_hash)

    @property
    def pending(self) -> int:
        """Rows queued and not yet committed."""
        return self._queued + len(self._events)

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
            try:
                self._flush_queued()
            except StorageError:
                self._small.clear()  # read again from the file after a rollback
                raise
        self._last_flush = time.monotonic() if now is None else now
        return n

    def _flush_queued(self) -> None:
        with self._write("writing samples"):
            if self._channel_rows:  # before the samples that use them
                self.conn.executemany(_INSERT_CHANNEL, self._channel_rows)
            if self._samples or self._blocks:
                self._stage(self._samples, self._blocks)
            if self._events:
                self.conn.executemany(_INSERT_EVENT, self._events)
        self._samples, self._blocks, self._events, self._channel_rows = [], [], [], []
        self._queued = 0

    def _stage(self, frames: list[tuple], blocks: list[np.ndarray] = ()) -> None:
        """Store queued frames: each channel's new samples go in as one small chunk (so a commit
        is a few rows, whatever the rate), a frame seen before (sealed in a chunk) is dropped, and
        a channel's small chunks are compacted into full ones once they hold a chunk's worth or
        are many (chunks.py). Runs inside the flush's transaction."""
        batch = chunks.frames_to_rows(frames)
        if blocks:
            batch = np.concatenate([batch, *blocks])
        for key, rows in chunks.by_channel(batch):
            top = chunks.sealed_max(self.conn, *key)
            if top is not None and rows["seq"][0] <= top:
                sealed = chunks.sealed_seqs(self.conn, key[0], key[1], int(rows["seq"][0]), top)
                rows = rows[~np.isin(rows["seq"], np.fromiter(sealed, np.int64, len(sealed)))]
            if not len(rows):
                continue
            added = chunks.seal_rows(self.conn, key[0], key[1], rows)
            small = self._small.get(key)
            if small is None:
                small = chunks.small_chunks(self.conn, *key)
            else:
                small = (small[0] + len(rows), small[1] + added)
            if small[0] >= chunks.CHUNK_SAMPLES or small[1] >= chunks.COMPACT_CHUNKS:
                small = chunks.compact(self.conn, *key)
            self._small[key] = small

    def prune(self, before: float, *, dry_run: bool = False):
        """Delete samples and events logged before host time ``before`` (store/maintain.py), in
        one transaction; the pages it frees are given back at close."""
        from .maintain import prune

        self.seal()
        with self._write("pruning the log"):
            return prune(self.conn, before, dry_run=dry_run)

    def downsample(self, days: float | None, now: float | None = None) -> int:
        """Set the log to keep per-minute min/mean/max of samples older than ``days`` (None: stop
        downsampling) and do it now; returns the samples replaced (store/maintain.py)."""
        from .maintain import downsample, set_downsample_after

        self.seal()
        with self._write("downsampling the log"):
            set_downsample_after(self.conn, days)
            return downsample(self.conn, time.time() if now is None else now) if days is not None else 0

    def seal(self) -> None:
        """Flush, then compact each channel this Store wrote into as few chunks as it can (close
        does it), and give free pages back."""
        self.flush()
        todo = [key for key, (_, n) in self._small.items() if n > 1]
        if todo:
            with self._write("sealing samples"):
                for key in todo:
                    self._small[key] = chunks.compact(self.conn, *key)
        try:
            self.conn.executescript("PRAGMA incremental_vacuum;")  # run to the end (execute frees one page)
        except sqlite3.Error as exc:
            raise _storage_error(self.path, exc, "giving free pages back") from exc

    def transaction(self, doing: str):
        """One transaction for statements of the caller's own on ``conn`` (store/ modules only):
        queued rows are committed first; the block commits at its end, or rolls back and raises
        StorageError (``doing`` names it) on a database error."""
        self.flush()
        return self._write(doing)

    def _write(self, doing: str):
        return _Transaction(self, doing)

    def rows_since(self, session_ids, since: float) -> int:
        """Samples and events (committed) the sessions logged at host time ``since`` or later."""
        from .summary import rows_since
        return rows_since(self.conn, session_ids, since)

    def abandon(self) -> None:
        """Close without writing what is queued (after a flush that cannot be written)."""
        self.conn.close()

    def close(self) -> None:
        """Flush and close. Queued rows that cannot be written raise StorageError."""
        try:
            self.seal()
        finally:
            self.conn.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _unloggable(name: str, value: float) -> str:
    return f"channel {name!r}: {value} cannot be logged (finite values up to {SOURCE_MAX_ABS:g} only)"


class BadValue(ValueError):
    """A value add_rows cannot log; ``row`` is its row's index."""

    def __init__(self, row: int, message: str) -> None:
        super().__init__(message)
        self.row = row


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
