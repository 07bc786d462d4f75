"""Real log files for the plot tests, written through Store: a plant waterer (two boots with an
hour's pause between them, pump runs, a parameter change) and a greenhouse vent on a second board."""

from __future__ import annotations

from pathlib import Path

import pytest
from tendril.contract import EventKind
from tendril.image import decode
from tendril.protocol import Event, Hello, Telemetry
from tendril.recipes import compile_recipe
from tendril.store import Store

from ..conftest import ROOT

RECIPES = ROOT / "boards" / "recipes"
T0 = 1_763_600_000.0  # 2025-11-20 00:53:20 UTC
WATERER, VENT = 0xA1, 0xB2
BOOTS = ((1, 0.0, 3 * 3600.0), (2, 4 * 3600.0, 6 * 3600.0))  # (boot, from, to) in s after T0
PARAM_AT = 1.5 * 3600  # dry_threshold set to 30 % here (board 1, boot 1)
PULSE_AT = 2 * 3600  # pulse set to 6 s: a duration, marked but not drawn
PUMP_EVERY = 1200  # a 4 s pulse every 20 min


def hello(device_id: int, boot: int, recipe_hash: bytes) -> Hello:
    return Hello(protocol_version=1, board_class=1, fw_major=1, fw_minor=2, fw_patch=3,
                 reset_cause=0x02, flags=0x04, device_id=device_id, boot_count=boot,
                 capabilities=0x1F, config_generation=3, recipe_hash=recipe_hash,
                 max_payload=64, max_image=512, text="tendril-avr")


def soil(t: float) -> int:
    """Thousandths of %: a slow sawtooth between 45 % and 30 %."""
    return 45_000 - int(t) % 3600 * 15_000 // 3600


def _configured(store: Store, device_id: int, name: str) -> bytes:
    text = (RECIPES / name).read_text()
    image = compile_recipe(text, "uno")
    store.record_config(device_id, image, "pushed", recipe_text=text, host_time=T0 - 60)
    return decode(image).recipe_hash


def write_log(path: Path) -> Path:
    with Store.open(path) as store:
        h = _configured(store, WATERER, "plant-waterer.toml")
        for boot, start, end in BOOTS:
            sid = store.begin_session(hello(WATERER, boot, h), host_time=T0 + start - 1)
            seq = 0
            for s in range(int(start), int(end)):
                seq += 1
                store.add_telemetry(sid, Telemetry(s * 1000, 0, 0, (soil(s), 0)), T0 + s, seq & 0xFFFF)
                if s % PUMP_EVERY == 600:
                    seq += 1
                    store.add_event(sid, Event(s * 1000, EventKind.ACT_ON, 0, 1, 0, 255), T0 + s, seq)
                if s % PUMP_EVERY == 604:
                    seq += 1
                    store.add_event(sid, Event(s * 1000, EventKind.ACT_OFF, 0, 1, 0, 4000), T0 + s, seq)
                if s == PARAM_AT:
                    seq += 1
                    store.add_event(sid, Event(s * 1000, EventKind.PARAM, 0, 0, 0xFF, 30_000), T0 + s, seq)
                if s == PULSE_AT:
                    seq += 1
                    store.add_event(sid, Event(s * 1000, EventKind.PARAM, 1, 0, 0xFF, 6000), T0 + s, seq)
        h = _configured(store, VENT, "greenhouse-vent.toml")
        sid = store.begin_session(hello(VENT, 1, h), host_time=T0 - 1)
        for i, s in enumerate(range(0, 6 * 3600, 10)):
            store.add_telemetry(sid, Telemetry(s * 1000, 0, 0, (20_000 + s // 4,)), T0 + s, (i + 1) & 0xFFFF)
        store.flush()
    return path


@pytest.fixture(scope="session")
def log(tmp_path_factory) -> Path:
    return write_log(tmp_path_factory.mktemp("plot") / "log.db")
