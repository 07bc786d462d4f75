"""Samples in chunks: writing a channel's samples as compressed chunks (store/codec.py),
compacting its small chunks into full ones, and reading a session's samples back in (seq,
channel) order.

Every commit writes each channel's new samples as one small chunk; once a channel's small chunks
hold CHUNK_SAMPLES samples (or are COMPACT_CHUNKS many) they are merged in the same kind of
transaction. The ``samples`` table only holds rows of logs converted from schema 2 and of older
loggers, until they are sealed; readers see it too, so none of this shows to them.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np

from . import codec

CHUNK_SAMPLES = 8192  # samples a chunk holds: about 2.3 h of a 1 Hz channel
COMPACT_CHUNKS = 64  # a channel's small chunks are merged when it has this many (16 s of 250 ms commits)
STALE_S = 600.0  # staged rows this much older than the newest of their channel are a crash's leftovers

BLOCK = np.dtype([("seq", "<i8"), ("channel", "<i8"), ("device_ms", "<i8"), ("host_time", "<f8"),
                  ("value", "<i8"), ("raw", "<i8")])


SAMPLES, MINUTE_MIN, MINUTE_MEAN, MINUTE_MAX = 0, 1, 2, 3  # chunks.kind
READ_KINDS = (SAMPLES, MINUTE_MEAN)  # what readers see: samples, and a downsampled minute's mean


def insert_chunk(conn: sqlite3.Connection, session: int, channel: int, raw: int,
                 cols: codec.Columns, kind: int = SAMPLES) -> None:
    conn.execute(
        "INSERT INTO chunks (session_id, channel, raw, first_seq, last_seq, t_first, t_last, n, kind, data)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (session, channel, raw, int(cols.seq.min()), int(cols.seq.max()), int(cols.host_ms.min()) / 1000,
         int(cols.host_ms.max()) / 1000, len(cols), kind, codec.encode(cols)))


# One channel's samples in memory: what a chunk holds, plus each sample's raw flag.
ROW = np.dtype([("session", "<i8"), ("seq", "<i8"), ("channel", "<i8"), ("device_ms", "<i8"),
                ("host_time", "<f8"), ("value", "<i8"), ("raw", "<i8")])


def frames_to_rows(frames: Sequence[tuple]) -> np.ndarray:
    """Store's queued frames (session, seq, first channel, device_ms, host_time, values, raw) as
    ROW samples, one per value (channel = first channel + its place in the frame); a None value
    (a channel with no valid reading) gives no sample."""
    counts = np.fromiter((len(f[5]) for f in frames), np.int64, len(frames))
    n = int(counts.sum())
    out = np.zeros(n, ROW)
    for j, name in enumerate(("session", "seq", "channel", "device_ms", "host_time")):
        col = np.fromiter((f[j] for f in frames), ROW[name], len(frames))
        out[name] = np.repeat(col, counts)
    out["raw"] = np.repeat(np.fromiter((f[6] for f in frames), np.int64, len(frames)), counts)
    starts = np.repeat(np.cumsum(counts) - counts, counts)
    out["channel"] += np.arange(n) - starts
    values = [v for f in frames for v in f[5]]
    if None in values:  # no valid reading: no sample (the int64 codec has no NULL; its EVENT is logged)
        keep = np.fromiter((v is not None for v in values), bool, n)
        out["value"] = np.fromiter((0 if v is None else v for v in values), np.int64, n)
        return out[keep]
    out["value"] = np.fromiter(values, np.int64, n)
    return out


def by_channel(rows: np.ndarray):
    """(session, channel) -> that channel's rows in seq order, once per seq (the first kept)."""
    rows = rows[np.lexsort((rows["seq"], rows["channel"], rows["session"]))]
    if not len(rows):
        return
    key_edge = (np.diff(rows["session"]) != 0) | (np.diff(rows["channel"]) != 0)
    dup = ~key_edge & (np.diff(rows["seq"]) == 0)
    rows = rows[np.concatenate([[True], ~dup])]
    key_edge = (np.diff(rows["session"]) != 0) | (np.diff(rows["channel"]) != 0)
    bounds = np.concatenate([[0], np.flatnonzero(key_edge) + 1, [len(rows)]])
    for a, b in zip(bounds[:-1].tolist(), bounds[1:].tolist()):
        yield (int(rows["session"][a]), int(rows["channel"][a])), rows[a:b]


def rows_from_tuples(rows: Sequence[tuple]) -> np.ndarray:
    """Staged rows (session_id, seq, channel, device_ms, host_time, value, raw) as ROW, by seq."""
    out = np.zeros(len(rows), ROW)
    for j, name in enumerate(ROW.names):
        out[name] = np.fromiter((r[j] for r in rows), ROW[name], len(rows))
    return out[np.argsort(out["seq"], kind="stable")]


def staged_rows(conn: sqlite3.Connection, session: int, channel: int) -> list[tuple]:
    """The staged rows of one channel: (session_id, seq, channel, device_ms, host_time, value, raw)."""
    return conn.execute("SELECT session_id, seq, channel, device_ms, host_time, value, raw FROM samples"
                        " WHERE session_id = ? AND channel = ?", (session, channel)).fetchall()


def _insert_columns(conn: sqlite3.Connection, session: int, channel: int, raw: int, cols: codec.Columns) -> int:
    """Insert samples (in seq order) as chunks of up to CHUNK_SAMPLES; returns the chunks made."""
    made = 0
    for i in range(0, len(cols), CHUNK_SAMPLES):
        insert_chunk(conn, session, channel, raw, codec.Columns(
            *(np.ascontiguousarray(getattr(cols, c)[i:i + CHUNK_SAMPLES]) for c in codec.COLUMNS)))
        made += 1
    return made


def seal_rows(conn: sqlite3.Connection, session: int, channel: int, rows: np.ndarray) -> int:
    """Insert ROW samples of one channel (in seq order) as chunks, one raw flag a chunk; returns
    the chunks made."""
    made = 0
    for raw in (0, 1):
        mine = rows[rows["raw"] == raw]
        if len(mine):
            made += _insert_columns(conn, session, channel, raw, codec.Columns(
                mine["seq"].copy(), mine["device_ms"].copy(),
                np.rint(mine["host_time"] * 1000).astype(np.int64), mine["value"].copy()))
    return made


_SMALL = f"session_id = ? AND channel = ? AND kind = {SAMPLES} AND n < {CHUNK_SAMPLES}"


def small_chunks(conn: sqlite3.Connection, session: int, channel: int) -> tuple[int, int]:
    """(samples, chunks) in a channel's chunks that are not full."""
    n, count = conn.execute(f"SELECT coalesce(sum(n), 0), count(*) FROM chunks WHERE {_SMALL}",
                            (session, channel)).fetchone()
    return n, count


def compact(conn: sqlite3.Connection, session: int, channel: int) -> tuple[int, int]:
    """Merge a channel's small chunks into full chunks and at most one small one (per raw flag);
    returns what is left small, as small_chunks does."""
    found = conn.execute(f"SELECT id, raw, data FROM chunks WHERE {_SMALL} ORDER BY first_seq",
                         (session, channel)).fetchall()
    for raw in (0, 1):
        parts = [codec.decode(data) for _, r, data in found if r == raw]
        if not parts:
            continue
        cols = codec.Columns(*(np.concatenate([getattr(p, c) for p in parts]) for c in codec.COLUMNS))
        order = np.argsort(cols.seq, kind="stable")
        _insert_columns(conn, session, channel, raw, codec.Columns(*(getattr(cols, c)[order] for c in codec.COLUMNS)))
    conn.executemany("DELETE FROM chunks WHERE id = ?", [(cid,) for cid, _, _ in found])
    return small_chunks(conn, session, channel)


def seal(conn: sqlite3.Connection, session: int, channel: int) -> int:
    """Seal the rows of one channel in ``samples`` into chunks. Runs inside the caller's
    transaction; returns the samples sealed."""
    rows = staged_rows(conn, session, channel)
    if not rows:
        return 0
    seal_rows(conn, session, channel, rows_from_tuples(rows))
    compact(conn, session, channel)
    conn.execute("DELETE FROM samples WHERE session_id = ? AND channel = ?", (session, channel))
    return len(rows)


def seal_all(conn: sqlite3.Connection, *, older_than: float | None = None) -> int:
    """Seal every staged channel, or only those whose newest staged sample is older than
    ``older_than`` (host time: a crashed logger's leftovers, never a running logger's stage)."""
    sql = "SELECT session_id, channel, max(host_time) FROM samples GROUP BY session_id, channel"
    total = 0
    for session, channel, newest in conn.execute(sql).fetchall():
        if older_than is None or newest < older_than:
            total += seal(conn, session, channel)
    return total


def sealed_seqs(conn: sqlite3.Connection, session: int, channel: int, lo: int, hi: int) -> set[int]:
    """The seqs in [lo, hi] already sealed for this channel (to drop a frame seen again)."""
    out: set[int] = set()
    for (data,) in conn.execute("SELECT data FROM chunks WHERE session_id = ? AND channel = ? AND kind IN"
                                f" {READ_KINDS} AND first_seq <= ? AND last_seq >= ?", (session, channel, hi, lo)):
        seq = codec.decode(data).seq
        out.update(int(s) for s in seq[(seq >= lo) & (seq <= hi)])
    return out


def sealed_max(conn: sqlite3.Connection, session: int, channel: int) -> int | None:
    return conn.execute("SELECT max(last_seq) FROM chunks WHERE session_id = ? AND channel = ?",
                        (session, channel)).fetchone()[0]


@dataclass(frozen=True)
class _Part:
    first_seq: int
    chunk_id: int | None  # None: the staged rows


def _window_sql(args: list, since: float | None, until: float | None, lo: str, hi: str) -> str:
    sql = ""
    if since is not None:
        sql += f" AND {hi} >= ?"
        args.append(since)
    if until is not None:
        sql += f" AND {lo} < ?"
        args.append(until)
    return sql


def _in(args: list, column: str, channels: Sequence[int] | None) -> str:
    if channels is None:
        return ""
    args += list(channels)
    return f" AND {column} IN ({','.join('?' * len(channels))})"


def session_blocks(conn: sqlite3.Connection, session: int, *, channels: Sequence[int] | None = None,
                   since: float | None = None, until: float | None = None) -> Iterator[np.ndarray]:
    """A session's samples as BLOCK arrays in (seq, channel) order, in host-time window [since,
    until), streamed: at most the chunks that overlap one another are in memory at once."""
    args: list = [session]
    sql = (f"SELECT id, channel, raw, first_seq FROM chunks WHERE session_id = ? AND kind IN {READ_KINDS}"
           + _in(args, "channel", channels)
           + _window_sql(args, since, until, "t_first", "t_last") + " ORDER BY first_seq, channel")
    parts = [(first, cid, ch, raw) for cid, ch, raw, first in conn.execute(sql, args)]
    sargs: list = [session]
    ssql = ("SELECT seq, channel, device_ms, host_time, value, raw FROM samples WHERE session_id = ?"
            + _in(sargs, "channel", channels) + _window_sql(sargs, since, until, "host_time", "host_time"))
    rows = conn.execute(ssql, sargs).fetchall()
    staged = np.zeros(len(rows), BLOCK)
    for j, name in enumerate(BLOCK.names):
        staged[name] = np.fromiter((r[j] for r in rows), BLOCK[name], len(rows))
    if len(staged):
        parts.append((int(staged["seq"].min()), None, 0, 0))
        parts.sort(key=lambda p: (p[0], p[1] is None))
    held = np.zeros(0, BLOCK)
    for i, (_first, cid, ch, raw) in enumerate(parts):
        if cid is None:
            block = staged
        else:
            (data,) = conn.execute("SELECT data FROM chunks WHERE id = ?", (cid,)).fetchone()
            cols = codec.decode(data)
            block = np.zeros(len(cols), BLOCK)
            block["seq"], block["device_ms"], block["value"] = cols.seq, cols.device_ms, cols.value
            block["host_time"] = cols.host_ms / 1000
            block["channel"], block["raw"] = ch, raw
            if since is not None or until is not None:
                keep = np.ones(len(block), bool)
                if since is not None:
                    keep &= block["host_time"] >= since
                if until is not None:
                    keep &= block["host_time"] < until
                block = block[keep]
        held = np.concatenate([held, block])
        bound = parts[i + 1][0] if i + 1 < len(parts) else None
        held = held.take(np.lexsort((held["channel"], held["seq"])))  # take: far faster than indexing for records
        if bound is None:
            ready, held = held, held[:0]
        else:
            cut = int(np.searchsorted(held["seq"], bound, side="left"))
            ready, held = held[:cut], held[cut:]
        if len(ready):
            yield ready
