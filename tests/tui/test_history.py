"""Chart history from the log database: per-second buckets through a read-only connection."""

from __future__ import annotations

import sqlite3
import time

import pytest
from tendril.errors import StorageError
from tendril.live import LiveBoard
from tendril.store.query import unpacked
from tendril.tui.history import connect_ro, per_second

from .conftest import SIZE, run, until, wait


pytestmark = pytest.mark.slow  # seconds of a live board logged


def logged_seconds(rig, since: float = 0.0) -> int:
    """How many distinct host seconds have soil samples in the log (from ``since`` on)."""
    rig.sink.flush()
    conn = unpacked(rig.db)
    try:
        return conn.execute("SELECT COUNT(DISTINCT CAST(host_time AS INTEGER)) FROM samples"
                            " WHERE channel = 0 AND host_time >= ?", (since,)).fetchone()[0]
    finally:
        conn.close()


def test_per_second_buckets_match_the_logged_samples(rig):
    wait(lambda: logged_seconds(rig) >= 3, 60, "three seconds of samples")
    hello = rig.board.view().hello
    got = per_second(rig.db, hello.device_id, hello.recipe_hash, 0, time.time() + 1)
    conn = unpacked(rig.db)
    rows = conn.execute("SELECT host_time, value FROM samples WHERE channel = 0").fetchall()
    assert len(got[0]) >= 3
    for b in got[0]:
        values = [v / 1000 for t, v in rows if int(t) == int(b.t)]
        assert b.n == len(values)
        assert (b.lo, b.hi) == (min(values), max(values))
    # another recipe's sessions do not count: channel 0 there is another sensor
    assert per_second(rig.db, hello.device_id, b"\xab" * len(hello.recipe_hash), 0, time.time()) == {}


def test_history_connection_cannot_write(rig):
    conn = connect_ro(rig.db)
    with pytest.raises(sqlite3.OperationalError):
        conn.execute("DELETE FROM samples")
    conn.close()


def test_history_file_is_never_created(tmp_path):
    with pytest.raises(StorageError, match="unable to open"):  # sqlite's words, as a StorageError
        per_second(tmp_path / "none.db", 1, b"x", 0, 1)
    assert not (tmp_path / "none.db").exists()


def test_monitor_preloads_charts_with_what_was_logged_before_it_started(rig):
    wait(lambda: logged_seconds(rig) >= 3, 60, "three seconds of samples")
    rig.board.stop()
    rig.sink.flush()
    started = time.time()
    fresh = LiveBoard(rig.sim.port, sink=rig.sink).start()  # a new process's view: no series yet
    try:
        assert fresh.wait_online(10)
        wait(lambda: fresh.view().recipe, 10)
        from tendril.tui import MonitorApp

        async def scenario():
            app = MonitorApp([fresh], rig.sink, db_path=rig.db)
            async with app.run_test(size=SIZE) as pilot:
                def older() -> list:
                    with fresh.lock:
                        return [b for b in fresh.series_of(0).coarse if b[0] < int(started) - 1]
                await until(pilot, older, what="buckets from before the monitor started")
                await pilot.press("g", "4")  # the 24 h chart draws them
                chart = app.main.query_one("#chart-0")
                await until(pilot, lambda: any(b is not None for b in chart.buckets))
        run(scenario)
    finally:
        fresh.stop()


def test_samples_from_before_another_recipe_was_pushed_do_not_count(rig):
    from tendril.recipes import load

    from .conftest import DATA
    wait(lambda: logged_seconds(rig) >= 2, 60, "two seconds of samples")
    rig.board.push(load(DATA / "plant-waterer-tuned.toml")).result(20)
    pushed = time.time()
    wait(lambda: logged_seconds(rig, since=pushed) >= 2, 60, "samples of the new recipe")
    rig.sink.flush()
    hello = rig.board.view().hello
    conn = unpacked(rig.db)
    pushed_at = conn.execute("SELECT MIN(host_time) FROM config_history WHERE recipe_hash = ?",
                             (bytes(hello.recipe_hash),)).fetchone()[0]
    older = conn.execute("SELECT COUNT(*) FROM samples WHERE host_time < ?", (pushed_at,)).fetchone()[0]
    assert older > 0
    got = per_second(rig.db, hello.device_id, hello.recipe_hash, 0, time.time() + 1)
    assert got[0] and all(b.t >= int(pushed_at) for b in got[0])
