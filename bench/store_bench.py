"""Logger benchmark: rows/s of batched inserts into the log database (issue 5, floor 200,000).

    .venv/bin/python bench/store_bench.py

Prints one JSON object a line, like bench/run.py. The workload is what `tendril log` does: decoded
TELEMETRY frames of 6 channels handed to Store.add_telemetry and committed by flush_due in
250 ms batches, on a real file in WAL mode with synchronous=NORMAL (the UNIQUE dedup index on).
"""

from __future__ import annotations

import json
import statistics
import tempfile
import time
from pathlib import Path

from tendril.protocol import Hello, Telemetry
from tendril.store import Store

FRAMES = 100_000
CHANNELS = 6
REPEATS = 5
FLOOR = 200_000


def emit(name: str, value, unit: str, notes: str) -> None:
    print(json.dumps({"name": name, "value": value, "unit": unit, "notes": notes}), flush=True)


HELLO = Hello(protocol_version=1, board_class=1, fw_major=1, fw_minor=0, fw_patch=0, reset_cause=1,
              flags=4, device_id=1, boot_count=1, capabilities=0, config_generation=1,
              recipe_hash=bytes(8), max_payload=64, max_image=512)


def run_once(path: Path, frames: list[Telemetry]) -> tuple[float, int]:
    """Seconds to log ``frames`` (add, flush_due every frame, final flush) and the commits made."""
    store = Store.open(path)
    sid = store.begin_session(HELLO)
    host = 1_763_600_000.0
    commits = 0
    t0 = time.perf_counter()
    for i, msg in enumerate(frames):
        store.add_telemetry(sid, msg, host + i * 0.002, i & 0xFFFF)
        if store.flush_due():
            commits += 1
    store.flush()
    elapsed = time.perf_counter() - t0
    store.close()
    return elapsed, commits + 1


def main() -> None:
    frames = [Telemetry(i * 2, 0, 0, tuple((i * 7919 + c * 104_729) % 2_000_001 - 1_000_000
                                           for c in range(CHANNELS))) for i in range(FRAMES)]
    rows = FRAMES * CHANNELS
    rates, commits = [], []
    with tempfile.TemporaryDirectory() as tmp:
        for r in range(REPEATS):
            elapsed, n = run_once(Path(tmp) / f"bench{r}.db", frames)
            rates.append(rows / elapsed)
            commits.append(n)
    best = max(rates)
    emit("store_insert_rows", round(best), "rows/s",
         f"{FRAMES} TELEMETRY frames x {CHANNELS} channels through Store.add_telemetry + flush_due,"
         f" WAL/NORMAL, best of {REPEATS} (median {round(statistics.median(rates))}),"
         f" {commits[rates.index(best)]} commits; floor {FLOOR}: "
         f"{'ok' if best >= FLOOR else 'BELOW FLOOR'}")
    emit("store_insert_frames", round(best / CHANNELS), "frames/s", f"{CHANNELS}-channel frames")


if __name__ == "__main__":
    main()
