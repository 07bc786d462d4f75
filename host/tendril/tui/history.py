"""Chart history older than this process, read from the log database `tendril log` and the UI
write. Read-only: the query runs on its own ``mode=ro`` connection in a worker thread, so the UI
never waits on disk and can never change the log.

Only samples taken while the device ran the recipe it runs now count (channel 3 of another recipe
is another sensor): from a session that booted with it, or after it was pushed or read back
during the session; and none from before the device last ran another recipe."""

from __future__ import annotations

from pathlib import Path

from ..live import Bucket
from ..store.db import connect_ro

__all__ = ["connect_ro", "per_second"]

# One row per second and channel: what Series keeps for the last day, so preloaded history and
# live data draw the same way.
_PER_SECOND = """
SELECT s.channel, CAST(s.host_time AS INTEGER) AS sec,
       MIN(s.value), MAX(s.value), AVG(s.value), COUNT(*), MAX(s.raw)
FROM samples s JOIN sessions x ON x.id = s.session_id
WHERE x.device_id = :device AND s.host_time >= :since AND s.host_time < :until
  AND (x.recipe_hash = :hash OR s.host_time >= (
        SELECT MIN(c.host_time) FROM config_history c
        WHERE c.device_id = :device AND c.recipe_hash = :hash AND c.host_time >= x.host_start))
GROUP BY s.channel, sec
ORDER BY s.channel, sec
"""
# when the device was last known to run something else
_OTHER = ("SELECT MAX(host_time) FROM config_history WHERE device_id = ? AND recipe_hash != ?")


def per_second(path: str | Path, device_id: int, recipe_hash: bytes, since: float,
               until: float) -> dict[int, list[Bucket]]:
    """Channel -> one-second buckets (min/max/mean in the channel's unit) in [since, until)."""
    out: dict[int, list[Bucket]] = {}
    conn = connect_ro(path)
    try:
        other = conn.execute(_OTHER, (device_id, bytes(recipe_hash))).fetchone()[0]
        args = {"device": device_id, "hash": bytes(recipe_hash), "until": until,
                "since": max(since, other) if other is not None else since}
        rows = conn.execute(_PER_SECOND, args)
        for channel, sec, lo, hi, mean, n, raw in rows:
            scale = 1 if raw else 0.001
            out.setdefault(channel, []).append(Bucket(float(sec), lo * scale, hi * scale,
                                                      mean * scale, n))
    finally:
        conn.close()
    return out
