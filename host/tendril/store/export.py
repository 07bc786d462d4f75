"""Export samples or events as CSV or JSON lines, one row at a time (never the whole log in memory)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterable
from typing import BinaryIO, TextIO

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
# for the same samples (tests/store/test_export_fast.py holds them to it). Each block becomes one byte
# matrix, a row a line, its variable-width fields padded with PAD and squeezed out at the end; the
# text of every field comes from small lookup tables indexed by integer arithmetic, so there is no
# Python work per row and no division per digit.

PAD = 0  # a byte no exported text holds: what pads the fields of the byte matrix
FAST_MAX = 10**15  # thousandths below this print as their float does: repr(value / 1000) is w.fff
# (15 significant digits at most: the nearest double is unique and repr gives it back), never 1e+16
_MS_MAX = 253_402_300_800_000  # year 10000: ISO times below it have a 4-digit year


def _ms(host_time: np.ndarray) -> np.ndarray:
    """Host times as whole ms: rounded to the microsecond, then truncated, as iso() prints them
    (datetime.fromtimestamp, then isoformat)."""
    return np.rint(host_time * 1e6).astype(np.int64) // 1000


def _iso_ms(host_time: np.ndarray) -> list[str]:
    """iso() of each host time without its "+00:00"."""
    return np.datetime_as_string(_ms(host_time).astype("datetime64[ms]"), unit="ms").tolist()


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


def _pad_table(texts: Iterable[bytes]) -> np.ndarray:
    """Byte strings as the rows of a (k, longest) uint8 table, PAD after each."""
    texts = list(texts)
    out = np.full((len(texts), max(map(len, texts), default=0)), PAD, np.uint8)
    for i, b in enumerate(texts):
        out[i, :len(b)] = np.frombuffer(b, np.uint8)
    return out


_GROUP_ALL, _GROUP_BARE, _GROUP_NONE = 0, 1000, 2000


def _tables() -> tuple[np.ndarray, np.ndarray]:
    """(groups, seconds): groups[i] is i < 1000 as 3 digits, groups[1000 + i] the same without
    leading zeros (PAD instead; 0 keeps its digit), groups[2000] all PAD; seconds[i] is
    "SS.mmm" for i ms into a minute."""
    d = np.arange(1000)
    digits = (np.stack([d // 100, d // 10 % 10, d % 10], axis=1) + ord("0")).astype(np.uint8)
    bare = digits.copy()
    bare[d < 100, 0] = PAD
    bare[d < 10, 1] = PAD
    groups = np.vstack([digits, bare, np.full((1, 3), PAD, np.uint8)])
    ms = np.arange(60_000)
    seconds = np.hstack([digits[ms // 1000, 1:], np.full((60_000, 1), ord("."), np.uint8), digits[ms % 1000]])
    return groups, seconds


_TABLES: list = []


def _digits(values: np.ndarray) -> np.ndarray:
    """Non-negative integers as right-aligned decimal ASCII, PAD before them: (n, 3 * groups)
    uint8, three digits a lookup."""
    if not _TABLES:
        _TABLES.extend(_tables())
    groups = _TABLES[0]
    k = max(1, -(-len(str(int(values.max()))) // 3)) if len(values) else 1
    index = np.empty((len(values), k), np.int64)
    for j in range(k):
        top = values // 10 ** (3 * (k - 1 - j)) if j < k - 1 else values  # this group and all above
        col = np.where(top < 1000, top + _GROUP_BARE, top % 1000)
        if j < k - 1:
            col[top == 0] = _GROUP_NONE
        index[:, j] = col
    return groups[index].reshape(len(values), 3 * k)


class _Form:
    """One session's constant text in one format: what comes before the time, between the time
    and the channel, the channel cells, between device_ms and the value, and the tails (the
    fraction and what follows the value, per value % 1000, and for raw readings)."""

    def __init__(self, fmt: str, dev: str, boot: int, names: dict[int, str]):
        self.names, self.fmt = names, fmt
        if fmt == "csv":
            self.before, self.after_time, self.after_dms = b"", f"+00:00,{dev},{boot},".encode(), b","
            ends = (b",0\n", b",1\n")
        else:
            self.before = b'{"time":"'
            self.after_time = f'+00:00","device_id":"{dev}","boot":{boot},'.encode()
            self.after_dms, ends = b',"value":', (b',"raw":0}\n', b',"raw":1}\n')
        fractions = [f".{f:03d}".rstrip("0").ljust(2, "0").encode() for f in range(1000)]
        self.tails = _pad_table([fr.ljust(4, b"\0") + ends[0] for fr in fractions] + [bytes(4) + ends[1]])
        self.cells = np.zeros((0, 0), np.uint8)
        self.fast = all("\0" not in name for name in names.values())

    def cell(self, ch: int) -> str:
        name = self.names.get(ch) or ""
        if self.fmt == "csv":
            return f"{ch},{_csv_cell(name)},"
        return f'"channel":{ch},"name":{json.dumps(name)},"device_ms":'

    def channel_cells(self, top: int) -> np.ndarray:
        if len(self.cells) < top:
            self.cells = _pad_table(self.cell(ch).encode() for ch in range(top))
        return self.cells


def _fast_ok(block: np.ndarray) -> bool:
    value = block["value"]
    return (bool(len(block)) and int(block["device_ms"].min()) >= 0 and int(value.min()) > -FAST_MAX
            and int(value.max()) < FAST_MAX)


def _block_bytes(block: np.ndarray, form: _Form) -> np.ndarray | None:
    """The block's rows as `write` prints them (UTF-8), or None when a field is outside what the
    tables print (negative device_ms, huge values, times before 1970 or after 9999)."""
    if not _fast_ok(block):
        return None
    ms = _ms(block["host_time"])
    if int(ms.min()) < 0 or int(ms.max()) >= _MS_MAX:
        return None
    n = len(block)
    minute, in_minute = np.divmod(ms, 60_000)
    lo, hi = int(minute.min()), int(minute.max())
    if hi - lo < 2 * n:
        firsts, which = np.arange(lo, hi + 1), minute - lo
    else:
        firsts, which = np.unique(minute, return_inverse=True)
    text = "".join(np.datetime_as_string(firsts.astype("datetime64[m]")).tolist())
    minutes = np.frombuffer(text.encode(), np.uint8).reshape(len(firsts), 16)
    value, raw = block["value"], block["raw"] != 0
    mag = np.abs(value)
    pieces = [form.before, minutes[which], b":", _TABLES[1][in_minute], form.after_time,
              form.channel_cells(int(block["channel"].max()) + 1)[block["channel"]], _digits(block["device_ms"]),
              form.after_dms]
    if int(value.min()) < 0:
        pieces.append(np.where(value < 0, ord("-"), PAD).astype(np.uint8)[:, None])
    pieces += [_digits(np.where(raw, mag, mag // 1000)), form.tails[np.where(raw, 1000, mag % 1000)]]
    width = sum(len(p) if isinstance(p, bytes) else p.shape[1] for p in pieces)
    matrix = np.empty((n, width), np.uint8)
    col = 0
    for p in pieces:
        w = len(p) if isinstance(p, bytes) else p.shape[1]
        matrix[:, col:col + w] = np.frombuffer(p, np.uint8) if isinstance(p, bytes) else p
        col += w
    flat = matrix.reshape(-1)
    return flat[flat != PAD]


def write_log(conn, out: TextIO | BinaryIO, fmt: str, *, channels=(), since=None, until=None,
              device_id=None) -> int:
    """Every sample of the log (as ``iter_samples`` selects them) to ``out`` in ``fmt``, a block at
    a time; returns the rows written. The same text ``write(iter_samples(...))`` gives; UTF-8 bytes
    when ``out`` is a binary stream (what `tendril export` hands it: no str in between)."""
    from .query import _session_channels, channel_names, iter_samples, sample_blocks, sessions

    iter_samples(conn, channels=channels, since=since, until=until, device_id=device_id)  # checks names
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}")
    binary = isinstance(out, (io.RawIOBase, io.BufferedIOBase))
    put = out.write if binary else (lambda data: out.write(data.tobytes().decode()))
    if fmt == "csv":
        put(np.frombuffer((",".join(COLUMNS) + "\n").encode(), np.uint8))
    if not _TABLES:
        _TABLES.extend(_tables())
    n = 0
    for s in sessions(conn, device_id):
        names = channel_names(conn, s)
        idx = sorted(_session_channels(channels, names)) if channels else None
        if idx == []:
            continue
        form = _Form(fmt, device_id_text(s.device_id), s.boot_count, names)
        for block in sample_blocks(conn, s.id, channels=idx, since=since, until=until):
            data = _block_bytes(block, form) if form.fast else None
            if data is None:
                data = np.frombuffer(_slow_rows(block, form).encode(), np.uint8)
            put(data)
            n += len(block)
    return n


def _slow_rows(block: np.ndarray, form: _Form) -> str:
    """A block's rows a row at a time, for what the tables do not print."""
    times, values = _iso_ms(block["host_time"]), _numbers(block)
    chans, dms, raws = block["channel"].tolist(), block["device_ms"].tolist(), block["raw"].tolist()
    before, after_time, after_dms = form.before.decode(), form.after_time.decode(), form.after_dms.decode()
    cells = {ch: form.cell(ch) for ch in set(chans)}
    end = ",{}\n" if form.fmt == "csv" else ',"raw":{}}}\n'
    return "".join(f"{before}{t}{after_time}{cells[c]}{d}{after_dms}{v}{end.format(r)}"
                   for t, c, d, v, r in zip(times, chans, dms, values, raws))


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
