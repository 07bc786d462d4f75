"""`tendril import`: exported logs, spreadsheet CSVs and terminal captures into a real log file,
all or nothing, with a line number for every bad row."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import signal
import subprocess
import sys
from datetime import datetime

import pytest
from click.testing import CliRunner
from tendril.cli import cli
from tendril.store import Store
from tendril.store import importer as store_importer
from tendril.store.query import iter_samples

from .conftest import T0, WATERER, rows
from .test_export import _log


def _cli(*args):
    return CliRunner().invoke(cli, list(args))


def _import(path, db, *args):
    result = _cli("import", str(path), "--db", str(db), *args)
    assert result.exit_code == 0, result.output
    return result.output


def _export(db, *args) -> str:
    result = _cli("export", "--db", str(db), *args)
    assert result.exit_code == 0, result.output
    return result.output


def _samples(db) -> list[tuple]:
    """(host ms, name, value, raw) of every sample, sorted: what must survive a round trip."""
    with Store.open(db) as store:
        return sorted((round(s.host_time * 1000), s.name, s.number, s.raw)
                      for s in iter_samples(store.conn))


def _digest(items) -> str:
    return hashlib.sha256(repr(items).encode()).hexdigest()


def _write(path, text: str):
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_an_export_comes_back_whole_raw_readings_included(tmp_path, fmt):
    src = _log(tmp_path)
    dump = _write(tmp_path / f"old.{fmt}", _export(src, "--format", fmt))
    db = tmp_path / "new.db"
    out = _import(dump, db)
    before, after = _samples(src), _samples(db)
    assert len(after) == len(before) == 42
    assert _digest(after) == _digest(before)  # count and checksum: every sample, value and time
    assert "imported 42 samples (22 rows) of soil, tank_empty" in out
    assert ("tendril export" in out) and ("a row per sample" in out or "a line per sample" in out)
    # each board and boot of the export is a source of its own, its raw readings still raw
    with Store.open(db) as store:
        from tendril.store.query import sessions
        got = sessions(store.conn)
    assert [s.source for s in got] == ["import", "import"]
    assert len({s.device_id for s in got}) == 2
    raw = [r for r in csv.DictReader(io.StringIO(_export(db))) if r["raw"] == "1"]
    assert [(r["name"], r["value"]) for r in raw] == [("soil", "812")] * 2


def test_a_wide_export_comes_back_with_its_times_and_values(tmp_path):
    src = _log(tmp_path)
    wide = _export(src, "--wide")
    dump = _write(tmp_path / "wide.csv", wide)
    db = tmp_path / "new.db"
    _import(dump, db)
    back = _export(db, "--wide").splitlines()[1:]  # the headers name the devices
    assert len(back) == len(wide.splitlines()) - 1 == 22
    # --wide has no raw flag: a raw reading comes back as a number of its column (812.0, not 812)
    assert [x.replace("812.0", "812") for x in back] == wide.splitlines()[1:]


def test_a_spreadsheet_csv_with_semicolons_units_gaps_and_local_times(tmp_path):
    text = ("Date Time;Soil (%);Air temp [°C];Note\n"
            "2026-05-01 12:00:00;41,5;20,1;\n"
            "2026-05-01 12:01:00;41,25;;-\n"
            "2026-05-01 12:02:00;NaN;19,8;3\n")
    db = tmp_path / "log.db"
    out = _import(_write(tmp_path / "garden.csv", text), db)
    assert "separated by semicolons" in out
    t0 = datetime(2026, 5, 1, 12).timestamp()
    assert _samples(db) == sorted([
        (round(t0 * 1000), "Soil", 41.5, False), (round(t0 * 1000), "Air temp", 20.1, False),
        (round((t0 + 60) * 1000), "Soil", 41.25, False),
        (round((t0 + 120) * 1000), "Air temp", 19.8, False), (round((t0 + 120) * 1000), "Note", 3.0, False)])
    assert sorted(rows(db, "SELECT name, unit FROM channels")) == [
        ("Air temp", "°C"), ("Note", None), ("Soil", "%")]


@pytest.mark.parametrize("header,cells,utc_flag", [
    ("time", ["2026-05-01T12:00:00Z", "2026-05-01T12:00:01Z"], False),
    ("timestamp", ["2026-05-01 12:00:00", "2026-05-01 12:00:01"], True),
    ("epoch", [str(int(datetime(2026, 5, 1, 12).timestamp() + 0)) for _ in "x"] + [""], False),
    ("unix_ms", ["1777636800000", "1777636801000"], False),
])
def test_time_columns_as_iso_unix_seconds_and_unix_milliseconds(tmp_path, header, cells, utc_flag):
    if header == "epoch":
        cells = ["1777636800", "1777636801"]
    text = f"{header},v\n" + "".join(f"{c},{i}\n" for i, c in enumerate(cells))
    db = tmp_path / "log.db"
    _import(_write(tmp_path / "t.csv", text), db, *(["--utc"] if utc_flag else []))
    assert [t for t, *_ in _samples(db)] == [1777636800000, 1777636801000]


def test_millis_from_the_start_need_start(tmp_path):
    f = _write(tmp_path / "m.csv", "millis,soil\n0,40\n1500,41\n")
    db = tmp_path / "log.db"
    bad = _cli("import", str(f), "--db", str(db))
    assert bad.exit_code == 1
    assert bad.output.strip() == ("tendril: m.csv: its 'millis' column counts from the start of the log,"
                                  " not from a date: give --start")
    _import(f, db, "--start", "2026-05-01T12:00:00+00:00")
    assert [(t, v) for t, _, v, _ in _samples(db)] == [(1777636800000, 40.0), (1777636801500, 41.0)]


def test_a_serial_plotter_capture_gets_its_times_from_start_and_interval(tmp_path):
    text = "Starting up\nsoil:41.0 temp:20\nsoil:40.5 temp:20.5\n\nsoil:40.0 temp:21\n"
    db = tmp_path / "log.db"
    out = _import(_write(tmp_path / "cap.txt", text), db, "--start", "2026-05-01T12:00:00+00:00",
                  "--interval", "500 ms")
    assert "Serial Plotter text" in out
    got = _samples(db)
    assert [(t - 1777636800000, n, v) for t, n, v, _ in got] == [
        (0, "soil", 41.0), (0, "temp", 20.0), (500, "soil", 40.5), (500, "temp", 20.5),
        (1000, "soil", 40.0), (1000, "temp", 21.0)]


def test_a_capture_without_start_ends_at_the_files_modification_time(tmp_path):
    f = _write(tmp_path / "cap.txt", "1 2\n3 4\n5 6\n")
    os.utime(f, (1777636800, 1777636800))
    db = tmp_path / "log.db"
    out = _import(f, db)
    assert "modification time" in out and "give --start" in out
    assert sorted({t for t, *_ in _samples(db)}) == [1777636798000, 1777636799000, 1777636800000]
    assert {n for _, n, _, _ in _samples(db)} == {"value 1", "value 2"}


def test_serial_monitor_timestamps_cross_midnight(tmp_path):
    text = "23:59:59.250 -> soil:41\n23:59:59.750 -> soil:40\n00:00:00.250 -> soil:39\n"
    db = tmp_path / "log.db"
    _import(_write(tmp_path / "mon.txt", text), db, "--start", "2026-05-01T00:00", "--utc")
    day = 1777593600000  # 2026-05-01T00:00Z
    assert [(t - day, v) for t, _, v, _ in _samples(db)] == [
        (86_399_250, 41.0), (86_399_750, 40.0), (86_400_250, 39.0)]


def test_a_bad_row_names_its_line_and_imports_nothing(tmp_path, monkeypatch):
    db = tmp_path / "log.db"
    _import(_write(tmp_path / "first.csv", "time,a\n2026-05-01T12:00:00Z,1\n"), db)
    before = _samples(db)
    body = "".join(f"2026-05-01T13:{i // 60:02d}:{i % 60:02d}Z,{i},{i * 2}\n" for i in range(3000))
    text = "time,a,b\n" + body + "2026-05-01T14:00:00Z,7,seven\n"
    monkeypatch.setattr(store_importer, "FLUSH_SAMPLES", 500)  # flushes happen before the bad row
    result = _cli("import", str(_write(tmp_path / "big.csv", text)), "--db", str(db))
    assert result.exit_code == 1
    assert result.output.strip() == "tendril: big.csv:3002: b: 'seven' is not a number"
    assert _samples(db) == before
    assert rows(db, "SELECT count(*) FROM sessions") == [(1,)]


@pytest.mark.parametrize("text,line,why", [
    ("time,a\n2026-05-01T12:00:00Z,1\n2026-05-01T12:00:01Z,1,2\n", 3, "3 cells, the header has 2"),
    ("time,a\n2026-05-01T12:00:00Z,1\nyesterday,2\n", 3, "'yesterday' is not a time"),
    ("time,a\n2026-05-01T12:00:00Z,1e999\n", 2, "a: '1e999' is not a number"),
    ('{"time": "2026-05-01T12:00:00Z", "a": 1}\n{"time": "2026-05-01T12:00:01Z", "a": [1]}\n', 2,
     "a: [1] is not a number"),
    ('{"time": "2026-05-01T12:00:00Z", "a": 1}\n{"time": \n', 2, "not JSON"),
    ("1 2\n3 4\n1 2 x\n", 3, "not Serial Plotter text"),
    ("time,a\n2026-05-01T12:00:00Z,1e20\n", 2, "cannot be logged"),
    ('{"time": "2026-05-01T12:00:00Z", "a": 1}\n', 0, "--start is for files without them"),
])
def test_bad_rows_of_each_shape_are_one_line_with_file_and_line(tmp_path, text, line, why):
    f = _write(tmp_path / "bad.txt", text)
    start = ["--start", "2026-05-01T12:00"] if text[0].isdigit() or not line else []  # the capture; a refusal
    result = _cli("import", str(f), "--db", str(tmp_path / "log.db"), *start)
    assert result.exit_code == 1, result.output
    assert len(result.output.strip().splitlines()) == 1
    assert result.output.startswith(f"tendril: bad.txt:{line}: " if line else "tendril: bad.txt: ")
    assert why in result.output
    assert rows(tmp_path / "log.db", "SELECT count(*) FROM samples") == [(0,)]


def test_skip_bad_leaves_out_bad_rows_and_says_which(tmp_path):
    text = "time,a\n2026-05-01T12:00:00Z,1\noops,2\n2026-05-01T12:00:02Z,x\n2026-05-01T12:00:03Z,4\n"
    db = tmp_path / "log.db"
    out = _import(_write(tmp_path / "f.csv", text), db, "--skip-bad")
    assert "left out 2 line(s) that could not be read: 3, 4" in out
    assert [v for _, _, v, _ in _samples(db)] == [1.0, 4.0]


def test_the_same_file_twice_is_refused(tmp_path):
    f = _write(tmp_path / "f.csv", "time,a\n2026-05-01T12:00:00Z,1\n")
    db = tmp_path / "log.db"
    out = _import(f, db)
    device = out.split("as device ")[1].strip()
    again = _cli("import", str(f), "--db", str(db))
    assert again.exit_code == 1
    assert again.output.strip() == f"tendril: f.csv is in the log already (imported as device {device}): nothing done"
    copy = _write(tmp_path / "copy.csv", f.read_text())  # same bytes under another name: the same data
    assert _cli("import", str(copy), "--db", str(db)).exit_code == 1
    assert len(_samples(db)) == 1


@pytest.mark.parametrize("content,message", [
    (b"", "tendril: empty.txt: no data in it"),
    (b"\n\n  \n", "tendril: empty.txt: no data in it"),
    (b"time,a\n2026-05-01T12:00:00Z,\xff\xfe\n", "tendril: empty.txt: not UTF-8 text"),
])
def test_empty_and_binary_files_are_one_line(tmp_path, content, message):
    f = tmp_path / "empty.txt"
    f.write_bytes(content)
    result = _cli("import", str(f), "--db", str(tmp_path / "log.db"))
    assert result.exit_code == 1
    assert result.output.startswith(message), result.output
    assert len(result.output.strip().splitlines()) == 1


def test_a_missing_file_and_a_bad_interval(tmp_path):
    result = _cli("import", str(tmp_path / "nope.csv"), "--db", str(tmp_path / "log.db"))
    assert result.exit_code == 1
    assert result.output.strip().startswith("tendril: cannot read ")
    result = _cli("import", str(tmp_path / "nope.csv"), "--interval", "soon")
    assert result.exit_code == 2 and "--interval" in result.output


def test_an_imported_log_replays_beside_live_data(waterer_log, tmp_path):
    """The waterer's day, exported and imported into another log, waters at the same times."""
    from tendril.image import decode
    from tendril.recipes import compile_recipe
    from tendril.store.replay import replay

    src, recipe = waterer_log
    dump = _write(tmp_path / "day.csv", _export(src))
    db = tmp_path / "other.db"
    _import(dump, db)
    image = decode(compile_recipe(recipe, "uno"))
    with Store.open(src) as a, Store.open(db) as b:
        live = replay(a.conn, image, recipe)
        imported = replay(b.conn, image, recipe)
    assert len(live.runs) >= 2
    assert [(round(r.start, 3), r.actuator, r.duration_s) for r in imported.runs] == \
           [(round(r.start, 3), r.actuator, r.duration_s) for r in live.runs]
    assert imported.samples == live.samples


CHILD = """
import sys
import numpy as np
from tendril.sources.importing import Batch
from tendril.store import Store
from tendril.store import importer

importer.FLUSH_SAMPLES = 100
def batches():
    for b in range(1000):
        if b == 10:
            print("flushed", flush=True)
            sys.stdin.readline()  # killed here, inside the import's one transaction
        t = np.arange(b * 100, b * 100 + 100, dtype=np.float64)
        yield Batch("", 1777636800 + t, {"a": t}, np.arange(100) + 2)
store = Store.open(sys.argv[1])
importer.import_batches(store, batches(), key="sha256:0 f.csv", name="f.csv")
"""


def test_an_import_killed_with_sigkill_leaves_nothing_of_it_and_never_locked_the_log(tmp_path):
    import sqlite3

    db = tmp_path / "log.db"
    with Store.open(db) as store:
        sid = store.begin_source_session("plotter", "port")
        store.add_row(sid, T0, {"x": 1.0})
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
    proc = subprocess.Popen([sys.executable, "-c", CHILD, str(db)], stdout=subprocess.PIPE,
                            stdin=subprocess.PIPE, text=True, env=env)
    try:
        assert proc.stdout.readline().strip() == "flushed"
        # mid-import, a logger can write the log at once: the import holds no lock on it
        logger = sqlite3.connect(db, isolation_level=None, timeout=0)
        logger.execute("BEGIN IMMEDIATE")
        logger.execute("ROLLBACK")
        logger.close()
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(10)
    assert rows(db, "PRAGMA integrity_check") == [("ok",)]
    assert rows(db, "SELECT source FROM sessions") == [("plotter",)]
    assert rows(db, "SELECT count(*) FROM samples") == [(1,)]
    stage = tmp_path / f".log.db.import-{proc.pid}"
    assert stage.exists()  # what the killed import had read so far
    _import(_write(tmp_path / "next.csv", "time,a\n2026-05-01T12:00:00Z,1\n"), db)
    assert not stage.exists()  # the next import clears a dead one's stage
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


def test_add_rows_queues_columns_with_gaps_raw_names_and_one_bad_value_refused(tmp_path):
    import numpy as np
    from tendril.store.db import BadValue

    db = tmp_path / "log.db"
    with Store.open(db) as store:
        sid = store.begin_source_session("import", "k", host_time=T0)
        store.add_row(sid, T0, {"a": 1.0})
        nan = float("nan")
        store.add_rows(sid, np.array([T0 + 1, T0 + 2, T0 + 3]),
                       {"a": np.array([2.0, nan, 4.0]), "adc": np.array([512.0, 513.4, nan])},
                       units={"a": "%"}, raw={"adc"})
        with pytest.raises(BadValue) as bad:
            store.add_rows(sid, np.array([T0 + 4, T0 + 5]), {"a": np.array([5.0, float("inf")])})
        assert bad.value.row == 1
        store.add_rows(sid, np.array([T0 + 6]), {"a": np.array([6.0])})
    got = rows(db, "SELECT seq, channel, device_ms, value, raw FROM samples ORDER BY seq, channel")
    assert got == [(0, 0, 0, 1000, 0), (1, 0, 1000, 2000, 0), (1, 1, 1000, 512, 1), (2, 1, 2000, 513, 1),
                   (3, 0, 3000, 4000, 0), (4, 0, 6000, 6000, 0)]
    assert sorted(rows(db, "SELECT name, unit FROM channels")) == [("a", None), ("adc", None)]


def test_an_imported_files_units_put_its_channels_on_panels_by_unit(tmp_path):
    from tendril.plotting.load import read as load

    text = "time,soil (%),air (%),temp [°C]\n2026-05-01T12:00:00Z,41,60,20\n2026-05-01T12:01:00Z,40,61,21\n"
    db = tmp_path / "log.db"
    _import(_write(tmp_path / "g.csv", text), db)
    with Store.open(db) as store:
        got = {s.label: s.unit for s in load(store.conn).series}
    assert got == {"soil": "%", "air": "%", "temp": "°C"}
    out = _cli("plot", "--db", str(db), "-o", str(tmp_path / "g.svg"))
    assert out.exit_code == 0, out.output
    svg = (tmp_path / "g.svg").read_text()
    assert "°C" in svg and "%" in svg


def test_a_full_disk_during_an_import_says_so_and_leaves_the_log_as_it_was(tmp_path, monkeypatch):
    from tendril.errors import StorageError
    from tendril.sources.importing import read
    from tendril.store.importer import import_batches

    db = tmp_path / "log.db"
    _import(_write(tmp_path / "first.csv", "time,a\n2026-05-01T12:00:00Z,1\n"), db)
    before = _samples(db)
    import random
    rng = random.Random(5)  # noise: what no codec packs into a few pages
    big = _write(tmp_path / "big.csv", "time,a,b\n" + "".join(
        f"{1777640000 + i},{rng.uniform(0, 1000):.3f},{rng.uniform(-50, 50):.3f}\n" for i in range(60_000)))
    monkeypatch.setattr(store_importer, "FLUSH_SAMPLES", 10_000)
    store = Store.open(db)
    pages = store.conn.execute("PRAGMA page_count").fetchone()[0]
    store.conn.execute(f"PRAGMA max_page_count = {pages + 20}")  # room for a flush or two, not all
    reading = read(lambda: open(big, encoding="utf-8", newline=""), "big.csv")
    with pytest.raises(StorageError, match="disk is full"):
        import_batches(store, reading.batches, key="sha256:1 big.csv", name="big.csv")
    assert store.pending == 0
    store.conn.close()
    assert rows(db, "PRAGMA integrity_check") == [("ok",)]
    assert _samples(db) == before
    assert rows(db, "SELECT count(*) FROM sessions") == [(1,)]
