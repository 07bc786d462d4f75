"""I2C sensors in a recipe (docs/sensors.md, "I2C sensors"): `[sensors.name]` with an I2C kind on the
board's bus (sda and scl optional, the bus pins only), its address (the kind's default when left out),
one part an address, the bus pins kept for the bus; decompiled back to the same bytes."""

from __future__ import annotations

from dataclasses import replace

import pytest
from tendril.contract import CHANNEL_FROM_SENSOR, SensorKind
from tendril.image import decode
from tendril.recipes import compile_recipe, decompile, describe, parse
from tendril.recipes.issues import RecipeError

from .conftest import board

HEAD = """\
[recipe]
name = "weather"
version = "1.0.0"
summary = "a weather station"
boards = ["uno", "mega2560", "pico", "esp32-devkit", "nano"]
"""

WEATHER = HEAD + """
[sensors.air]
kind = "bme280"
address = 0x77
read_every = "5 s"

[sensors.light]
kind = "bh1750"

[channels.pressure]
sensor = "air"
quantity = "pressure"

[channels.humidity]
sensor = "air"
quantity = "humidity"

[channels.lux]
sensor = "light"
"""


def _error(text: str, name: str = "uno") -> str:
    with pytest.raises(RecipeError) as refused:
        compile_recipe(parse(text), board(name))
    return str(refused.value)


@pytest.mark.parametrize("name, sda, scl", [("uno", 18, 19), ("nano", 18, 19), ("mega2560", 20, 21),
                                            ("pico", 4, 5), ("esp32-devkit", 21, 22)])
def test_i2c_sensors_sit_on_the_board_bus_at_their_addresses(name, sda, scl):
    image = decode(compile_recipe(parse(WEATHER), board(name)))
    air, light = image.sensors
    assert (air.kind, air.pin, air.pin2, air.options, air.period_ms) == (SensorKind.BME280, sda, scl, bytes([0x77, 0, 0]), 5000)
    assert (light.kind, light.pin, light.pin2, light.options) == (SensorKind.BH1750, sda, scl, bytes([0x23, 0, 0]))
    pressure, humidity, lux = image.channels
    assert (pressure.kind, pressure.pin, pressure.quantity) == (CHANNEL_FROM_SENSOR, 0, 2)
    assert (humidity.quantity, lux.pin, lux.quantity) == (1, 1, 0)


def test_an_i2c_recipe_decompiles_to_the_same_bytes():
    for name in ("uno", "mega2560"):
        data = compile_recipe(parse(WEATHER), board(name))
        text = decompile(data, board(name))
        assert "sda" not in text and "pin =" not in text  # the bus goes without saying
        again = replace(parse(text), meta=parse(text).meta)
        assert compile_recipe(again, board(name))[22:] == data[22:]


def test_describe_says_the_bus_and_the_address():
    words = describe(parse(WEATHER))
    assert "sensor air: a BME280 temperature, humidity and pressure on the I2C bus, address 0x77" in words


def test_sda_and_scl_may_name_the_bus_pins_and_nothing_else():
    named = WEATHER.replace('kind = "bh1750"', 'kind = "bh1750"\nsda = { uno = "A4", mega2560 = "D20" }\nscl = "A5"')
    assert decode(compile_recipe(parse(named), board("uno"))).sensors[1].pin == 18
    assert "sensors.light.scl.mega2560" not in _error(named, "mega2560")  # a bare scl is for every board
    assert "A5 cannot be a bh1750's scl: mega2560's I2C bus is SDA D20, SCL D21" in _error(named, "mega2560")
    wrong = WEATHER.replace('address = 0x77', 'address = 0x77\nsda = "D2"')
    assert "D2 cannot be a bme280's sda: uno's I2C bus is SDA A4, SCL A5" in _error(wrong)


def test_a_pin_key_on_an_i2c_sensor_is_refused_in_words():
    text = WEATHER.replace('address = 0x77', 'address = 0x77\npin = "A4"')
    assert "sensors.air.pin: a bme280 has no `pin`: it is on the board's I2C bus (`sda` and `scl`" in _error(text)


def test_two_sensors_at_one_address_are_refused_naming_both():
    text = WEATHER + '\n[sensors.air2]\nkind = "bmp280"\naddress = 0x77\n\n[channels.t2]\nsensor = "air2"\n'
    assert "sensors `air` and `air2` are both at I2C address 0x77" in _error(text)
    other = text.replace('kind = "bmp280"\naddress = 0x77', 'kind = "bmp280"\naddress = 0x76')
    compile_recipe(parse(other), board("uno"))


@pytest.mark.parametrize("kind, address, words", [
    ("bme280", "0x78", "a bme280 answers at 0x76 or 0x77, not 0x78"),
    ("bh1750", "0x40", "a bh1750 answers at 0x23 or 0x5C, not 0x40"),
    ("sht4x", "0x47", "a sht4x answers at 0x44 .. 0x46, not 0x47"),
    ("aht20", "0x39", "a aht20 answers at 0x38, not 0x39"),
])
def test_an_address_the_part_cannot_have_is_refused_in_words(kind, address, words):
    text = WEATHER.replace('kind = "bme280"\naddress = 0x77', f'kind = "{kind}"\naddress = {address}')
    text = text.replace('quantity = "pressure"', 'quantity = "temperature"').replace('quantity = "humidity"',
                                                                                     'quantity = "temperature"')
    assert words in _error(text)


def test_a_channel_on_a_bus_pin_is_a_conflict_in_words():
    text = WEATHER + '\n[channels.soil]\npin = "A4"\nkind = "analog"\n'
    assert "A4 is already used by channels.soil, and uno's I2C bus is SDA A4, SCL A5" in _error(text)


def test_another_kind_of_sensor_on_a_bus_pin_is_a_conflict_in_words():
    after = WEATHER + '\n[sensors.probe]\nkind = "ds18b20"\npin = "A5"\n\n[channels.water]\nsensor = "probe"\n'
    assert "A5 is uno's I2C bus (sensors.air); a ds18b20 needs a pin of its own" in _error(after)
    before = HEAD + '\n[sensors.probe]\nkind = "ds18b20"\npin = "A5"\n' + WEATHER[len(HEAD):]
    assert "A5 is already used by sensors.probe, and uno's I2C bus is SDA A4, SCL A5" in _error(before)


def test_a_board_without_a_bus_refuses_an_i2c_sensor():
    busless = replace(board("uno"), i2c_sda=None, i2c_scl=None)
    with pytest.raises(RecipeError) as refused:
        compile_recipe(parse(WEATHER), busless)
    assert "uno has no I2C bus for a bme280" in str(refused.value)


FAST = WEATHER.replace("[sensors.air]", '[i2c]\nspeed = "400 kHz"\n\n[sensors.air]')


@pytest.mark.parametrize("name", ["uno", "mega2560", "pico", "esp32-devkit"])
def test_i2c_speed_400_khz_is_option_1_of_every_i2c_sensor_and_decompiles_back(name):
    data = compile_recipe(parse(FAST), board(name))
    assert [s.options for s in decode(data).sensors] == [bytes([0x77, 1, 0]), bytes([0x23, 1, 0])]
    text = decompile(data, board(name))
    assert '[i2c]\nspeed = "400 kHz"' in text
    assert compile_recipe(parse(text), board(name))[22:] == data[22:]
    slow = compile_recipe(parse(WEATHER.replace("[sensors.air]", '[i2c]\nspeed = "100 kHz"\n\n[sensors.air]')),
                          board(name))
    assert slow == compile_recipe(parse(WEATHER), board(name))  # 100 kHz is the default: the same bytes
    assert "[i2c]" not in decompile(slow, board(name))


def test_i2c_speed_is_described_and_diffed():
    from tendril.recipes import diff
    assert "on the I2C bus at 400 kHz, address 0x77" in describe(parse(FAST))
    assert any("speed" in line and "400 kHz" in line for line in diff(parse(WEATHER), parse(FAST)))


@pytest.mark.parametrize("table, words", [
    ('[i2c]\nspeed = "1 MHz"', "i2c.speed: '1 MHz' is not a bus speed: '100 kHz' or '400 kHz'"),
    ("[i2c]\nspeed = 400", "i2c.speed: '400' is not a bus speed"),
    ('[i2c]\nsped = "400 kHz"', "i2c.sped: unknown key; did you mean speed?"),
])
def test_a_bad_i2c_speed_is_refused_in_words(table, words):
    assert words in _error(WEATHER.replace("[sensors.air]", table + "\n\n[sensors.air]"))
    assert "i2c: expected a table with keys speed, not a string" in _error('i2c = "fast"\n' + WEATHER)


def test_an_i2c_speed_without_an_i2c_sensor_is_refused_in_words():
    text = HEAD + '\n[i2c]\nspeed = "400 kHz"\n\n[channels.soil]\npin = "A0"\n'
    assert "i2c: [i2c] sets the speed of the I2C sensors' bus, and this recipe has no I2C sensor" in _error(text)
