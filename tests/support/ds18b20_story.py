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


# --- the bus search story (sensors/ds18b20_scan.json) ---------------------------------------------

SCAN = json.loads((VECTORS / "ds18b20_scan.json").read_text(encoding="utf-8"))


def scan_scenario(board: str) -> list[str]:
    return [line.format(pin=SCAN["pins"][board], **SCAN["names"][board]) for line in SCAN["scenario"]]


def play_scan(board: str, request, run) -> dict:
    """The searches of the story, on a board running its recipe: ``request(msg)`` gives the reply,
    ``run(ms)`` lets board time pass. The probe the recipe reads is mid-reading at some of them."""
    from tendril.protocol import ScanOneWire

    pins = SCAN["numbers"][board]
    got = {}
    run(2_500)
    got["bus"] = request(ScanOneWire(pins["bus"], 0))
    run(450)
    got["page"] = request(ScanOneWire(pins["bus"], 1))
    for name in ("held_low", "empty", "crc"):
        run(170)
        got[name] = request(ScanOneWire(pins[name], 0))
    run(620)
    got["again"] = request(ScanOneWire(pins["bus"], 0))
    run(SCAN["run_ms"] - 2_500 - 450 - 3 * 170 - 620)
    return got


def check_scan(board: str, got: dict, telemetry: list[tuple[int, int | None]], events) -> None:
    """Every search found what the story says, and the probe's readings went on through them."""
    from tendril.contract import ScanResult
    from tendril.protocol import RomCodes

    pins = SCAN["numbers"][board]
    codes = tuple(bytes.fromhex(c) for c in SCAN["codes"])
    bus = pins["bus"]
    assert got["bus"] == RomCodes(bus, ScanResult.OK, 0, len(codes), codes)
    assert got["again"] == got["bus"]  # the same order every time
    assert got["page"] == RomCodes(bus, ScanResult.OK, 1, len(codes), codes[1:])
    assert got["held_low"] == RomCodes(pins["held_low"], ScanResult.HELD_LOW, 0, 0, ())
    assert got["empty"] == RomCodes(pins["empty"], ScanResult.NO_DEVICE, 0, 0, ())
    assert got["crc"] == RomCodes(pins["crc"], ScanResult.CRC, 0, 0, ())
    assert not sensor_events(events), events
    readings = [value for t, value in telemetry if t >= 2_000]
    assert len(readings) >= 3 and set(readings) == {SCAN["value"]}, telemetry
