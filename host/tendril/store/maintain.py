"""Keeping a log for years: what it holds (``info``) and dropping what is older than a date
(``prune``). Runs on a Store's connection; every change is one transaction."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

import numpy as np

from . import chunks, codec


@dataclass(frozen=True)
class ChannelInfo:
    device_id: int
    source: str
    channel: int
    name: str | None
    samples: int
    stored_bytes: int  # chunk bytes, plus 40 B a staged (not yet sealed) sample
    first: float | None
    last: float | None

    @property
    def bytes_per_sample(self) -> float | None:
        return self.stored_bytes / self.samples if self.samples else None


STAGED_ROW_BYTES = 40  # about what a staged sample takes, with its index entry


def info(conn: sqlite3.Connection) -> list[ChannelInfo]:
    """One line per device and channel, over all its sessions."""
    from .query import channel_names, sessions

    names: dict[tuple[int, int], str] = {}
    source: dict[int, str] = {}
    by_session: dict[int, int] = {}
    for s in sessions(conn):
        by_session[s.id] = s.device_id
        source[s.device_id] = s.source
        for ch, name in channel_names(conn, s).items():
            names.setdefault((s.device_id, ch), name)
    acc: dict[tuple[int, int], list] = {}

    def add(sid, ch, n, size, t0, t1):
        a = acc.setdefault((by_session[sid], ch), [0, 0, None, None])
        a[0] += n
        a[1] += size
        a[2] = t0 if a[2] is None else min(a[2], t0)
        a[3] = t1 if a[3] is None else max(a[3], t1)

    for row in conn.execute("SELECT session_id, channel, sum(n), sum(length(data)), min(t_first), max(t_last)"
                            " FROM chunks GROUP BY session_id, channel"):
        add(*row)
    for sid, ch, n, t0, t1 in conn.execute("SELECT session_id, channel, count(*), min(host_time), max(host_time)"
                                           " FROM samples GROUP BY session_id, channel"):
        add(sid, ch, n, n * STAGED_ROW_BYTES, t0, t1)
    return [ChannelInfo(dev, source.get(dev, "tendril"), ch, names.get((dev, ch)), n, size, t0, t1)
            for (dev, ch), (n, size, t0, t1) in sorted(acc.items())]


@dataclass(frozen=True)
class PruneResult:
    samples: int
    events: int
    chunks_rewritten: int


def prune(conn: sqlite3.Connection, before: float, *, dry_run: bool = False) -> PruneResult:
    """Delete every sample and event logged before host time ``before`` (sessions, devices and
    config history stay: they are small and name what is left). A chunk that straddles the date
    is rewritten with its newer samples. With ``dry_run`` count only. Inside one transaction
    the caller opens."""
    samples = events = rewritten = 0
    for cid, sid, ch, raw, n, t_first, data in conn.execute(
            "SELECT id, session_id, channel, raw, n, t_first, data FROM chunks WHERE t_first < ?",
            (before,)).fetchall():
        cols = codec.decode(data)
        keep = cols.host_ms >= round(before * 1000)
        samples += int(n - keep.sum())
        if dry_run:
            continue
        conn.execute("DELETE FROM chunks WHERE id = ?", (cid,))
        if keep.any():
            chunks.insert_chunk(conn, sid, ch, raw, codec.Columns(*(np.asarray(getattr(cols, c))[keep]
                                                                    for c in codec.COLUMNS)))
            rewritten += 1
    samples += conn.execute("SELECT count(*) FROM samples WHERE host_time < ?", (before,)).fetchone()[0]
    events = conn.execute("SELECT count(*) FROM events WHERE host_time < ?", (before,)).fetchone()[0]
    if not dry_run:
        conn.execute("DELETE FROM samples WHERE host_time < ?", (before,))
        conn.execute("DELETE FROM events WHERE host_time < ?", (before,))
    return PruneResult(samples, events, rewritten)
