"""The log database: schema, batching, dedup, errors, and that committed rows survive."""

from __future__ import annotations

import sqlite3

import pytest
from tendril.contract import EventKind, SensorFault
from tendril.errors import StorageError
from tendril.store import FLUSH_INTERVAL, SCHEMA_VERSION, Store

from .conftest import event, hello, rows, telemetry


def test_open_creates_a_wal_database_with_the_schema_version(tmp_path):
    db = tmp_path / "log.db"
    Store.open(db).close()
    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert tables == {"devices", "sessions", "samples", "chunks", "settings", "events", "config_history",
                      "channels"}
    conn.close()


def test_store_uses_synchronous_normal(tmp_path):
    with Store.open(tmp_path / "log.db") as store:
        assert store.conn.execute("PRAGMA synchronous").fetchone()[0] == 1  # NORMAL


def test_one_session_per_boot_and_the_same_one_after_a_reconnect(tmp_path):
    with Store.open(tmp_path / "log.db") as store:
        a = store.begin_session(hello(boot_count=1), host_time=10.0)
        again = store.begin_session(hello(boot_count=1), host_time=20.0)
        b = store.begin_session(hello(boot_count=2), host_time=30.0)
        assert a == again != b
        dev = store.conn.execute("SELECT board_class, first_seen, last_seen FROM devices").fetchall()
        assert dev == [(1, 10.0, 30.0)]
        s = store.conn.execute("SELECT fw_version, fw_name, config_generation FROM sessions"
                               " WHERE id = ?", (a,)).fetchone()
        assert s == ("1.2.3", "tendril-avr", 3)


def test_rows_wait_in_a_batch_until_250_ms_then_commit_together(tmp_path):
    db = tmp_path / "log.db"
    store = Store.open(db)
    sid = store.begin_session(hello())
    store.flush(now=100.0)
    store.add_telemetry(sid, telemetry(1000, 1, 2, 3), 1.0, 1)
    assert not store.flush_due(100.0 + FLUSH_INTERVAL / 2)
    assert rows(db) == [(0,)]  # another connection sees nothing yet
    store.add_telemetry(sid, telemetry(2000, 4, 5, 6), 2.0, 2)
    assert store.flush_due(100.0 + FLUSH_INTERVAL)
    assert rows(db) == [(6,)]
    assert store.pending == 0
    store.close()


def test_flush_due_on_the_real_clock_commits_within_250_ms(tmp_path):
    import time
    db = tmp_path / "log.db"
    with Store.open(db) as store:
        sid = store.begin_session(hello())
        store.flush()
        added = time.monotonic()
        store.add_telemetry(sid, telemetry(1, 1), 1.0, 1)
        due_at_once = store.flush_due()
        if time.monotonic() - added < FLUSH_INTERVAL:  # a loaded machine may have paused us
            assert not due_at_once
        time.sleep(FLUSH_INTERVAL + 0.02)  # the interval itself is what is tested
        assert store.flush_due()
        assert rows(db) == [(1,)]


def test_a_reader_sees_committed_rows_while_the_logger_holds_a_batch(tmp_path):
    from tendril.store import iter_samples
    db = tmp_path / "log.db"
    with Store.open(db) as logger, Store.open(db) as reader:
        sid = logger.begin_session(hello())
        logger.add_telemetry(sid, telemetry(1, 10), 1.0, 1)
        logger.flush()
        logger.add_telemetry(sid, telemetry(2, 20), 2.0, 2)
        logger.conn.execute("BEGIN IMMEDIATE")  # the logger mid-commit: WAL readers go on
        assert [s.value for s in iter_samples(reader.conn)] == [10]
        logger.conn.execute("COMMIT")


def test_a_big_batch_commits_without_waiting(tmp_path):
    from tendril.store.db import FLUSH_ROWS
    db = tmp_path / "log.db"
    with Store.open(db) as store:
        sid = store.begin_session(hello())
        store.flush(now=0.0)
        for i in range(FLUSH_ROWS // 14 + 1):
            store.add_telemetry(sid, telemetry(i, *range(14)), float(i), i & 0xFFFF)
        assert store.flush_due(0.001)
        assert rows(db)[0][0] == (FLUSH_ROWS // 14 + 1) * 14


def test_samples_keep_channel_device_time_host_time_and_exact_value(tmp_path):
    db = tmp_path / "log.db"
    with Store.open(db) as store:
        sid = store.begin_session(hello())
        store.add_telemetry(sid, telemetry(4_294_967_295, -2_000_000_000, 23_456, first=3),
                            1.5, 9)
        store.add_telemetry(sid, telemetry(5, 712, raw=True), 2.5, 10)
    got = rows(db, "SELECT channel, device_ms, host_time, value, raw FROM samples ORDER BY seq,"
                   " channel")
    assert got == [(3, 4_294_967_295, 1.5, -2_000_000_000, 0), (4, 4_294_967_295, 1.5, 23_456, 0),
                   (0, 5, 2.5, 712, 1)]


def test_a_channel_with_no_reading_logs_no_sample_and_its_event_is_kept(tmp_path):
    """The chunk codec holds int64 values with no NULL: a value marked "no reading" (None, from
    TELEMETRY's marker) is not logged as a number; the SENSOR EVENT that says why is."""
    db = tmp_path / "log.db"
    with Store.open(db) as store:
        sid = store.begin_session(hello())
        store.add_telemetry(sid, telemetry(1000, 500, 600), 1.0, 1)
        store.add_event(sid, event(2000, EventKind.SENSOR, 0, SensorFault.NO_ANSWER, 0, 0), 2.0, 2)
        store.add_telemetry(sid, telemetry(3000, None, 700), 3.0, 3)
    assert rows(db, "SELECT channel, device_ms, value FROM samples ORDER BY seq, channel") == [
        (0, 1000, 500), (1, 1000, 600), (1, 3000, 700)]
    assert rows(db, "SELECT kind, a, b FROM events") == [(EventKind.SENSOR, 0, SensorFault.NO_ANSWER)]


def test_frames_seen_again_after_a_reconnect_are_dropped(tmp_path):
    db = tmp_path / "log.db"
    with Store.open(db) as store:
        sid = store.begin_session(hello())
        for seq in range(1, 11):
            store.add_telemetry(sid, telemetry(seq * 100, seq), float(seq), seq)
        store.add_event(sid, event(550), 5.5, 11)
    # A new logger process, the same boot: frames 8..11 arrive again, then new ones.
    with Store.open(db) as store:
        sid2 = store.begin_session(hello())
        assert sid2 == sid
        for seq in range(8, 14):
            store.add_telemetry(sid, telemetry(seq * 100, seq), float(seq) + 100, seq) \
                if seq != 11 else store.add_event(sid, event(550), 105.5, 11)
    assert rows(db, "SELECT seq, value, host_time FROM samples ORDER BY seq") == \
        [(s, s, float(s)) for s in range(1, 11)] + [(12, 12, 112.0), (13, 13, 113.0)]
    assert rows(db, "SELECT count(*) FROM events") == [(1,)]


def test_sequence_numbers_keep_counting_past_the_u16_wrap(tmp_path):
    db = tmp_path / "log.db"
    with Store.open(db) as store:
        sid = store.begin_session(hello())
        for i in range(70_000):
            store.add_telemetry(sid, telemetry(i, i), float(i), i & 0xFFFF)
        store.add_telemetry(sid, telemetry(69_999, 69_999), 0.0, 69_999 & 0xFFFF)  # a repeat
    assert rows(db, "SELECT count(*), min(seq), max(seq) FROM samples") == [(70_000, 0, 69_999)]


def test_a_second_boot_is_not_mistaken_for_duplicates(tmp_path):
    db = tmp_path / "log.db"
    with Store.open(db) as store:
        for boot in (1, 2):
            sid = store.begin_session(hello(boot_count=boot))
            for seq in range(5):
                store.add_telemetry(sid, telemetry(seq, seq), float(seq), seq)
    assert rows(db) == [(10,)]


def test_config_history_keeps_pushed_and_read_images_with_hash_and_text(tmp_path):
    from tendril.image import decode
    from tendril.recipes import compile_recipe

    from .conftest import WATERER
    image = compile_recipe(WATERER.read_text(), "uno")
    with Store.open(tmp_path / "log.db") as store:
        store.record_config(1, image, "pushed", recipe_text="x = 1", host_time=5.0)
        store.record_config(1, image, "read", host_time=6.0)
        with pytest.raises(ValueError):
            store.record_config(1, image, "sideways")
        got = store.conn.execute("SELECT direction, generation, recipe_hash, image, recipe_text"
                                 " FROM config_history ORDER BY id").fetchall()
    h = decode(image).recipe_hash
    assert got == [("pushed", 0, h, image, "x = 1"), ("read", 0, h, image, None)]


def test_a_path_that_cannot_be_opened_is_a_clear_error(tmp_path):
    with pytest.raises(StorageError, match="unable to open"):
        Store.open(tmp_path / "no" / "such" / "dir" / "log.db")
    with pytest.raises(StorageError, match="is a directory"):
        Store.open(tmp_path)
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StorageError, match="not a database"):
        Store.open(junk)


def test_a_database_from_a_newer_tendril_is_refused_and_left_alone(tmp_path):
    db = tmp_path / "log.db"
    with Store.open(db) as store:
        sid = store.begin_session(hello())
        store.add_telemetry(sid, telemetry(1, 42), 1.0, 1)
        store.conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    with pytest.raises(StorageError, match="newer tendril"):
        Store.open(db)
    assert rows(db, "SELECT value FROM samples") == [(42,)]
    assert rows(db, "PRAGMA user_version") == [(SCHEMA_VERSION + 1,)]


def test_default_location_is_the_user_data_dir_unless_overridden(tmp_path, monkeypatch):
    from platformdirs import user_data_path
    from tendril.store import default_path
    monkeypatch.delenv("TENDRIL_DB", raising=False)
    assert default_path() == user_data_path("tendril", appauthor=False) / "tendril.db"
    monkeypatch.setenv("TENDRIL_DB", str(tmp_path / "x.db"))
    assert default_path() == tmp_path / "x.db"
    Store.open().close()
    assert (tmp_path / "x.db").is_file()


def test_a_full_disk_is_a_clear_error_and_committed_rows_stay(tmp_path):
    db = tmp_path / "log.db"
    store = Store.open(db)
    sid = store.begin_session(hello())
    for seq in range(100):
        store.add_telemetry(sid, telemetry(seq, seq, -seq), float(seq), seq)
    store.flush()
    pages = store.conn.execute("PRAGMA page_count").fetchone()[0]
    store.conn.execute(f"PRAGMA max_page_count = {pages}")  # the "disk" is now full
    for seq in range(100, 20_100):
        store.add_telemetry(sid, telemetry(seq, seq, -seq), float(seq), seq & 0xFFFF)
    with pytest.raises(StorageError, match="disk is full"):
        store.flush()
    assert store.pending == 40_000  # kept for a retry, not half-written
    store.conn.close()
    assert rows(db, "PRAGMA integrity_check") == [("ok",)]
    assert rows(db, "SELECT count(*), max(seq) FROM samples") == [(200, 99)]
