"""TUI benchmark (issue 6): `tendril monitor`'s app with 16 channels at 1 kHz flowing in.

    .venv/bin/python bench/tui_bench.py [--seconds 20] [--presses 40] [--refresh-hz N] [--history S]

A Feeder (tendril.sim.feeder) in a child process streams 16 channels x 1,000 ticks/s of real
TELEMETRY frames on a pty. This process is what `tendril monitor` would be: a LiveBoard reading the
pty and logging to a real SQLite file through a LogSink, and MonitorApp drawing it, run off-screen
with Textual's headless driver (`App.run_test`). Every screen update is still composed, and turned
into terminal output here (`render_segments`) as a terminal would be sent it, then dropped.

Before the app starts, each channel's Series is given ``--history`` seconds (default 60) of
1 kHz samples through ``Series.add``, the state it is in after running that long: what the
sparklines and the 1-minute chart read is then a full minute, as for someone who has watched for a
minute, not the first few seconds of a fresh start (``--history 0``).

Measured, one JSON object a line like bench/run.py:
- screen updates a second with data flowing (quiet phase, dashboard, then charts);
- key-to-screen latency: a key (g/d, switching Charts and Dashboard) is sent through the driver as
  a terminal's key would be, at random moments; the time until the first screen update drawn with
  the new view; p50/p95/max;
- samples: sent by the feeder, read by the LiveBoard, rows in the database (none may be lost);
- CPU of this process (TUI + link + logger; the feeder's own CPU is not in it), % of one core.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CHANNELS = 16
RATE_HZ = 1000.0
GOALS = {"refresh": 20.0, "latency_p95_ms": 100.0}


def emit(name: str, value, unit: str, notes: str) -> None:
    print(json.dumps({"name": name, "value": value, "unit": unit, "notes": notes}), flush=True)


def feeder_child() -> None:
    """The feeder's process: prints its port, streams until stdin closes, prints samples sent."""
    from tendril.sim.feeder import Feeder

    feeder = Feeder(channels=CHANNELS, rate_hz=RATE_HZ).start()
    print(feeder.port, flush=True)
    sys.stdin.readline()  # "finish"
    feeder.finish()
    print(feeder.samples_sent, flush=True)
    sys.stdin.readline()  # "stop": the host has read everything
    feeder.stop()


class Frames:
    """Counts screen updates, renders each as a terminal would get it, and times key effects."""

    def __init__(self, app) -> None:
        self.app = app
        self.times: list[float] = []
        self.pending: tuple[float, str] | None = None
        self.latencies: list[float] = []
        self.original = app._display

        def display(screen, renderable) -> None:
            self.original(screen, renderable)
            if renderable is None:
                return
            renderable.render_segments(app.console)  # the bytes a terminal would be sent
            now = time.perf_counter()
            self.times.append(now)
            if self.pending is not None and app.active_view == self.pending[1]:
                self.latencies.append(now - self.pending[0])
                self.pending = None
        app._display = display

    def rate(self, since: float, until: float) -> float:
        return sum(since <= t < until for t in self.times) / (until - since)


async def drive(app, frames: Frames, seconds: float, presses: int, out: dict) -> None:
    from textual import events

    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause(2.0)  # the board comes online, the first frames arrive
        cpu0, wall0 = time.process_time(), time.perf_counter()
        quiet = seconds / 2
        t = time.perf_counter()
        await asyncio.sleep(quiet / 2)
        out["refresh_dashboard"] = frames.rate(t, time.perf_counter())
        app.action_view("charts")
        await asyncio.sleep(0.5)
        t = time.perf_counter()
        await asyncio.sleep(quiet / 2)
        out["refresh_charts"] = frames.rate(t, time.perf_counter())
        rng = random.Random(6)
        views = {"g": "charts", "d": "dashboard"}
        deadline = time.perf_counter() + seconds - quiet
        sent = 0
        while time.perf_counter() < deadline and sent < presses:
            key = "d" if app.active_view == "charts" else "g"
            frames.pending = (time.perf_counter(), views[key])
            app._driver.send_message(events.Key(key, key))  # as a terminal's input thread does
            sent += 1
            await asyncio.sleep(rng.uniform(0.15, 0.45))
            if frames.pending is not None:  # no frame with the new view yet: keep waiting
                await asyncio.sleep(1.0)
                frames.pending = None
        out["presses"] = sent
        out["cpu"] = (time.process_time() - cpu0) / (time.perf_counter() - wall0)
        out["wall"] = time.perf_counter() - wall0


def fill_history(board, seconds: float) -> None:
    """Each channel's Series as after ``seconds`` of samples at RATE_HZ (the database is not
    touched: the samples counted as lost or not are only the feeder's)."""
    if seconds <= 0:
        return
    now = time.time()
    n = int(seconds * RATE_HZ)
    with board.lock:
        for ch in range(CHANNELS):
            series = board.series_of(ch)
            for k in range(n):
                series.add(now - seconds + k / RATE_HZ, 500.0 + (k * (ch + 1)) % 400)


def main() -> int:
    if len(sys.argv) > 1 and sys.argv[1] == "--feeder":
        feeder_child()
        return 0
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--presses", type=int, default=40)
    parser.add_argument("--refresh-hz", type=float, help="MonitorApp's screen-rate timer "
                        "[default: the app's own]")
    parser.add_argument("--history", type=float, default=60.0, help="seconds of samples each "
                        "Series holds before the app starts [default: 60, a full sparkline minute]")
    args = parser.parse_args()

    from tendril.live import LiveBoard, LogSink
    from tendril.tui import MonitorApp

    child = subprocess.Popen([sys.executable, __file__, "--feeder"], stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, text=True)
    port = child.stdout.readline().strip()
    with tempfile.TemporaryDirectory(prefix="tendril-tui-bench-") as tmp:
        db = Path(tmp) / "bench.db"
        sink = LogSink.open(db)
        board = LiveBoard(port, sink=sink, board="uno").start()
        if not board.wait_online(10):
            raise SystemExit(f"the feeder on {port} did not come online: {board.view().error}")
        fill_history(board, args.history)
        kw = {"refresh_hz": args.refresh_hz} if args.refresh_hz else {}
        app = MonitorApp(boards=[board], sink=sink, **kw)
        frames = Frames(app)
        out: dict = {}
        asyncio.run(drive(app, frames, args.seconds, args.presses, out))
        child.stdin.write("finish\n")
        child.stdin.flush()
        sent = int(child.stdout.readline())
        deadline = time.monotonic() + 15
        while board.samples < sent and time.monotonic() < deadline:
            time.sleep(0.1)
        read = board.samples
        board.stop()
        sink.close()
        child.stdin.write("stop\n")
        child.stdin.close()
        child.wait(10)
        conn = sqlite3.connect(db)
        rows = conn.execute("SELECT count(*) FROM samples").fetchone()[0]
        conn.close()

    hz = kw.get("refresh_hz", MonitorApp(boards=[], sink=None).refresh_hz)
    setup = (f"{CHANNELS} channels at {RATE_HZ:g} Hz from tendril.sim.feeder in a child process; "
             f"{args.history:g} s of history in the Series at start; "
             f"MonitorApp (refresh_hz {hz:g}) headless at 120x40, frames rendered to terminal "
             f"output; {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}")
    for view in ("dashboard", "charts"):
        rate = out[f"refresh_{view}"]
        emit(f"tui_refresh_{view}", round(rate, 1), "updates/s",
             f"{view} view with data flowing; goal >= {GOALS['refresh']:g}: "
             f"{'ok' if rate >= GOALS['refresh'] else 'BELOW GOAL'}; {setup}")
    lat = sorted(x * 1000 for x in frames.latencies)
    if lat:
        p95 = lat[min(len(lat) - 1, round(0.95 * (len(lat) - 1)))]
        emit("tui_key_latency_p95", round(p95, 1), "ms",
             f"{len(lat)} of {out['presses']} key presses (g/d) shown; p50 "
             f"{statistics.median(lat):.1f} ms, max {lat[-1]:.1f} ms; goal <= "
             f"{GOALS['latency_p95_ms']:g}: {'ok' if p95 <= GOALS['latency_p95_ms'] else 'ABOVE GOAL'}")
    else:
        emit("tui_key_latency_p95", None, "ms", f"no key press showed on screen ({out['presses']} sent)")
    lost = sent - rows
    emit("tui_samples_lost", lost, "samples",
         f"feeder sent {sent}, the LiveBoard read {read}, the database holds {rows}: "
         f"{'none lost' if lost == 0 and read == sent else 'LOST'}")
    emit("tui_cpu", round(out["cpu"] * 100, 1), "% of one core",
         f"this process (Textual app + LiveBoard + SQLite logger) over {out['wall']:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
