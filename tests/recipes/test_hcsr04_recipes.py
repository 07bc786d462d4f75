"""An HC-SR04 in a recipe: `[sensors.name]` with kind "hcsr04", its trigger on `pin` and its echo on
`echo`; compiled to a two-pin SENSOR record, refused in words when wired wrong, decompiled back to the
same bytes, described and diffed (docs/recipes.md, docs/sensors.md)."""

from __future__ import annotations

import pytest
from tendril.contract import CHANNEL_FROM_SENSOR, SensorKind, Unit
from tendril.image import decode
from tendril.recipes import compile_recipe, decompile, describe, diff, parse
from tendril.recipes.issues import RecipeError
from tendril.recipes.schema import json_schema

from .conftest import board

TANK = """\
[recipe]
name = "tank-level"
version = "1.0.0"
summary = "a water tank's distance to the surface, a pump"
boards = ["uno", "nano"]

[sensors.sonar]
kind = "hcsr04"
pin = "D7"
echo = "D8"
read_every = "500 ms"

[channels.gap]
sensor = "sonar"
quantity = "distance"

[actuators.pump]
pin = "D9"
kind = "relay"
max_on = "5 min"
daily_cap = "1 h"

[rules.fill]
when = { channel = "gap", above = "80 cm", hysteresis = "5 cm" }
do = { actuator = "pump", while = true }
"""


def _errors(text: str, board_name: str = "uno") -> list[str]:
    with pytest.raises(RecipeError) as got:
        compile_recipe(parse(text, "tank.toml"), board(board_name))
    return [str(issue) for issue in got.value.issues]


def test_a_sonar_compiles_to_a_two_pin_sensor_record_and_a_distance_channel():
    image = decode(compile_recipe(parse(TANK), board("uno")))
    (sonar,) = image.sensors
    assert (sonar.kind, sonar.pin, sonar.pin2, sonar.options, sonar.period_ms, sonar.rom) == (
        SensorKind.HCSR04, 7, 8, bytes(3), 500, bytes(8))
    (gap,) = image.channels
    assert (gap.kind, gap.pin, gap.quantity, gap.unit) == (CHANNEL_FROM_SENSOR, 0, 0, Unit.CM)


@pytest.mark.parametrize("with_recipe", [True, False])
def test_decompiling_gives_a_recipe_that_compiles_to_the_same_bytes(with_recipe):
    uno = board("uno")
    recipe = parse(TANK)
    data = compile_recipe(recipe, uno)
    text = decompile(data, uno, recipe if with_recipe else None)
    assert compile_recipe(parse(text), uno) == data
    assert 'echo = "D8"' in text and "rom =" not in text


def test_describe_names_both_pins():
    words = describe(parse(TANK))
    assert "sensor sonar: a HC-SR04 ultrasonic distance sensor on D7 (echo on D8), read every 500 ms" in words
    assert "reads gap (distance from sensor sonar, in cm) every 500 ms" in words


def test_diff_names_a_moved_echo():
    lines = diff(parse(TANK), parse(TANK.replace('echo = "D8"', 'echo = "D10"')), board("uno"))
    assert lines[0] == "sensor sonar echo D8 -> D10"


@pytest.mark.parametrize("change, where, words", [
    (('echo = "D8"\n', ""), "sensors.sonar", "a hcsr04 needs echo = \"...\" too"),
    (('read_every = "500 ms"', 'read_every = "50 ms"'), "sensors.sonar.read_every", "read every 60 ms .. 60 s"),
    (('read_every = "500 ms"', 'rom = "only"'), "sensors.sonar.rom", "a hcsr04 has no ROM code"),
    (('read_every = "500 ms"', 'resolution = 9'), "sensors.sonar.resolution", "a hcsr04 has no resolution"),
    (('quantity = "distance"', 'quantity = "temperature"'), "channels.gap.quantity",
     "a hcsr04 gives distance, not 'temperature'"),
    (('quantity = "distance"', 'quantity = "distance"\nunit = "%"'), "channels.gap.unit", "a hcsr04's distance is in cm"),
])
def test_a_wrongly_written_sonar_is_refused_in_words_at_its_line(change, where, words):
    with pytest.raises(RecipeError) as got:
        parse(TANK.replace(*change), "tank.toml")
    lines = [str(issue) for issue in got.value.issues]
    assert any(where in line and words in line for line in lines), lines


def test_a_ds18b20_has_no_echo():
    text = TANK.replace('kind = "hcsr04"', 'kind = "ds18b20"').replace('read_every = "500 ms"', "")
    with pytest.raises(RecipeError) as got:
        parse(text, "tank.toml")
    assert any("sensors.sonar.echo" in str(i) and "a ds18b20 has no echo pin" in str(i) for i in got.value.issues)


@pytest.mark.parametrize("change, board_name, where, words", [
    (('echo = "D8"', 'echo = "D7"'), "uno", "sensors.sonar.echo", "D7 is already used by its own pin"),
    (('echo = "D8"', 'echo = "D9"'), "uno", "sensors.sonar.echo", "D9 is already used by actuators.pump"),
    (('pin = "D9"', 'pin = "D7"'), "uno", "sensors.sonar.pin", "D7 is already used by actuators.pump"),
    (('echo = "D8"', 'echo = "D1"'), "uno", "sensors.sonar.echo", "D1 is reserved on uno"),
    (('echo = "D8"', 'echo = "A6"'), "nano", "sensors.sonar.echo", "A6 has no digital input and digital output on nano"),
])
def test_wrong_wiring_is_refused_in_words(change, board_name, where, words):
    lines = _errors(TANK.replace(*change), board_name)
    assert any(where in line and words in line for line in lines), lines


def test_a_probe_on_the_sonars_echo_pin_is_refused():
    text = TANK + '\n[sensors.probe]\nkind = "ds18b20"\npin = "D8"\n'
    lines = _errors(text)
    assert any("sensors.probe.pin" in line and "sensors.sonar's, a hcsr04" in line for line in lines), lines
    text = TANK.replace("[sensors.sonar]", '[sensors.probe]\nkind = "ds18b20"\npin = "D8"\n\n[sensors.sonar]')
    lines = _errors(text)
    assert any("sensors.sonar.echo" in line and "D8 is already used by sensors.probe" in line for line in lines), lines


def test_the_schema_knows_the_echo_pin():
    schema = json_schema()
    assert "hcsr04" in schema["$defs"]["sensor"]["properties"]["kind"]["enum"]
    assert "echo" in schema["$defs"]["sensor"]["properties"]
