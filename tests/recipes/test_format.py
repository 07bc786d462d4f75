"""The recipe format: shipped recipes compile everywhere they say, errors name file, line and key."""

from __future__ import annotations

import json
import tomllib

import jsonschema
import pytest
from tendril.contract import ChannelKind, Operand, RuleAction, Unit
from tendril.image import decode
from tendril.recipes import (
    RecipeError,
    compile_recipe,
    decompile,
    describe,
    diff,
    json_schema,
    load,
    parse,
)
from tendril.sim.story import plant_waterer_image

from .conftest import PLANT, SHIPPED, board, line_of

CASES = [(p, b) for p in SHIPPED for b in load(p).meta.boards]


def test_all_the_issue_recipes_ship():
    assert {p.stem for p in SHIPPED} == {"plant-waterer", "greenhouse-vent", "night-light",
                                         "aquarium-top-off", "aquarium", "weather-logger", "greenhouse",
                                         "plant-waterer-flow", "weather-station", "greenhouse-sht4x"}


@pytest.mark.parametrize("path, name", CASES, ids=[f"{p.stem}-{b}" for p, b in CASES])
def test_shipped_recipe_compiles_and_round_trips_for_every_board_it_names(path, name):
    recipe, target = load(path), board(name)
    image = compile_recipe(recipe, target)
    assert decode(image).generation == 0
    assert compile_recipe(parse(decompile(image, target)), target) == image
    with_names = decompile(image, target, recipe)
    assert compile_recipe(parse(with_names), target) == image
    assert f'name = "{recipe.meta.name}"' in with_names


def test_plant_waterer_recipe_compiles_to_the_hand_compiled_story_image():
    assert compile_recipe(load(PLANT), board("uno")) == plant_waterer_image()


def test_the_issue_example_error_names_file_line_key_and_ceiling(tmp_path):
    text = PLANT.read_text().replace('max_on = "10 s"', 'max_on = "2 h"')
    path = tmp_path / "plant-waterer.toml"
    path.write_text(text)
    with pytest.raises(RecipeError) as err:
        compile_recipe(load(path), board("uno"))
    line = line_of(text, 'max_on = "2 h"')
    assert str(err.value) == f"plant-waterer.toml:{line} actuators.pump.max_on: 2 h is above the uno ceiling of 10 min"


def _errors(text: str, **kw) -> list[str]:
    with pytest.raises(RecipeError) as err:
        parse(text, "r.toml", **kw)
    return [str(i) for i in err.value.issues]


def test_every_problem_is_reported_at_once_with_its_own_line():
    text = PLANT.read_text().replace("smoothing = 2", "smoothing = 9\nbogus = 1").replace('"5 min"', '"5 parsecs"')
    errors = _errors(text)
    assert f"r.toml:{line_of(text, 'smoothing = 9')} channels.soil.smoothing: 9 is outside 0 .. 8" in errors
    assert any(e.startswith(f"r.toml:{line_of(text, 'bogus')} channels.soil.bogus: unknown key; valid keys here: pin,") for e in errors)
    assert any(e.startswith(f"r.toml:{line_of(text, 'parsecs')} actuators.pump.daily_cap: '5 parsecs' is not a duration") for e in errors)
    assert len(errors) == 3  # the rule that names soil is not blamed for soil's own errors


@pytest.mark.parametrize("right, typo, path, meant", [
    ('daily_cap = "5 min"', 'daly_cap = "5 min"', "actuators.pump.daly_cap", "daily_cap"),  # required
    ('cooldown = "2 min"', 'cooldwn = "2 min"', "rules.water.cooldwn", "cooldown"),  # optional
    ('{ channel = "soil", below', '{ chanel = "soil", below', "rules.water.when.chanel", "channel"),
    ('for = "$pulse" }', 'fr = "$pulse" }', "rules.water.do.fr", "for"),  # one of for / while
])
def test_a_misspelt_key_is_one_error_that_names_the_key_meant(right, typo, path, meant):
    text = PLANT.read_text().replace(right, typo)
    assert _errors(text) == [f"r.toml:{line_of(text, typo)} {path}: unknown key; did you mean {meant}?"]


def test_a_key_like_no_valid_one_still_lists_the_valid_keys_and_what_is_missing():
    text = PLANT.read_text().replace('daily_cap = "5 min"', 'zzz = "5 min"')
    assert _errors(text) == [
        f"r.toml:{line_of(text, 'zzz')} actuators.pump.zzz: unknown key; valid keys here: pin, kind, "
        "active_low, safe_state, max_on, min_off, daily_cap, min, max, safe, description",
        f"r.toml:{line_of(text, '[actuators.pump]')} actuators.pump: missing key 'daily_cap' (a relay needs it: "
        "every run needs a deadline)"]


def test_keys_inside_inline_tables_and_arrays_get_their_own_line():
    text = PLANT.read_text().replace('pico = [{ reading = "2.6 V"', 'pico = [{ reading = "2.6 X"')
    assert _errors(text) == [(f"r.toml:{line_of(text, '2.6 X')} channels.soil.calibration.pico[0].reading: "
                              "a reading is an ADC count (800) or volts at the pin (\"2.5 V\")")]
    text = PLANT.read_text().replace('below = "$dry_threshold"', 'below = "$wet"')
    assert _errors(text) == [(f"r.toml:{line_of(text, '$wet')} rules.water.when.below: no parameter named 'wet'; "
                              "parameters: $dry_threshold, $pulse")]


@pytest.mark.parametrize("replace, expected", [
    (('below = "$dry_threshold"', 'below = "35 °C"'), "rules.water.when.below: '35 °C' is not in %"),
    (('below = "$dry_threshold"', 'below = 35'), 'rules.water.when.below: give a unit: "35 %"'),
    (('for = "$pulse"', 'for = "$dry_threshold"'), "rules.water.do.for: parameter $dry_threshold is not a duration"),
    (('min = "1 s"', 'min = "0 s"'), "rules.water.do.for: parameter $pulse ranges 0 ms .. 10 s; a pulse needs 1 ms"),
    (('cooldown = "2 min"', 'cooldown = "16.5 s"'), "rules.water.cooldown: '16.5 s': 16500 ms cannot be stored exactly; 16 s or 17 s can"),
    (('unless = "tank_empty"', 'unless = "soil"'), "rules.water.unless: soil is analog; say when it blocks"),
    (('kind = "digital_pullup"', 'kind = "ds18b20"'), "channels.tank_empty.kind: expected one of analog, digital, digital_pullup"),
    (('smoothing = 2', 'smoothing = 2\ninvert = true'), "channels.soil.invert: only channels that read 0 or 1 invert"),
    (('[actuators.pump]', '[actuators.soil]'), "actuators.soil: the name 'soil' is already used by channels.soil"),
    (('kind = "relay"', 'kind = "valve"'), "actuators.pump.kind: expected relay, pwm or servo"),
    (('version = "1.0.0"', 'version = "1.0"'), "recipe.version: '1.0' is not valid here; use a semantic version"),
    (('"esp32-devkit"]', '"zx81"]'), "recipe.boards[4]: unknown board 'zx81'"),
    (('do = { actuator = "pump", for = "$pulse" }', 'do = { actuator = "pump", for = "$pulse", level = 9 }'),
     "rules.water.do.level: pump is a relay"),
    (('do = { actuator = "pump", for = "$pulse" }', 'do = { actuator = "pump", while = true, for = "1 s" }'),
     "rules.water.do: give exactly one of for or while (found both)"),
    (('max_on = "10 s"', 'max_on = "0 s"'), "actuators.pump.max_on: must be above 0"),
])
def test_mistakes_say_what_would_be_valid(replace, expected):
    text = PLANT.read_text().replace(*replace)
    assert text != PLANT.read_text()
    errors = _errors(text)
    assert any(expected in e for e in errors), errors


@pytest.mark.parametrize("replace, expected", [
    (('uno = "A0"', 'uno = "D4"'), "channels.soil.pin.uno: D4 has no analog input on uno; analog input pins: A0, A1"),
    (('uno = "D7"', 'uno = "D0"'), "actuators.pump.pin.uno: D0 is reserved on uno (UART RX (USB serial))"),
    (('uno = "D7"', 'uno = "A0"'), "actuators.pump.pin.uno: A0 is already used by channels.soil"),
    (('uno = "D7"', 'uno = "Z9"'), "actuators.pump.pin.uno: uno has no pin 'Z9'"),
    (('sample_every = "500 ms"', 'sample_every = "1 ms"'), "channels.soil.sample_every: 1 ms is faster than uno samples"),
    (('reading = 800, value = "0 %" }, { reading = 350', 'reading = 1800, value = "0 %" }, { reading = 350'),
     "channels.soil.calibration.uno[0].reading: uno reads 0 .. 1023"),
])
def test_board_checks_say_what_fits(replace, expected):
    text = PLANT.read_text().replace(*replace, 1)
    with pytest.raises(RecipeError) as err:
        compile_recipe(parse(text, "r.toml"), board("uno"))
    assert any(expected in str(i) for i in err.value.issues), err.value.issues


def test_what_a_kind_reads_comes_from_its_row_of_the_kind_table():
    """Full scale and volts by the kind's row: a digital pin reads 0 or 1, an ADC kind volts."""
    text = PLANT.read_text().replace('kind = "analog"', 'kind = "digital"', 1)
    for name, expected in (("pico", "channels.soil.calibration.pico[0].reading: soil is digital: it reads 0 or 1, not volts"),
                           ("uno", "channels.soil.calibration.uno[0].reading: uno reads 0 .. 1 on this pin")):
        with pytest.raises(RecipeError) as err:
            compile_recipe(parse(text, "r.toml"), board(name))
        assert any(expected in str(i) for i in err.value.issues), err.value.issues


def test_nano_uses_uno_pins_and_too_many_rules_for_an_uno_are_counted():
    recipe = load(PLANT)
    assert decode(compile_recipe(recipe, board("nano"))).channels[0].pin == 14
    extra = "".join(f'\n[rules.r{i}]\nevery = "1 h"\ndo = {{ actuator = "pump", for = "1 s" }}\n' for i in range(8))
    with pytest.raises(RecipeError) as err:
        compile_recipe(parse(PLANT.read_text() + extra, "r.toml"), board("uno"))
    assert "rules: 9 rules is above the uno limit of 8" in str(err.value)
    assert "the image would be 332 bytes" not in str(err.value)  # 332 B still fits 480
    assert len(compile_recipe(parse(PLANT.read_text() + extra, "r.toml"), board("mega2560"))) == 127 + 8 * 26


def test_units_parameters_and_rule_fields_reach_the_image():
    image = decode(compile_recipe(load(PLANT), board("uno")))
    (soil, tank), rule = image.channels, image.rules[0]
    assert soil.unit == Unit.PERCENT and soil.smoothing == 2 and soil.period_ms == 500
    assert tank.kind == ChannelKind.DIGITAL_PULLUP and (tank.gain, tank.offset) == (-1000 << 16, 1000)
    assert rule.operands == Operand.THRESHOLD | Operand.DURATION and (rule.threshold, rule.duration) == (0, 1)
    assert (rule.hold, rule.hysteresis, rule.period, rule.il_threshold) == (5000, 5000, 120_000, 500)
    assert image.params[0].default == 35_000 and image.params[1].max == 10_000
    vent = decode(compile_recipe(load(PLANT.with_name("greenhouse-vent.toml")), board("uno"))).rules[0]
    assert vent.action == RuleAction.FOLLOW and vent.above
    glow = decode(compile_recipe(load(PLANT.with_name("night-light.toml")), board("uno"))).rules[0]
    assert glow.level == 102  # "40 %" of 255


def test_volt_calibration_means_the_same_on_every_adc():
    recipe = load(PLANT.with_name("greenhouse-vent.toml"))
    for name, full, vref in (("uno", 1023, 5.0), ("pico", 65535, 3.3), ("esp32-devkit", 4095, 3.3)):
        ch = decode(compile_recipe(recipe, board(name))).channels[0]
        raw = round(0.75 / vref * full)  # 0.75 V: 25 °C on a TMP36
        value = ch.offset + ((raw * ch.gain) >> 16)
        assert abs(value - 25_000) < 600, (name, value)


def test_decompile_without_the_recipe_names_things_by_index():
    text = decompile(compile_recipe(load(PLANT), board("uno")), board("uno"))
    assert "[channels.channel0]" in text and "[rules.rule0]" in text and 'below = "$param0"' in text
    assert 'name = "plant-water"' in text and 'pin = "A0"' in text


def test_show_and_diff_speak_in_words():
    recipe = load(PLANT)
    assert "rule water: when soil is below dry_threshold (35 %) for 5 s, run pump for pulse (4 s)" in describe(recipe)
    changed = parse(PLANT.read_text().replace('max_on = "10 s"', 'max_on = "8 s"').replace('"35 %"', '"30 %"'))
    # most important first: a safety limit before a parameter
    assert diff(recipe, changed) == ["pump max_on 10 s -> 8 s", "parameter dry_threshold default 35 % -> 30 %"]
    assert diff(recipe, recipe) == []


def test_json_schema_accepts_shipped_recipes_and_refuses_unknown_keys():
    schema = json_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    for path in SHIPPED:
        doc = json.loads(json.dumps(tomllib.loads(path.read_text()), default=float))
        assert not list(validator.iter_errors(doc)), path
    doc = json.loads(json.dumps(tomllib.loads(PLANT.read_text()), default=float))
    doc["actuators"]["pump"]["max_onn"] = "1 s"
    assert list(validator.iter_errors(doc))
