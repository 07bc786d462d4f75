"""`tendril export` writes the log a block at a time, and --wide a row per time: real log files."""

from __future__ import annotations

import io

from click.testing import CliRunner
from tendril.cli import cli
from tendril.store import Store, iter_samples
from tendril.store.chunks import CHUNK_SAMPLES
from tendril.store.export import write, write_log

from .conftest import T0, hello, telemetry


def make_log(db) -> None:
    """Two tendril boots of one board (one with raw readings), a second board, and a plotter
    sketch whose labels need quoting: more than a chunk of samples, some still staged."""
    store = Store.open(db)
    a = store.begin_session(hello(device_id=0xA1, boot_count=1), host_time=T0)
    for i in range(CHUNK_SAMPLES + 50):
        store.add_telemetry(a, telemetry(i * 250, 30_000 + i * 7, -1234 * (i % 3), 1000), T0 + i * 0.25 + 0.0004, i)
    b = store.begin_session(hello(device_id=0xA1, boot_count=2), host_time=T0 + 5000)
    for i in range(300):
        store.add_telemetry(b, telemetry(i * 1000, 512 + i, raw=True), T0 + 5000 + i, i)
    c = store.begin_session(hello(device_id=0xB2, boot_count=1), host_time=T0 + 10)
    for i in range(200):
        store.add_telemetry(c, telemetry(i * 1000, 20_000 + i), T0 + 10 + i + 0.5, i)
    store.flush()
    src = store.begin_source_session("plotter", "/dev/ttyACM9", host_time=T0 + 20)
    for i in range(100):
        store.add_row(src, T0 + 20 + i * 0.1, {'temp, "in"': 21.5 + i / 8, "rh": 40 + i})
    store.close()


def test_the_block_writer_writes_what_the_sample_writer_writes(tmp_path):
    db = tmp_path / "log.db"
    make_log(db)
    with Store.open(db) as store:
        for fmt in ("csv", "jsonl"):
            for kw in ({}, {"channels": ("1",)}, {"since": T0 + 100, "until": T0 + 5100}, {"device_id": 0xB2}):
                slow, fast = io.StringIO(), io.StringIO()
                n = write(iter_samples(store.conn, **kw), slow, fmt)
                assert write_log(store.conn, fast, fmt, **kw) == n > 0
                assert fast.getvalue() == slow.getvalue(), (fmt, kw)


def make_edge_log(db) -> None:
    """Values at the edges of what the block writer prints from its tables: negative numbers and
    thousandths (-0.001, -1.0, -1.001), a fraction at every length, the largest thousandths that
    print as w.fff and those past them, raw readings of both signs, channels with no name, with a
    very long name beside a short one, quoted and non-ASCII names, host times that round across a
    second, a minute and a day, and rows hours apart."""
    store = Store.open(db)
    a = store.begin_session(hello(device_id=0xE1, boot_count=3), host_time=T0)
    values = [0, -1, -999, -1000, -1001, 1, 10, 100, 120, 123, 1230, 999_999, -123_456_789,
              2**31 - 1, -2**31]
    for i, v in enumerate(values):
        store.add_telemetry(a, telemetry(i * 1000, v, -v, first=2), T0 + i * 0.3334, i)
    for i, v in enumerate([0, -7, 2**31 - 1, -2**31, 4095]):
        store.add_telemetry(a, telemetry(20_000 + i, v, raw=True), T0 + 20 + i, 20 + i)
    # host times a hair before a new second, minute and day, and hours apart
    day = 86_400 * (int(T0) // 86_400 + 1)
    times = [day - 60.0005, day - 0.0004, day - 0.0005, day + 0.0004999, day + 3600 * 7.5]
    for i, t in enumerate(times):
        store.add_telemetry(a, telemetry(4_000_000_000 + i, 5, first=1), t, 30 + i)
    names = store.begin_source_session("plotter", "/dev/ttyUSB7", host_time=T0 + 30)
    long = "a channel name that is longer than the time itself"
    for i in range(50):
        store.add_row(names, T0 + 30 + i * 3601.25,
                      {"x": i / 8, "température °C": -i / 7, long: i, '"q", too': 1 / (i + 3)})
    src = store.begin_source_session("plotter", "/dev/ttyUSB8", host_time=T0 + 40)
    big = [2**40 / 1000 - 0.001, 2**40 / 1000, 1e12 - 0.001, 1e12, 999_999_999_999.999, 1e15, -5e15,
           9e15, 0.0005]
    for i, v in enumerate(big):
        store.add_row(src, T0 + 40 + i, {"x": v, "y": -v})
    old = store.begin_source_session("plotter", "/dev/ttyUSB9", host_time=-100.0)  # before 1970
    for i in range(5):
        store.add_row(old, -100.0 + i * 30.0005, {"x": i})
    store.close()


def test_the_block_writer_matches_the_sample_writer_at_the_edges(tmp_path):
    db = tmp_path / "edge.db"
    make_log(db)  # several sessions and devices around the edge cases
    make_edge_log(db)
    with Store.open(db) as store:
        for fmt in ("csv", "jsonl"):
            for kw in ({}, {"device_id": 0xE1}, {"channels": ("x", "2")},
                       {"since": T0 + 20.5, "until": T0 + 40_000}, {"since": T0 + 10**9}):
                slow, fast = io.StringIO(), io.StringIO()
                n = write(iter_samples(store.conn, **kw), slow, fmt)
                assert write_log(store.conn, fast, fmt, **kw) == n
                assert fast.getvalue() == slow.getvalue(), (fmt, kw)
                assert (n == 0) == ("since" in kw and kw["since"] > T0 + 10**8)


def test_the_block_writer_writes_utf8_bytes_to_a_binary_stream(tmp_path):
    db = tmp_path / "edge.db"
    make_edge_log(db)
    with Store.open(db) as store:
        for fmt in ("csv", "jsonl"):
            text, data = io.StringIO(), io.BytesIO()
            assert write_log(store.conn, data, fmt) == write_log(store.conn, text, fmt) > 0
            assert data.getvalue() == text.getvalue().encode()
            name = "température °C" if fmt == "csv" else "temp\\u00e9rature \\u00b0C"  # JSON escapes
            assert name in text.getvalue()


def test_the_cli_writes_the_same_bytes_to_a_file_and_to_stdout(tmp_path):
    db = tmp_path / "edge.db"
    make_edge_log(db)
    for fmt in ("csv", "jsonl"):
        with Store.open(db) as store:
            text = io.StringIO()
            n = write(iter_samples(store.conn), text, fmt)
        out = tmp_path / f"out.{fmt}"
        args = ["export", "--db", str(db), "--format", fmt]
        to_file = CliRunner().invoke(cli, [*args, "-o", str(out)], catch_exceptions=False)
        assert to_file.stderr == f"{n} samples written to {out}\n"
        assert out.read_bytes() == text.getvalue().encode()
        to_stdout = CliRunner().invoke(cli, args, catch_exceptions=False)
        assert to_stdout.stdout_bytes == text.getvalue().encode()


def test_export_wide_has_a_row_per_time_and_a_column_per_channel(tmp_path):
    db = tmp_path / "log.db"
    store = Store.open(db)
    a = store.begin_session(hello(device_id=0xA1, boot_count=1), host_time=T0)
    b = store.begin_session(hello(device_id=0xB2, boot_count=1), host_time=T0)
    store.add_telemetry(a, telemetry(0, 1500, 2500), T0 + 1.0, 0)
    store.add_telemetry(b, telemetry(0, 7000), T0 + 1.5, 0)
    store.add_telemetry(a, telemetry(1000, 1600), T0 + 2.0, 1)  # channel 1 not sent this time
    src = store.begin_source_session("plotter", "/dev/ttyUSB0", host_time=T0)
    store.add_row(src, T0 + 1.75, {"soil": 41.5})
    store.close()
    out = CliRunner().invoke(cli, ["export", "--db", str(db), "--wide"], catch_exceptions=False).stdout
    # channels have no names here (no recipe logged): index columns; "0" comes from two boards
    assert out.splitlines() == [
        "time,0@000000a1,1,0@000000b2,soil",
        "2025-11-20T00:53:21.000+00:00,1.5,2.5,,",
        "2025-11-20T00:53:21.500+00:00,,,7.0,",
        "2025-11-20T00:53:21.750+00:00,,,,41.5",
        "2025-11-20T00:53:22.000+00:00,1.6,,,",
    ]
    lines = CliRunner().invoke(cli, ["export", "--db", str(db), "--wide", "--format", "jsonl"],
                               catch_exceptions=False).stdout.splitlines()
    assert lines[0] == '{"time":"2025-11-20T00:53:21.000+00:00","0@000000a1":1.5,"1":2.5}'
    assert lines[3] == '{"time":"2025-11-20T00:53:22.000+00:00","0@000000a1":1.6}'
