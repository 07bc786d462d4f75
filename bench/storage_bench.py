"""Log database size and speed (issue 17): bytes a sample on disk, ingest, export, a 24 h read.

    .venv/bin/python bench/storage_bench.py

Prints one JSON object a line, like bench/run.py. Sizes are the file's size (indexes, metadata and
free pages included, after the logger closed it) divided by the samples in it.
- plant: a day of the simulated plant waterer at 1 Hz (the plant model of tendril's simulators with
  its ADC noise, read through the shipped recipe by the reference engine, soil and float switch;
  host times 1-6 ms after each board second, as a USB serial link delivers them). Floor 1.5 B.
- greensboro: real recorded series, pvlib's TMY3 file 723170TYA (a typical year of hourly readings
  at Greensboro airport, NC: months measured in different years, six channels: temperature, dew
  point, humidity, pressure, wind direction and speed; 52,560 samples). Floor 1.0 B.
- seattle: vega-datasets' seattle-temps (hourly temperatures at Seattle, a year, 8,759 samples):
  one short series, where the file's fixed cost (about 20 KB of empty tables) dominates.
- ingest: the issue-5 workload (6 channels, 100,000 frames) through Store.add_telemetry and
  flush_due; export: every sample of the plant day through `tendril export -o FILE` (CSV and JSON
  lines); window: the TUI's 24 h per-second read of one channel.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import random
import sys
import tempfile
import time
from pathlib import Path

from tendril.engine import Engine
from tendril.image import decode
from tendril.protocol import Hello, Telemetry
from tendril.sim.plant import PlantModel
from tendril.sim.story import plant_waterer_image
from tendril.store import Store
from tendril.store import export as exporter
from tendril.store.db import connect_ro
from tendril.store.query import iter_samples, sample_blocks
from tendril.store.summary import per_second

T0 = 1_764_806_400.0
HELLO = Hello(protocol_version=1, board_class=1, fw_major=1, fw_minor=0, fw_patch=0, reset_cause=1,
              flags=4, device_id=1, boot_count=1, capabilities=0, config_generation=1,
              recipe_hash=bytes(8), max_payload=64, max_image=512)


def emit(name: str, value, unit: str, notes: str) -> None:
    print(json.dumps({"name": name, "value": value, "unit": unit, "notes": notes}), flush=True)


def plant_day() -> list[tuple[float, Telemetry]]:
    image = decode(plant_waterer_image())
    engine = Engine(image)
    plant = PlantModel(moisture=37.0, tank_ml=400.0, dry_per_hour=4.0, ml_per_point=20.0)
    rng = random.Random(1)
    out = []
    for s in range(86_400):
        if plant.tank_empty and s % 3600 == 0:
            plant.refill(400.0)
        engine.set_raw(0, plant.soil_raw())
        engine.set_raw(1, plant.float_raw())
        engine.tick(s * 1000)
        frame = Telemetry(s * 1000, 0, 0, (engine.value(0) or 0, engine.value(1) or 0))
        out.append((T0 + s + rng.uniform(0.001, 0.006), frame))
        plant.pump_on = bool(engine.output(0))
        plant.advance(1000)
    return out


def log_plant(path: Path, frames) -> int:
    store = Store.open(path)
    sid = store.begin_session(HELLO, host_time=T0)
    for i, (host, frame) in enumerate(frames):
        store.add_telemetry(sid, frame, host, i & 0xFFFF)
        store.flush_due(host)  # the logger's 250 ms commits, on the board's clock
    store.close()
    return sum(len(f.values) for _, f in frames)


def seattle(path: Path) -> int:
    from vega_datasets import data

    df = data.seattle_temps()
    store = Store.open(path)
    sid = store.begin_source_session("import", "seattle-temps", host_time=df["date"].iloc[0].timestamp())
    for when, temp in zip(df["date"], df["temp"]):
        store.add_row(sid, when.timestamp(), {"temp": float(temp)}, units={"temp": "°F"})
    store.close()
    return len(df)


TMY_CHANNELS = {"Dry-bulb (C)": "°C", "Dew-point (C)": "°C", "RHum (%)": "%", "Pressure (mbar)": "mbar",
                "Wdir (degrees)": "°", "Wspd (m/s)": "m/s"}


def greensboro(path: Path) -> int:
    """pvlib's TMY3 file of Greensboro, NC (USAF 723170): a year of hourly station readings
    (temperature, dew point, humidity, pressure, wind), six channels logged as one source board."""
    import os

    import pvlib

    data, _ = pvlib.iotools.read_tmy3(os.path.join(os.path.dirname(pvlib.__file__), "data", "723170TYA.CSV"),
                                      map_variables=False, coerce_year=2025)  # one year, in order
    store = Store.open(path)
    times = [t.timestamp() for t in data.index]
    sid = store.begin_source_session("import", "723170TYA", host_time=times[0])
    columns = [(name, data[name].tolist()) for name in TMY_CHANNELS]
    for i, when in enumerate(times):
        store.add_row(sid, when, {name: float(values[i]) for name, values in columns}, units=TMY_CHANNELS)
    store.close()
    return len(times) * len(columns)


def ingest(path: Path) -> float:
    frames = [Telemetry(i * 2, 0, 0, tuple((i * 7919 + c * 104_729) % 2_000_001 - 1_000_000
                                           for c in range(6))) for i in range(100_000)]
    store = Store.open(path)
    sid = store.begin_session(HELLO)
    t0 = time.perf_counter()
    for i, msg in enumerate(frames):
        store.add_telemetry(sid, msg, T0 + i * 0.002, i & 0xFFFF)
        store.flush_due()
    store.flush()
    elapsed = time.perf_counter() - t0
    store.close()
    return 600_000 / elapsed


def export_rate(db: Path, out: Path, fmt: str) -> float:
    """`tendril export --db DB --format FMT -o OUT` (a new file, as a user writes) in this process:
    samples a second."""
    from tendril.cli import cli

    out.unlink(missing_ok=True)
    t0 = time.perf_counter()
    with contextlib.redirect_stderr(io.StringIO()):  # its "N samples written to OUT"
        cli.main(["export", "--db", str(db), "--format", fmt, "-o", str(out)], standalone_mode=False)
    elapsed = time.perf_counter() - t0
    return (sum(1 for _ in out.open("rb")) - (fmt == "csv")) / elapsed


FIRST_EXPORT = """
import contextlib, io, sys, time
from tendril.cli import cli
db, fmt, out = sys.argv[1:]
t0 = time.perf_counter()
with contextlib.redirect_stderr(io.StringIO()):
    cli.main(["export", "--db", db, "--format", fmt, "-o", out], standalone_mode=False)
print(time.perf_counter() - t0)
"""


def first_export_rate(db: Path, out: Path, fmt: str, rows: int) -> float:
    """The same in a fresh Python (imports done, nothing else warm): samples a second."""
    import subprocess

    out.unlink(missing_ok=True)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}  # this tendril
    run = subprocess.run([sys.executable, "-c", FIRST_EXPORT, str(db), fmt, str(out)], env=env,
                         capture_output=True, text=True, check=True)
    return rows / float(run.stdout)


def export_step(db: Path, conn, out: Path, repeat: int = 5) -> None:
    """`tendril export` of the plant day to a file, CSV and JSON lines, best of ``repeat`` in this
    process and in fresh ones; the writer alone into an io.StringIO, and sample by sample, for
    comparison."""
    t0 = time.perf_counter()
    rows = exporter.write(iter_samples(conn), io.StringIO(), "csv")
    slow = rows / (time.perf_counter() - t0)
    for fmt in exporter.FORMATS:
        rates = sorted(export_rate(db, out, fmt) for _ in range(repeat))
        first = sorted(first_export_rate(db, out, fmt, rows) for _ in range(repeat))
        mem = []
        for _ in range(repeat):
            t0 = time.perf_counter()
            exporter.write_log(conn, io.StringIO(), fmt)
            mem.append(rows / (time.perf_counter() - t0))
        extra = f"; sample by sample {round(slow)}/s" if fmt == "csv" else ""
        name = "storage_export" if fmt == "csv" else f"storage_export_{fmt}"
        emit(name, round(rates[-1]), "samples/s",
             f"{rows} samples to a new {fmt.upper()} file through `tendril export -o`, best of"
             f" {repeat} (median {round(rates[repeat // 2])}); the first export of a fresh process"
             f" {round(first[-1])}/s (median {round(first[repeat // 2])}); write_log into an"
             f" io.StringIO {round(max(mem))}/s{extra}; floor 1,000,000")


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        frames = plant_day()
        n = log_plant(tmp / "plant.db", frames)
        size = (tmp / "plant.db").stat().st_size
        emit("storage_plant_day", round(size / n, 3), "B/sample",
             f"{n} samples (a day at 1 Hz, 2 channels), file {size} B; floor 1.5; issue 5's layout: 59.4")
        try:
            m = seattle(tmp / "seattle.db")
        except ImportError:
            print("vega-datasets is not installed: pip install vega-datasets", file=sys.stderr)
        else:
            size = (tmp / "seattle.db").stat().st_size
            emit("storage_seattle_temps", round(size / m, 3), "B/sample",
                 f"{m} hourly samples of a real year, file {size} B; floor 1.0")
        try:
            m = greensboro(tmp / "greensboro.db")
        except ImportError:
            print("pvlib is not installed: pip install pvlib", file=sys.stderr)
        else:
            size = (tmp / "greensboro.db").stat().st_size
            emit("storage_tmy3_greensboro", round(size / m, 3), "B/sample",
                 f"{m} samples: pvlib's TMY3 year of hourly station readings at Greensboro, NC, 6 channels"
                 f" (temperature, dew point, humidity, pressure, wind direction and speed), file {size} B; floor 1.0")
        rates = [ingest(tmp / f"ingest{i}.db") for i in range(3)]
        emit("storage_ingest", round(max(rates)), "samples/s",
             "6 channels x 100,000 frames through add_telemetry + flush_due, best of 3; issue 5 measured 335,000")
        conn = connect_ro(tmp / "plant.db")
        export_step(tmp / "plant.db", conn, tmp / "export.out")
        t0 = time.perf_counter()
        n = sum(len(b) for b in sample_blocks(conn, 1, channels=[0], since=T0, until=T0 + 86_400))
        elapsed = time.perf_counter() - t0
        emit("storage_window_24h", round(elapsed * 1000, 1), "ms",
             f"24 h of one channel read from the log ({n} samples, arrays); floor 50 ms")
        t0 = time.perf_counter()
        got = per_second(conn, 1, bytes(8), T0, T0 + 86_400)
        elapsed = time.perf_counter() - t0
        emit("storage_chart_24h", round(elapsed * 1000, 1), "ms",
             f"the TUI's chart history: 24 h of both channels as per-second buckets"
             f" ({sum(len(v) for v in got.values())} buckets as Python tuples)")
        conn.close()


if __name__ == "__main__":
    main()
