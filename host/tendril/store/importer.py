"""`tendril import`: rows read from a file (sources/importing.py) into the log, all or nothing.

A file is a source of its own: its rows go into sessions whose source is "import", on a device
whose key is "sha256:<first 16 hex digits of the file's SHA-256> <file name>" (and the board and
boot, for a tendril export holding several). The same file (same bytes) is refused a second time.
Everything is written in one transaction: a bad row, a full disk or Ctrl-C leaves the log as it was.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np

from ..sources.importing import Batch, ImportFileError
from .db import BadValue, Store, device_id_text, source_device_id

FLUSH_SAMPLES = 200_000  # queued samples written (inside the one transaction) to bound memory


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
    """Write ``batches`` as import sessions (one per series), in one transaction."""
    done = Imported()
    sessions: dict[str, int] = {}
    seen: dict[str, None] = {}
    with store.atomic(f"importing {name}"):
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
                sid = sessions[batch.series] = store.begin_source_session("import", device_key, start)
                done.devices[source_device_id("import", device_key)] = device_key
            try:
                store.add_rows(sid, batch.times, batch.values, units=units, raw=batch.raw)
            except BadValue as exc:
                raise ImportFileError(f"{name}:{batch.lines[exc.row]}: {exc}") from None
            done.rows += int(has.sum())
            done.samples += sum(int((~np.isnan(v)).sum()) for v in batch.values.values())
            seen.update(dict.fromkeys(k for k, v in batch.values.items() if not np.isnan(v).all()))
            first, last = float(batch.times[has].min()), float(batch.times[has].max())
            done.first = first if done.first is None else min(done.first, first)
            done.last = last if done.last is None else max(done.last, last)
            if store.pending >= FLUSH_SAMPLES:
                store.flush()
    done.channels = list(seen)
    return done
