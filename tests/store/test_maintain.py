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
