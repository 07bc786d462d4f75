"""`tendril import` speed (issue 17): the simulated plant waterer's day, exported and brought back.

    .venv/bin/python bench/import_bench.py

Prints one JSON object a line, like bench/run.py. The plant day of storage_bench.py (172,800
samples: soil and float switch at 1 Hz) is logged, exported by `tendril export` as CSV (a row per
sample), JSON lines and --wide CSV, and each file is imported into a new log the way `tendril
import` does it (read the file, one transaction). Best of 3; samples/s and the imported log's bytes
a sample (the same chunks as a live log's).
"""

from __future__ import annotations

import hashlib
import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from storage_bench import log_plant, plant_day  # noqa: E402
from tendril.sources.importing import read  # noqa: E402
from tendril.store import Store  # noqa: E402
from tendril.store import export as exporter  # noqa: E402
from tendril.store import importer  # noqa: E402
from tendril.store.importer import file_key, import_batches  # noqa: E402

COPY_S: list[float] = []  # how long each import held the log's write lock (its copy from the stage)
_copy_in = importer._copy_in


def _timed_copy(*args):
    t = time.perf_counter()
    try:
        return _copy_in(*args)
    finally:
        COPY_S.append(time.perf_counter() - t)


importer._copy_in = _timed_copy


def emit(name: str, value, unit: str, notes: str) -> None:
    print(json.dumps({"name": name, "value": value, "unit": unit, "notes": notes}), flush=True)


def import_once(src: Path, db: Path) -> tuple[int, float]:
    digest = hashlib.sha256(src.read_bytes()).hexdigest()
    t = time.perf_counter()
    reading = read(lambda: open(src, encoding="utf-8", newline=""), src.name, end=src.stat().st_mtime)
    with Store.open(db) as store:
        done = import_batches(store, reading.batches, key=file_key(digest, src.name), name=src.name,
                           units=reading.units)
    return done.samples, time.perf_counter() - t


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        log = tmp / "plant.db"
        total = log_plant(log, plant_day())
        with Store.open(log) as store:
            for name, fmt, writer in (("csv", "csv", exporter.write_log), ("jsonl", "jsonl", exporter.write_log),
                                      ("wide", "csv", exporter.write_wide)):
                with open(tmp / f"day.{name}", "w", encoding="utf-8", newline="") as out:
                    writer(store.conn, out, fmt)
        for name in ("csv", "jsonl", "wide"):
            best = None
            COPY_S.clear()
            for i in range(3):
                db = tmp / f"in-{name}-{i}.db"
                n, dt = import_once(tmp / f"day.{name}", db)
                assert n == total, (n, total)
                best = dt if best is None else min(best, dt)
            size = db.stat().st_size
            emit(f"import_{name}", round(total / best), "samples/s",
                 f"{total} samples of the plant day from `tendril export`"
                 f"{' --wide' if name == 'wide' else ''} {name if name != 'wide' else 'csv'}"
                 f" ({(tmp / f'day.{name}').stat().st_size / total:.1f} B of text a sample) into a new"
                 f" log (read into a stage, then copied in one transaction that held the log's lock"
                 f" {min(COPY_S) * 1000:.1f}-{max(COPY_S) * 1000:.1f} ms); {size / total:.2f} B a sample"
                 " on disk; best of 3")


if __name__ == "__main__":
    main()
