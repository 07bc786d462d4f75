"""A fleet under one `tendril serve` (docs/benchmarks.md, "a fleet through serve"): N native
simulated boards running the plant waterer with telemetry every 100 ms, one real `tendril serve`,
one real mosquitto, one paho subscriber that counts and times what arrives.

    PYTHONPATH=host .venv/bin/python bench/fleet_bench.py [--boards 100 10] [--span 60]

Latency is measured from the host time serve stamped when it read the TELEMETRY frame (carried in
the `<prefix>/<board>/frames` record) to the subscriber's receipt of that record, both on this
machine's wall clock: it covers serve's decode, store hand-off, encode, publish and mosquitto.
Prints one JSON object a line like bench/run.py: name, value, unit, notes.
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import tempfile
import threading
import time
from collections import Counter
from contextlib import closing
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import paho.mqtt.client as mqtt  # noqa: E402
from tendril.mqtt import frames  # noqa: E402
from tendril.store.query import iter_samples, unpacked  # noqa: E402

from tests.live.conftest import push_fast  # noqa: E402
from tests.serve.conftest import ServeProc  # noqa: E402
from tests.support.boards import Boards  # noqa: E402
from tests.support.mosquitto import Broker  # noqa: E402

TICK = 100  # clock ticks a second for /proc/<pid>/stat (os.sysconf("SC_CLK_TCK") on Linux)


class Counter_:
    """Subscribes to ``#``; counts messages per topic kind and times TELEMETRY frames records."""

    def __init__(self, host: str, port: int) -> None:
        self.lock = threading.Lock()
        self.kinds: Counter[str] = Counter()
        self.online: set[str] = set()
        self.latencies: list[float] = []
        self.telemetry: set[tuple[int, int, int]] = set()  # (device_id, boot_count, time_ms)
        self.measuring = False
        self.client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2)
        self.client.on_message = self._message
        self.client.on_connect = lambda c, *_: c.subscribe("#", qos=1)
        self.client.connect(host, port)
        self.client.loop_start()

    def _message(self, client, userdata, msg) -> None:
        now = time.time()
        parts = msg.topic.split("/")
        kind = parts[-1]
        with self.lock:
            if kind == "availability" and len(parts) == 3:
                (self.online.add if msg.payload == b"online" else self.online.discard)(parts[1])
            if kind == "frames":
                rec = frames.decode(msg.payload)
                if rec.kind == frames.TELEMETRY:
                    self.telemetry.add((*rec.board, rec.msg.time_ms))
                    if self.measuring:
                        self.latencies.append(now - rec.host_time)
            if self.measuring:
                self.kinds[kind] += 1

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK  # utime, stime


def wait_for(check, timeout: float, what: str) -> None:
    end = time.monotonic() + timeout
    while not check():
        if time.monotonic() > end:
            raise SystemExit(f"fleet_bench: timed out waiting for {what}")
        time.sleep(0.2)


def pct(values: list[float], p: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, int(p / 100 * len(s)))] if s else float("nan")


def run(n: int, span: float, where: Path) -> dict:
    boards = []
    with Broker(where / "broker") as broker:
        try:
            for i in range(n):
                (where / f"b{i}").mkdir()
                b = Boards(where / f"b{i}", "native")
                b.start()
                boards.append(b)
                push_fast(b.port)  # the plant waterer, telemetry every 100 ms
            sub = Counter_(broker.host, broker.port)
            serve = ServeProc(where, broker.url, *(b.port for b in boards))
            try:
                wait_for(lambda: len(sub.online) >= n, 120 + 3 * n, f"{n} boards online")
                with sub.lock:
                    sub.measuring = True
                cpu0, t0 = cpu_seconds(serve.proc.pid), time.monotonic()
                time.sleep(span)  # the measured span itself, not a wait for an outcome
                cpu1, t1 = cpu_seconds(serve.proc.pid), time.monotonic()
                with sub.lock:
                    sub.measuring = False
                    kinds, lat = dict(sub.kinds), list(sub.latencies)
                print(json.dumps({"boards": n, "measured_before_sigterm": {
                    "cpu_s_per_board_s": (cpu1 - cpu0) / (t1 - t0) / n,
                    "msgs_per_s": {k: round(v / (t1 - t0), 1) for k, v in sorted(kinds.items())},
                    "latency_ms": {f"p{p}": round(1000 * pct(lat, p), 1) for p in (50, 95, 99)}}}),
                      file=sys.stderr, flush=True)  # kept even if the stop below fails
                stop0 = time.monotonic()
                rc, out, err = serve.stop(signal.SIGTERM, timeout=300)
                stop_s = time.monotonic() - stop0
                if rc != 0:
                    raise SystemExit(f"fleet_bench: serve exited {rc}: {err[-2000:]}")
            finally:
                if serve.proc.poll() is None:
                    serve.proc.kill()
                sub.close()
        finally:
            for b in boards:
                b.stop()
    with closing(unpacked(serve.db)) as db:  # rows and compacted chunks alike
        rows = {(s.device_id, s.boot_count, s.device_ms) for s in iter_samples(db)}
    elapsed = t1 - t0
    missing = sub.telemetry - rows
    return {"boards": n, "span_s": round(elapsed, 1),
            "cpu_s_per_board_s": (cpu1 - cpu0) / elapsed / n,
            "serve_cpu_pct": 100 * (cpu1 - cpu0) / elapsed,
            "msgs_per_s": {k: round(v / elapsed, 1) for k, v in sorted(kinds.items())},
            "latency_ms": {f"p{p}": round(1000 * pct(lat, p), 1) for p in (50, 95, 99)},
            "telemetry_seen": len(sub.telemetry), "telemetry_in_db": len(rows),
            "seen_not_in_db": len(missing), "sigterm_to_exit_s": round(stop_s, 1)}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--boards", type=int, nargs="+", default=[100, 10])
    ap.add_argument("--span", type=float, default=60.0, help="measured seconds after all are online")
    args = ap.parse_args()
    for n in args.boards:
        with tempfile.TemporaryDirectory() as tmp:
            r = run(n, args.span, Path(tmp))
        print(json.dumps({"name": f"fleet of {n} native boards at 10 Hz through one serve",
                          "value": round(r["latency_ms"]["p95"], 1), "unit": "ms p95 latency",
                          "notes": r}), flush=True)


if __name__ == "__main__":
    main()
