"""Home Assistant discovery built from real compiled recipes: accepted by the validator, stable ids,
no ghost entities after a push that drops something."""

from __future__ import annotations

import dataclasses
import json

import pytest

from tendril.contract import BoardClass, Unit
from tendril.image import decode
from tendril.mqtt.discovery import Discovery, device_class
from tendril.mqtt.ha_rules import SENSOR_UNITS, problems
from tendril.protocol.device import Hello
from tendril.recipes import load

from .conftest import RECIPES, shipped


def hello(board_class=BoardClass.AVR328) -> Hello:
    return Hello(protocol_version=1, board_class=board_class, fw_major=1, fw_minor=2, fw_patch=3,
                 reset_cause=0, flags=0, device_id=0xDE7A15C8, boot_count=1, capabilities=0,
                 config_generation=1, recipe_hash=bytes(16), max_payload=128, max_image=512,
                 text="tendril-avr")


@pytest.mark.parametrize("name, board", shipped())
def test_every_shipped_recipe_gives_a_payload_home_assistant_accepts(compiled, name, board):
    recipe, b, image = compiled(name, board)
    img = decode(image)  # the board runs this: the payload names what it holds, index for index
    payload = json.loads(Discovery("de7a15c8").json(recipe, hello(b.board_class), version="0.1"))
    assert problems(payload) == []
    cmps = payload["cmps"]
    assert len([c for c in cmps if "_channel_" in c]) == len(img.channels)
    assert len([c for c in cmps if c.startswith("switch_actuator_")]) == len(img.actuators)
    assert [cmps[f"number_parameter_{p.name}"]["min"] * 1000 for p in recipe.params] == [p.min for p in img.params]
    assert payload["availability_mode"] == "all" and len(payload["availability"]) == 2


def test_sensors_get_a_device_class_only_with_a_unit_home_assistant_accepts_with_it():
    for unit in Unit:
        for name in ("soil", "air_humidity", "level", "co2", "rain_total", "x"):
            cls = device_class(name, unit)
            if cls is not None:
                from tendril.contract import UNIT_SYMBOLS
                assert UNIT_SYMBOLS[unit] in SENSOR_UNITS[cls], (name, unit, cls)
    assert device_class("soil", Unit.PERCENT) == "moisture"
    assert device_class("air_humidity", Unit.PERCENT) == "humidity"
    assert device_class("tank_level", Unit.PERCENT) is None  # a % that is neither: no class
    assert device_class("t", Unit.CELSIUS) == "temperature"
    assert device_class("light", Unit.LUX) == "illuminance"
    assert device_class("anything", Unit.RAW) is None
    assert device_class("gap", Unit.CM) == device_class("depth", Unit.MM) == "distance"
    assert device_class("rain", Unit.MM) == device_class("rain_total", Unit.MM) == "precipitation"
    assert device_class("snowfall", Unit.CM) == "precipitation"


def test_the_weather_station_says_its_rain_is_precipitation_and_its_pressure_a_pressure():
    recipe = load(RECIPES[0].parent / "weather-station.toml")
    payload = Discovery("de7a15c8").payload(recipe)
    assert problems(payload) == []  # every pair as HA accepts it
    cmps = payload["cmps"]
    classes = {k.removeprefix("sensor_channel_"): (c.get("device_class"), c.get("unit_of_measurement"))
               for k, c in cmps.items() if k.startswith("sensor_channel_")}
    assert classes["rain"] == classes["rain_total"] == ("precipitation", "mm")
    assert classes["pressure"] == ("pressure", "hPa") and classes["light"] == ("illuminance", "lx")


def test_digital_channels_are_binary_sensors_and_analog_ones_sensors():
    recipe = load(RECIPES[0].parent / "plant-waterer.toml")
    cmps = Discovery("de7a15c8").components(recipe)
    assert cmps["binary_sensor_channel_tank_empty"]["p"] == "binary_sensor"
    assert cmps["sensor_channel_soil"]["p"] == "sensor"
    assert cmps["sensor_channel_soil"]["device_class"] == "moisture"
    assert cmps["sensor_channel_soil"]["state_class"] == "measurement"
    assert cmps["switch_actuator_pump"]["p"] == "switch"
    assert cmps["number_run_time_pump"]["max"] == 10  # the pump's max_on
    assert "object_id" not in json.dumps(cmps)
    assert all(c["default_entity_id"].startswith(c["p"] + ".") for c in cmps.values())


def test_unique_ids_follow_names_not_indexes():
    recipe = load(RECIPES[0].parent / "plant-waterer.toml")
    reordered = dataclasses.replace(recipe, channels=recipe.channels[::-1], params=recipe.params[::-1])
    a = Discovery("de7a15c8").components(recipe)
    b = Discovery("de7a15c8").components(reordered)
    assert a == b  # same ids, same configs: nothing in them depends on an index
    other_board = Discovery("0000beef").components(recipe)
    assert not {c["unique_id"] for c in a.values()} & {c["unique_id"] for c in other_board.values()}


def test_a_push_that_drops_a_channel_removes_its_entity():
    before = load(RECIPES[0].parent / "plant-waterer.toml")
    after = dataclasses.replace(before, channels=before.channels[:1], params=before.params[:1])
    payload = Discovery("de7a15c8").payload(after, previous=before)
    assert payload["cmps"]["binary_sensor_channel_tank_empty"] == {"p": "binary_sensor"}
    assert payload["cmps"]["number_parameter_pulse"] == {"p": "number"}
    assert payload["cmps"]["sensor_channel_soil"]["p"] == "sensor"
    assert problems(payload) == []
    # Republished later without a previous recipe, the removed components are simply gone.
    assert "binary_sensor_channel_tank_empty" not in Discovery("de7a15c8").payload(after)["cmps"]


def test_the_validator_catches_a_payload_gone_wrong():
    payload = Discovery("de7a15c8").payload(load(RECIPES[0].parent / "plant-waterer.toml"))
    payload["cmps"]["sensor_channel_soil"]["unit_of_measurement"] = "°C"
    assert problems(payload) == [
        "component sensor_channel_soil: device_class moisture does not take unit '°C' (HA accepts: %)"]


def test_the_discovery_example_in_docs_is_what_the_code_builds():
    text = (RECIPES[0].parents[2] / "docs" / "fleet.md").read_text()
    blocks = [b.split("```", 1)[0] for b in text.split("```json\n")[1:]]
    assert all(json.loads(b) for b in blocks)  # every example in the doc is JSON
    example = json.loads(blocks[-1])
    recipe = load(RECIPES[0].parent / "plant-waterer.toml")
    h = dataclasses.replace(hello(), fw_major=0, fw_minor=4, fw_patch=0)
    assert example == Discovery("de7a15c8", serve="greenhouse-pi").payload(recipe, h, version="0.1.0")
    assert problems(example) == []


def test_a_parameter_with_nothing_to_choose_is_shown_not_set():
    recipe = load(RECIPES[0].parent / "plant-waterer.toml")
    fixed = dataclasses.replace(recipe.params[1], min=4000, max=4000, default=4000)
    recipe = dataclasses.replace(recipe, params=(recipe.params[0], fixed))
    payload = Discovery("de7a15c8").payload(recipe)
    assert "number_parameter_pulse" not in payload["cmps"]
    assert "command_topic" not in payload["cmps"]["sensor_parameter_pulse"]
    assert problems(payload) == []


@pytest.mark.parametrize("before, after", [
    ("plant-waterer.toml", "night-light.toml"), ("greenhouse-vent.toml", "weather-logger.toml"),
    ("weather-logger.toml", "aquarium-top-off.toml"),
])
def test_pushing_one_shipped_recipe_over_another_leaves_no_ghosts(compiled, before, after):
    old, _, _ = compiled(before, "uno")
    new, _, _ = compiled(after, "uno")
    payload = Discovery("de7a15c8").payload(new, previous=old)
    assert problems(payload) == []
    kept = Discovery("de7a15c8").components(new)
    for key, comp in payload["cmps"].items():
        assert comp == kept[key] if key in kept else set(comp) == {"p"}
    gone = set(Discovery("de7a15c8").components(old)) - set(kept)
    assert gone and gone <= set(payload["cmps"])


def test_discovery_and_birth_topics_sit_under_the_discovery_prefix():
    d = Discovery("de7a15c8", discovery_prefix="ha")
    assert d.topic == "ha/device/tendril_de7a15c8/config"
    assert d.birth_topic == "ha/status"


def test_a_channel_whose_kind_changes_is_removed_and_made_anew_not_changed_in_place():
    from tendril.contract import ChannelKind
    before = load(RECIPES[0].parent / "plant-waterer.toml")
    soil = dataclasses.replace(before.channels[0], kind=ChannelKind.DIGITAL, unit=Unit.BOOL)
    after = dataclasses.replace(before, channels=(soil, before.channels[1]))
    cmps = Discovery("de7a15c8").payload(after, previous=before)["cmps"]
    assert cmps["sensor_channel_soil"] == {"p": "sensor"}
    assert cmps["binary_sensor_channel_soil"]["p"] == "binary_sensor"
    assert problems(Discovery("de7a15c8").payload(after, previous=before)) == []
