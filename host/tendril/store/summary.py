"""Summaries of a log that other parts show: the TUI's chart history, the demo's tally, what a
`tendril log` run wrote. Their SQL lives here, with the layout it depends on."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ..contract import EventKind
from .chunks import session_blocks


def _config_since(conn: sqlite3.Connection, device_id: int, recipe_hash: bytes, host_start: float):
    return conn.execute("SELECT MIN(host_time) FROM config_history WHERE device_id = ? AND recipe_hash = ?"
                        " AND host_time >= ?", (device_id, recipe_hash, host_start)).fetchone()[0]


def per_second(conn: sqlite3.Connection, device_id: int, recipe_hash: bytes, since: float,
               until: float) -> dict[int, list[tuple[int, float, float, float, int, bool]]]:
    """Channel -> (second, min, max, mean, count, raw) in [since, until), seconds in order, for
    the samples ``device_id`` logged while running the recipe ``recipe_hash``: from a session that
    booted with it, or after it was pushed or read back during the session, and none from before
    the device last ran another recipe (channel 3 of another recipe is another sensor)."""
    recipe_hash = bytes(recipe_hash)
    other = conn.execute("SELECT MAX(host_time) FROM config_history WHERE device_id = ? AND recipe_hash != ?",
                         (device_id, recipe_hash)).fetchone()[0]
    since = max(since, other) if other is not None else since
    parts = []
    for sid, booted_with, start in conn.execute(
            "SELECT id, recipe_hash, host_start FROM sessions WHERE device_id = ? ORDER BY host_start, id",
            (device_id,)).fetchall():
        begin = since
        if bytes(booted_with) != recipe_hash:
            pushed = _config_since(conn, device_id, recipe_hash, start)
            if pushed is None:
                continue
            begin = max(since, pushed)
        parts += list(session_blocks(conn, sid, since=begin, until=until))
    if not parts:
        return {}
    b = np.concatenate(parts)
    sec = np.floor(b["host_time"]).astype(np.int64)
    order = np.lexsort((sec, b["channel"]))
    ch, sec, val, raw = b["channel"][order], sec[order], b["value"][order].astype(np.float64), b["raw"][order]
    edge = np.flatnonzero((np.diff(ch) != 0) | (np.diff(sec) != 0)) + 1
    starts = np.concatenate([[0], edge])
    lo, hi = np.minimum.reduceat(val, starts), np.maximum.reduceat(val, starts)
    total, count = np.add.reduceat(val, starts), np.diff(np.append(starts, len(val)))
    raw_any = np.maximum.reduceat(raw, starts)
    out: dict[int, list] = {}
    for c, *bucket in zip(ch[starts].tolist(), sec[starts].tolist(), lo.tolist(), hi.tolist(),
                          (total / count).tolist(), count.tolist(), (raw_any > 0).tolist()):
        out.setdefault(c, []).append(tuple(bucket))
    return out


def rows_since(conn: sqlite3.Connection, session_ids: Sequence[int], since: float) -> int:
    """Samples and events the sessions logged at host time ``since`` or later."""
    n = 0
    for sid in session_ids:
        n += sum(len(b) for b in session_blocks(conn, sid, since=since))
        n += conn.execute("SELECT count(*) FROM events WHERE session_id = ? AND host_time >= ?",
                          (sid, since)).fetchone()[0]
    return n


@dataclass
class Tally:
    """What a log holds, as the demo's summary tells it (actuator 0 is the pump, channel 0 the soil)."""

    samples: int = 0
    events: int = 0
    pump_runs: int = 0
    pump_on_ms: int = 0
    pump_offs: int = 0
    first_on_ms: int | None = None
    skips: int = 0
    soil: tuple[float, float] | None = None


def tally(conn: sqlite3.Connection) -> Tally:
    t = Tally()
    q = lambda sql, *a: conn.execute(sql, a).fetchone()  # noqa: E731
    t.events = q("SELECT count(*) FROM events")[0]
    t.pump_runs, t.first_on_ms = q("SELECT count(*), min(device_ms) FROM events WHERE kind = ?",
                                   int(EventKind.ACT_ON))
    t.pump_offs, t.pump_on_ms = q("SELECT count(*), coalesce(sum(value), 0) FROM events WHERE kind = ?",
                                  int(EventKind.ACT_OFF))
    t.skips = q("SELECT count(*) FROM events WHERE kind = ?", int(EventKind.RULE_SKIP))[0]
    lo = hi = None
    for (sid,) in conn.execute("SELECT id FROM sessions").fetchall():
        for b in session_blocks(conn, sid):
            t.samples += len(b)
            soil = b["value"][(b["channel"] == 0) & (b["raw"] == 0)]
            if len(soil):
                lo = int(soil.min()) if lo is None else min(lo, int(soil.min()))
                hi = int(soil.max()) if hi is None else max(hi, int(soil.max()))
    t.soil = (lo / 1000, hi / 1000) if lo is not None else None
    return t
