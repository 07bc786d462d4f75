"""A flood of `run` commands through a real `tendril serve` to a native board whose time the test
drives: the board's own limits bind every one of them. Its runs never pass max_on, its rests are
never under min_off, and the day's total stops at the daily cap (tests/mqtt/test_flood.py shows the
same against the reference engine; this is end to end)."""

from __future__ import annotations

import json
import random

import pytest

from tendril.recipes import parse as parse_recipe
from tendril.sim.runner import SimBoard, SimSpec

from ..live.conftest import FAST_TEXT, push_fast
from .conftest import board_of, state_where
from .test_commands import Client

pytestmark = pytest.mark.slow

STEP_MS = 2_000  # a command every two board seconds, whatever the pump is doing


def test_a_flood_of_runs_through_serve_stays_inside_max_on_min_off_and_the_daily_cap(
        tmp_path, broker, watcher, start_serve):
    pump = parse_recipe(FAST_TEXT, "fast.toml").actuators[0]
    sim = SimBoard(SimSpec(board="uno", runtime="native", eeprom=tmp_path / "held.eeprom", hold=True,
                           realtime=False))
    try:
        push_fast(sim.port)
        board = board_of(sim.port)
        start_serve(broker.url, sim.port)
        watcher.wait(state_where(lambda s: s["board"] == board and s["actuators"]["pump"]))
        c = Client(watcher, board)
        rng = random.Random(16)
        accepted = 0
        steps = (pump.daily_cap_ms // pump.max_on_ms + 4) * (pump.max_on_ms + pump.min_off_ms) // STEP_MS
        for _ in range(steps):
            body = rng.choice([{"actuator": "pump"}, {"actuator": "pump", "for_s": 10},
                               {"actuator": "pump", "for_s": round(rng.uniform(0.5, 12), 3)}])
            accepted += c.send("run", body)["ok"]
            sim.clock.run(STEP_MS)
        since_end = watcher.count()  # before the clock moves: the state at end_ms may come at once
        end_ms = sim.clock.run(pump.max_on_ms)  # the last run ends
        watcher.wait(lambda t, p: t == f"tendril/{board}/state" and json.loads(p)["time_ms"] >= end_ms,
                     since=since_end)
    finally:
        sim.stop()
    events = [json.loads(p) for t, p, _ in watcher.messages if t == f"tendril/{board}/event"]
    ons = [e["time_ms"] for e in events if e["kind"] == "act_on" and e["actuator"] == "pump"]
    offs = [e["time_ms"] for e in events if e["kind"] == "act_off" and e["actuator"] == "pump"]
    assert accepted > 1 and len(ons) == len(offs) and len(ons) > 5
    runs = [off - on for on, off in zip(ons, offs)]
    rests = [on - off for off, on in zip(offs, ons[1:])]
    assert max(runs) <= pump.max_on_ms
    assert min(rests) >= pump.min_off_ms
    assert sum(runs) <= pump.daily_cap_ms
    assert sum(runs) >= pump.daily_cap_ms - pump.max_on_ms  # the flood did reach the cap
    capped = [e for e in events if e.get("safety") == "daily_cap"]
    refused_after_cap = [m for t, m, _ in watcher.messages if t.endswith("/response")
                         and "cap" in m]
    assert capped or refused_after_cap
