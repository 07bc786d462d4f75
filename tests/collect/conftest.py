"""Shared by the collector tests: a real mosquitto, a paho publisher, a held native board running
the fast plant waterer, and what a log database holds, read through tendril.store's queries."""

from __future__ import annotations

import threading
import time
from contextlib import contextmanager
from pathlib import Path

import pytest

from tendril.collect.collector import Collector, FrameLogger, log_session_lookup
from tendril.live import LogSink
from tendril.mqtt.url import parse_url
from tendril.sim.runner import SimBoard, SimSpec
from tendril.store.db import connect_ro
from tendril.store.query import iter_events, iter_samples, recipe_text, sessions

from ..live.conftest import push_fast
from ..support.mosquitto import Broker


def wait_for(predicate, timeout: float = 30.0, what: str = "the condition"):
    """Poll ``predicate`` until it is true; the deadline only matters on failure."""
    end = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > end:
            raise AssertionError(f"{what} did not happen in {timeout} s")
        time.sleep(0.02)


@contextmanager
def publisher(url: str, client_id: str = ""):
    """A paho-mqtt 2.x client publishing at QoS 1: ``publish(topic, payload)`` for a FramesSink."""
    import paho.mqtt.client as mqtt

    broker = parse_url(url)
    client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=client_id,
                         protocol=mqtt.MQTTv311)
    if broker.username:
        client.username_pw_set(broker.username, broker.password)
    client.max_inflight_messages_set(100)
    client.reconnect_delay_set(0.2, 2)
    connected = threading.Event()
    client.on_connect = lambda c, u, f, reason, p: reason.is_failure or connected.set()
    client.connect_async(broker.host, broker.port, keepalive=30)
    client.loop_start()
    try:
        wait_for(connected.is_set, what="the publisher connecting")
        yield (lambda topic, payload: client.publish(topic, payload, qos=1)), client
    finally:
        client.disconnect()
        client.loop_stop()


@contextmanager
def collector(url: str, db: Path, name: str = "test-collector", prefix: str = "tendril"):
    """A collector into ``db``, subscribed (its queued frames start coming) when it yields."""
    sink = LogSink.open(db)
    lines: list[str] = []
    logger = FrameLogger(sink, lookup=log_session_lookup(sink), say=lines.append)
    c = Collector(parse_url(url), logger, name=name, prefix=prefix, on_state=lines.append).start()
    c.lines = lines
    try:
        wait_for(c.subscribed.is_set, what="the collector subscribing")
        yield c
    finally:
        c.stop()
        sink.close()


@pytest.fixture
def broker(tmp_path):
    """A real mosquitto that keeps sessions and queued messages across its own restart."""
    where = tmp_path / "broker"
    b = Broker(where, extra=["persistence true", f"persistence_location {where}/"])
    b.start()
    yield b
    b.stop()


@pytest.fixture
def held_board(tmp_path):
    """The native simulated Uno with its clock held, running the fast plant waterer."""
    board = SimBoard(SimSpec(board="uno", runtime="native", eeprom=tmp_path / "board.eeprom",
                             hold=True))
    try:
        push_fast(board.port)
        yield board
    finally:
        board.stop()


def content(db: Path) -> dict:
    """What a log holds, independent of its own row ids and session start times."""
    conn = connect_ro(db)
    try:
        infos = sessions(conn)
        return {
            "sessions": [(s.device_id, s.boot_count, s.board_class, bytes(s.recipe_hash))
                         for s in infos],
            "samples": [(s.device_id, s.boot_count, s.channel, s.name, s.device_ms, s.host_time,
                         s.value, s.raw) for s in iter_samples(conn)],
            "events": [(e.device_id, e.boot_count, e.device_ms, e.host_time, e.kind, e.a, e.b, e.c,
                        e.value) for e in iter_events(conn)],
            "recipes": [recipe_text(conn, s.device_id, bytes(s.recipe_hash)) for s in infos],
        }
    finally:
        conn.close()
