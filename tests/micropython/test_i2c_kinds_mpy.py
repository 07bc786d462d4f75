"""The MicroPython firmware's I2C sensor kinds (tdfw/drivers_i2c.py) on the virtual board, whose
machine.I2C is the C bus and chip models every simulated board shares (firmware/sim/sim_i2c*.c):

- every kind on one bus: each TELEMETRY value is the datasheet's floating-point formula
  (tendril.sim.i2c_float) of the raw reading a part sends for the scenario's value, within the
  integer routine's resolution;
- faults: a missing chip (NO_ANSWER), a wrong chip ID (WRONG_CHIP), bad CRCs on an SHT3x and an
  AHT20 (CRC), SDA held low (BUS on every I2C channel), each followed by RECOVERED, while the
  channels not at fault (and an analog one) keep their readings.
"""

from __future__ import annotations

import pytest
from tendril.boards import load_board
from tendril.contract import EventKind, I2cStatus, SensorFault, SensorKind
from tendril.image import with_generation
from tendril.protocol import Ack, Event, Hello, ScanI2c, Telemetry
from tendril.recipes import compile_recipe, parse
from tendril.sim import i2c_float as f

from .link import held_board, play

HEAD = """\
[recipe]
name = "{name}"
version = "1.0.0"
summary = "I2C sensors on the Pico's bus"
boards = ["pico"]
telemetry = "1 s"
"""
I2C_KINDS = sum(1 << k for k in range(SensorKind.BME280, SensorKind.BH1750 + 1))


def _sensor(name: str, kind: str, address: int) -> str:
    return f'\n[sensors.{name}]\nkind = "{kind}"\naddress = 0x{address:02X}\nread_every = "1 s"\n'


def _channel(name: str, sensor: str, quantity: str) -> str:
    return f'\n[channels.{name}]\nsensor = "{sensor}"\nquantity = "{quantity}"\n'


# The model's BME280/BMP280 calibration (firmware/sim/README.md): the datasheet's example, and
# humidity parameters of the model's choosing.
CAL = f.DATASHEET_TP + (75, 370, 0, 301, 50, 30)


def _bme(celsius: float, hpa: float, rh: float | None) -> tuple[float, ...]:
    """(°C, %RH or None, hPa) the datasheet's double routine gives for the raw values the part sends."""
    cal = CAL if rh is not None else f.DATASHEET_TP + (0,) * 6
    adc_t, adc_p, adc_h = f.bme280_raw_for(cal, celsius, hpa * 100, rh)
    t, t_fine = f.bme280_temperature(cal, adc_t)
    h = None if rh is None else f.bme280_humidity(cal, adc_h, t_fine)
    return t, h, f.bme280_pressure(cal, adc_p, t_fine) / 100


def _word(formula, value: float, lo: int = 0, hi: int = 0xFFFF) -> float:
    return formula(f.invert(formula, value, lo, hi))


# (sensor, kind, address, scenario values) and the channels: (sensor, quantity, expected, tolerance
# in thousandths: the integer routine's step and rounding; the BME280's pressure routine is within
# 0.7 Pa of the double one: 7 milli-hPa)
SENSORS = (
    ("air", "bme280", 0x76, "temp=21.5 hum=40 press=1013.25"),
    ("baro", "bmp280", 0x77, "temp=-5.25 press=950"),
    ("sht", "sht3x", 0x45, "temp=27.3 hum=65.5"),
    ("sht4", "sht4x", 0x44, "temp=-12.4 hum=33.3"),
    ("aht", "aht20", 0x38, "temp=31.7 hum=72.1"),
    ("aht1", "aht10", 0x39, "temp=4.2 hum=18.9"),
    ("light", "bh1750", 0x23, "lux=1234.5"),
)
AIR, BARO = _bme(21.5, 1013.25, 40), _bme(-5.25, 950, None)
CHANNELS = (
    ("air", "temperature", AIR[0], 10), ("air", "humidity", AIR[1], 20), ("air", "pressure", AIR[2], 7),
    ("baro", "temperature", BARO[0], 10), ("baro", "pressure", BARO[2], 7),
    ("sht", "temperature", _word(f.sht_temperature, 27.3), 10),
    ("sht", "humidity", _word(f.sht3x_humidity, 65.5), 10),
    ("sht4", "temperature", _word(f.sht_temperature, -12.4), 10),
    ("sht4", "humidity", _word(f.sht4x_humidity, 33.3), 10),
    ("aht", "temperature", _word(f.aht20_temperature, 31.7, 0, 0xFFFFF), 10),
    ("aht", "humidity", _word(f.aht20_humidity, 72.1, 0, 0xFFFFF), 10),
    ("aht1", "temperature", _word(f.aht20_temperature, 4.2, 0, 0xFFFFF), 10),
    ("aht1", "humidity", _word(f.aht20_humidity, 18.9, 0, 0xFFFFF), 10),
    ("light", "illuminance", _word(f.bh1750_lux, 1234.5), 1),
)


def test_every_i2c_kind_reads_the_datasheet_formula_of_the_scenarios_values(tmp_path):
    recipe = HEAD.format(name="i2c-values") + "".join(_sensor(s, k, a) for s, k, a, _v in SENSORS)
    recipe += "".join(_channel(f"c{i}", s, q) for i, (s, q, _e, _t) in enumerate(CHANNELS))
    lines = [f"i2c {k} addr=0x{a:02x} {v}" for _s, k, a, v in SENSORS]
    hello, got = play(tmp_path, recipe, lines, 5_000)
    assert isinstance(hello, Hello) and hello.sensor_kinds & I2C_KINDS == I2C_KINDS
    rows = [m.values for m in got if isinstance(m, Telemetry) and m.time_ms >= 2_000]
    assert len(rows) >= 3
    for values in rows:
        for (sensor, quantity, expected, tol), value in zip(CHANNELS, values, strict=True):
            assert value is not None and abs(value - expected * 1000) <= tol, (sensor, quantity, value, expected)
    assert not [m for m in got if isinstance(m, Event) and m.kind == EventKind.SENSOR]


@pytest.mark.parametrize("speed, hz", [("", 100_000), ("400 kHz", 400_000)], ids=["100kHz", "400kHz"])
def test_the_bus_runs_at_the_recipes_speed_for_the_sensors_and_a_scan(tmp_path, speed, hz):
    recipe = HEAD.format(name="i2c-speed") + (f'\n[i2c]\nspeed = "{speed}"\n' if speed else "")
    recipe += _sensor("sht4", "sht4x", 0x44) + _channel("t", "sht4", "temperature")
    with held_board(tmp_path, ["i2c sht4x addr=0x44 temp=-12.4", "i2c bh1750 lux=5"]) as lk:
        board = load_board("pico")
        assert isinstance(lk.push(with_generation(compile_recipe(parse(recipe), board), 1))[-1], Ack)
        lk.run(3_000)
        page = lk.request(ScanI2c(0))
        made = list(lk.board.i2c_made)
    rows = [m.values[0] for m in lk.unsolicited if isinstance(m, Telemetry) and m.time_ms >= 2_000]
    assert rows and all(v is not None and abs(v - CHANNELS[7][2] * 1000) <= 10 for v in rows), rows
    assert page.status == I2cStatus.OK and page.addresses == (0x23, 0x44)
    assert made and {freq for _ms, freq in made} == {hz}, made  # the sensors' bus and the scan's


# --- faults: (channel index, fault, from ms, until ms) -----------------------------------------
FAULT_RECIPE = (HEAD.format(name="i2c-faults") + _sensor("air", "bme280", 0x76) + _sensor("sht", "sht3x", 0x44)
                + _sensor("aht", "aht20", 0x38) + _sensor("light", "bh1750", 0x23)
                + _channel("air_t", "air", "temperature") + _channel("sht_t", "sht", "temperature")
                + _channel("aht_t", "aht", "temperature") + _channel("lux", "light", "illuminance")
                + '\n[channels.soil]\npin = "GP26"\nkind = "analog"\n')
FAULT_LINES = ["i2c bme280 temp=20", "i2c sht3x temp=21", "i2c aht20 temp=22", "i2c bh1750 lux=100",
               "adc GP26 512",
               "i2c_fault 0x76 missing 3s 6s", "i2c_fault 0x44 crc 3s 6s",
               "i2c_fault 0x76 wrong_id 9s 12s", "i2c_fault 0x38 crc 9s 12s",
               "i2c_fault bus held_low 15s 18s"]
EPISODES = {  # channel: [(fault, from, until)]
    0: [(SensorFault.NO_ANSWER, 3_000, 6_000), (SensorFault.WRONG_CHIP, 9_000, 12_000), (SensorFault.BUS, 15_000, 18_000)],
    1: [(SensorFault.CRC, 3_000, 6_000), (SensorFault.BUS, 15_000, 18_000)],
    2: [(SensorFault.CRC, 9_000, 12_000), (SensorFault.BUS, 15_000, 18_000)],
    3: [(SensorFault.BUS, 15_000, 18_000)],
}
SLACK_MS = 2_100  # a fault shows at the sensor's next read and the channel's next sample


def test_i2c_faults_are_channel_faults_with_events_while_the_rest_carries_on(tmp_path):
    _hello, got = play(tmp_path, FAULT_RECIPE, FAULT_LINES, 21_000)
    events = [(m.time_ms, m.a, m.b) for m in got if isinstance(m, Event) and m.kind == EventKind.SENSOR]
    for ch, episodes in EPISODES.items():
        mine = [(t, b) for t, a, b in events if a == ch]
        assert [b for _t, b in mine] == [c for code, _f, _u in episodes for c in (code, SensorFault.RECOVERED)], (ch, mine)
        for k, (_code, begins, ends) in enumerate(episodes):
            assert begins <= mine[2 * k][0] <= begins + SLACK_MS, (ch, mine)
            assert ends <= mine[2 * k + 1][0] <= ends + SLACK_MS, (ch, mine)
    assert {a for _t, a, _b in events} == set(EPISODES)  # the analog channel never faulted
    rows = [(m.time_ms, m.values) for m in got if isinstance(m, Telemetry)]
    for t, values in rows:
        assert values[4] is not None, t  # the analog channel reads all along
        for ch, episodes in EPISODES.items():
            if t >= 1_000 and not any(b <= t <= u + SLACK_MS for _c, b, u in episodes):
                assert values[ch] is not None, (t, ch, values)  # a chip not at fault keeps reading
