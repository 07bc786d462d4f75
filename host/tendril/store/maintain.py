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

    for sid, ch, kind, n, size, t0, t1 in conn.execute(
            "SELECT session_id, channel, kind, sum(n), sum(length(data)), min(t_first), max(t_last)"
            " FROM chunks GROUP BY session_id, channel, kind"):
        # a downsampled minute counts once (its mean is what readers see); its min and max add bytes
        add(sid, ch, n if kind in chunks.READ_KINDS else 0, size, t0, t1)
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


DOWNSAMPLE_KEY = "downsample_after_days"


def downsample_after(conn: sqlite3.Connection) -> float | None:
    """The days after which samples become per-minute min/mean/max, if the log is set to."""
    row = conn.execute("SELECT value FROM settings WHERE key = ?", (DOWNSAMPLE_KEY,)).fetchone()
    return float(row[0]) if row else None


def set_downsample_after(conn: sqlite3.Connection, days: float | None) -> None:
    if days is None:
        conn.execute("DELETE FROM settings WHERE key = ?", (DOWNSAMPLE_KEY,))
    else:
        conn.execute("INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET"
                     " value = excluded.value", (DOWNSAMPLE_KEY, repr(float(days))))


def _minutes(cols: codec.Columns) -> tuple[np.ndarray, list[codec.Columns]]:
    """Per host-time minute of a chunk: (first seq, first device_ms, minute start ms) and its min,
    mean (rounded) and max, as three column sets (min, mean, max)."""
    minute = cols.host_ms // 60_000
    order = np.lexsort((cols.seq, minute))
    minute, seq, dms, value = minute[order], cols.seq[order], cols.device_ms[order], cols.value[order]
    starts = np.flatnonzero(np.concatenate([[True], np.diff(minute) != 0]))
    count = np.diff(np.append(starts, len(value)))
    mean = np.rint(np.add.reduceat(value.astype(np.float64), starts) / count).astype(np.int64)
    out = []
    for v in (np.minimum.reduceat(value, starts), mean, np.maximum.reduceat(value, starts)):
        out.append(codec.Columns(seq[starts].copy(), dms[starts].copy(), minute[starts] * 60_000, v))
    return count, out


def _concat(parts: list[codec.Columns]) -> codec.Columns:
    return codec.Columns(*(np.concatenate([getattr(p, c) for p in parts]) for c in codec.COLUMNS))


def downsample(conn: sqlite3.Connection, now: float, days: float | None = None) -> int:
    """Replace every sample chunk that ends more than ``days`` (default: the log's setting) before
    ``now`` by per-minute min, mean and max chunks; returns the samples replaced. A minute split
    between two chunks is one minute. The last ``days`` are never touched; nothing happens when
    the log is not set to downsample. Inside the caller's transaction."""
    days = downsample_after(conn) if days is None else days
    if days is None:
        return 0
    cutoff = now - days * 86_400
    groups: dict[tuple[int, int, int], list[int]] = {}
    for cid, sid, ch, raw in conn.execute(
            "SELECT id, session_id, channel, raw FROM chunks WHERE kind = ? AND t_last < ? ORDER BY first_seq",
            (chunks.SAMPLES, cutoff)).fetchall():
        groups.setdefault((sid, ch, raw), []).append(cid)
    replaced = 0
    for (sid, ch, raw), ids in groups.items():
        carry: list[codec.Columns] = []
        for i in range(0, len(ids), 32):  # a batch of chunks at a time, bounded memory
            batch = ids[i:i + 32]
            parts = carry + [codec.decode(conn.execute("SELECT data FROM chunks WHERE id = ?", (cid,)).fetchone()[0])
                             for cid in batch]
            cols = _concat(parts)
            replaced += len(cols) - sum(len(c) for c in carry)
            conn.executemany("DELETE FROM chunks WHERE id = ?", [(cid,) for cid in batch])
            # The last minute may go on in the next batch, or in a chunk too young to downsample.
            minute = cols.host_ms // 60_000
            last = minute == minute.max()
            carry = [codec.Columns(*(getattr(cols, c)[last] for c in codec.COLUMNS))]
            cols = codec.Columns(*(getattr(cols, c)[~last] for c in codec.COLUMNS))
            if i + 32 >= len(ids):  # kept as samples until the rest of its minute ages too
                chunks.insert_chunk(conn, sid, ch, raw, carry[0])
                replaced -= len(carry[0])
            if len(cols):
                _, rollups = _minutes(cols)
                for kind, part in zip((chunks.MINUTE_MIN, chunks.MINUTE_MEAN, chunks.MINUTE_MAX), rollups):
                    chunks.insert_chunk(conn, sid, ch, raw, part, kind)
    return replaced
