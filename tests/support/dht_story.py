"""The DHT fault story every simulated board with a DHT driver tells: a DHT22 or DHT11 at 21.5 °C and
55.37 %RH (read back truncated to tenths, as the parts send them), then each fault in turn (no
answer, checksum, out of range) for 6 s with its recovery. Values worked out from the datasheets'
encoding, not from the code under test."""

from __future__ import annotations

from tendril.contract import EventKind, SensorFault

RECIPE = """\
[recipe]
name = "dht-story"
version = "1.0.0"
summary = "one DHT, every fault in turn"
boards = ["uno", "pico"]
telemetry = "1 s"

[sensors.air]
kind = "KIND"
pin = { uno = "D3", pico = "GP2" }
read_every = "2 s"

[channels.temp]
sensor = "air"
quantity = "temperature"

[channels.rh]
sensor = "air"
quantity = "humidity"
"""
EPISODES = [("no_answer", SensorFault.NO_ANSWER, 10_000, 16_000), ("crc", SensorFault.CRC, 24_000, 30_000),
            ("out_of_range", SensorFault.OUT_OF_RANGE, 38_000, 44_000)]
RUN_MS = 52_000
VALUES = {0: 21_500, 1: 55_300}  # thousandths of a °C and of a %
SLACK = 4_000  # a read period, the start signal and a sample
FIRST_READING_BY = 4_000


def recipe(kind: str) -> str:
    return RECIPE.replace("KIND", kind)


def scenario(kind: str, pin: str = "D3") -> list[str]:
    return [f"{kind} {pin} 21.5 55.37"] + [f"dht_fault {pin} {name} {f // 1000}s {u // 1000}s"
                                          for name, _c, f, u in EPISODES]


def check(telemetry: list[tuple[int, list[int | None]]], events) -> None:
    """telemetry: (time, values) of every TELEMETRY; events: every EVENT the board sent."""
    sensor = [(e.time_ms, e.a, e.b, e.value) for e in events if e.kind == EventKind.SENSOR]
    for ch, value in VALUES.items():
        mine = [(t, b, v) for t, a, b, v in sensor if a == ch]
        assert [b for _t, b, _v in mine] == [c for _n, code, _f, _u in EPISODES
                                             for c in (code, SensorFault.RECOVERED)], (ch, sensor)
        for k, (_n, code, begins, ends) in enumerate(EPISODES):
            (t_fault, _b, _v), (t_back, _r, back) = mine[2 * k], mine[2 * k + 1]
            assert begins <= t_fault <= begins + SLACK and ends <= t_back <= ends + SLACK, (code, mine)
            assert back == value
        assert telemetry
        for t, vals in telemetry:
            if any(begins + SLACK <= t <= ends for _n, _c, begins, ends in EPISODES):
                assert vals[ch] is None, (t, ch, vals)
            if t >= FIRST_READING_BY and not any(begins <= t <= ends + SLACK for _n, _c, begins, ends in EPISODES):
                assert vals[ch] == value, (t, ch, vals)
