"""The DHT sensor vectors (tests/vectors/sensors/dht22_faults.json and dht11_faults.json, from
tests/vectors/cases_dht.py) and the check every simulated board's run of one must pass: its readings
over time, and each fault once, inside its window, with its recovery."""

from __future__ import annotations

import json

from tendril.contract import EventKind, SensorFault

from ..conftest import ROOT

VECTORS = {kind: json.loads((ROOT / "tests" / "vectors" / "sensors" / f"{kind}_faults.json").read_text(encoding="utf-8"))
           for kind in ("dht22", "dht11")}
RUN_MS = VECTORS["dht22"]["run_ms"]
assert all(v["run_ms"] == RUN_MS for v in VECTORS.values())


def recipe(kind: str) -> str:
    return VECTORS[kind]["recipe"]


def scenario(kind: str, board: str = "uno") -> list[str]:
    v = VECTORS[kind]
    return [line.format(**v["pins"][board]) for line in v["scenario"]]


def _expected(v: dict, t: int, ch: int) -> int:
    return [r["values"][ch] for r in v["readings"] if r["from"] <= t][-1]


def check(kind: str, telemetry: list[tuple[int, list[int | None]]], events) -> None:
    """telemetry: (time, values) of every TELEMETRY; events: every EVENT the board sent."""
    v = VECTORS[kind]
    slack, episodes = v["slack_ms"], [(e["code"], e["from"], e["until"]) for e in v["episodes"]]
    changes = [r["from"] for r in v["readings"][1:]]
    sensor = [(e.time_ms, e.a, e.b, e.value) for e in events if e.kind == EventKind.SENSOR]
    assert telemetry
    for ch in (0, 1):
        mine = [(t, b, val) for t, a, b, val in sensor if a == ch]
        assert [b for _t, b, _v in mine] == [c for code, _f, _u in episodes
                                             for c in (code, SensorFault.RECOVERED)], (ch, sensor)
        for k, (code, begins, ends) in enumerate(episodes):
            (t_fault, _b, _v), (t_back, _r, back) = mine[2 * k], mine[2 * k + 1]
            assert begins <= t_fault <= begins + slack and ends <= t_back <= ends + slack, (code, mine)
            assert back == _expected(v, t_back, ch), (code, t_back, back)
        for t, vals in telemetry:
            if any(begins + slack <= t < ends for _c, begins, ends in episodes):  # over at `until`
                assert vals[ch] is None, (t, ch, vals)
            settled = not any(begins <= t <= ends + slack for _c, begins, ends in episodes) and \
                not any(c <= t <= c + slack for c in changes)
            if t >= v["first_reading_by"] and settled:
                assert vals[ch] == _expected(v, t, ch), (t, ch, vals)
    for r in v["readings"]:  # every reading over time was seen
        assert any(vals[:2] == r["values"] for t, vals in telemetry if t >= r["from"]), r
