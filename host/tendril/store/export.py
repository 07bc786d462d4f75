"""Export samples or events as CSV or JSON lines, one row at a time (never the whole log in memory)."""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterable
from typing import TextIO

import numpy as np

from ..contract import EventKind
from .db import device_id_text
from .query import LoggedEvent, Sample, iso

FORMATS = ("csv", "jsonl")
COLUMNS = ("time", "device_id", "boot", "channel", "name", "device_ms", "value", "raw")
EVENT_COLUMNS = ("time", "device_id", "boot", "device_ms", "kind", "a", "b", "c", "value", "text")


def _row(s: Sample) -> dict:
    return {"time": iso(s.host_time), "device_id": device_id_text(s.device_id), "boot": s.boot_count,
            "channel": s.channel, "name": s.name or "", "device_ms": s.device_ms,
            "value": s.number, "raw": int(s.raw)}


def _kind(kind: int) -> str:
    return EventKind(kind).name if kind in EventKind._value2member_map_ else str(kind)


def _rows(rows: Iterable[dict], columns: tuple[str, ...], out: TextIO, fmt: str) -> int:
    n = 0
    if fmt == "csv":
        w = csv.DictWriter(out, columns, lineterminator="\n")
        w.writeheader()
        for row in rows:
            w.writerow(row)
            n += 1
    elif fmt == "jsonl":
        for row in rows:
            out.write(json.dumps(row, separators=(",", ":")) + "\n")
            n += 1
    else:
        raise ValueError(f"unknown format {fmt!r}")
    return n


def write(samples: Iterable[Sample], out: TextIO, fmt: str) -> int:
    """Write ``samples`` to ``out`` in ``fmt``; return how many rows were written."""
    return _rows(map(_row, samples), COLUMNS, out, fmt)


def write_events(events: Iterable[LoggedEvent], out: TextIO, fmt: str,
                 describe: Callable[[LoggedEvent], str]) -> int:
    """Write ``events`` to ``out`` in ``fmt``, each with ``describe(event)`` as its text; return how
    many rows were written. ``value`` stays the i32 the device sent (its meaning depends on kind)."""
    def row(e: LoggedEvent) -> dict:
        return {"time": iso(e.host_time), "device_id": device_id_text(e.device_id), "boot": e.boot_count,
                "device_ms": e.device_ms, "kind": _kind(e.kind), "a": e.a, "b": e.b, "c": e.c,
                "value": e.value, "text": describe(e)}
    return _rows(map(row, events), EVENT_COLUMNS, out, fmt)


# --- samples from the log, a block at a time -------------------------------------------------------
# The fast way: formats whole numpy blocks (store/chunks.py) at once, the same text `write` gives
# for the same samples (tests/store/test_export_fast.py holds them to it).


def _iso_ms(host_time: np.ndarray) -> list[str]:
    """iso() of each host time: UTC, truncated to the ms as datetime.isoformat does after
    rounding to the microsecond."""
    ms = np.rint(host_time * 1e6).astype(np.int64) // 1000
    text = np.datetime_as_string(ms.astype("datetime64[ms]"), unit="ms")
    return [t + "+00:00" for t in text.tolist()]


def _numbers(block: np.ndarray) -> list[str]:
    """The value column: thousandths as a float in the channel's unit (repr, as csv and json write
    floats), a raw reading as its integer."""
    as_float = (block["value"] / 1000).astype(str)
    raw = block["raw"].astype(bool)
    if raw.any():
        as_float[raw] = block["value"][raw].astype(str)
    return as_float.tolist()


def _csv_cell(text: str) -> str:
    if any(c in text for c in ',"\r\n') or text != text.strip():
        return '"' + text.replace('"', '""') + '"'
    return text


FAST_MAX = 1 << 40  # thousandths below this print as their float does (repr of value / 1000)
PAD = 0  # a byte no text holds: what pads each field of the byte matrix, dropped at the end


def _fast_ok(block: np.ndarray) -> bool:
    return bool(len(block)) and int(np.abs(block["value"]).max()) < FAST_MAX and int(block["device_ms"].min()) >= 0


def _digits(values: np.ndarray, width: int | None = None) -> np.ndarray:
    """Non-negative integers as right-aligned ASCII digits, PAD before them: (n, width) uint8;
    ``width`` None: as wide as the largest needs."""
    if width is None:
        width = len(str(int(values.max()))) if len(values) else 1
    powers = 10 ** np.arange(width - 1, -1, -1, dtype=np.int64)
    out = ((values[:, None] // powers) % 10 + 48).astype(np.uint8)
    lead = values[:, None] < powers  # a leading zero (the last digit always shows)
    lead[:, -1] = False
    out[lead] = PAD
    return out


def _fixed(values: np.ndarray, width: int) -> np.ndarray:
    """Non-negative integers below 10**width with leading zeros: (n, width) uint8."""
    return _digits(values + 10 ** width, width + 1)[:, 1:]


def _const(text: str, n: int) -> np.ndarray:
    return np.broadcast_to(np.frombuffer(text.encode(), np.uint8), (n, len(text.encode())))


def _text_rows(block: np.ndarray, table: np.ndarray, fmt: str, head: str) -> str:
    """The block's rows as `write` prints them, built as one byte matrix (a row a line, each field
    padded with PAD) and squeezed: no Python work per row."""
    n = len(block)
    ms = np.rint(block["host_time"] * 1e6).astype(np.int64) // 1000
    day, in_day = np.divmod(ms, 86_400_000)
    dates = {d: np.frombuffer(str(np.datetime64(d, "D")).encode() + b"T", np.uint8) for d in np.unique(day).tolist()}
    if len(dates) == 1:
        date = np.broadcast_to(next(iter(dates.values())), (n, 11))
    else:
        keys = np.array(sorted(dates))
        date = np.stack([dates[d] for d in keys.tolist()])[np.searchsorted(keys, day)]
    clock = _fixed(np.stack([in_day // 3_600_000, in_day // 60_000 % 60, in_day // 1000 % 60]).T.ravel(), 2)
    clock = clock.reshape(n, 6)
    sub = _fixed(in_day % 1000, 3)
    colon = np.full((n, 1), ord(":"), np.uint8)
    times = np.hstack([date, clock[:, 0:2], colon, clock[:, 2:4], colon, clock[:, 4:6],
                       np.full((n, 1), ord("."), np.uint8), sub])
    labels = [str(x).encode() for x in table]
    width = max(map(len, labels))
    cell_table = np.zeros((len(labels), width), np.uint8)
    for i, b in enumerate(labels):
        cell_table[i, :len(b)] = np.frombuffer(b, np.uint8)
    cells = cell_table[block["channel"]]
    value, raw = block["value"], block["raw"].astype(bool)
    mag = np.abs(value)
    sign = np.where(value < 0, ord("-"), PAD).astype(np.uint8)[:, None]
    whole = _digits(np.where(raw, mag, mag // 1000))
    frac = _fixed(mag % 1000, 3)
    frac[:, 2][frac[:, 2] == ord("0")] = PAD  # trailing zeros go, the first fraction digit stays
    frac[:, 1][(frac[:, 1] == ord("0")) & (frac[:, 2] == PAD)] = PAD
    dot = np.full((n, 1), ord("."), np.uint8)
    dot[raw] = PAD
    frac[raw] = PAD
    number = np.hstack([sign, whole, dot, frac])
    flag = np.where(raw, ord("1"), ord("0")).astype(np.uint8)[:, None]
    dms = _digits(block["device_ms"])
    if fmt == "csv":
        pieces = [times, _const("+00:00," + head, n), cells, dms, _const(",", n), number, _const(",", n),
                  flag, _const("\n", n)]
    else:
        before, after = head.split("%s")
        pieces = [_const(before, n), times, _const("+00:00" + after, n), cells, _const('"device_ms":', n), dms,
                  _const(',"value":', n), number, _const(',"raw":', n), flag, _const("}\n", n)]
    matrix = np.hstack(pieces).ravel()
    return matrix[matrix != PAD].tobytes().decode()


def write_log(conn, out: TextIO, fmt: str, *, channels=(), since=None, until=None, device_id=None) -> int:
    """Every sample of the log (as ``iter_samples`` selects them) to ``out`` in ``fmt``, a block at
    a time; returns the rows written. The same text ``write(iter_samples(...))`` gives."""
    from .query import _session_channels, channel_names, iter_samples, sample_blocks, sessions

    iter_samples(conn, channels=channels, since=since, until=until, device_id=device_id)  # checks names
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}")
    if fmt == "csv":
        out.write(",".join(COLUMNS) + "\n")
    n = 0
    for s in sessions(conn, device_id):
        names = channel_names(conn, s)
        idx = sorted(_session_channels(channels, names)) if channels else None
        if idx == []:
            continue
        dev = device_id_text(s.device_id)
        if fmt == "csv":
            head = f"{dev},{s.boot_count},"
            label = {ch: f"{ch},{_csv_cell(name)}," for ch, name in names.items()}
        else:
            head = f'{{"time":"%s","device_id":"{dev}","boot":{s.boot_count},'
            label = {ch: f'"channel":{ch},"name":{json.dumps(name)},' for ch, name in names.items()}
        for block in sample_blocks(conn, s.id, channels=idx, since=since, until=until):
            chans = block["channel"]
            top = int(chans.max()) + 1 if len(chans) else 0
            table = np.array([label.get(ch) or (f"{ch},," if fmt == "csv" else f'"channel":{ch},"name":"",')
                              for ch in range(top)], dtype=object)
            cells = table[chans].tolist()
            if _fast_ok(block):
                parts = _text_rows(block, table, fmt, head)
                out.write(parts)
                n += len(block)
                continue
            times, values = _iso_ms(block["host_time"]), _numbers(block)
            dms, raws = block["device_ms"].tolist(), block["raw"].tolist()
            if fmt == "csv":
                out.write("".join(f"{t},{head}{c}{d},{v},{r}\n"
                                  for t, c, d, v, r in zip(times, cells, dms, values, raws)))
            else:
                out.write("".join(f'{head % t}{c}"device_ms":{d},"value":{v},"raw":{r}}}\n'
                                  for t, c, d, v, r in zip(times, cells, dms, values, raws)))
            n += len(block)
    return n


# --- wide: one row per time, a column per channel ----------------------------------------------------


def wide_columns(conn, *, channels=(), device_id=None) -> tuple[list[str], dict[tuple[int, int], str]]:
    """The columns of a wide export after `time`, in order of first appearance, and the column of
    each (session, channel): the channel's name, ``name@deviceid`` when several devices log that
    name, the channel index as text when it has no name."""
    from .query import _session_channels, channel_names, logged_channels, sessions

    found: list[tuple[int, int, int, str]] = []  # session, channel, device, name
    for s in sessions(conn, device_id):
        names = channel_names(conn, s)
        want = _session_channels(channels, names) if channels else None
        for ch in logged_channels(conn, s.id):
            if want is None or ch in want:
                found.append((s.id, ch, s.device_id, names.get(ch) or str(ch)))
    devices: dict[str, set[int]] = {}
    for _, _, dev, name in found:
        devices.setdefault(name, set()).add(dev)
    column = {(sid, ch): name if len(devices[name]) == 1 else f"{name}@{device_id_text(dev)}"
              for sid, ch, dev, name in found}
    return list(dict.fromkeys(column.values())), column


def _wide_rows(conn, session: int, column: dict, idx, since, until):
    """(host_time, {column: number}) per logged frame of one session, in order."""
    from .query import sample_blocks

    for block in sample_blocks(conn, session, channels=idx, since=since, until=until):
        seqs, chans = block["seq"].tolist(), block["channel"].tolist()
        times, values, raws = block["host_time"].tolist(), block["value"].tolist(), block["raw"].tolist()
        row: dict[str, float | int] = {}
        last_seq, last_t = None, 0.0
        for seq, ch, t, v, raw in zip(seqs, chans, times, values, raws):
            if seq != last_seq and row:
                yield last_t, row
                row = {}
            if not row:
                last_t = t
            last_seq = seq
            row[column[(session, ch)]] = v if raw else v / 1000
        if row:
            yield last_t, row


def write_wide(conn, out: TextIO, fmt: str, *, channels=(), since=None, until=None, device_id=None) -> int:
    """One row per logged time (the samples of one frame share it), a column per channel
    (``wide_columns``), sessions merged in time order; returns the rows written."""
    import heapq

    from .query import _session_channels, channel_names, iter_samples, sessions

    iter_samples(conn, channels=channels, since=since, until=until, device_id=device_id)  # checks names
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}")
    keys, column = wide_columns(conn, channels=channels, device_id=device_id)
    streams = []
    for s in sessions(conn, device_id):
        idx = sorted(_session_channels(channels, channel_names(conn, s))) if channels else None
        if idx != []:
            streams.append(_wide_rows(conn, s.id, column, idx, since, until))
    n = 0
    if fmt == "csv":
        w = csv.writer(out, lineterminator="\n")
        w.writerow(["time", *keys])
        for t, row in heapq.merge(*streams, key=lambda r: r[0]):
            w.writerow([iso(t), *(row.get(k, "") for k in keys)])
            n += 1
    else:
        for t, row in heapq.merge(*streams, key=lambda r: r[0]):
            out.write(json.dumps({"time": iso(t), **{k: row[k] for k in keys if k in row}},
                                 separators=(",", ":"), ensure_ascii=False) + "\n")
            n += 1
    return n
