"""A calibration on a sensor's channel: readings in the quantity's unit (`{ reading = "20 cm",
value = "100 %" }`) compiled to the channel's gain and offset exactly as for an analog channel,
decompiled, described and diffed back; refused in words when a reading is in the wrong unit or the
calibration is too steep; and a tank's level in % on the native board running the real C core."""

from __future__ import annotations

import shutil

import pytest
from tendril.boards import load_board
from tendril.contract import Unit
from tendril.image import decode
from tendril.image.codec import with_generation
from tendril.protocol import Ack, Telemetry
from tendril.recipes import compile_recipe, decompile, describe, diff, parse
from tendril.recipes.issues import RecipeError
from tendril.recipes.units import quantity, unit_of

from ..support.native_board import NativeBoard, build_native
from .conftest import board

TANK = """\
[recipe]
name = "sump"
version = "1.0.0"
summary = "a sump's water level in % from a sonar looking down at it"
boards = ["uno", "pico"]

[sensors.sonar]
kind = "hcsr04"
pin = { uno = "D7", pico = "GP2" }
echo = { uno = "D8", pico = "GP3" }
read_every = "200 ms"

[channels.level]
sensor = "sonar"
calibration = [{ reading = "20 cm", value = "100 %" }, { reading = "120 cm", value = "0 %" }]
"""

FLOW = """\
[recipe]
name = "probe"
version = "1.0.0"
summary = "a probe in mm"
boards = ["uno"]

[sensors.probe]
kind = "ds18b20"
pin = "D4"

[channels.water]
sensor = "probe"
unit = "°F"
calibration = { gain = 1.8, offset = "32 °F" }
"""


def _errors(text: str) -> list[str]:
    with pytest.raises(RecipeError) as got:
        compile_recipe(parse(text, "sump.toml"), board("uno"))
    return [str(issue) for issue in got.value.issues]


def test_two_points_in_cm_give_the_channel_its_gain_offset_and_the_unit_of_the_values():
    (level,) = decode(compile_recipe(parse(TANK), board("uno"))).channels
    # readings are thousandths of a cm; -1 % a cm: gain -1.0 in Q16.16, 120 % at 0 cm
    assert (level.unit, level.gain, level.offset) == (Unit.PERCENT, -65_536, 120_000)
    assert level.offset + ((60_000 * level.gain) >> 16) == 60_000  # 60 cm reads 60 %


def test_a_linear_calibration_is_in_units_per_unit_of_the_reading():
    (water,) = decode(compile_recipe(parse(FLOW), board("uno"))).channels
    assert (water.unit, water.gain, water.offset) == (Unit.FAHRENHEIT, round(1.8 * 65_536), 32_000)


@pytest.mark.parametrize("text", [TANK, FLOW])
@pytest.mark.parametrize("with_recipe", [True, False])
def test_decompiling_gives_back_the_same_bytes(text, with_recipe):
    uno = board("uno")
    recipe = parse(text)
    data = compile_recipe(recipe, uno)
    out = decompile(data, uno, recipe if with_recipe else None)
    assert compile_recipe(parse(out), uno) == data
    if with_recipe and text is TANK:
        assert 'calibration = [{ reading = "20 cm", value = "100 %" }, { reading = "120 cm", value = "0 %" }]' in out
    if not with_recipe and text is TANK:
        assert 'calibration = { gain = -1, offset = "120 %" }' in out


@pytest.mark.parametrize("text, unit", [("mm", Unit.MM), ("L", Unit.LITRE), ("litres", Unit.LITRE),
                                        ("mL", Unit.MILLILITRE), ("L/min", Unit.LITRE_PER_MIN),
                                        ("count", Unit.NONE), ("pulses", Unit.NONE)])
def test_the_unit_table_knows_what_a_maker_measures_water_in(text, unit):
    assert unit_of(text) == unit
    assert quantity(f"2.222 {text}", unit) == 2_222


def test_a_calibrated_channel_in_litres_compiles():
    text = FLOW.replace('unit = "°F"\ncalibration = { gain = 1.8, offset = "32 °F" }',
                        'calibration = [{ reading = "10 °C", value = "0 L" }, { reading = "30 °C", value = "200 L" }]')
    (water,) = decode(compile_recipe(parse(text), board("uno"))).channels
    assert (water.unit, water.gain, water.offset) == (Unit.LITRE, 10 * 65_536, -100_000)


def test_describe_says_what_each_reading_means():
    words = describe(parse(TANK))
    assert "calibration: 20 cm reads 100 % and 120 cm reads 0 %" in words
    assert "reads level (distance from sensor sonar, in %)" in words


def test_diff_shows_a_changed_calibration():
    lines = diff(parse(TANK), parse(TANK.replace('"120 cm"', '"140 cm"')), board("uno"))
    assert any(line.startswith("level calibration") and "140 cm" in line for line in lines), lines


@pytest.mark.parametrize("change, where, words", [
    (('"20 cm"', '"20 %"'), "channels.level.calibration[0].reading",
     "'20 %' is not in cm; write it like \"20 cm\" (a reading is what the sensor gives, in cm)"),
    (('"20 cm"', "20"), "channels.level.calibration[0].reading", "give a unit: \"20 cm\""),
    (('"120 cm"', '"20 cm"'), "channels.level.calibration[1].reading", "the two readings must differ"),
    (('"0 %"', '"0 °C"'), "channels.level.calibration[1].value", "'0 °C' is not in %"),
    (("calibration = [", 'unit = "cm"\ncalibration = ['), "channels.level.calibration[0].value", "is not in cm"),
])
def test_a_wrongly_written_calibration_is_refused_in_words(change, where, words):
    with pytest.raises(RecipeError) as got:
        parse(TANK.replace(*change), "sump.toml")
    lines = [str(issue) for issue in got.value.issues]
    assert any(where in line and words in line for line in lines), lines


def test_a_calibration_too_steep_for_the_image_is_refused():
    # 100 % over 0.001 cm: 100,000 % a cm, beyond the Q16.16 gain of an i32
    lines = _errors(TANK.replace('"120 cm"', '"20.001 cm"'))
    assert any("channels.level.calibration" in line and "too steep" in line for line in lines), lines
    with pytest.raises(RecipeError) as got:
        parse(FLOW.replace("gain = 1.8", "gain = 40000"), "probe.toml")
    assert any("channels.water.calibration.gain" in str(i) and "within +-32768 units per °C" in str(i)
               for i in got.value.issues), got.value.issues


@pytest.fixture(scope="module")
def plain():
    if shutil.which("gcc") is None or shutil.which("make") is None:
        pytest.skip("gcc and make are needed to build firmware/native")
    return build_native()[0]


def test_a_sonar_60_cm_above_the_water_reads_60_percent_on_the_native_board(plain, tmp_path):
    native = NativeBoard(plain, tmp_path / "ee.bin", "--fast", "--hold", "--set", "hcsr04 D7 D8 60")
    try:
        image = with_generation(compile_recipe(parse(TANK), load_board("uno")), 1)
        assert isinstance(native.push(image)[-1], Ack)
        native.run(3_000)
    finally:
        native.close()
    values = [m.values[0] for m in native.messages(Telemetry) if m.time_ms >= 1_000]
    assert values and all(v is not None and abs(v - 60_000) <= 200 for v in values), values
