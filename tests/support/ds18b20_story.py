"""The DS18B20 sensor vectors (tests/vectors/sensors/, from tests/vectors/cases_sensors.py) and the
check every simulated board's run of them must pass: the native board, the real AVR binary in
simavr and the MicroPython virtual board tell each story alike (docs/sensors.md, docs/rules.md)."""

from __future__ import annotations

import json

from tendril.contract import EventKind, SensorFault

from ..conftest import ROOT

VECTORS = ROOT / "tests" / "vectors" / "sensors"
FAULTS = json.loads((VECTORS / "ds18b20_faults.json").read_text(encoding="utf-8"))
TWO_PROBES = json.loads((VECTORS / "ds18b20_two_probes.json").read_text(encoding="utf-8"))


def scenario(vector: dict, board: str) -> list[str]:
    return [line.format(pin=vector["pins"][board]) for line in vector["scenario"]]


def sensor_events(events) -> list[tuple[int, int, int]]:
    """(time, fault, value) of every SENSOR EVENT, in order."""
    return [(e.time_ms, e.b, e.value) for e in events if e.kind == EventKind.SENSOR]


def check_faults(telemetry: list[tuple[int, int | None]], events: list[tuple[int, int, int]]) -> None:
    """The fault story's outcome, from (time, channel 0's value) of every TELEMETRY and the SENSOR
    EVENTs."""
    v = FAULTS
    slack, value = v["slack_ms"], v["value"]
    episodes = [(e["code"], e["from"], e["until"]) for e in v["episodes"]]
    expected = [c for code, _f, _u in episodes for c in (code, SensorFault.RECOVERED)]
    assert [f for _t, f, _v in events] == expected, events
    for k, (code, begins, ends) in enumerate(episodes):
        (t_fault, _f, _v), (t_back, _r, back) = events[2 * k], events[2 * k + 1]
        assert begins <= t_fault <= begins + slack, (code, t_fault)
        assert ends <= t_back <= ends + slack, (code, t_back)
        assert back == value
    assert {t for t, _v in telemetry} and {val for _t, val in telemetry} == {None, value}, telemetry
    for t, val in telemetry:
        if any(begins + slack <= t <= ends for _c, begins, ends in episodes):
            assert val is None, (t, val)
        if t >= v["first_reading_by"] and not any(begins <= t <= ends + slack for _c, begins, ends in episodes):
            assert val == value, (t, val)
