"""Ingest benchmark: `tendril log` (the real CLI, in a subprocess) fed as fast as it reads by a fake
board on a pty (tendril.sim.feeder) sending real TELEMETRY frames (issue "Host", floor 500 kB/s:
five times a saturated 1 Mbaud link, with no sample lost).

    .venv/bin/python bench/ingest_bench.py [--seconds 10] [--channels 16]

The feeder blocks when the pty is full, so it sends exactly as fast as the logger takes frames.
After it stops, the run waits until every sample it sent is a row in the database, then stops the
logger with SIGTERM. CPU time is the logger process's user + system time (/proc/PID/stat).
Prints one JSON object a line, like bench/run.py.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tendril.sim.feeder import Feeder

FLOOR_KB_S = 500


def emit(name: str, value, unit: str, notes: str) -> None:
    print(json.dumps({"name": name, "value": value, "unit": unit, "notes": notes}), flush=True)


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def rows(db: Path) -> int:
    try:
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
        try:
            n = conn.execute("SELECT count(*) FROM samples").fetchone()[0]
            if conn.execute("SELECT count(*) FROM sqlite_master WHERE name = 'chunks'").fetchone()[0]:
                n += conn.execute("SELECT coalesce(sum(n), 0) FROM chunks").fetchone()[0]  # schema 3
            return n
        finally:
            conn.close()
    except sqlite3.Error:
        return 0


def run(seconds: float, channels: int) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "ingest.db"
        feeder = Feeder(channels=channels, rate_hz=None).start()
        proc = subprocess.Popen([sys.executable, "-m", "tendril.cli", "log", "--port", feeder.port,
                                 "--db", str(db), "--status-every", "60"],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            if not feeder.streaming.wait(20):
                raise SystemExit(f"the logger never asked for HELLO: {proc.stderr.read()}")
            cpu0, t0 = cpu_seconds(proc.pid), time.monotonic()
            time.sleep(seconds)
            feeder.finish()
            sent, sent_bytes, frames = feeder.samples_sent, feeder.bytes_sent, feeder.frames_sent
            deadline = time.monotonic() + 30
            while (n := rows(db)) < sent and time.monotonic() < deadline:
                time.sleep(0.02)
            elapsed = time.monotonic() - t0
            cpu = cpu_seconds(proc.pid) - cpu0
            proc.send_signal(signal.SIGTERM)
            proc.communicate(timeout=30)
            final = rows(db)
        finally:
            if proc.poll() is None:
                proc.kill()
            feeder.stop()
    return {"seconds": elapsed, "bytes": sent_bytes, "frames": frames, "samples": sent,
            "rows_seen_at_end": n, "rows_final": final, "cpu": cpu, "exit": proc.returncode}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=10.0)
    ap.add_argument("--channels", type=int, default=16)
    args = ap.parse_args()
    r = run(args.seconds, args.channels)
    kb_s = r["bytes"] / r["seconds"] / 1000
    lost = r["samples"] - r["rows_final"]
    note = f"{args.channels} channels a tick, {r['frames']} frames in {r['seconds']:.1f} s"
    emit("ingest_kb_per_s", round(kb_s, 1), "kB/s",
         f"frame bytes into `tendril log` ({note}); floor {FLOOR_KB_S}"
         + ("" if kb_s >= FLOOR_KB_S else " NOT MET"))
    emit("ingest_samples_per_s", round(r["samples"] / r["seconds"]), "samples/s", note)
    emit("ingest_cpu_per_sample", round(r["cpu"] / max(r["samples"], 1) * 1e6, 2), "us",
         "logger process user+system CPU time per sample logged")
    emit("ingest_samples_lost", lost, "samples",
         f"sent {r['samples']}, in the database {r['rows_final']}; logger exit {r['exit']}")
    if lost or kb_s < FLOOR_KB_S or r["exit"] != 0:
        sys.exit(1)


if __name__ == "__main__":
    main()
