"""`[sensors.name]` tables and the channels that take a sensor's quantity: compiled, refused in
words when wired wrong, decompiled back to the same bytes, described and diffed (docs/recipes.md)."""

from __future__ import annotations

import pytest
from tendril.contract import CHANNEL_FROM_SENSOR, SensorKind, Unit
from tendril.image import decode
from tendril.recipes import compile_recipe, decompile, describe, diff, parse
from tendril.recipes.issues import RecipeError
from tendril.recipes.schema import json_schema

from .conftest import board

ROM_A, ROM_B = "28ab89674523015a", "28efbe00000000fe"  # family 28, a serial, its CRC-8

AQUARIUM = f"""\
[recipe]
name = "aquarium-probes"
version = "1.0.0"
summary = "two probes on one 1-Wire bus, a heater"
boards = ["uno", "nano"]

[sensors.tank]
kind = "ds18b20"
pin = "D3"
rom = "{ROM_A}"
resolution = 11
read_every = "2 s"

[sensors.room]
kind = "ds18b20"
pin = "D3"
rom = "{ROM_B.upper()}"

[channels.water]
sensor = "tank"
quantity = "temperature"

[channels.air]
sensor = "room"
smoothing = 2

[actuators.heater]
pin = "D7"
kind = "relay"
max_on = "10 min"
daily_cap = "2 h"

[rules.heat]
when = {{ channel = "water", below = "24.5 °C", hysteresis = "0.5 °C" }}
do = {{ actuator = "heater", while = true }}
"""


def _errors(text: str, board_name: str = "uno") -> list[str]:
    with pytest.raises(RecipeError) as got:
        compile_recipe(parse(text, "aq.toml"), board(board_name))
    return [str(issue) for issue in got.value.issues]


def test_two_probes_on_one_bus_compile_to_sensor_records_and_sensor_channels():
    image = decode(compile_recipe(parse(AQUARIUM), board("uno")))
    tank, room = image.sensors
    assert (tank.kind, tank.pin, tank.options, tank.period_ms, tank.rom.hex()) == (
        SensorKind.DS18B20, 3, bytes([11, 0, 0]), 2000, ROM_A)
    assert (room.pin, room.options[0], room.rom.hex()) == (3, 12, ROM_B)  # 12 bits when left out
    water, air = image.channels
    assert (water.kind, water.pin, water.quantity, water.unit) == (CHANNEL_FROM_SENSOR, 0, 0, Unit.CELSIUS)
    assert (air.pin, air.smoothing, air.period_ms) == (1, 2, 2000)  # sampled as often as its sensor is read
    assert (water.gain, water.offset) == (1 << 16, 0)  # thousandths of a degree in, the same out


@pytest.mark.parametrize("with_recipe", [True, False])
def test_decompiling_gives_a_recipe_that_compiles_to_the_same_bytes(with_recipe):
    uno = board("uno")
    recipe = parse(AQUARIUM)
    data = compile_recipe(recipe, uno)
    text = decompile(data, uno, recipe if with_recipe else None)
    assert compile_recipe(parse(text), uno) == data
    assert ('[sensors.tank]' in text) == with_recipe and f'rom = "{ROM_B}"' in text


def test_describe_says_what_each_sensor_is_and_where_a_channel_reads_from():
    words = describe(parse(AQUARIUM))
    assert f"sensor tank: a DS18B20 temperature probe on D3, ROM {ROM_A}, 11-bit, read every 2 s" in words
    assert "reads water (temperature from sensor tank, in °C) every 2 s" in words


def test_diff_names_a_probe_moved_to_another_pin_first():
    old = parse(AQUARIUM)
    new = parse(AQUARIUM.replace('pin = "D3"\nrom = "28EF', 'pin = "D4"\nrom = "28EF')
                .replace("resolution = 11", "resolution = 10"))
    lines = diff(old, new, board("uno"))
    assert lines[0] == "sensor room pin D3 -> D4"
    assert "sensor tank resolution 11 -> 10" in lines


@pytest.mark.parametrize("change, where, words", [
    # the ROM code: 64 bits, its CRC-8, a DS18B20's family
    (("28ab89674523015a", "28ab89674523015b"), "sensors.tank.rom", "fails its CRC-8 (its last byte should be 5a)"),
    (("28ab89674523015a", "28ab8967452301"), "sensors.tank.rom", "a ROM code is 64 bits: 16 hex digits"),
    (("28ab89674523015a", "10ab8967452301bf"), "sensors.tank.rom", "a DS18B20's is 28"),
    (("resolution = 11", "resolution = 8"), "sensors.tank.resolution", "8 is outside 9 .. 12"),
    (('read_every = "2 s"', 'read_every = "500 ms"'), "sensors.tank.read_every", "read every 1 s .. 60 s"),
    (('sensor = "tank"', 'sensor = "tnak"'), "channels.water.sensor", "no sensor named 'tnak'; sensors: tank, room"),
    (('quantity = "temperature"', 'quantity = "humidity"'), "channels.water.quantity",
     "a ds18b20 gives temperature, not 'humidity'"),
    (('quantity = "temperature"', 'quantity = "temperature"\ncalibration = [{ reading = "20 %", value = "0 %" }, '
                                  '{ reading = "30 °C", value = "100 %" }]'),
     "channels.water.calibration[0].reading", "'20 %' is not in °C; write it like \"20 °C\" (a reading is what the sensor gives"),
    (('quantity = "temperature"', 'quantity = "temperature"\nunit = "%"'), "channels.water.unit",
     "a ds18b20's temperature is in °C"),
    (('quantity = "temperature"', 'quantity = "temperature"\nsample_every = "1 s"'), "channels.water.sample_every",
     "would sample faster than tank is read (2 s) and go stale"),
])
def test_a_wrongly_written_sensor_is_refused_in_words_at_its_line(change, where, words):
    text = AQUARIUM.replace(*change)
    with pytest.raises(RecipeError) as got:
        parse(text, "aq.toml")
    lines = [str(issue) for issue in got.value.issues]
    assert any(where in line and words in line for line in lines), lines


@pytest.mark.parametrize("change, board_name, where, words", [
    ((f'rom = "{ROM_B.upper()}"\n', ""), "uno", "sensors.room.pin",
     "sensors.tank is on D3 too: on a shared 1-Wire bus every probe names its rom"),
    ((ROM_B.upper(), ROM_A), "uno", "sensors.room.rom", "sensors.tank has the same ROM code"),
    (('pin = "D7"', 'pin = "D3"'), "uno", "sensors.tank.pin", "D3 is already used by actuators.heater"),
    (('pin = "D3"\nrom = "28ab', 'pin = "D1"\nrom = "28ab'), "uno", "sensors.tank.pin", "D1 is reserved on uno"),
    (('pin = "D3"\nrom = "28ab', 'pin = "A6"\nrom = "28ab'), "nano", "sensors.tank.pin",
     "A6 has no digital input and digital output on nano; 1-Wire pins:"),
])
def test_wrong_wiring_is_refused_in_words(change, board_name, where, words):
    lines = _errors(AQUARIUM.replace(*change), board_name)
    assert any(where in line and words in line for line in lines), lines


def test_the_schema_knows_sensors_and_sensor_channels():
    schema = json_schema()
    assert schema["$defs"]["sensor"]["properties"]["kind"]["enum"][:4] == ["ds18b20", "dht22", "dht11", "hcsr04"]
    assert {"required": ["sensor"]} in schema["$defs"]["channel"]["oneOf"]
