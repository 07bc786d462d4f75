"""Live boards against the native simulated board on a real pty, a relay that unplugs it, and
the fast fake board (tendril.sim.feeder)."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

import pytest
from tendril.boards import load_board
from tendril.recipes import compile_recipe, parse
from tendril.session import Session, push

from ..support.boards import WATERER

FAST_TEXT = WATERER.read_text().replace('telemetry = "1 s"', 'telemetry = "100 ms"')


def fast_recipe():
    """The plant waterer with telemetry every 100 ms: rows enough in a short test."""
    return parse(FAST_TEXT, "plant-waterer-fast.toml")


def push_fast(port: str) -> bytes:
    image = compile_recipe(fast_recipe(), load_board("uno"))
    with Session(port) as s:
        push(s, image)
    return image


@pytest.fixture
def fast_board(native):
    """The native board running the fast plant waterer."""
    push_fast(native.port)
    return native


def wait_until(predicate, timeout: float, step: float = 0.02):
    end = time.monotonic() + timeout
    while True:
        value = predicate()
        if value or time.monotonic() > end:
            return value
        time.sleep(step)


def read_only(db: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"file:{db}?mode=ro", uri=True)


def count(db: Path, sql: str = "SELECT count(*) FROM samples") -> int:
    """``sql`` on the log; ``samples`` is one row per sample (store.query.unpacked)."""
    from tendril.store.query import unpacked
    conn = unpacked(db) if "samples" in sql else read_only(db)
    try:
        return conn.execute(sql).fetchone()[0]
    finally:
        conn.close()
