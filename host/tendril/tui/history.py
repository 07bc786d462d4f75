"""Chart history older than this process, read from the log database `tendril log` and the UI
write. Read-only: the query runs on its own ``mode=ro`` connection in a worker thread, so the UI
never waits on disk and can never change the log.

Only samples taken while the device ran the recipe it runs now count (channel 3 of another recipe
is another sensor): from a session that booted with it, or after it was pushed or read back
during the session; and none from before the device last ran another recipe."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from ..errors import StorageError
from ..live import Bucket
from ..store.db import connect_ro
from ..store.summary import per_second as store_per_second

__all__ = ["connect_ro", "per_second"]

def per_second(path: str | Path, device_id: int, recipe_hash: bytes, since: float,
               until: float) -> dict[int, list[Bucket]]:
    """Channel -> one-second buckets (min/max/mean in the channel's unit) in [since, until): what
    Series keeps for the last day, so preloaded history and live data draw the same way.
    Raises StorageError when the database cannot be read (locked, foreign, gone)."""
    try:
        conn = connect_ro(path)
        try:
            seconds = store_per_second(conn, device_id, recipe_hash, since, until)
        finally:
            conn.close()
    except sqlite3.Error as exc:
        raise StorageError(str(exc)) from None
    out: dict[int, list[Bucket]] = {}
    for channel, rows in seconds.items():
        for sec, lo, hi, mean, n, raw in rows:
            scale = 1 if raw else 0.001
            out.setdefault(channel, []).append(Bucket(float(sec), lo * scale, hi * scale, mean * scale, n))
    return out
