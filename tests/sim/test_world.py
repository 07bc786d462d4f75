"""The world `tendril sim` starts a board in: the plant model wired to the recipe's own pins."""

from __future__ import annotations

from tendril.boards import load_board
from tendril.image import decode
from tendril.recipes import compile_recipe, load
from tendril.sim.runner import ROOT, SimSpec
from tendril.sim.world import calibration_spans, plant_wiring, unwired_warnings

RECIPES = ROOT / "boards" / "recipes"
PLANT = RECIPES / "plant-waterer.toml"
UNO = load_board("uno")


def pump_on_d8() -> str:
    return PLANT.read_text().replace('uno = "D7", mega2560 = "D7"', 'uno = "D8", mega2560 = "D8"')


def world(text_or_path, board=UNO, scenario=None):
    recipe = load(text_or_path)
    image = decode(compile_recipe(recipe, board))
    wiring = plant_wiring(image, board)
    warnings = unwired_warnings(image, board, calibration_spans(recipe, board),
                                [c.name for c in recipe.channels], wiring, scenario)
    return wiring, warnings


def test_the_plant_follows_the_recipes_pump_soil_and_float_pins():
    wiring, warnings = world(pump_on_d8())
    assert (wiring.soil, wiring.pump, wiring.float_pin, wiring.pump_active_low) == (14, 8, 2, True)
    assert (wiring.dry_raw, wiring.wet_raw) == (800, 350)  # the recipe's own 0 % and 100 %
    assert warnings == []
    line = wiring.scenario_line()
    assert line.startswith("plant soil=14 float=2 pump=8 pump_active=low ")
    assert wiring.words(UNO) == "soil sensor on A0 (dry 800, wet 350), pump on D8, tank float switch on D2"


def test_the_simulated_sensor_reads_in_the_recipes_calibration():
    text = PLANT.read_text().replace('uno = [{ reading = 800, value = "0 %" }, { reading = 350, value = "100 %" }]',
                                     'uno = [{ reading = 700, value = "0 %" }, { reading = 300, value = "100 %" }]')
    wiring, _ = world(text)
    assert (wiring.dry_raw, wiring.wet_raw) == (700, 300)


def test_on_a_micropython_board_the_plant_takes_the_recipes_gp_pins():
    pico = load_board("pico")
    wiring, _ = world(PLANT, pico)
    assert (wiring.soil, wiring.pump, wiring.float_pin) == (26, 16, 15)
    assert abs(wiring.dry_raw - 2.6 / 3.3 * 1023) <= 1 and abs(wiring.wet_raw - 1.1 / 3.3 * 1023) <= 1
    argv = SimSpec(board="pico", runtime="python", plant=wiring).argv()
    line = argv[argv.index("--set") + 1]  # the same `plant` line every runtime reads
    assert line == wiring.scenario_line() and "pump=16 " in line and f"dry_raw={wiring.dry_raw} " in line


def test_a_recipe_without_a_watering_rule_gets_no_plant_and_a_warning_per_odd_reading():
    wiring, warnings = world(RECIPES / "weather-logger.toml")
    assert wiring is None
    assert warnings[0].startswith("temperature on A0 reads 0 with nothing simulated wired to it: -50 °C, "
                                  "outside its calibration (readings 102 .. 307)")
    assert any(w.startswith("rain on A2 reads 0") and "141.5 %" in w for w in warnings)


def test_a_channel_a_scenario_drives_is_not_warned_about():
    _, warnings = world(RECIPES / "weather-logger.toml", scenario="adc A0 300\nadc 16 500 # rain\n")
    assert warnings == []


def test_a_float_switch_wired_the_other_way_is_left_alone():
    text = PLANT.read_text().replace("invert = true ", "invert = false")
    wiring, _ = world(text)
    assert wiring.float_pin is None and wiring.pump == 7
    assert "float" not in wiring.scenario_line()
