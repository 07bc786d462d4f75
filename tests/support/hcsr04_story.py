"""The HC-SR04 sensor vector (tests/vectors/sensors/hcsr04_faults.json, from
tests/vectors/cases_hcsr04.py) and the check every simulated board's run of it must pass."""

from __future__ import annotations

import json

from tendril.contract import SensorFault

from ..conftest import ROOT
from .ds18b20_story import sensor_events

FAULTS = json.loads((ROOT / "tests" / "vectors" / "sensors" / "hcsr04_faults.json").read_text(encoding="utf-8"))
__all__ = ["FAULTS", "scenario", "sensor_events", "check_faults"]


def scenario(vector: dict, board: str) -> list[str]:
    return [line.format(**vector["pins"][board]) for line in vector["scenario"]]


def check_faults(telemetry: list[tuple[int, int | None]], events: list[tuple[int, int, int]]) -> None:
    """The fault story's outcome, from (time, channel 0's value) of every TELEMETRY and the SENSOR
    EVENTs: each episode's fault once, inside its window, and its recovery with the reading."""
    v = FAULTS
    slack, value, tol = v["slack_ms"], v["value"], v["tolerance"]
    episodes = [(e["code"], e["from"], e["until"]) for e in v["episodes"]]
    expected = [c for code, _f, _u in episodes for c in (code, SensorFault.RECOVERED)]
    assert [f for _t, f, _v in events] == expected, events
    for k, (code, begins, ends) in enumerate(episodes):
        (t_fault, _f, _v), (t_back, _r, back) = events[2 * k], events[2 * k + 1]
        assert begins <= t_fault <= begins + slack, (code, t_fault)
        assert ends <= t_back <= ends + slack, (code, t_back)
        assert abs(back - value) <= tol, back
    assert any(val is None for _t, val in telemetry), telemetry
    for t, val in telemetry:
        if any(begins + slack <= t < ends for _c, begins, ends in episodes):  # over at `until`
            assert val is None, (t, val)
        if t >= v["first_reading_by"] and not any(begins <= t <= ends + slack for _c, begins, ends in episodes):
            assert val is not None and abs(val - value) <= tol, (t, val)
