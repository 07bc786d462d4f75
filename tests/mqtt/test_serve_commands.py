"""The commands serve added to the pure module (pull, status), the id of a refusal made before a
payload is checked, and the read-only discovery payload."""

from __future__ import annotations

import json

import pytest

from tendril.mqtt.commands import CommandRefused, Pull, StatusRequest, parse, reply, request_id_of
from tendril.mqtt.discovery import Discovery
from tendril.mqtt.ha_rules import check
from tendril.mqtt.topics import Topics

from .conftest import shipped


def test_pull_and_status_take_an_empty_or_empty_object_payload(compiled):
    recipe, _, _ = compiled("plant-waterer.toml", "uno")
    assert isinstance(parse(recipe, "pull", b"").request, Pull)
    assert isinstance(parse(recipe, "status", b'{"id": 3}').request, StatusRequest)
    assert parse(recipe, "status", b'{"id": 3}').request_id == 3
    with pytest.raises(CommandRefused, match="unknown key 'actuator'"):
        parse(recipe, "pull", b'{"actuator": "pump"}')
    assert Topics().command("de7a15c8", "pull") == "tendril/de7a15c8/cmd/pull"


def test_a_reply_carries_extra_keys():
    assert json.loads(reply("pull", "a", recipe="x = 1", board="de7a15c8")) == {
        "command": "pull", "ok": True, "id": "a", "recipe": "x = 1", "board": "de7a15c8"}


@pytest.mark.parametrize("payload, rid", [(b'{"id": "a7", "x": 1}', "a7"), (b'{"id": 5}', 5),
                                          (b"not json", None), (b"[1]", None),
                                          (b'{"id": true}', None), (b'{"id": "' + b"x" * 65 + b'"}', None),
                                          (b"{" + b" " * 70_000 + b"}", None)])
def test_request_id_of_takes_only_a_good_id(payload, rid):
    assert request_id_of(payload) == rid


@pytest.mark.parametrize("name, board", shipped())
def test_read_only_discovery_has_no_writable_entity_and_passes_ha_rules(compiled, name, board):
    recipe, _, _ = compiled(name, board)
    payload = Discovery("de7a15c8", commands=False).payload(recipe)
    check(payload)
    assert not {c["p"] for c in payload["cmps"].values()} & {"switch", "number", "button", "select"}
    assert all("command_topic" not in c for c in payload["cmps"].values())
    for a in recipe.actuators:
        assert payload["cmps"][f"binary_sensor_actuator_{a.name}"]["p"] == "binary_sensor"
