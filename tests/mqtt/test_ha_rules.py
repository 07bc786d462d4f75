"""The validator of discovery payloads refuses what Home Assistant refuses, each with its reason."""

from __future__ import annotations

import copy

import pytest

from tendril.mqtt.ha_rules import DiscoveryRejected, check, problems


def good() -> dict:
    return {
        "dev": {"ids": ["tendril_de7a15c8"], "name": "test"},
        "o": {"name": "tendril"},
        "availability": [{"topic": "tendril/de7a15c8/availability"}],
        "availability_mode": "all",
        "state_topic": "tendril/de7a15c8/state",
        "cmps": {
            "hum": {"p": "sensor", "unique_id": "u1", "device_class": "humidity",
                    "unit_of_measurement": "%", "state_class": "measurement", "expire_after": 60},
            "pump": {"p": "switch", "unique_id": "u2", "command_topic": "tendril/de7a15c8/cmd/switch"},
            "t": {"p": "number", "unique_id": "u3", "command_topic": "c", "min": 1, "max": 5, "step": 1},
            "ev": {"p": "event", "unique_id": "u4", "event_types": ["water"], "state_topic": "e"},
        },
    }


def broken(change) -> dict:
    payload = copy.deepcopy(good())
    change(payload)
    return payload


def test_a_good_payload_passes_and_so_does_its_abbreviated_form():
    assert problems(good()) == []
    short = {"dev": {"ids": "x"}, "o": {"name": "t"}, "stat_t": "s",
             "cmps": {"a": {"p": "sensor", "uniq_id": "a", "dev_cla": "temperature",
                            "unit_of_meas": "°C", "stat_cla": "measurement"}}}
    assert problems(short) == []


@pytest.mark.parametrize("change, reason", [
    (lambda p: p["cmps"]["hum"].update(unit_of_measurement="°C"),
     "device_class humidity does not take unit '°C'"),
    (lambda p: p["cmps"]["pump"].update(unique_id="u1"), "unique_id 'u1' is also the unique_id of component hum"),
    (lambda p: p["cmps"]["pump"].pop("command_topic"), "a switch needs a command_topic"),
    (lambda p: p["cmps"]["pump"].pop("p"), "component pump: no platform"),
    (lambda p: p["cmps"]["hum"].update(state_class="average"), "state_class 'average'"),
    (lambda p: p["cmps"]["hum"].update(object_id="x"), "object_id is deprecated"),
    (lambda p: p["cmps"]["hum"].update(default_entity_id="switch.x"), "is not 'sensor.<id>'"),
    (lambda p: p["cmps"]["hum"].update(expire_after=0), "expire_after 0"),
    (lambda p: p["cmps"]["hum"].pop("unique_id"), "component hum: no unique_id"),
    (lambda p: p["cmps"]["t"].update(min=5), "min 5 is not below max 5"),
    (lambda p: p["cmps"]["t"].update(device_class="temperature", unit_of_measurement="%"),
     "device_class temperature does not take unit '%'"),
    (lambda p: p["cmps"]["ev"].update(event_types=[]), "an event needs event_types"),
    (lambda p: (p["cmps"]["ev"].pop("state_topic"), p.pop("state_topic")), "component ev: an event needs a state_topic"),
    (lambda p: p.update(availability_mode="most"), "availability_mode 'most'"),
    (lambda p: p.update(availability=[{"payload_available": "online"}]), "needs a topic"),
    (lambda p: p.pop("o"), "no origin"),
    (lambda p: p["dev"].pop("ids"), "neither identifiers"),
    (lambda p: p["cmps"]["hum"].update(p="thermostat"), "unknown platform 'thermostat'"),
    (lambda p: p.pop("state_topic"), "component hum: a sensor needs a state_topic"),
])
def test_each_broken_rule_is_refused_with_its_reason(change, reason):
    payload = broken(change)
    found = problems(payload)
    assert any(reason in line for line in found), found
    with pytest.raises(DiscoveryRejected, match="."):
        check(payload)


def test_a_component_with_only_its_platform_is_a_removal_and_passes():
    payload = broken(lambda p: p["cmps"].update(gone={"p": "sensor"}))
    assert problems(payload) == []


def test_not_a_mapping_at_all_is_refused():
    assert problems([]) == ["the payload is not a JSON object"]
    assert any("cmps" in line for line in problems(broken(lambda p: p.update(cmps={}))))
