"""Availability as Home Assistant sees it: a board unplugged goes offline and comes back online, a
broker restart brings serve back with its state, kill -9 leaves serve's last will, and SIGTERM
publishes everything offline, exits 0 and loses no logged row."""

from __future__ import annotations

import json
import signal

import pytest

from tendril.store.query import unpacked

from ..live.relay import Relay
from ..live.test_unplug import check_values_match_the_board
from .conftest import board_of, state_where

pytestmark = pytest.mark.slow  # a serve subprocess against a live simulated board


def logged_seqs(db) -> set[int]:
    conn = unpacked(db)
    try:
        return {seq for (seq,) in conn.execute("SELECT DISTINCT seq FROM samples")}
    finally:
        conn.close()


def test_unplug_replug_and_sigterm_give_the_right_availability_and_lose_no_row(
        broker, watcher, fast_board, start_serve, tmp_path):
    board = board_of(fast_board.port)
    relay = Relay(fast_board.port, tmp_path / "usb-tendril-by-id")
    relay.plug()
    try:
        serve = start_serve(broker.url, str(relay.link))
        watcher.wait_topic(f"tendril/{board}/availability", "online")
        watcher.wait(state_where(lambda s: s["channels"]["soil"] is not None))
        for _ in range(2):
            since = watcher.count()
            relay.unplug()
            watcher.wait_topic(f"tendril/{board}/availability", "offline", since=since)
            since = watcher.count()
            relay.plug()
            watcher.wait_topic(f"tendril/{board}/availability", "online", since=since)
            watcher.wait(state_where(lambda s: s["channels"]["soil"] is not None), since=since)
        since = watcher.count()
        rc, out, err = serve.stop(signal.SIGTERM)
        assert rc == 0, err
        assert "Traceback" not in err
        watcher.wait_topic(f"tendril/{board}/availability", "offline", since=since)
        watcher.wait_topic("tendril/serve/testhost/availability", "offline", since=since)
    finally:
        relay.close()
    logged = check_values_match_the_board(serve.db, relay)  # every row is what the board sent
    assert logged > 0
    assert len(logged_seqs(serve.db)) * 2 == logged  # two channels a frame, each frame once
    committed = int(out.strip().splitlines()[-1].split()[0])
    assert committed >= logged


def test_broker_restart_brings_serve_back_and_kill_9_leaves_its_last_will(
        broker, fast_board, start_serve):
    from .conftest import Watcher
    board = board_of(fast_board.port)
    serve = start_serve(broker.url, fast_board.port)
    w = Watcher(broker.host, broker.port)
    try:
        w.wait_topic("tendril/serve/testhost/availability", "online")
        w.wait(state_where(lambda s: s["channels"]["soil"] is not None))
    finally:
        w.close()
    broker.restart()  # no persistence: every retained message is gone with it
    w = Watcher(broker.host, broker.port)
    try:
        w.wait_topic("tendril/serve/testhost/availability", "online")
        w.wait_topic(f"tendril/{board}/availability", "online")
        w.wait(state_where(lambda s: s["board"] == board))
        w.wait_topic(f"homeassistant/device/tendril_{board}/config")
        since = w.count()
        rc, _, _ = serve.stop(signal.SIGKILL)
        assert rc == -signal.SIGKILL
        w.wait_topic("tendril/serve/testhost/availability", "offline", since=since, timeout=60)
    finally:
        w.close()
