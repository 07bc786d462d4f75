"""The state and event JSON from decoded messages, read back through the discovery templates the
way Home Assistant reads them (Jinja, with HA's to_json filter)."""

from __future__ import annotations

import json

import jinja2
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tendril.contract import (
    NEVER_MS,
    NO_INDEX,
    OWNER_LEASE,
    ActuatorStateBit,
    EventKind,
    HelloFlag,
    ModeChange,
    OffReason,
    RuleState,
    SensorFault,
    SkipReason,
    Source,
    StatusSection,
    TelemetryFlag,
)
from tendril.mqtt.discovery import Discovery
from tendril.mqtt.state import BoardState, event_json
from tendril.protocol.device import Event, Params, Telemetry
from tendril.protocol.status import ActuatorEntry, RuleEntry, Status
from tendril.recipes import load

from .conftest import RECIPES

RECIPE = load(RECIPES[0].parent / "plant-waterer.toml")


def render(template: str, payload: str) -> str:
    env = jinja2.Environment()
    env.filters["to_json"] = lambda v: json.dumps(v)  # HA's own filter
    return env.from_string(template).render(value=payload, value_json=json.loads(payload))


def fed() -> BoardState:
    s = BoardState("de7a15c8", RECIPE)
    s.telemetry(Telemetry(5000, 0, TelemetryFlag(0), (41_250, 1000)))
    s.status(Status(5000, HelloFlag(0), StatusSection.ACTUATORS, 0, 1,
                    (ActuatorEntry(ActuatorStateBit.ON | ActuatorStateBit.LEASED, 255, OWNER_LEASE, 2500, 7000),)))
    s.status(Status(5000, HelloFlag(0), StatusSection.RULES, 0, 1, (RuleEntry(RuleState.COOLING, 0, 12_000),)))
    s.params_msg(Params(0, 2, (35_000, 4000)))
    return s


def test_state_holds_every_channel_actuator_rule_and_parameter_in_units():
    state = json.loads(fed().json())
    assert state["channels"] == {"soil": 41.25, "tank_empty": 1}
    assert state["units"] == {"soil": "%", "tank_empty": "bool"}
    assert state["actuators"]["pump"] == {"on": True, "level": 255, "by": "lease", "leased": True,
                                          "capped": False, "resting": False, "locked": False, "left_s": 2.5,
                                          "today_on_s": 7, "run_time_s": 10}
    assert state["rules"]["water"] == {"state": "cooling", "last_skip": None, "since_fired_s": 12}
    assert state["parameters"] == {"dry_threshold": 35, "pulse": 4}


def test_a_channel_with_no_valid_reading_is_null_and_home_assistant_sees_unknown():
    s = fed()
    s.telemetry(Telemetry(6000, 0, TelemetryFlag(0), (None, None)))
    text = s.json()
    assert json.loads(text)["channels"] == {"soil": None, "tank_empty": None}
    cmps = Discovery("de7a15c8").components(RECIPE)
    # "None" is what HA's MQTT sensor and binary_sensor take as "unknown".
    assert render(cmps["sensor_channel_soil"]["value_template"], text) == "None"
    assert render(cmps["binary_sensor_channel_tank_empty"]["value_template"], text) == "None"


def test_raw_telemetry_is_not_taken_as_values_in_units():
    s = fed()
    assert s.telemetry(Telemetry(6000, 0, TelemetryFlag.RAW, (612, 0))) is False
    assert json.loads(s.json())["channels"]["soil"] == 41.25


def test_every_discovery_template_reads_the_state_json():
    text = fed().json()
    cmps = Discovery("de7a15c8").components(RECIPE)
    assert render(cmps["sensor_channel_soil"]["value_template"], text) == "41.25"
    assert render(cmps["binary_sensor_channel_tank_empty"]["value_template"], text) == "ON"
    assert render(cmps["switch_actuator_pump"]["value_template"], text) == "ON"
    assert render(cmps["number_run_time_pump"]["value_template"], text) == "10"
    assert render(cmps["number_parameter_dry_threshold"]["value_template"], text) == "35"
    # A switch before any STATUS reads OFF, not an error.
    assert render(cmps["switch_actuator_pump"]["value_template"], BoardState("de7a15c8", RECIPE).json()) == "OFF"


def test_command_templates_give_payloads_the_command_parser_takes():
    from tendril.mqtt.commands import parse
    from tendril.protocol.requests import Lease, Off, SetParam
    cmps = Discovery("de7a15c8").components(RECIPE)
    env = jinja2.Environment()
    assert parse(RECIPE, "switch", cmps["switch_actuator_pump"]["payload_on"]).request == Lease(0, 10_000, 255)
    assert parse(RECIPE, "switch", cmps["switch_actuator_pump"]["payload_off"]).request == Off(0)
    value = env.from_string(cmps["number_parameter_dry_threshold"]["command_template"]).render(value=40.0)
    assert parse(RECIPE, "set", value).request == SetParam(0, 40_000)


def test_state_follows_param_and_mode_events():
    s = fed()
    s.event(Event(7000, EventKind.PARAM, 1, 0, 0, 6000))
    s.event(Event(7000, EventKind.MODE, 0, ModeChange.PAUSED, 0, 0))
    state = json.loads(s.json())
    assert state["parameters"]["pulse"] == 6 and state["paused"] is True


@pytest.mark.parametrize("event, expected", [
    (Event(9000, EventKind.ACT_ON, 0, Source.RULE, 0, 255),
     {"kind": "act_on", "actuator": "pump", "source": "rule", "rule": "water", "level": 255,
      "rule_fired": "water"}),
    (Event(9000, EventKind.ACT_ON, 0, Source.LEASE, NO_INDEX, 255),
     {"kind": "act_on", "actuator": "pump", "source": "lease", "rule": None, "level": 255}),
    (Event(9000, EventKind.ACT_OFF, 0, OffReason.MAX_ON, NO_INDEX, 10_000),
     {"kind": "act_off", "actuator": "pump", "reason": "max_on", "rule": None, "on_s": 10,
      "safety": "max_on"}),
    (Event(9000, EventKind.RULE_SKIP, 0, SkipReason.MIN_OFF, 0, 0),
     {"kind": "rule_skip", "rule": "water", "reason": "min_off", "actuator": "pump"}),
    (Event(9000, EventKind.MODE, 0, ModeChange.SAFE_MODE_ENTERED, 0, 0),
     {"kind": "mode", "mode": "safe_mode_entered", "safety": "safe_mode"}),
    (Event(9000, EventKind.PARAM, 0, 0, 0, 40_000), {"kind": "param", "parameter": "dry_threshold", "value": 40}),
    (Event(9000, EventKind.SENSOR, 0, SensorFault.NO_ANSWER, 0, 0),
     {"kind": "sensor", "channel": "soil", "fault": "no_answer"}),
    (Event(9000, EventKind.SENSOR, 0, SensorFault.RECOVERED, 0, 41_500),
     {"kind": "sensor", "channel": "soil", "fault": "recovered", "value": 41.5}),
])
def test_events_are_json_with_names(event, expected):
    got = json.loads(event_json("de7a15c8", RECIPE, event))
    assert got == {"board": "de7a15c8", "time_ms": 9000, **expected}


def test_the_event_entities_fire_only_on_their_events():
    cmps = Discovery("de7a15c8").components(RECIPE)
    rule, safety = cmps["event_rule_fired"]["value_template"], cmps["event_safety_limit"]["value_template"]
    fired = event_json("de7a15c8", RECIPE, Event(1, EventKind.ACT_ON, 0, Source.RULE, 0, 255))
    capped = event_json("de7a15c8", RECIPE, Event(1, EventKind.ACT_OFF, 0, OffReason.DAILY_CAP, NO_INDEX, 5))
    assert json.loads(render(rule, fired)) == {"event_type": "water"}
    assert render(safety, fired) == ""
    assert json.loads(render(safety, capped)) == {"event_type": "daily_cap"}
    assert render(rule, capped) == ""
    assert "water" in cmps["event_rule_fired"]["event_types"]
    assert "daily_cap" in cmps["event_safety_limit"]["event_types"]


def test_an_index_the_recipe_lacks_is_named_by_its_index():
    s = BoardState("de7a15c8", RECIPE)
    s.status(Status(1, HelloFlag(0), StatusSection.RULES, 3, 4, (RuleEntry(RuleState.IDLE, SkipReason.LEASED, NEVER_MS),)))
    assert s.rule_state["rule3"] == {"state": "idle", "last_skip": "leased", "since_fired_s": None}


def test_names_that_are_also_dict_methods_still_read_their_own_value():
    import dataclasses
    ch = [dataclasses.replace(RECIPE.channels[0], name="values"),
          dataclasses.replace(RECIPE.channels[1], name="items")]
    act = [dataclasses.replace(RECIPE.actuators[0], name="keys")]
    par = [dataclasses.replace(RECIPE.params[0], name="get"), RECIPE.params[1]]
    recipe = dataclasses.replace(RECIPE, channels=tuple(ch), actuators=tuple(act), params=tuple(par), rules=())
    s = BoardState("de7a15c8", recipe)
    s.telemetry(Telemetry(1, 0, TelemetryFlag(0), (12_500, 0)))
    s.params_msg(Params(0, 2, (35_000, 4000)))
    text = s.json()
    cmps = Discovery("de7a15c8").components(recipe)
    assert render(cmps["sensor_channel_values"]["value_template"], text) == "12.5"
    assert render(cmps["binary_sensor_channel_items"]["value_template"], text) == "OFF"
    assert render(cmps["number_run_time_keys"]["value_template"], text) == "10"
    assert render(cmps["number_parameter_get"]["value_template"], text) == "35"


_i32 = st.integers(-(2**31), 2**31 - 1)
_u8 = st.integers(0, 255)


@settings(max_examples=200, deadline=None)
@given(values=st.lists(st.none() | _i32, max_size=8), first=_u8,
       acts=st.lists(st.builds(ActuatorEntry, _u8, _u8, _u8, st.integers(0, 2**32 - 1),
                               st.integers(0, 2**32 - 1)), max_size=4),
       rules=st.lists(st.builds(RuleEntry, _u8, _u8, st.integers(0, 2**32 - 1)), max_size=4),
       event=st.builds(Event, st.integers(0, 2**32 - 1), _u8, _u8, _u8, _u8, _i32))
def test_any_decoded_message_gives_json_and_never_raises(values, first, acts, rules, event):
    s = BoardState("de7a15c8", RECIPE)
    s.telemetry(Telemetry(1, first, TelemetryFlag(0), tuple(values)))
    s.status(Status(1, HelloFlag(0), StatusSection.ACTUATORS, first, 8, tuple(acts)))
    s.status(Status(1, HelloFlag(0), StatusSection.RULES, first, 8, tuple(rules)))
    s.params_msg(Params(first, 8, tuple(v for v in values if v is not None)))
    s.event(event)
    json.loads(s.json())
    json.loads(event_json("de7a15c8", RECIPE, event))
    json.loads(event_json("de7a15c8", None, event))
