"""Export samples as CSV or JSON lines, one row at a time (never the whole log in memory)."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable
from typing import TextIO

from .query import Sample, iso

FORMATS = ("csv", "jsonl")
COLUMNS = ("time", "device_id", "boot", "channel", "name", "device_ms", "value", "raw")


def _row(s: Sample) -> dict:
    return {"time": iso(s.host_time), "device_id": s.device_id, "boot": s.boot_count,
            "channel": s.channel, "name": s.name or "", "device_ms": s.device_ms,
            "value": s.number, "raw": int(s.raw)}


def write(samples: Iterable[Sample], out: TextIO, fmt: str) -> int:
    """Write ``samples`` to ``out`` in ``fmt``; return how many rows were written."""
    n = 0
    if fmt == "csv":
        w = csv.DictWriter(out, COLUMNS, lineterminator="\n")
        w.writeheader()
        for s in samples:
            w.writerow(_row(s))
            n += 1
    elif fmt == "jsonl":
        for s in samples:
            out.write(json.dumps(_row(s), separators=(",", ":")) + "\n")
            n += 1
    else:
        raise ValueError(f"unknown format {fmt!r}")
    return n
