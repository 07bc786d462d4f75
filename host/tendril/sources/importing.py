"""Files brought into the log by `tendril import`: a pure reader of the shapes makers have.

The shapes (docs/storage.md, *Bringing data in*), told apart by the file's first lines:

- **tendril export, a row per sample**: CSV with export's header (``time,device_id,boot,channel,
  name,device_ms,value,raw``) or its JSON lines (objects with those keys). Each board and boot in
  the file becomes a source of its own; a frame's samples (one time) become one row.
- **Columns with a time**: a header, then a time column (named time, timestamp, date, datetime...
  or the first column when its cells are times) and a column per channel; ``tendril export --wide``
  writes this shape, so do spreadsheets and most loggers. A unit in a header cell, ``soil (%)`` or
  ``temp [°C]``, becomes the channel's unit. Cells are separated by commas, semicolons or tabs (the
  most frequent in the header); with semicolons or tabs a decimal comma (``21,5``) is read as a
  decimal point. An empty cell (or nan, NA, null, -) has no sample. Times are ISO 8601 (naive ones
  are local time, or UTC with ``utc=True``), Unix seconds or Unix milliseconds; a number too small
  to be a date counts seconds (milliseconds when the column's name says ms or millis) from
  ``start``. JSON lines of objects with a "time" key and a key per channel are the same shape.
- **Columns without a time**: a header of names and columns of numbers, no time column: rows are
  ``interval`` apart.
- **Serial Plotter text** (a capture saved from a terminal): no header, numbers or ``label:value``
  pairs separated by spaces, tabs or commas (sources/plotter.py's rules); rows ``interval`` apart.
- **Arduino Serial Monitor with timestamps**: each line ``12:34:56.789 -> `` and Serial Plotter
  text; the time of day is the line's, the date is ``start``'s, else the one that puts the last line
  at or before ``end`` (the file's modification time).

Rows ``interval`` apart start at ``start``, else end at ``end``. A row that breaks its shape's
rules raises ImportFileError naming the file and line, unless ``skip_bad``, which drops it and
lists it in ``Reading.skipped``. No I/O: the caller passes ``lines``, a callable that returns the
file's lines afresh (some shapes read them twice: once to count, once to read).
"""

from __future__ import annotations

import csv
import json
import math
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

import numpy as np

from ..errors import TendrilError
from .plotter import PlotterParser

EXPORT_COLUMNS = ("time", "device_id", "boot", "channel", "name", "device_ms", "value", "raw")
BATCH_ROWS = 8192  # rows a batch holds at most
MISSING = frozenset({"", "nan", "na", "n/a", "null", "none", "-", "--"})
TIME_NAMES = frozenset({"time", "timestamp", "date", "datetime", "date_time", "date time", "utc",
                        "time_utc", "ts", "epoch", "unix", "unix_time", "millis", "ms", "time_ms",
                        "seconds", "secs", "elapsed", "t"})
EPOCH_S_MIN = 1e9  # 2001-09-09: a smaller time is counted from the start, not a date
EPOCH_MS_MIN = 1e11  # larger numbers are Unix milliseconds (1e11 s is the year 5138)
_UNIT = re.compile(r"^(.*?)\s*[(\[]\s*([^)\]]*?)\s*[)\]]\s*$")
_MONITOR = re.compile(r"^(\d{1,2}):(\d\d):(\d\d)\.(\d{3}) -> ?(.*)$")
_DECIMAL_COMMA = re.compile(r"^[+-]?\d*,\d+$")
_SLASH_DATE = re.compile(r"^\d{4}/\d\d/\d\d")
_MS_NAME = re.compile(r"\b(ms|millis|milliseconds)\b|_ms$|^ms", re.IGNORECASE)


class ImportFileError(TendrilError):
    """A file `tendril import` cannot read, or a bad row in it: "FILE:LINE: why"."""


@dataclass(frozen=True)
class Row:
    """Values at one time: ``series`` names the source inside the file ("" when it has one),
    ``line`` the file line the row began on, ``raw`` the names whose values are raw readings."""

    series: str
    host_time: float
    values: dict[str, float]
    line: int
    raw: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Batch:
    """Up to BATCH_ROWS rows of one series as columns: ``times`` (Unix s) and ``lines`` one per
    row, ``values[name]`` one float per row, NaN where the row has no sample of it; ``raw`` the
    names whose values are raw readings."""

    series: str
    times: np.ndarray
    values: dict[str, np.ndarray]
    lines: np.ndarray
    raw: frozenset[str] = frozenset()


@dataclass
class Reading:
    """What ``read`` found: the shape in words, units by channel name, notes for the user (what
    was assumed), the rows in batches (a lazy iterator: bad rows raise as they are reached), and
    the lines dropped with ``skip_bad`` (filled while the batches are read)."""

    shape: str
    batches: Iterator[Batch]
    units: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    skipped: list[int] = field(default_factory=list)


def read(lines: Callable[[], Iterable[str]], name: str, *, start: float | None = None,
         interval: float | None = None, end: float | None = None, utc: bool = False,
         skip_bad: bool = False) -> Reading:
    """Read the file ``name`` whose lines ``lines()`` gives (text, newlines kept or not)."""
    head = _head(lines())
    if not head:
        raise ImportFileError(f"{name}: no data in it")
    first_no, first = head[0]
    ctx = _Ctx(name, start, interval, end, utc, skip_bad)
    if first.lstrip().startswith("{"):
        return _jsonl(lines, ctx, first_no, first)
    if _MONITOR.match(first):
        return _monitor(lines, ctx)
    delim = max(",;\t", key=first.count)
    if not first.count(delim) or _plotter_data(first):
        return _plotter(lines, ctx)
    header = next(csv.reader([first], delimiter=delim))
    if tuple(h.strip().lower() for h in header) == EXPORT_COLUMNS:
        return _export_csv(lines, ctx)
    if _numeric_row(header, delim):
        return _plotter(lines, ctx)
    return _columns(lines, ctx, header, delim, head[1:])


# --- shared -------------------------------------------------------------------------------------


@dataclass
class _Ctx:
    name: str
    start: float | None
    interval: float | None
    end: float | None
    utc: bool
    skip_bad: bool

    def bad(self, line: int, why: str, skipped: list[int]) -> None:
        """A bad row: raise, or (skip_bad) note its line and go on."""
        if not self.skip_bad:
            raise ImportFileError(f"{self.name}:{line}: {why}")
        skipped.append(line)

    def timestamp(self, dt: datetime) -> float:
        if dt.tzinfo is None and self.utc:
            dt = dt.replace(tzinfo=UTC)
        return dt.timestamp()


def _head(lines: Iterable[str], n: int = 20) -> list[tuple[int, str]]:
    """The first ``n`` non-blank lines with their numbers (a UTF-8 byte order mark dropped)."""
    out = []
    for no, line in _numbered(lines):
        if line.strip():
            out.append((no, line))
            if len(out) == n:
                break
    return out


def _numbered(lines: Iterable[str]) -> Iterator[tuple[int, str]]:
    """(number, text) of every line, newline and a first line's byte order mark dropped."""
    for no, line in enumerate(lines, 1):
        line = line.rstrip("\r\n")
        if no == 1:
            line = line.removeprefix("\ufeff")
        yield no, line


def _number(text: str, decimal_comma: bool = False) -> float | None:
    """A cell as a float; None for a missing value; ValueError for anything else."""
    text = text.strip()
    if text.lower() in MISSING:
        return None
    if decimal_comma and _DECIMAL_COMMA.match(text):
        text = text.replace(",", ".")
    value = float(text)
    if math.isnan(value):
        return None
    if math.isinf(value):
        raise ValueError(text)
    return value


def _plotter_data(line: str) -> bool:
    """The line is Serial Plotter data (numbers, or label:value pairs), not a header."""
    parser = PlotterParser(skip_first_line=False)
    return bool(parser.feed(line.encode() + b"\n", 0.0))


def _numeric_row(cells: list[str], delim: str) -> bool:
    try:
        return all(_number(c, delim != ",") is not None for c in cells)
    except ValueError:
        return False


def _split_unit(cell: str) -> tuple[str, str | None]:
    """"soil (%)" -> ("soil", "%"); "soil" -> ("soil", None)."""
    cell = cell.strip()
    m = _UNIT.match(cell)
    if m and m.group(1) and m.group(2):
        return m.group(1), m.group(2)
    return cell, None


def _spaced(ctx: _Ctx, count: Callable[[], int]) -> tuple[float, float, str]:
    """(first time, interval, note) for rows without times: from ``start``, else ending at ``end``."""
    step = 1.0 if ctx.interval is None else ctx.interval
    step_text = f"{step:g} s" + (" (give --interval)" if ctx.interval is None else "")
    if ctx.start is not None:
        return ctx.start, step, f"no times in {ctx.name}: rows {step_text} apart from --start"
    if ctx.end is None:
        raise ImportFileError(f"{ctx.name}: has no times: give --start (and --interval)")
    n = count()
    first = ctx.end - step * max(n - 1, 0)
    return first, step, (f"no times in {ctx.name}: rows {step_text} apart, the last at the file's"
                         " modification time (give --start to place them)")


# --- times --------------------------------------------------------------------------------------


class _Times:
    """A time column's cells to Unix seconds; the kind (ISO, Unix s or ms, seconds or ms from
    ``start``) is decided by the first cell and holds for the column."""

    def __init__(self, ctx: _Ctx, column: str) -> None:
        self.ctx, self.column, self.kind = ctx, column, None

    def __call__(self, text: str) -> float:
        text = text.strip()
        if self.kind is None:
            self.kind = self._kind(text)
        if self.kind == "iso":
            if _SLASH_DATE.match(text):
                text = text.replace("/", "-", 2)
            try:
                return self.ctx.timestamp(datetime.fromisoformat(text))
            except ValueError:
                raise ValueError(f"{text!r} is not a time (the column holds ISO 8601 times like"
                                 " 2026-05-01 12:00:00)") from None
        try:
            value = float(text)
        except ValueError:
            raise ValueError(f"{text!r} is not a number (the column holds {self.kind})") from None
        if not math.isfinite(value):
            raise ValueError(f"{text!r} is not a time")
        if self.kind == "Unix milliseconds":
            return value / 1000
        if self.kind == "Unix seconds":
            return value
        return self.ctx.start + value / (1000 if self.kind == "ms from the start" else 1)

    def _kind(self, text: str) -> str:
        try:
            value = float(text)
        except ValueError:
            return "iso"
        if value >= EPOCH_MS_MIN:
            return "Unix milliseconds"
        if value >= EPOCH_S_MIN:
            return "Unix seconds"
        if self.ctx.start is None:
            raise ImportFileError(f"{self.ctx.name}: its {self.column!r} column counts from the start"
                                  " of the log, not from a date: give --start")
        return "ms from the start" if _MS_NAME.search(self.column) else "seconds from the start"


def _dated_without_start(ctx: _Ctx, first: str) -> None:
    """Refuse ``start`` for a file whose times are dates: it could only be a mistake."""
    if ctx.start is not None and _is_time(first):
        raise ImportFileError(f"{ctx.name}: its times are dates already: --start is for files"
                              " without them")


def _is_time(text: str) -> bool:
    text = text.strip()
    if _SLASH_DATE.match(text):
        text = text.replace("/", "-", 2)
    try:
        datetime.fromisoformat(text)
    except ValueError:
        try:
            return float(text) >= EPOCH_S_MIN
        except ValueError:
            return False
    return True


# --- tendril export, a row per sample -------------------------------------------------------------


def _export_csv(lines, ctx: _Ctx) -> Reading:
    reading = Reading("tendril export (CSV, a row per sample)", iter(()))

    def records():
        reader = csv.reader(lines())
        next(reader)  # the header
        for cells in reader:
            if cells and (len(cells) > 1 or cells[0].strip()):
                yield reader.line_num, cells

    reading.batches = _export_batches(records(), ctx, reading)
    return reading


def _export_batches(records: Iterable[tuple[int, list | dict]], ctx: _Ctx, reading: Reading) -> Iterator[Batch]:
    """Samples (CSV cells or JSON objects) as batches, a run of BATCH_ROWS records at a time:
    consecutive samples of one board, boot, time and device_ms are one frame (one row), and a
    batch holds one board and boot, raw or not."""
    records = iter(records)
    held: list[tuple[int, list]] = []  # the last frame of a run, which the next may continue
    while True:
        run = held
        for line, rec in records:
            cells = rec if len(rec) == 8 and type(rec) is list else _export_cells(line, rec, ctx, reading)
            if cells is not None:
                run.append((line, cells))
                if len(run) >= BATCH_ROWS:
                    break
        else:
            if run:
                yield from _export_run(run, ctx, reading)
            return
        last = _frame_start(run) or len(run)  # (a "frame" as long as a run is no frame: cut it)
        held = run[last:]
        yield from _export_run(run[:last], ctx, reading)


def _export_cells(line: int, rec: list | dict, ctx: _Ctx, reading: Reading) -> list | None:
    """A record's eight cells as text (a JSON object's values too), or None for a bad one."""
    if isinstance(rec, dict):
        missing = [c for c in EXPORT_COLUMNS if c not in rec]
        if missing:
            ctx.bad(line, f"no {', '.join(missing)} (tendril export's JSON lines have"
                          f" {', '.join(EXPORT_COLUMNS)})", reading.skipped)
            return None
        bad = [c for c in EXPORT_COLUMNS if isinstance(rec[c], (list, dict))]
        if bad:
            ctx.bad(line, f"{bad[0]}: {json.dumps(rec[bad[0]])} is not a value", reading.skipped)
            return None
        return ["" if rec[c] is None else str(int(rec[c]) if isinstance(rec[c], bool) else rec[c])
                for c in EXPORT_COLUMNS]
    if len(rec) != len(EXPORT_COLUMNS):
        ctx.bad(line, f"{len(rec)} cells, the header has {len(EXPORT_COLUMNS)}", reading.skipped)
        return None
    return rec


def _frame_start(run: list[tuple[int, list]]) -> int:
    """Where the run's last frame begins (its records share board, boot, time and device_ms)."""
    key = _frame_key(run[-1][1])
    i = len(run) - 1
    while i > 0 and _frame_key(run[i - 1][1]) == key:
        i -= 1
    return i


def _frame_key(cells: list) -> tuple:
    return cells[1].strip(), cells[2].strip(), cells[0].strip(), cells[5].strip(), cells[7].strip()


_TRUE = ("1", "true", "True")


def _export_run(run: list[tuple[int, list]], ctx: _Ctx, reading: Reading) -> Iterator[Batch]:
    line_no = np.array([line for line, _ in run], np.int64)
    t_col, dev_col, boot_col, chan_col, name_col, ms_col, value_col, raw_col = zip(*(c for _, c in run))
    bad: list[tuple[int, str]] = []
    stamps = np.empty(len(run), np.float64)
    cache: dict[str, float] = {}
    for i, text in enumerate(t_col):
        t = cache.get(text)
        if t is None:
            try:
                t = cache[text] = ctx.timestamp(datetime.fromisoformat(text.strip()))
            except ValueError:
                bad.append((i, f"{text.strip()!r} is not a time (ISO 8601)"))
                t = math.nan
        stamps[i] = t
    boots = _ints("boot", boot_col, bad)
    chans = _ints("channel", chan_col, bad)
    device_ms = _ints("device_ms", ms_col, bad)
    values = _column_values("value", value_col, False, bad)
    keep = np.ones(len(run), bool)
    told: set[int] = set()
    for i, why in sorted(bad):
        keep[i] = False
        if i not in told:
            told.add(i)
            ctx.bad(int(line_no[i]), why, reading.skipped)
    devices = np.array([d.strip() for d in dev_col])
    names = np.array([n.strip() or f"channel {c}" for n, c in zip(name_col, chans.tolist())])
    raw = np.isin(np.array(raw_col), _TRUE)
    idx = np.flatnonzero(keep & ~np.isnan(values))
    if not len(idx):
        return
    devices, boots, names, raw = devices[idx], boots[idx], names[idx], raw[idx]
    stamps, device_ms, values, line_no = stamps[idx], device_ms[idx], values[idx], line_no[idx]
    # a new frame where board, boot, time, device_ms or raw change; a new batch where board, boot or raw do
    series_edge = np.concatenate([[True], (devices[1:] != devices[:-1]) | (boots[1:] != boots[:-1])
                                  | (raw[1:] != raw[:-1])])
    frame_edge = series_edge | np.concatenate([[True], (stamps[1:] != stamps[:-1])
                                               | (device_ms[1:] != device_ms[:-1])])
    frame = np.cumsum(frame_edge) - 1
    bounds = np.append(np.flatnonzero(series_edge), len(idx))
    for a, b in zip(bounds[:-1].tolist(), bounds[1:].tolist()):
        f = frame[a:b] - frame[a]
        n = int(f[-1]) + 1
        starts = np.flatnonzero(frame_edge[a:b]) + a
        cols: dict[str, np.ndarray] = {}
        seg_names = names[a:b]
        for label in dict.fromkeys(seg_names.tolist()):
            mine = np.flatnonzero(seg_names == label)
            twice = np.flatnonzero(np.diff(f[mine]) == 0)
            if len(twice):
                ctx.bad(int(line_no[a + mine[twice[0] + 1]]), f"{label!r} twice at one time", reading.skipped)
                mine = np.delete(mine, twice + 1)
            col = np.full(n, math.nan)
            col[f[mine]] = values[a:b][mine]
            cols[label] = col
        yield Batch(f"{devices[a]} boot {boots[a]}", stamps[starts], cols, line_no[starts],
                    frozenset(cols) if raw[a] else frozenset())


def _ints(label: str, column: tuple[str, ...], bad: list[tuple[int, str]]) -> np.ndarray:
    try:
        return np.array(column, np.int64)
    except (ValueError, OverflowError):
        out = np.zeros(len(column), np.int64)
        for i, cell in enumerate(column):
            try:
                out[i] = int(cell)
            except (ValueError, OverflowError):
                bad.append((i, f"{label}: {cell.strip()!r} is not a whole number"))
        return out


def _bad_type(what: str, value) -> float:
    raise ValueError(f"{what} {value!r} is not text")


def _why(exc: Exception) -> str:
    text = str(exc)
    if text.startswith("could not convert string to float: "):
        return f"{text.removeprefix('could not convert string to float: ')} is not a number"
    if text.startswith("invalid literal for int() with base 10: "):
        return f"{text.removeprefix('invalid literal for int() with base 10: ')} is not a whole number"
    if text.startswith("Invalid isoformat string: "):
        return f"{text.removeprefix('Invalid isoformat string: ')} is not a time (ISO 8601)"
    return text


# --- JSON lines -----------------------------------------------------------------------------------


def _jsonl(lines, ctx: _Ctx, first_no: int, first: str) -> Reading:
    try:
        probe = json.loads(first)
    except ValueError as exc:
        raise ImportFileError(f"{ctx.name}:{first_no}: not JSON ({exc.msg})") from None
    if not isinstance(probe, dict):
        raise ImportFileError(f"{ctx.name}:{first_no}: not a JSON object")
    long = "value" in probe and ("name" in probe or "channel" in probe)
    reading = Reading("tendril export (JSON lines, a line per sample)" if long
                      else "JSON lines with a time and a key per channel", iter(()))

    def objects():
        for no, text in _numbered(lines()):
            if not text.strip():
                continue
            try:
                obj = json.loads(text)
            except ValueError as exc:
                ctx.bad(no, f"not JSON ({exc.msg})", reading.skipped)
                continue
            if not isinstance(obj, dict):
                ctx.bad(no, "not a JSON object", reading.skipped)
                continue
            yield no, obj

    reading.batches = (_export_batches(objects(), ctx, reading) if long
                       else _batched(_wide_json(objects(), ctx, reading, probe)))
    return reading


def _wide_json(objects, ctx: _Ctx, reading: Reading, probe: dict) -> Iterator[Row]:
    time_key = next((k for k in probe if k.strip().lower() in TIME_NAMES), None)
    if time_key is None:
        raise ImportFileError(f"{ctx.name}: its JSON objects have no time key (time, timestamp, date...)")
    times = _Times(ctx, time_key)
    _dated_without_start(ctx, str(probe.get(time_key, "")))
    for no, obj in objects:
        try:
            if time_key not in obj:
                raise ValueError(f"no {time_key!r}")
            stamp = obj[time_key]
            t = times(str(stamp)) if isinstance(stamp, (str, int, float)) and not isinstance(stamp, bool) \
                else _bad_type(time_key, stamp)
            values = {}
            for k, v in obj.items():
                if k == time_key or v is None:
                    continue
                if isinstance(v, bool) or not isinstance(v, (int, float, str)):
                    raise ValueError(f"{k}: {json.dumps(v)} is not a number")
                number = _number(str(v))
                if number is not None:
                    values[k] = number
        except ImportFileError:
            raise
        except ValueError as exc:
            ctx.bad(no, _why(exc), reading.skipped)
            continue
        if values:
            yield Row("", t, values, no)


# --- columns ----------------------------------------------------------------------------------------


def _columns(lines, ctx: _Ctx, header: list[str], delim: str, head: list[tuple[int, str]]) -> Reading:
    names, units = [], {}
    for cell in header:
        label, unit = _split_unit(cell)
        if not label:
            raise ImportFileError(f"{ctx.name}:1: a column without a name in the header")
        if label in names:
            raise ImportFileError(f"{ctx.name}:1: two columns named {label!r}")
        names.append(label)
        if unit:
            units[label] = unit
    first_cells = next(csv.reader([head[0][1]], delimiter=delim)) if head else []
    timed = names[0].lower() in TIME_NAMES or bool(first_cells and _is_time(first_cells[0]))
    sep = {",": "commas", ";": "semicolons", "\t": "tabs"}[delim]
    decimal_comma = delim != ","
    if not timed:
        if len(names) < 1:
            raise ImportFileError(f"{ctx.name}: no columns")
        reading = Reading(f"columns without a time, separated by {sep}", iter(()), units)

        def count() -> int:
            return sum(1 for _ in _column_records(lines(), delim))

        t0, step, note = _spaced(ctx, count)
        reading.notes.append(note)
        reading.batches = _column_rows(lines, ctx, reading, names, delim, decimal_comma, None, t0, step)
        return reading
    if first_cells:
        _dated_without_start(ctx, first_cells[0])
    units.pop(names[0], None)
    reading = Reading(f"a time and a column per channel, separated by {sep}", iter(()), units)
    reading.batches = _column_rows(lines, ctx, reading, names, delim, decimal_comma,
                                   _Times(ctx, header[0].strip()), 0.0, 0.0)
    return reading


def _column_records(lines: Iterable[str], delim: str) -> Iterator[tuple[int, list[str]]]:
    source = (text for _, text in _numbered(lines))
    reader = csv.reader(source, delimiter=delim)
    next(reader, None)  # the header
    for cells in reader:
        if not cells or all(not c.strip() for c in cells):
            continue
        yield reader.line_num, cells


def _column_rows(lines, ctx: _Ctx, reading: Reading, names: list[str], delim: str, decimal_comma: bool,
                 times: _Times | None, t0: float, step: float) -> Iterator[Batch]:
    """Batches of BATCH_ROWS rows, each value column converted at once (a cell at a time only in a
    column that holds something else than plain numbers)."""
    value_names = names[1:] if times else names
    width = len(names)
    k = 0
    records = _column_records(lines(), delim)
    while True:
        kept_lines, stamps, cells_kept = [], [], []
        errors: list[tuple[int, str]] = []  # (line, why), told in line order once the batch is read
        for no, cells in records:
            if len(cells) != width:
                errors.append((no, f"{len(cells)} cells, the header has {width}"))
                continue
            if times:
                try:
                    stamps.append(times(cells[0]))
                except ValueError as exc:
                    errors.append((no, _why(exc)))
                    continue
                cells_kept.append(cells[1:])
            else:
                stamps.append(t0 + k * step)
                k += 1
                cells_kept.append(cells)
            kept_lines.append(no)
            if len(kept_lines) == BATCH_ROWS:
                break
        if not kept_lines and not errors:
            return
        line_no = np.array(kept_lines, np.int64)
        keep = np.ones(len(line_no), bool)
        bad: list[tuple[int, str]] = []
        values = {label: _column_values(label, column, decimal_comma, bad)
                  for label, column in zip(value_names, zip(*cells_kept))}
        for i, _ in bad:
            keep[i] = False
        errors += [(int(line_no[i]), why) for i, why in bad]
        told: set[int] = set()
        for no, why in sorted(errors):
            if no not in told:
                told.add(no)
                ctx.bad(no, why, reading.skipped)
        stamps_arr = np.array(stamps, np.float64)
        if not keep.all():
            stamps_arr, line_no = stamps_arr[keep], line_no[keep]
            values = {label: v[keep] for label, v in values.items()}
        yield Batch("", stamps_arr, values, line_no)


def _column_values(label: str, column: tuple[str, ...], decimal_comma: bool,
                   bad: list[tuple[int, str]]) -> np.ndarray:
    """A column of cells as floats (NaN: no sample); cells that are not numbers go in ``bad``."""
    try:
        out = np.array(column, np.float64)
        if np.isfinite(out[~np.isnan(out)]).all():
            return out
    except ValueError:
        pass
    out = np.empty(len(column), np.float64)
    for i, cell in enumerate(column):
        try:
            number = _number(cell, decimal_comma)
        except ValueError:
            bad.append((i, f"{label}: {cell.strip()!r} is not a number"))
            number = None
        out[i] = math.nan if number is None else number
    return out


def _batched(rows: Iterable[Row]) -> Iterator[Batch]:
    """Rows as batches: a new batch when the series or the raw names change, or every BATCH_ROWS."""
    series, raw = "", frozenset()
    times: list[float] = []
    line_no: list[int] = []
    cols: dict[str, list[float]] = {}
    for row in rows:
        if times and (row.series != series or row.raw != raw or len(times) >= BATCH_ROWS):
            yield _batch(series, times, cols, line_no, raw)
            times, line_no, cols = [], [], {}
        series, raw = row.series, row.raw
        i = len(times)
        times.append(row.host_time)
        line_no.append(row.line)
        for label, v in row.values.items():
            col = cols.get(label)
            if col is None:
                col = cols[label] = []
            if len(col) < i:
                col.extend([math.nan] * (i - len(col)))
            col.append(v)
    if times:
        yield _batch(series, times, cols, line_no, raw)


def _batch(series: str, times: list[float], cols: dict[str, list[float]], line_no: list[int],
           raw: frozenset[str]) -> Batch:
    n = len(times)
    return Batch(series, np.array(times, np.float64),
                 {label: np.array(col + [math.nan] * (n - len(col)), np.float64) for label, col in cols.items()},
                 np.array(line_no, np.int64), raw)


# --- Serial Plotter text, with or without the Serial Monitor's timestamps ---------------------------


def _plotter(lines, ctx: _Ctx) -> Reading:
    reading = Reading("Serial Plotter text", iter(()))

    def count() -> int:
        return sum(1 for _ in _plotter_lines(lines(), ctx, []))

    t0, step, note = _spaced(ctx, count)
    reading.notes.append(note)

    def rows():
        for k, (no, values) in enumerate(_plotter_lines(lines(), ctx, reading.skipped)):
            yield Row("", t0 + k * step, values, no)

    reading.batches = _batched(rows())
    return reading


def _plotter_lines(lines: Iterable[str], ctx: _Ctx, skipped: list[int],
                   text_of: Callable[[str], str | None] | None = None) -> Iterator[tuple[int, dict]]:
    """(line, values) for each Serial Plotter line with values; a header line names later ones."""
    parser = PlotterParser(skip_first_line=False)
    for no, line in _numbered(lines):
        text = line if text_of is None else text_of(line)
        if text is None:
            ctx.bad(no, "no Serial Monitor timestamp (12:34:56.789 -> ) at its start", skipped)
            continue
        if not text.strip():
            continue
        rejected = parser.stats["rejected"]
        got = parser.feed(text.encode() + b"\n", 0.0)
        if parser.stats["rejected"] != rejected:
            ctx.bad(no, "not Serial Plotter text (numbers, or label:value pairs, separated by spaces,"
                        " tabs or commas)", skipped)
            continue
        if got:
            yield no, got[0].values


def _monitor(lines, ctx: _Ctx) -> Reading:
    reading = Reading("Arduino Serial Monitor text with timestamps", iter(()))
    days = timedelta(days=1)

    def stamps(source: Iterable[str]) -> Iterator[tuple[int, int]]:
        """(line, ms of the day) per timestamped line, and the day count so far in ms."""
        day, prev = 0, None
        for no, line in _numbered(source):
            m = _MONITOR.match(line)
            if not m:
                continue
            h, mi, s, ms = (int(g) for g in m.group(1, 2, 3, 4))
            tod = ((h * 60 + mi) * 60 + s) * 1000 + ms
            if prev is not None and tod < prev - 12 * 3600 * 1000:
                day += 1  # past midnight
            prev = tod
            yield no, day * 86_400_000 + tod

    if ctx.start is not None:
        base = datetime.fromtimestamp(ctx.start, UTC if ctx.utc else None).date()
        reading.notes.append(f"times of day from {ctx.name}, the first on --start's date {base}")
    else:
        if ctx.end is None:
            raise ImportFileError(f"{ctx.name}: its lines have times of day but no date: give --start")
        last = None
        for _, last in stamps(lines()):
            pass
        end = datetime.fromtimestamp(ctx.end, UTC if ctx.utc else None)
        end_ms = ((end.hour * 60 + end.minute) * 60 + end.second) * 1000 + end.microsecond // 1000
        last_day, last_tod = divmod(last or 0, 86_400_000)
        base = end.date() - days * last_day - (days if last_tod > end_ms else timedelta())
        reading.notes.append(f"times of day from {ctx.name}; dates taken so that its last line is"
                             f" before the file's modification time: the first on {base}"
                             " (give --start to set the date)")
    when = dict(stamps(lines()))

    def text_of(line: str) -> str | None:
        m = _MONITOR.match(line)
        return m.group(5) if m else None

    def rows():
        for no, values in _plotter_lines(lines(), ctx, reading.skipped, text_of):
            yield Row("", _at(ctx, base, when[no]), values, no)

    reading.batches = _batched(rows())
    return reading


def _at(ctx: _Ctx, base: date, ms: int) -> float:
    dt = datetime(base.year, base.month, base.day) + timedelta(milliseconds=ms)
    return ctx.timestamp(dt)
