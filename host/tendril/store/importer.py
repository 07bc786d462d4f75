"""`tendril import`: rows read from a file (sources/importing.py) into the log, all or nothing.

A file is a source of its own: its rows go into sessions whose source is "import", on a device
whose key is "sha256:<first 16 hex digits of the file's SHA-256> <file name>" (and the board and
boot, for a tendril export holding several). The same file (same bytes) is refused a second time.
The rows are read and compressed into a private stage file beside the log first (no lock taken on
the log meanwhile), then copied in by one short transaction: a bad row, a full disk or Ctrl-C at
any point leaves the log as it was, and a logger writing the same log waits only for the copy.
"""

from __future__ import annotations

import contextlib
import os
import re
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np

from ..errors import StorageError
from ..sources.importing import Batch, ImportFileError
from .db import BadValue, Store, device_id_text, source_device_id

FLUSH_SAMPLES = 200_000  # queued samples written to the stage file, to bound memory


@dataclass
class Imported:
    """What went in: samples, rows, the devices made (id -> key), channels, and the time span."""

    samples: int = 0
    rows: int = 0
    devices: dict[int, str] = field(default_factory=dict)
    channels: list[str] = field(default_factory=list)
    first: float | None = None
    last: float | None = None


def file_key(digest: str, name: str) -> str:
    return f"sha256:{digest[:16]} {name}"


def imported_before(conn: sqlite3.Connection, digest: str) -> list[str]:
    """The device ids (as text) a file with this SHA-256 was imported as, if it was."""
    like = "sha256:" + digest[:16] + " %"
    rows = conn.execute("SELECT DISTINCT d.device_id FROM devices d JOIN sessions s ON s.device_id ="
                        " d.device_id WHERE s.source = 'import' AND d.source_key LIKE ? ORDER BY 1",
                        (like,)).fetchall()
    return [device_id_text(r[0]) for r in rows]


def import_batches(store: Store, batches: Iterable[Batch], *, key: str, name: str,
                   units: dict[str, str] | None = None) -> Imported:
    """Write ``batches`` as import sessions (one per series) into ``store``, all or nothing.

    The slow part (reading, compressing) goes into a private stage file beside the log, with no
    lock on the log; then one short transaction copies the stage's sessions, channels and chunks
    in. A logger writing the same log meanwhile waits at most for that copy (its flushes would
    otherwise wait out the whole import and fail)."""
    stage_name = re.compile(rf"\.{re.escape(store.path.name)}\.import-(\d+)")
    for old in store.path.parent.iterdir():
        m = stage_name.fullmatch(old.name)
        if m and not _alive(int(m.group(1))):
            _remove(old)  # the stage of an import that was killed
    stage_path = store.path.with_name(f".{store.path.name}.import-{os.getpid()}")
    _remove(stage_path)
    try:
        stage = Store.open(stage_path)
        try:
            done = _write(stage, batches, key, name, units)
        finally:
            stage.close()
        if done.samples:
            _copy_in(store, stage_path, name)
    finally:
        _remove(stage_path)
    return done


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _remove(path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        with contextlib.suppress(FileNotFoundError):
            os.unlink(f"{path}{suffix}")


def _write(stage: Store, batches: Iterable[Batch], key: str, name: str, units) -> Imported:
    done = Imported()
    sessions: dict[str, int] = {}
    seen: dict[str, None] = {}
    for batch in batches:
        has = np.zeros(len(batch.times), bool)
        for v in batch.values.values():
            has |= ~np.isnan(v)
        if not has.any():
            continue
        sid = sessions.get(batch.series)
        if sid is None:
            device_key = f"{key} {batch.series}" if batch.series else key
            start = float(batch.times[np.argmax(has)])
            sid = sessions[batch.series] = stage.begin_source_session("import", device_key, start)
            done.devices[source_device_id("import", device_key)] = device_key
        try:
            stage.add_rows(sid, batch.times, batch.values, units=units, raw=batch.raw)
        except BadValue as exc:
            raise ImportFileError(f"{name}:{batch.lines[exc.row]}: {exc}") from None
        done.rows += int(has.sum())
        done.samples += sum(int((~np.isnan(v)).sum()) for v in batch.values.values())
        seen.update(dict.fromkeys(k for k, v in batch.values.items() if not np.isnan(v).all()))
        first, last = float(batch.times[has].min()), float(batch.times[has].max())
        done.first = first if done.first is None else min(done.first, first)
        done.last = last if done.last is None else max(done.last, last)
        if stage.pending >= FLUSH_SAMPLES:
            stage.flush()
    done.channels = list(seen)
    return done


_SESSION_COLUMNS = ("device_id", "protocol_version", "fw_version", "fw_name", "reset_cause", "flags",
                    "capabilities", "config_generation", "recipe_hash", "host_start", "source")
_CHUNK_COLUMNS = "channel, raw, first_seq, last_seq, t_first, t_last, n, kind, data"


def _copy_in(store: Store, stage_path, name: str) -> None:
    """The stage's devices, sessions (numbered on after the log's boots of each device), channels
    and chunks into the log, in one transaction."""
    conn = store.conn
    try:
        conn.execute("ATTACH DATABASE ? AS stage", (str(stage_path),))
    except sqlite3.Error as exc:
        raise StorageError(f"{stage_path}: cannot read the import's stage: {exc}") from None
    try:
        with store.transaction(f"importing {name}"):
            cols = ", ".join(_SESSION_COLUMNS)
            for old, *row in conn.execute(f"SELECT id, {cols} FROM stage.sessions ORDER BY id").fetchall():
                device = row[0]
                conn.execute("INSERT INTO main.devices (device_id, board_class, first_seen, last_seen, source_key)"
                             " SELECT device_id, board_class, first_seen, last_seen, source_key FROM stage.devices"
                             " WHERE device_id = ? ON CONFLICT (device_id) DO UPDATE SET last_seen ="
                             " max(last_seen, excluded.last_seen)", (device,))
                boot = conn.execute("SELECT coalesce(max(boot_count), 0) + 1 FROM main.sessions"
                                    " WHERE device_id = ?", (device,)).fetchone()[0]
                new = conn.execute(f"INSERT INTO main.sessions (boot_count, {cols}) VALUES"
                                   f" (?, {', '.join('?' * len(row))})", (boot, *row)).lastrowid
                conn.execute("INSERT INTO main.channels (session_id, channel, name, unit)"
                             " SELECT ?, channel, name, unit FROM stage.channels WHERE session_id = ?", (new, old))
                conn.execute(f"INSERT INTO main.chunks (session_id, {_CHUNK_COLUMNS})"
                             f" SELECT ?, {_CHUNK_COLUMNS} FROM stage.chunks WHERE session_id = ?", (new, old))
    finally:
        conn.execute("DETACH DATABASE stage")
