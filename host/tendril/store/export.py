"""Export samples or events as CSV or JSON lines, one row at a time (never the whole log in memory)."""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterable
from typing import TextIO

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
