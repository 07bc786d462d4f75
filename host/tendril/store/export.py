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


def _rows(rows: Iterable[dict], columns: tuple[str, ...], out: TextIO, fmt: str, header: bool = True) -> int:
    n = 0
    if fmt == "csv":
        w = csv.DictWriter(out, columns, lineterminator="\n")
        if header:
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


DAILY_COLUMNS = ("day", "device_id", "channel", "name", "rise", "samples")


def write_daily(rises: Iterable, out: TextIO, fmt: str) -> int:
    """Write store.daily's DayRise rows (day, board, channel) in ``fmt``; the rise in the channel's
    unit (a raw channel's in counts). Return how many rows were written."""
    def row(d) -> dict:
        return {"day": d.day, "device_id": device_id_text(d.device_id), "channel": d.channel,
                "name": d.name or "", "rise": d.rise if d.raw else d.rise / 1000, "samples": d.samples}
    ordered = sorted(rises, key=lambda d: (d.day, d.device_id, d.channel))
    return _rows(map(row, ordered), DAILY_COLUMNS, out, fmt)


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
# for the same samples (tests/store/test_export_fast.py holds them to it), with no Python work per
# row. Each field's text comes from a lookup table (three digits a lookup, "SS.mmm" per ms of a
# minute, the date and minute once per distinct minute, the fraction and the row's end per value %
# 1000), so a row's length is known before it is written; the block's text is then written straight
# into one buffer, a field at a time for every row at once, each text as a fixed-width item
# right-aligned on where the field ends. Fields go from the last to the first: the bytes before a
# narrower text land on the earlier fields of its own row, which are written after it.

FAST_MAX = 10**15  # thousandths below this print as their float does: repr(value / 1000) is w.fff
# (15 significant digits at most: the nearest double is unique and repr gives it back), never 1e+16
_MS_MAX = 253_402_300_800_000  # year 10000: ISO times below it have a 4-digit year
_POW10 = 10 ** np.arange(1, 19, dtype=np.int64)


def _ms(host_time: np.ndarray) -> np.ndarray:
    """Host times as whole ms: rounded to the microsecond, then truncated, as iso() prints them
    (datetime.fromtimestamp, then isoformat)."""
    return np.rint(host_time * 1e6).astype(np.int64) // 1000


def _csv_cell(text: str) -> str:
    if any(c in text for c in ',"\r\n') or text != text.strip():
        return '"' + text.replace('"', '""') + '"'
    return text


def _items(texts: Iterable[bytes]) -> tuple[np.ndarray, np.ndarray]:
    """Byte strings as one fixed-width item each (right-aligned: NUL before the shorter ones) and
    their lengths."""
    texts = list(texts)
    width = max(map(len, texts))
    return (np.frombuffer(b"".join(t.rjust(width, b"\0") for t in texts), f"V{width}"),
            np.array([len(t) for t in texts], np.int64))


def _ends(fmt: str) -> tuple[np.ndarray, np.ndarray]:
    """What follows the value's whole part, per value % 1000 (its fraction and the row's end), and
    for a raw reading (index 1000), with the lengths."""
    end = (b",0\n", b",1\n") if fmt == "csv" else (b',"raw":0}\n', b',"raw":1}\n')
    fractions = [f".{f:03d}".rstrip("0").ljust(2, "0").encode() for f in range(1000)]  # .0 .05 .125
    return _items([fraction + end[0] for fraction in fractions] + [end[1]])


_TABLES: dict = {}


def _table(name: str):
    """A lookup table, made once: "groups", the numbers 0-999 as 3 digits each; "seconds",
    "SS.mmm" for each ms of a minute; "csv" and "jsonl", _ends."""
    if name not in _TABLES:
        if name in FORMATS:
            _TABLES[name] = _ends(name)
        else:
            d = np.arange(1000)
            groups = (np.stack([d // 100, d // 10 % 10, d % 10], axis=1) + 48).astype(np.uint8)
            seconds = np.empty((60, 1000, 6), np.uint8)  # [second, ms]
            seconds[:, :, :2] = groups[:60, None, 1:]
            seconds[:, :, 2] = ord(".")
            seconds[:, :, 3:] = groups
            _TABLES["groups"] = groups.view("V3").ravel()
            _TABLES["seconds"] = seconds.view("V6").ravel()
    return _TABLES[name]


def _digits(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Non-negative integers as decimal ASCII: items of 3 * k bytes (leading zeros before the
    digits) and the number of digits each has."""
    k = -(-len(str(int(values.max()))) // 3)
    index = np.empty((len(values), k), np.int64)
    rest = values
    for j in range(k - 1, 0, -1):
        top = rest // 1000
        index[:, j] = rest - top * 1000
        rest = top
    index[:, 0] = rest
    items = _table("groups").take(index).view(f"V{3 * k}").reshape(len(values))
    return items, np.searchsorted(_POW10, values, side="right") + 1


def _put(buf: np.ndarray, ends: np.ndarray, items) -> None:
    """Each item (or the one item) written into ``buf`` so that it ends at ``ends``."""
    width = items.dtype.itemsize
    np.ndarray((len(buf) - width + 1,), items.dtype, buf, 0, (1,))[ends - width] = items


_AFTER_DMS = {"csv": ",", "jsonl": ',"value":'}
_SIGNS = {fmt: _items([text.encode(), text.encode() + b"-"]) for fmt, text in _AFTER_DMS.items()}


class _Form:
    """One session's text in one format, as items (_items): the row's start up to the minute, the
    cells from the time's zone to device_ms per channel, what follows device_ms (and a minus)."""

    def __init__(self, fmt: str, dev: str, boot: int, names: dict[int, str]):
        self.fmt, self.names = fmt, names
        self.before = "" if fmt == "csv" else '{"time":"'
        self.after_time = (f"+00:00,{dev},{boot}," if fmt == "csv"
                           else f'+00:00","device_id":"{dev}","boot":{boot},')
        self.after_dms = _AFTER_DMS[fmt]
        self.signs = _SIGNS[fmt]
        self.cells, self.cell_lengths = np.zeros(0, "V1"), np.zeros(0, np.int64)  # by the first block

    def cell(self, ch: int) -> str:
        """The channel's text between the time and device_ms."""
        name = self.names.get(ch) or ""
        if self.fmt == "csv":
            return f"{self.after_time}{ch},{_csv_cell(name)},"
        return f'{self.after_time}"channel":{ch},"name":{json.dumps(name)},"device_ms":'

    def channel_cells(self, top: int) -> tuple[np.ndarray, np.ndarray]:
        """The cells of channels 0 to top - 1, and their lengths."""
        if len(self.cells) < top:
            self.cells, self.cell_lengths = _items(self.cell(ch).encode() for ch in range(top))
        return self.cells, self.cell_lengths

    def minutes(self, minute: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The row's start up to the seconds for each distinct minute, and each row's index in
        them."""
        lo, hi = int(minute.min()), int(minute.max())
        if hi - lo < 2 * len(minute):
            firsts, which = np.arange(lo, hi + 1), minute - lo
        else:
            firsts, which = np.unique(minute, return_inverse=True)
        days = np.datetime_as_string(firsts.astype("datetime64[m]")).tolist()  # 2025-11-20T00:53
        text = "".join(f"{self.before}{m}:" for m in days)
        return np.frombuffer(text.encode(), f"V{len(self.before) + 17}"), which


def _block_bytes(block: np.ndarray, form: _Form, scratch: list[np.ndarray]) -> np.ndarray | None:
    """The block's rows as `write` prints them (UTF-8), or None when a field is outside what the
    tables print (negative device_ms, values past FAST_MAX, times before 1970 or after 9999). The
    text is written into ``scratch[0]`` (grown when too small): valid until the next call."""
    value, dms = block["value"], block["device_ms"]
    if (not len(block) or int(dms.min()) < 0 or int(value.min()) <= -FAST_MAX
            or int(value.max()) >= FAST_MAX):
        return None
    ms = _ms(block["host_time"])
    if int(ms.min()) < 0 or int(ms.max()) >= _MS_MAX:
        return None
    minute = ms // 60_000
    heads, which = form.minutes(minute)
    mag, raw, neg = np.abs(value), block["raw"] != 0, value < 0
    whole = mag // 1000
    frac = mag - whole * 1000
    if raw.any():
        whole, frac = np.where(raw, mag, whole), np.where(raw, 1000, frac)
    ends, end_lengths = _table(form.fmt)
    ends, end_lengths = ends.take(frac), end_lengths.take(frac)
    whole_items, whole_lengths = _digits(whole)
    dms_items, dms_lengths = _digits(dms)
    signs, sign_lengths = form.signs
    if neg.any():
        signs, sign_lengths = signs.take(neg.view(np.int8)), sign_lengths.take(neg.view(np.int8))
    else:
        signs, sign_lengths = signs[0], sign_lengths[0]
    chans = block["channel"]
    cells, cell_lengths = form.channel_cells(int(chans.max()) + 1)
    cell_lengths = cell_lengths.take(chans)
    # The row up to the cell: the time, at least 23 bytes. What a field writes before its text
    # (the widest text's length less its own: at most 20 for digits, 4 for the ends, 1 for the
    # sign) stays in its own row as long as it is no longer than this; cells are checked below.
    start = heads.dtype.itemsize + 6
    pos = start + cell_lengths + dms_lengths + sign_lengths + whole_lengths + end_lengths
    np.cumsum(pos, out=pos)
    if len(scratch[0]) < pos[-1]:
        scratch[0] = np.empty(max(int(pos[-1]), 2 * len(scratch[0])), np.uint8)
    buf = scratch[0][:pos[-1]]
    for items, lengths in ((ends, end_lengths), (whole_items, whole_lengths),
                           (signs, sign_lengths), (dms_items, dms_lengths)):
        _put(buf, pos, items)
        pos -= lengths
    if cells.dtype.itemsize - int(cell_lengths.min()) <= start:
        _put(buf, pos, cells.take(chans))
    else:  # a cell much shorter than the longest: write each channel's at its own width
        for ch in np.unique(chans).tolist():
            cell = form.cell(ch).encode()
            _put(buf, pos[chans == ch], np.frombuffer(cell, f"V{len(cell)}")[0])
    pos -= cell_lengths
    _put(buf, pos, _table("seconds").take(ms - minute * 60_000))
    _put(buf, pos - 6, heads.take(which))
    return buf


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
    put = out.write if binary else (lambda data: out.write(str(memoryview(data), "utf-8")))
    if fmt == "csv":
        put((",".join(COLUMNS) + "\n").encode())
    n, scratch = 0, [np.empty(0, np.uint8)]  # one buffer for every block's text
    for s in sessions(conn, device_id):
        names = channel_names(conn, s)
        idx = sorted(_session_channels(channels, names)) if channels else None
        if idx == []:
            continue
        form = _Form(fmt, device_id_text(s.device_id), s.boot_count, names)
        for block in sample_blocks(conn, s.id, channels=idx, since=since, until=until):
            data = _block_bytes(block, form, scratch)
            put(_slow_rows(block, s, names, fmt).encode() if data is None else data)
            n += len(block)
    return n


def _slow_rows(block: np.ndarray, session, names: dict[int, str], fmt: str) -> str:
    """A block's rows through the sample-by-sample writer, for what the tables do not print."""
    samples = (Sample(session.device_id, session.boot_count, session.id, ch, names.get(ch), dms, host, value,
                      bool(raw))
               for ch, dms, host, value, raw in zip(block["channel"].tolist(), block["device_ms"].tolist(),
                                                     block["host_time"].tolist(), block["value"].tolist(),
                                                     block["raw"].tolist()))
    out = io.StringIO()
    _rows(map(_row, samples), COLUMNS, out, fmt, header=False)
    return out.getvalue()


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
