"""The I2C sensors' stories, told by every simulated board that runs the C firmware (the native board
at its HAL, the real AVR binary in simavr on its TWI), against the chip models of
firmware/sim/sim_i2c_chips.c:

- VALUES: every kind on one bus, values moving over time; each TELEMETRY value must be what the
  scenario asked for (the datasheet's formula of the raw reading the model sent) within the part's
  resolution, at some moment of the read that gave it.
- FAULTS: a missing chip (NO_ANSWER), a wrong chip ID (WRONG_CHIP), bad CRCs (CRC) on an SHT3x and
  an AHT20, SDA held low (BUS on every I2C channel), each followed by RECOVERED; the sensors not at
  fault keep reading meanwhile.
"""

from __future__ import annotations

from tendril.contract import EventKind, SensorFault

BOARDS = ("uno", "mega2560")
HEAD = f"""\
[recipe]
name = "{{name}}"
version = "1.0.0"
summary = "I2C sensors on the board bus"
boards = [{", ".join(f'"{b}"' for b in BOARDS)}]
telemetry = "1 s"
"""


def _sensor(name: str, kind: str, address: int) -> str:
    return f'\n[sensors.{name}]\nkind = "{kind}"\naddress = 0x{address:02X}\nread_every = "1 s"\n'


def _channel(name: str, sensor: str, quantity: str) -> str:
    return f'\n[channels.{name}]\nsensor = "{sensor}"\nquantity = "{quantity}"\n'


# (channel, sensor, kind, address, quantity, tolerance in thousandths: the part's resolution and
# the integer routine's rounding)
VALUE_CHANNELS = (
    ("air_t", "air", "bme280", 0x76, "temperature", 20),
    ("air_h", "air", "bme280", 0x76, "humidity", 150),
    ("air_p", "air", "bme280", 0x76, "pressure", 10),  # the routine's 0.7 Pa and the raw value's 0.17
    ("baro_p", "baro", "bmp280", 0x77, "pressure", 10),
    ("sht_h", "sht", "sht3x", 0x45, "humidity", 20),
    ("sht4_t", "sht4", "sht4x", 0x44, "temperature", 20),
    ("aht_h", "aht", "aht10", 0x39, "humidity", 20),
    ("lux", "light", "bh1750", 0x23, "illuminance", 900),
)
# The scenario's values: (time ms, value) points, linear between (firmware/sim/README.md).
SERIES = {
    ("air", "temperature"): ((0, 15.0), (40_000, 25.0)),
    ("air", "humidity"): ((0, 30.0), (40_000, 70.0)),
    ("air", "pressure"): ((0, 990.0), (40_000, 1030.0)),
    ("baro", "temperature"): ((0, 20.0),),
    ("baro", "pressure"): ((0, 1000.0), (40_000, 1010.0)),
    ("sht", "temperature"): ((0, 22.0),),
    ("sht", "humidity"): ((0, 20.0), (40_000, 80.0)),
    ("sht4", "temperature"): ((0, -10.0), (40_000, 40.0)),
    ("sht4", "humidity"): ((0, 50.0),),
    ("aht", "temperature"): ((0, 21.0),),
    ("aht", "humidity"): ((0, 40.0), (40_000, 60.0)),
    ("light", "illuminance"): ((0, 10.0), (40_000, 20_000.0)),
}
_KEYS = {"temperature": "temp", "humidity": "hum", "pressure": "press", "illuminance": "lux"}
VALUES_RUN_MS = 42_000
WINDOW_MS = 3_000  # a value was read at most this long before the TELEMETRY that carries it


def _points(series) -> str:
    return ",".join(f"{t}ms:{v:g}" for t, v in series)


def values_recipe(speed: str = "") -> str:
    """Every kind on one bus; ``speed``: the recipe's `[i2c] speed` ("400 kHz"), else the default."""
    sensors = {(s, k, a) for _c, s, k, a, _q, _t in VALUE_CHANNELS}
    text = HEAD.format(name="i2c-values") + (f'\n[i2c]\nspeed = "{speed}"\n' if speed else "")
    for name, kind, address in sorted(sensors, key=lambda x: x[2]):
        text += _sensor(name, kind, address)
    for channel, sensor, _k, _a, quantity, _t in VALUE_CHANNELS:
        text += _channel(channel, sensor, quantity)
    return text


def values_scenario() -> list[str]:
    lines = []
    for name, kind, address in sorted({(s, k, a) for _c, s, k, a, _q, _t in VALUE_CHANNELS}, key=lambda x: x[2]):
        values = " ".join(f"{_KEYS[q]}={_points(p)}" for (s, q), p in SERIES.items() if s == name)
        lines.append(f"i2c {kind} addr=0x{address:02x} {values}")
    return lines


def value_at(series, t: float) -> float:
    if t <= series[0][0]:
        return series[0][1]
    for (t0, v0), (t1, v1) in zip(series, series[1:]):
        if t <= t1:
            return v0 + (v1 - v0) * (t - t0) / (t1 - t0)
    return series[-1][1]


def check_values(rows: list[tuple[int, list]]) -> int:
    """Every value of every TELEMETRY from 3 s on is the scenario's at a moment of its window, within
    the tolerance. How many values were checked."""
    checked = 0
    for t, values in rows:
        if t < 3_000:
            continue
        for (channel, sensor, _k, _a, quantity, tol), got in zip(VALUE_CHANNELS, values):
            assert got is not None, (t, channel)
            series = SERIES[(sensor, quantity)]
            lo = min(value_at(series, t - dt) for dt in range(0, WINDOW_MS + 1, 100)) * 1000
            hi = max(value_at(series, t - dt) for dt in range(0, WINDOW_MS + 1, 100)) * 1000
            assert lo - tol <= got <= hi + tol, (t, channel, got, lo, hi)
            checked += 1
    return checked


# --- faults ---------------------------------------------------------------------------------------
FAULT_CHANNELS = ("air_t", "sht_t", "aht_t", "lux")  # channel i: FAULT_CHANNELS[i]
FAULTS_RECIPE = (HEAD.format(name="i2c-faults") + _sensor("air", "bme280", 0x76) + _sensor("sht", "sht3x", 0x44)
                 + _sensor("aht", "aht20", 0x38) + _sensor("light", "bh1750", 0x23)
                 + _channel("air_t", "air", "temperature") + _channel("sht_t", "sht", "temperature")
                 + _channel("aht_t", "aht", "temperature") + _channel("lux", "light", "illuminance"))
# (scenario target, fault, from ms, until ms, the channels it takes, the fault they report)
EPISODES = (
    ("0x23", "missing", 5_000, 10_000, (3,), SensorFault.NO_ANSWER),
    ("0x76", "wrong_id", 13_000, 18_000, (0,), SensorFault.WRONG_CHIP),
    ("0x44", "crc", 21_000, 26_000, (1,), SensorFault.CRC),
    ("0x38", "crc", 29_000, 34_000, (2,), SensorFault.CRC),
    ("bus", "held_low", 37_000, 42_000, (0, 1, 2, 3), SensorFault.BUS),
)
FAULTS_RUN_MS = 48_000
SLACK_MS = 2_500  # a read period, a conversion and the loop


def faults_scenario() -> list[str]:
    return ["i2c bme280 addr=0x76 temp=21", "i2c sht3x addr=0x44 temp=22", "i2c aht20 addr=0x38 temp=23",
            "i2c bh1750 addr=0x23 lux=500"] + [f"i2c_fault {who} {what} {a}ms {b}ms" for who, what, a, b, _c, _f in EPISODES]


def check_faults(rows: list[tuple[int, list]], events, held_low: int = SensorFault.BUS) -> None:
    """Each episode: its channels' fault EVENT soon after it begins, RECOVERED soon after it ends,
    and no other SENSOR EVENT; the channels it does not take read on through it. ``held_low``: the
    fault a held SDA gives on this board (simavr's TWI: see tests/sim/test_simavr_i2c.py)."""
    sensor = [(e.time_ms, e.a, e.b) for e in events if e.kind == EventKind.SENSOR]
    expected = []
    for _w, what, begins, ends, channels, fault in EPISODES:
        fault = held_low if what == "held_low" else fault
        for c in channels:
            got = [(t, b) for t, a, b in sensor if a == c and begins <= t <= ends + SLACK_MS]
            assert [b for _t, b in got] == [fault, SensorFault.RECOVERED], (FAULT_CHANNELS[c], got, sensor)
            assert got[0][0] <= begins + SLACK_MS and ends <= got[1][0] <= ends + SLACK_MS, (FAULT_CHANNELS[c], got)
            expected += [(got[0][0], c, fault), (got[1][0], c, SensorFault.RECOVERED)]
        for t, values in rows:  # the others carry on
            if begins <= t <= ends:
                assert all(values[c] is not None for c in range(len(FAULT_CHANNELS)) if c not in channels), (t, values)
    assert sorted(sensor) == sorted(expected), sensor
    for t, values in rows:  # the values between the faults are the scenario's
        if t >= 3_000 and all(v is not None for v in values):
            assert abs(values[0] - 21_000) <= 20 and abs(values[1] - 22_000) <= 20, (t, values)
            assert abs(values[2] - 23_000) <= 20 and abs(values[3] - 500_000) <= 900, (t, values)
