"""Schema v2: boards that do not run tendril (Serial Plotter text, Firmata) log named rows."""

from __future__ import annotations

import csv
import io
import json
import sqlite3

import pytest
from click.testing import CliRunner
from tendril.cli import cli
from tendril.store import SCHEMA_VERSION, Store, iter_samples, source_device_id
from tendril.store.db import SOURCE_ID_BASE, _run_script
from tendril.store.schema import SCHEMA_V1

from .conftest import T0, hello, rows, telemetry


def export(db, *args: str) -> str:
    result = CliRunner().invoke(cli, ["export", "--db", str(db), *args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.stdout


def make_v1_file(path) -> None:
    """A log written by a tendril that knew schema 1 only."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("BEGIN")
    _run_script(conn, SCHEMA_V1)
    conn.execute("PRAGMA user_version=1")
    conn.execute("INSERT INTO devices VALUES (12648430, 1, ?, ?)", (T0, T0))
    conn.execute("INSERT INTO sessions (device_id, boot_count, protocol_version, fw_version,"
                 " fw_name, reset_cause, flags, capabilities, config_generation, recipe_hash,"
                 " host_start) VALUES (12648430, 7, 1, '1.2.3', 'tendril-avr', 2, 4, 31, 3, ?, ?)",
                 (bytes(8), T0))
    conn.executemany("INSERT INTO samples VALUES (1, ?, 0, ?, ?, ?, 0)",
                     [(i, i * 1000, T0 + i, 40_000 + i) for i in range(100)])
    conn.execute("COMMIT")
    conn.close()


def test_a_v1_log_migrates_to_v2_and_keeps_every_row(tmp_path):
    db = tmp_path / "old.db"
    make_v1_file(db)
    with Store.open(db) as store:
        assert store.conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 3
        assert store.conn.execute("SELECT source FROM sessions").fetchall() == [("tendril",)]
        assert store.conn.execute("SELECT source_key FROM devices").fetchall() == [(None,)]
        samples = list(iter_samples(store.conn))
        assert [s.value for s in samples] == [40_000 + i for i in range(100)]
        # the migrated file takes both kinds of session
        sid = store.begin_session(hello(boot_count=8), host_time=T0 + 200)
        store.add_telemetry(sid, telemetry(5, 1, 2), T0 + 201, 1)
        src = store.begin_source_session("plotter", "/dev/ttyACM0", host_time=T0 + 300)
        store.add_row(src, T0 + 301, {"soil": 41.5})
        imported = store.begin_source_session("import", "old-logger.csv", host_time=T0 + 400)
        store.add_row(imported, T0 + 401, {"soil": 42.0})
    assert rows(db) == [(104,)]
    assert rows(db, "PRAGMA integrity_check") == [("ok",)]
    assert rows(db, "PRAGMA foreign_key_check") == []
    assert rows(db, "SELECT source FROM sessions ORDER BY id") == [("tendril",), ("tendril",), ("plotter",),
                                                                  ("import",)]


def test_a_failed_migration_leaves_the_v1_file_as_it_was(tmp_path):
    db = tmp_path / "old.db"
    make_v1_file(db)
    conn = sqlite3.connect(db)
    conn.execute("CREATE TABLE channels (x)")  # in the way of v2's table: the step must fail whole
    conn.commit()
    conn.close()
    with pytest.raises(Exception, match="channels"):
        Store.open(db)
    assert rows(db, "PRAGMA user_version") == [(1,)]
    assert rows(db, "SELECT count(*) FROM pragma_table_info('sessions') WHERE name = 'source'") \
        == [(0,)]


def test_every_open_of_a_source_is_a_new_session_of_one_synthetic_device(tmp_path):
    with Store.open(tmp_path / "log.db") as store:
        a = store.begin_source_session("plotter", "A9F1C2", host_time=T0)
        b = store.begin_source_session("plotter", "A9F1C2", host_time=T0 + 60)
        other = store.begin_source_session("firmata", "A9F1C2", host_time=T0 + 90)
        got = store.conn.execute("SELECT id, device_id, boot_count, source FROM sessions"
                                 " ORDER BY id").fetchall()
    dev = source_device_id("plotter", "A9F1C2")
    assert got == [(a, dev, 1, "plotter"), (b, dev, 2, "plotter"),
                   (other, source_device_id("firmata", "A9F1C2"), 1, "firmata")]
    assert a != b


def test_a_synthetic_device_id_is_stable_and_never_a_hello_device_id(tmp_path):
    ids = {source_device_id(kind, key) for kind in ("plotter", "firmata")
           for key in ("/dev/ttyACM0", "/dev/ttyACM1", "85735313932351E0B1A1", "")}
    assert len(ids) == 8
    assert all(SOURCE_ID_BASE <= i < (1 << 63) for i in ids)  # HELLO ids are u32: below 2**32
    assert source_device_id("plotter", "/dev/ttyACM0") == source_device_id("plotter", "/dev/ttyACM0")
    with Store.open(tmp_path / "log.db") as store, pytest.raises(ValueError, match="kind"):
        store.begin_source_session("tendril", "x")  # a tendril board begins with its HELLO


def test_rows_get_channels_by_name_values_in_thousandths_and_a_row_counter(tmp_path):
    db = tmp_path / "log.db"
    with Store.open(db) as store:
        sid = store.begin_source_session("plotter", "/dev/ttyACM0", host_time=T0)
        store.add_row(sid, T0 + 0.5, {"soil": 41.2, "light": 512.0})
        store.add_row(sid, T0 + 1.0, {"light": 511.0, "soil": -0.0004, "temp": 21.0504})
        store.add_row(sid, T0 + 1.5, {"big": 1e15})
        assert store.pending == 6
    got = rows(db, "SELECT seq, channel, device_ms, host_time, value, raw FROM samples"
                   " ORDER BY seq, channel")
    assert got == [(0, 0, 500, T0 + 0.5, 41_200, 0), (0, 1, 500, T0 + 0.5, 512_000, 0),
                   (1, 0, 1000, T0 + 1.0, 0, 0), (1, 1, 1000, T0 + 1.0, 511_000, 0),
                   (1, 2, 1000, T0 + 1.0, 21_050, 0),
                   (2, 3, 1500, T0 + 1.5, 10**18, 0)]  # still exact in SQLite's 64-bit integer
    assert rows(db, "SELECT channel, name, unit FROM channels ORDER BY channel") == [
        (0, "soil", None), (1, "light", None), (2, "temp", None), (3, "big", None)]


def test_a_value_that_cannot_be_logged_is_refused_and_nothing_of_its_row_is_queued(tmp_path):
    with Store.open(tmp_path / "log.db") as store:
        sid = store.begin_source_session("plotter", "p", host_time=T0)
        for bad in (float("nan"), float("inf"), -1e16):
            with pytest.raises(ValueError, match="cannot be logged"):
                store.add_row(sid, T0 + 1, {"ok": 1.0, "bad": bad})
        assert store.pending == 0
        store.add_row(sid, T0 + 2, {"ok": 1.0})
        store.flush()
        assert [(smp.channel, smp.value) for smp in iter_samples(store.conn)] == [(0, 1000)]
        with pytest.raises(ValueError, match="not a source session"):
            store.add_row(store.begin_session(hello()), T0, {"x": 1.0})


def test_another_store_carries_on_a_source_session_with_its_channels_and_rows(tmp_path):
    db = tmp_path / "log.db"
    with Store.open(db) as store:
        sid = store.begin_source_session("firmata", "/dev/ttyUSB0", host_time=T0)
        store.add_row(sid, T0 + 1, {"A0": 100.0, "A1": 200.0}, units={"A0": "count"})
    with Store.open(db) as store:
        store.add_row(sid, T0 + 2, {"A1": 201.0, "A2": 300.0})
    assert rows(db, "SELECT seq, channel, value FROM samples ORDER BY seq, channel") == [
        (0, 0, 100_000), (0, 1, 200_000), (1, 1, 201_000), (1, 2, 300_000)]
    assert rows(db, "SELECT channel, name, unit FROM channels ORDER BY channel") == [
        (0, "A0", "count"), (1, "A1", None), (2, "A2", None)]


def test_export_names_source_channels_and_selects_them_by_name(tmp_path):
    db = tmp_path / "log.db"
    with Store.open(db) as store:
        tid = store.begin_session(hello(), host_time=T0 - 10)
        store.add_telemetry(tid, telemetry(100, 7, 8), T0 - 9, 1)
        sid = store.begin_source_session("plotter", "/dev/ttyACM0", host_time=T0)
        for i in range(5):
            store.add_row(sid, T0 + i, {"soil": 40 + i / 4, "temp": 21.5})
    table = list(csv.DictReader(io.StringIO(export(db))))
    assert [(r["name"], r["value"]) for r in table] == [("", "0.007"), ("", "0.008")] + [
        (n, v) for i in range(5) for n, v in (("soil", str(40 + i / 4)), ("temp", "21.5"))]
    dev = source_device_id("plotter", "/dev/ttyACM0")
    assert {r["device_id"] for r in table[2:]} == {f"{dev:012x}"}
    soil = [json.loads(line) for line in export(db, "--format", "jsonl", "--channel", "soil")
            .splitlines()]
    assert [(r["name"], r["value"], r["boot"]) for r in soil] == [
        ("soil", 40 + i / 4, 1) for i in range(5)]
    assert [r["device_ms"] for r in soil] == [0, 1000, 2000, 3000, 4000]


@pytest.mark.slow
def test_replay_leaves_out_boards_that_do_not_run_tendril(waterer_log):
    from tendril.image import decode
    from tendril.recipes import compile_recipe
    from tendril.store.replay import replay

    db, recipe = waterer_log
    with Store.open(db) as store:
        before = replay(store.conn, decode(compile_recipe(recipe, "uno")), recipe)
        sid = store.begin_source_session("plotter", "x", host_time=T0 + 5)
        store.add_row(sid, T0 + 6, {"soil": 10.0})
        store.flush()
        after = replay(store.conn, decode(compile_recipe(recipe, "uno")), recipe)
    assert (after.sessions, after.samples, after.runs) == (before.sessions, before.samples,
                                                          before.runs)
