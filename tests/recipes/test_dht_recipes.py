"""A DHT22 or DHT11 in a recipe: one `[sensors.name]` table, two channels (temperature and humidity),
compiled, decompiled back to the same bytes, described, and refused in words when wired wrong."""

from __future__ import annotations

import pytest
from tendril.contract import CHANNEL_FROM_SENSOR, SensorKind, Unit
from tendril.image import decode
from tendril.recipes import compile_recipe, decompile, describe, diff, parse
from tendril.recipes.issues import RecipeError

from .conftest import board

GREENHOUSE = """\
[recipe]
name = "greenhouse-air"
version = "1.0.0"
summary = "a DHT22 for the air, a fan"
boards = ["uno", "pico"]

[sensors.air]
kind = "dht22"
pin = { uno = "D4", pico = "GP2" }
read_every = "5 s"

[channels.air_temp]
sensor = "air"
quantity = "temperature"

[channels.air_rh]
sensor = "air"
quantity = "humidity"
smoothing = 2

[actuators.fan]
pin = { uno = "D7", pico = "GP15" }
kind = "relay"
max_on = "10 min"
daily_cap = "6 h"

[rules.vent]
when = { channel = "air_rh", above = "85 %", hysteresis = "5 %" }
do = { actuator = "fan", while = true }
"""


def _issues(text: str, board_name: str = "uno") -> list[str]:
    with pytest.raises(RecipeError) as got:
        compile_recipe(parse(text, "gh.toml"), board(board_name))
    return [str(issue) for issue in got.value.issues]


@pytest.mark.parametrize("board_name, pin", [("uno", 4), ("pico", 2)])
def test_a_dht22_compiles_to_one_sensor_record_and_two_channels(board_name, pin):
    image = decode(compile_recipe(parse(GREENHOUSE), board(board_name)))
    (air,) = image.sensors
    assert (air.kind, air.pin, air.options, air.period_ms, air.rom) == (SensorKind.DHT22, pin, bytes(3), 5000, bytes(8))
    temp, rh = image.channels
    assert (temp.kind, temp.pin, temp.quantity, temp.unit) == (CHANNEL_FROM_SENSOR, 0, 0, Unit.CELSIUS)
    assert (rh.kind, rh.pin, rh.quantity, rh.unit, rh.smoothing) == (CHANNEL_FROM_SENSOR, 0, 1, Unit.PERCENT, 2)


@pytest.mark.parametrize("kind", ["dht22", "dht11"])
@pytest.mark.parametrize("with_recipe", [True, False])
def test_decompiling_gives_a_recipe_that_compiles_to_the_same_bytes(kind, with_recipe):
    uno = board("uno")
    recipe = parse(GREENHOUSE.replace('"dht22"', f'"{kind}"'))
    data = compile_recipe(recipe, uno)
    text = decompile(data, uno, recipe if with_recipe else None)
    assert compile_recipe(parse(text), uno) == data
    assert f'kind = "{kind}"' in text and "\nrom = " not in text  # a DHT has no ROM code to write back


def test_describe_and_diff_say_what_the_dht_is():
    words = describe(parse(GREENHOUSE))
    assert "sensor air: a DHT22/AM2302 temperature and humidity on" in words
    assert "alone on its pin, read every 5 s" in words
    assert "reads air_rh (humidity from sensor air, in %)" in words
    lines = diff(parse(GREENHOUSE), parse(GREENHOUSE.replace('"dht22"', '"dht11"')), board("uno"))
    assert "sensor air kind dht22 -> dht11" in lines


@pytest.mark.parametrize("change, where, words", [
    (('read_every = "5 s"', 'read_every = "1 s"'), "sensors.air.read_every", "a dht22 is read every 2 s .. 60 s"),
    (('kind = "dht22"\npin = { uno = "D4", pico = "GP2" }\nread_every = "5 s"',
      'kind = "dht11"\npin = { uno = "D4", pico = "GP2" }\nread_every = "500 ms"'),
     "sensors.air.read_every", "a dht11 is read every 2 s .. 60 s"),
    (('read_every = "5 s"', 'rom = "only"'), "sensors.air.rom", "a dht22 has no ROM code (only 1-Wire devices do)"),
    (('read_every = "5 s"', 'resolution = 12'), "sensors.air.resolution", "a dht22 has no resolution"),
    (('quantity = "humidity"', 'quantity = "pressure"'), "channels.air_rh.quantity",
     "a dht22 gives temperature, humidity, not 'pressure'"),
    (('quantity = "humidity"', 'quantity = "humidity"\nunit = "°C"'), "channels.air_rh.unit",
     "a dht22's humidity is in %"),
])
def test_a_wrongly_written_dht_is_refused_in_words(change, where, words):
    with pytest.raises(RecipeError) as got:
        parse(GREENHOUSE.replace(*change), "gh.toml")
    lines = [str(issue) for issue in got.value.issues]
    assert any(where in line and words in line for line in lines), lines


SECOND = '\n[sensors.soil]\nkind = "{kind}"\npin = {{ uno = "D4", pico = "GP2" }}\n'


@pytest.mark.parametrize("kind", ["dht11", "ds18b20"])
def test_nothing_else_shares_a_dhts_pin(kind):
    lines = _issues(GREENHOUSE + SECOND.format(kind=kind))
    assert any("sensors.soil.pin" in line and "D4 is sensors.air's, a dht22" in line for line in lines), lines


def test_a_dht_on_a_pin_without_digital_out_is_refused():
    lines = _issues(GREENHOUSE.replace('uno = "D4"', 'uno = "A6"').replace('"uno", "pico"', '"nano", "pico"'), "nano")
    assert any("sensors.air.pin" in line and "A6 has no digital input and digital output on nano" in line
               for line in lines), lines
