"""`tendril db info` and `tendril db prune` on real log files."""

from __future__ import annotations

import json

from click.testing import CliRunner
from tendril.cli import cli
from tendril.store import Store, iter_samples
from tendril.store.chunks import CHUNK_SAMPLES

from .conftest import T0, hello, rows, telemetry


def run(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def make_log(db, n: int) -> None:
    """``n`` frames of two channels, one a second from T0, and an event every 100 s."""
    from tendril.protocol import Event

    store = Store.open(db)
    sid = store.begin_session(hello())
    for i in range(n):
        store.add_telemetry(sid, telemetry(i * 1000, 30_000 + i, i % 2), T0 + i, i & 0xFFFF)
        if i % 100 == 0:
            store.add_event(sid, Event(i * 1000, 1, 0, 1, 0, 255), T0 + i + 0.5, (i + 1) & 0xFFFF)
    store.close()


def test_info_says_samples_bytes_and_span_per_channel(tmp_path):
    db = tmp_path / "log.db"
    make_log(db, CHUNK_SAMPLES + 300)
    doc = json.loads(run("db", "info", "--db", str(db), "--json").stdout)
    assert doc["samples"] == 2 * (CHUNK_SAMPLES + 300)
    assert [c["samples"] for c in doc["channels"]] == [CHUNK_SAMPLES + 300] * 2
    assert all(c["device_id"] == "00c0ffee" for c in doc["channels"])
    assert doc["channels"][0]["first"] == T0 and abs(doc["channels"][0]["last"] - (T0 + CHUNK_SAMPLES + 299)) < 0.01
    assert 0 < doc["bytes_per_sample"] == round(db.stat().st_size / doc["samples"], 3)
    text = run("db", "info", "--db", str(db)).stdout
    assert f"{2 * (CHUNK_SAMPLES + 300):,} samples" in text and "00c0ffee" in text


def test_prune_drops_what_is_older_and_keeps_the_rest_whole(tmp_path):
    db = tmp_path / "log.db"
    n = 2 * CHUNK_SAMPLES
    make_log(db, n)
    cut = T0 + CHUNK_SAMPLES + 1000.5  # inside the second chunk of each channel
    from datetime import datetime

    when = datetime.fromtimestamp(cut).isoformat(timespec="milliseconds")
    dry = run("db", "prune", "--db", str(db), "--before", when)
    kept = n - (CHUNK_SAMPLES + 1001)
    assert dry.stdout.startswith(f"would delete {2 * (n - kept):,} samples and ")
    assert rows(db) == [(2 * n,)]  # nothing deleted without --yes
    size = db.stat().st_size
    done = run("db", "prune", "--db", str(db), "--before", when, "--yes")
    assert done.stdout.startswith(f"deleted {2 * (n - kept):,} samples and 92 events")
    with Store.open(db) as store:
        left = [(s.channel, s.device_ms) for s in iter_samples(store.conn)]
    assert left == [(ch, i * 1000) for i in range(n - kept, n) for ch in (0, 1)]
    assert rows(db, "SELECT count(*) FROM events") == [(int((n - 1) / 100) + 1 - 92,)]
    assert db.stat().st_size < size  # the freed pages were given back
    assert rows(db, "PRAGMA integrity_check") == [("ok",)]


def test_downsampling_keeps_min_mean_max_per_minute_and_never_the_last_days(tmp_path):
    """Three days at one sample every 10 s, set to downsample after one day: the two older days
    become one sample a minute (its mean; min and max kept beside it), the last day stays whole."""
    from tendril.store.chunks import MINUTE_MAX, MINUTE_MIN
    from tendril.store.codec import decode
    from tendril.store.db import connect_ro

    db = tmp_path / "log.db"
    day, step = 86_400, 10
    t0 = T0 - T0 % 60  # minute-aligned, so each minute holds six samples
    store = Store.open(db)
    sid = store.begin_session(hello())
    for i in range(3 * day // step):
        store.add_telemetry(sid, telemetry(i * step * 1000, 30_000 + (i % 6) * 100), t0 + i * step, i & 0xFFFF)
        store.flush_due(t0 + i * step)
    store.close()
    now = t0 + 3 * day
    store = Store.open(db)
    n = store.downsample(1.0, now=now)
    store.close()
    conn = connect_ro(db)  # read without opening a Store: that would downsample against today's clock
    samples = [(s.host_time, s.value) for s in iter_samples(conn)]
    mins = {v for (d,) in conn.execute("SELECT data FROM chunks WHERE kind = ?", (MINUTE_MIN,))
            for v in decode(d).value.tolist()}
    maxs = {v for (d,) in conn.execute("SELECT data FROM chunks WHERE kind = ?", (MINUTE_MAX,))
            for v in decode(d).value.tolist()}
    settings = conn.execute("SELECT key, value FROM settings").fetchall()
    conn.close()
    recent = [s for s in samples if s[0] >= now - day]
    old = [s for s in samples if s[0] < now - 2 * day]
    assert n > 0 and len(recent) == day // step  # the last day whole
    assert len(old) == day // 60  # one a minute
    assert all((t - t0) % 60 == 0 and v == 30_250 for t, v in old)  # minute starts, the mean
    assert mins == {30_000} and maxs == {30_500}
    assert settings == [("downsample_after_days", "1.0")]
    assert "downsampling off" in run("db", "downsample", "--db", str(db), "--off").stdout
    assert run("db", "downsample", "--db", str(db)).exit_code == 2
