"""The pulse counter's sensor vector (tests/vectors/sensors/pulse_story.json, from
tests/vectors/cases_pulse.py) and the check every simulated board's run of it must pass."""

from __future__ import annotations

import json

from ..conftest import ROOT

STORY = json.loads((ROOT / "tests" / "vectors" / "sensors" / "pulse_story.json").read_text(encoding="utf-8"))
FLOW_RATE, FLOW_TOTAL, RAIN_RATE, RAIN_TOTAL, BOUNCY_RATE = range(5)


def scenario(vector: dict, board: str) -> list[str]:
    return [line.format(**vector["pins"][board]) for line in vector["scenario"]]


def _near(value: int | None, hz: float, t: int) -> None:
    # one pulse either way in a period (where its window falls), and 1 % for a late pass of the loop
    assert value is not None and abs(value - hz * 1000) <= 1000 + hz * 10, (t, value, hz)


def check_story(rows: list[tuple[int, list[int | None]]], events: list[tuple[int, int, int]]) -> None:
    """rows: (time, values) of every TELEMETRY; events: the SENSOR EVENTs (a counter has no fault to
    tell: a stuck meter and no flow look alike)."""
    v = STORY
    period = v["period_ms"]
    assert events == [], events
    assert rows and rows[-1][0] >= v["run_ms"] - 2 * period, rows[-1:]
    checked = 0
    for t, vals in rows:
        # a reading at t counts the period before it, read at most one period before t
        inside = [hz for begins, ends, hz in v["plateaus"] if begins + 2 * period <= t <= ends]
        if inside and t >= 2 * period + 500:
            _near(vals[FLOW_RATE], inside[0], t)
            checked += 1
        if 12_002 + 2 * period <= t <= 16_000:  # the stop: every pulse of 10 and 500 Hz, none missed
            assert vals[FLOW_TOTAL] == v["stop_total"], (t, vals[FLOW_TOTAL], v["stop_total"])
            checked += 1
        if t >= 3 * period:
            _near(vals[RAIN_RATE], v["rain_hz"], t)  # debounced: one count a tip
            _near(vals[BOUNCY_RATE], v["rain_hz"] * (1 + v["bounces"]), t)  # no debounce: every bounce
            assert abs(vals[RAIN_TOTAL] - v["rain_hz"] * t) <= 2 * v["rain_hz"] * period, (t, vals[RAIN_TOTAL])
    assert checked >= 12, checked
