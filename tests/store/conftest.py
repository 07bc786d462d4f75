"""Helpers for the store tests: HELLOs, telemetry and 12 synthetic hours of soil readings."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from tendril.protocol import Event, Hello, Telemetry
from tendril.recipes import compile_recipe, load
from tendril.store import Store

from ..conftest import ROOT

WATERER = ROOT / "boards" / "recipes" / "plant-waterer.toml"
T0 = 1_763_600_000.0  # host time of the first logged sample (2025-11-20, UTC)


def hello(device_id: int = 0xC0FFEE, boot_count: int = 7, recipe_hash: bytes = bytes(8),
          flags: int = 0x04) -> Hello:
    return Hello(protocol_version=1, board_class=1, fw_major=1, fw_minor=2, fw_patch=3,
                 reset_cause=0x02, flags=flags, device_id=device_id, boot_count=boot_count,
                 capabilities=0x1F, config_generation=3, recipe_hash=recipe_hash,
                 max_payload=64, max_image=512, text="tendril-avr")


def telemetry(t_ms: int, *values: int, first: int = 0, raw: bool = False) -> Telemetry:
    return Telemetry(t_ms, first, 1 if raw else 0, tuple(values))


def event(t_ms: int, kind: int = 1, a: int = 0, b: int = 1, c: int = 0, value: int = 255) -> Event:
    return Event(t_ms, kind, a, b, c, value)


def rows(path: Path, sql: str = "SELECT count(*) FROM samples") -> list[tuple]:
    """``sql`` on the log at ``path``; ``samples`` is one row per sample (store.query.unpacked)."""
    import sqlite3

    from tendril.store.query import unpacked
    conn = unpacked(path) if re.search(r"\bsamples\b", sql) else sqlite3.connect(path)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def soil_curve(t_s: int) -> int:
    """Soil moisture in thousandths of %: dries 1 % per 10 min from 60 %, watered back to 60 %
    every time it reaches 30 %: a sawtooth that crosses 40 % and 35 % once a cycle."""
    period = 300 * 60  # 30 % at 1 % per 10 min
    return 60_000 - (t_s % period) * 1000 // 600


@pytest.fixture
def waterer_log(tmp_path) -> tuple[Path, object]:
    """A database holding 12 hours of 1 s telemetry from a plant waterer running its recipe."""
    recipe = load(WATERER)
    image = compile_recipe(recipe, "uno")
    from tendril.image import decode
    img = decode(image)
    db = tmp_path / "log.db"
    with Store.open(db) as store:
        store.record_config(0xC0FFEE, image, "pushed", recipe_text=WATERER.read_text(),
                            host_time=T0 - 10)
        sid = store.begin_session(hello(recipe_hash=img.recipe_hash), host_time=T0 - 1)
        for s in range(12 * 3600):
            store.add_telemetry(sid, telemetry(s * 1000 + 500, soil_curve(s), 0), T0 + s,
                                (s + 1) & 0xFFFF)
        store.flush()
    return db, recipe
