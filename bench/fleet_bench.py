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
import shutil
import signal
import subprocess
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
        self.frames: list[tuple[float, bool, bytes]] = []
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
            if kind == "frames":  # decoded after the run: this process shares the 2 cores
                self.frames.append((now, self.measuring, msg.payload))
            if self.measuring:
                self.kinds[kind] += 1

    def decode(self) -> None:
        for now, measuring, payload in self.frames:
            rec = frames.decode(payload)
            if rec.kind == frames.TELEMETRY:
                self.telemetry.add((*rec.board, rec.msg.time_ms))
                if measuring:
                    self.latencies.append(now - rec.host_time)
        self.frames = []

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()


class CSub:
    """mosquitto_sub (C) on every frames topic, stamping each message as it arrives: the same
    latency as Counter_ but without a Python client that may itself fall behind."""

    def __init__(self, host: str, port: int, out: Path) -> None:
        exe = shutil.which("mosquitto_sub")
        self.out = out
        self.proc = None if exe is None else subprocess.Popen(
            [exe, "-h", host, "-p", str(port), "-q", "1", "-t", "+/+/frames", "-F", "%U %x"],
            stdout=open(out, "w"), stderr=subprocess.DEVNULL)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(10)

    def telemetry(self, t0: float, t1: float) -> tuple[list[float], list[float], Counter]:
        """For the TELEMETRY records received in [t0, t1] (wall clock): latencies from serve's
        read, lags from the sample itself, and how many of each board arrived in that span.
        A sample's lag is its arrival minus its board time mapped to the wall clock with the
        board's least (arrival - board time) of the whole run: what serve had not yet read
        (waiting in the pty) counts too, which the latency from serve's read cannot see."""
        lat: list[float] = []
        per_board: Counter = Counter()
        if self.proc is None:
            return lat, [], per_board
        seen = []
        for line in self.out.read_text().splitlines():
            stamp, _, hexed = line.partition(" ")
            try:
                now, rec = float(stamp), frames.decode(bytes.fromhex(hexed))
            except ValueError:
                continue
            if rec.kind == frames.TELEMETRY:
                seen.append((now, rec.board, rec.msg.time_ms / 1000, rec.host_time))
        offset: dict = {}
        for now, board, device_s, _ in seen:
            offset[board] = min(offset.get(board, now - device_s), now - device_s)
        lag: list[float] = []
        for now, board, device_s, host_time in seen:
            if t0 <= now <= t1:
                lat.append(now - host_time)
                lag.append(now - device_s - offset[board])
                per_board[board[0]] += 1
        return lat, lag, per_board


def cpu_seconds(pid: int, part: str = "both") -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    user, system = int(fields[11]), int(fields[12])
    return {"both": user + system, "user": user, "system": system}[part] / TICK


def wait_for(check, timeout: float, what: str) -> None:
    end = time.monotonic() + timeout
    while not check():
        if time.monotonic() > end:
            raise SystemExit(f"fleet_bench: timed out waiting for {what() if callable(what) else what}")
        time.sleep(0.2)


def pct(values: list[float], p: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, int(p / 100 * len(s)))] if s else float("nan")


def run(n: int, span: float, where: Path, profile: Path | None = None) -> dict:
    boards = []
    # mosquitto's defaults hold 20 QoS 1 messages in flight and queue 1000 more per subscriber, then
    # drop: a subscriber that fell behind lost availability messages and the run waited forever.
    with Broker(where / "broker", extra=["max_inflight_messages 0",
                                         "max_queued_messages 0"]) as broker:
        try:
            for i in range(n):
                (where / f"b{i}").mkdir()
                b = Boards(where / f"b{i}", "native")
                b.start()
                boards.append(b)
                push_fast(b.port)  # the plant waterer, telemetry every 100 ms
            sub = Counter_(broker.host, broker.port)
            csub = CSub(broker.host, broker.port, where / "csub.txt")
            serve = ServeProc(where, broker.url, *(b.port for b in boards))
            try:
                wait_for(lambda: len(sub.online) >= n, 120 + 3 * n,
                         lambda: f"{n} boards online (online: {len(sub.online)}; serve said: "
                         f"{serve.stderr[-1500:]})")
                with sub.lock:
                    sub.measuring = True
                cpu0, t0, w0 = cpu_seconds(serve.proc.pid), time.monotonic(), time.time()
                sys0 = cpu_seconds(serve.proc.pid, "system")
                bcpu0 = sum(cpu_seconds(b.board.proc.pid) for b in boards)
                spy = None if profile is None else subprocess.Popen(
                    [str(Path(sys.executable).parent / "py-spy"), "record", "--format", "raw", "--rate", "100", "--nonblocking", "--gil",
                     "--duration", str(int(span)), "--output", str(profile),
                     "--pid", str(serve.proc.pid)], stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL)
                time.sleep(span)  # the measured span itself, not a wait for an outcome
                cpu1, t1, w1 = cpu_seconds(serve.proc.pid), time.monotonic(), time.time()
                sys1 = cpu_seconds(serve.proc.pid, "system")
                bcpu1 = sum(cpu_seconds(b.board.proc.pid) for b in boards)
                if spy is not None:
                    spy.wait(60)
                with sub.lock:
                    sub.measuring = False
                    kinds = dict(sub.kinds)
                    sub.decode()
                    lat = list(sub.latencies)
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
                sub.decode()  # what came after the span too: seen on MQTT, checked in the db
                csub.stop()
        finally:
            for b in boards:
                b.stop()
    with closing(unpacked(serve.db)) as db:  # rows and compacted chunks alike
        rows = {(s.device_id, s.boot_count, s.device_ms) for s in iter_samples(db)}
    elapsed = t1 - t0
    missing = sub.telemetry - rows
    clat, clag, per_board = csub.telemetry(w0 + 1.0, w1)  # 1 s margin: in flight when measuring began
    sent = sorted(per_board.values())
    return {"boards": n, "span_s": round(elapsed, 1),
            "cpu_s_per_board_s": (cpu1 - cpu0) / elapsed / n,
            "serve_cpu_pct": 100 * (cpu1 - cpu0) / elapsed,
            "serve_system_cpu_pct": 100 * (sys1 - sys0) / elapsed,
            "msgs_per_s": {k: round(v / elapsed, 1) for k, v in sorted(kinds.items())},
            "latency_ms": {f"p{p}": round(1000 * pct(lat, p), 1) for p in (50, 95, 99)},
            "c_sub_latency_ms": {f"p{p}": round(1000 * pct(clat, p), 1) for p in (50, 95, 99)},
            "c_sub_sample_lag_ms": {f"p{p}": round(1000 * pct(clag, p), 1) for p in (50, 95, 99)},
            "c_sub_telemetry_per_s": round(len(clat) / (w1 - w0 - 1.0), 1),
            "per_board_hz_min_median": ([round(sent[0] / (w1 - w0 - 1.0), 2),
                                         round(sent[len(sent) // 2] / (w1 - w0 - 1.0), 2)]
                                        if sent else None),
            "boards_cpu_pct": 100 * (bcpu1 - bcpu0) / elapsed,
            "telemetry_seen": len(sub.telemetry), "telemetry_in_db": len(rows),
            "seen_not_in_db": len(missing), "sigterm_to_exit_s": round(stop_s, 1)}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--boards", type=int, nargs="+", default=[100, 10])
    ap.add_argument("--span", type=float, default=60.0, help="measured seconds after all are online")
    ap.add_argument("--profile", type=Path, metavar="FILE",
                    help="py-spy serve during the span; collapsed stacks to FILE.<boards>")
    args = ap.parse_args()
    for n in args.boards:
        with tempfile.TemporaryDirectory() as tmp:
            prof = None if args.profile is None else args.profile.with_suffix(f".{n}")
            r = run(n, args.span, Path(tmp), prof)
        print(json.dumps({"name": f"fleet of {n} native boards at 10 Hz through one serve",
                          "value": round(r["latency_ms"]["p95"], 1), "unit": "ms p95 latency",
                          "notes": r}), flush=True)


if __name__ == "__main__":
    main()
