"""Wrong wiring of the sensor kinds on main (DS18B20, HC-SR04), each refused in words at its line:
two sensors of different kinds on one pin, a sensor on a channel's pin, a ROM code that is not one,
a trigger on a pin that cannot drive it (docs/recipes.md, "Sensors"). Complements the cases in
test_sensor_recipes.py and test_hcsr04_recipes.py."""

from __future__ import annotations

import pytest
from tendril.recipes import compile_recipe, parse
from tendril.recipes.issues import RecipeError

from .conftest import board
from .test_hcsr04_recipes import TANK
from .test_sensor_recipes import AQUARIUM

PROBE_ON_D7 = '\n[sensors.probe]\nkind = "ds18b20"\npin = "D7"\n'
DOOR = '\n[channels.door]\npin = "{pin}"\nkind = "digital"\n'


def _lines(text: str, board_name: str = "uno") -> list[str]:
    with pytest.raises(RecipeError) as got:
        compile_recipe(parse(text, "wiring.toml"), board(board_name))
    return [str(issue) for issue in got.value.issues]


def _esp32(text: str, trigger: str) -> str:
    return (text.replace('boards = ["uno", "nano"]', 'boards = ["esp32-devkit"]')
            .replace('pin = "D7"', f'pin = "{trigger}"').replace('echo = "D8"', 'echo = "GPIO19"')
            .replace('pin = "D9"', 'pin = "GPIO25"'))


@pytest.mark.parametrize("text, board_name, where, words", [
    # two kinds on one pin, either order
    (TANK + PROBE_ON_D7, "uno", "wiring.toml:29 sensors.probe.pin",
     "D7 is sensors.sonar's, a hcsr04: only DS18B20 probes share a pin (a 1-Wire bus)"),
    (TANK.replace("[sensors.sonar]", PROBE_ON_D7.strip() + "\n\n[sensors.sonar]"), "uno",
     "wiring.toml:13 sensors.sonar.pin", "D7 is sensors.probe's, a ds18b20: only DS18B20 probes share a pin"),
    # two sonars: a trigger is not a bus, nor an echo
    (TANK + '\n[sensors.sonar2]\nkind = "hcsr04"\npin = "D7"\necho = "D10"\n', "uno",
     "sensors.sonar2.pin", "D7 is sensors.sonar's, a hcsr04: only DS18B20 probes share a pin"),
    (TANK + '\n[sensors.sonar2]\nkind = "hcsr04"\npin = "D10"\necho = "D8"\n', "uno",
     "sensors.sonar2.echo", "D8 is already used by sensors.sonar; a hcsr04's echo needs a pin of its own"),
    # a sensor on a channel's pin
    (AQUARIUM + DOOR.format(pin="D3"), "uno", "sensors.tank.pin",
     "D3 is already used by channels.door; a sensor needs a pin of its own"),
    (TANK + DOOR.format(pin="D8"), "uno", "sensors.sonar.echo",
     "D8 is already used by channels.door; a hcsr04's echo needs a pin of its own"),
    # a pin that cannot: an analog-only pin, an input-only pin for the trigger
    (TANK.replace('pin = "D7"', 'pin = "A6"'), "nano", "sensors.sonar.pin",
     "A6 has no digital input and digital output on nano; hcsr04 pins: D2, D3,"),
    (_esp32(TANK, "GPIO34"), "esp32-devkit", "sensors.sonar.pin",
     "GPIO34 has no digital output on esp32-devkit; hcsr04 pins: GPIO4,"),
])
def test_wrong_wiring_is_named_in_words(text, board_name, where, words):
    lines = _lines(text, board_name)
    assert any(where in line and words in line for line in lines), lines


@pytest.mark.parametrize("rom, words", [
    ("28ab8967452301zz", "a ROM code is 64 bits: 16 hex digits, family byte first"),
    ("28ab89674523015a00", "a ROM code is 64 bits: 16 hex digits"),
    ("28 ab 89 67 45 23", "a ROM code is 64 bits"),
])
def test_a_rom_code_that_is_not_one_is_refused_in_words(rom, words):
    with pytest.raises(RecipeError) as got:
        parse(AQUARIUM.replace("28ab89674523015a", rom), "wiring.toml")
    lines = [str(issue) for issue in got.value.issues]
    assert any("wiring.toml:10 sensors.tank.rom" in line and words in line for line in lines), lines


def test_a_trigger_on_an_input_only_pin_compiles_once_moved():
    compile_recipe(parse(_esp32(TANK, "GPIO18")), board("esp32-devkit"))
