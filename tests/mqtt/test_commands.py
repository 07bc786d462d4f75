"""Commands from MQTT checked against the board's recipe before they reach it: good ones become the
host's requests, anything else a one-line refusal, and nothing else ever escapes."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tendril.contract import DUR_MAX_MS
from tendril.mqtt.commands import (
    MAX_COMMAND_BYTES,
    CommandRefused,
    PushRecipe,
    RunTime,
    parse,
    reply,
)
from tendril.mqtt.topics import COMMANDS
from tendril.protocol.requests import Command, Lease, Off, Pause, Resume, SetParam
from tendril.recipes import load

from .conftest import RECIPES

WATERER = load(RECIPES[0].parent / "plant-waterer.toml")


def ok(command: str, body) -> object:
    text = body if isinstance(body, (str, bytes)) else json.dumps(body)
    request = parse(WATERER, command, text).request
    if isinstance(request, Command):
        request.pack()  # a real request the host can send as it is
    return request


def test_good_commands_become_the_requests_the_host_sends():
    assert ok("run", {"actuator": "pump", "for_s": 3}) == Lease(0, 3000, 255)
    assert ok("run", {"actuator": "pump"}) == Lease(0, 10_000, 255)  # the run time: max_on by default
    assert ok("off", {"actuator": "pump"}) == Off(0)
    assert ok("switch", {"actuator": "pump", "state": "ON"}) == Lease(0, 10_000, 255)
    assert ok("switch", {"actuator": "pump", "state": "OFF"}) == Off(0)
    assert ok("run_time", {"actuator": "pump", "for_s": 2.5}) == RunTime(0, "pump", 2500)
    assert ok("pause", {}) == Pause() and ok("pause", b"") == Pause()
    assert ok("resume", {}) == Resume()
    assert ok("set", {"parameter": "dry_threshold", "value": 40}) == SetParam(0, 40_000)
    assert ok("set", {"parameter": "pulse", "value": 6}) == SetParam(1, 6000)


def test_the_run_time_serve_keeps_is_what_a_bare_run_and_switch_on_use():
    got = parse(WATERER, "switch", '{"actuator":"pump","state":"ON"}', run_times={"pump": 4000})
    assert got.request == Lease(0, 4000, 255)


def test_the_id_comes_back_in_the_reply_even_when_refused():
    assert parse(WATERER, "off", '{"actuator":"pump","id":"a7"}').request_id == "a7"
    with pytest.raises(CommandRefused) as refused:
        parse(WATERER, "off", '{"actuator":"fan","id":17}')
    assert refused.value.request_id == 17
    assert json.loads(reply("off", 17, str(refused.value))) == {
        "command": "off", "ok": False, "id": 17,
        "error": "off: no actuator \"fan\" on this board; actuators: pump"}
    assert json.loads(reply("off", "a7")) == {"command": "off", "ok": True, "id": "a7"}


@pytest.mark.parametrize("command, payload, reason", [
    ("run", '{"actuator":"fan","for_s":3}', 'no actuator "fan" on this board; actuators: pump'),
    ("run", '{"actuator":"pump","for_s":11}', "pump runs from 0.001 s to 10 s at a time (max_on), not 11 s"),
    ("run", '{"actuator":"pump","for_s":0}', "not 0 s"),
    ("run", '{"actuator":"pump","for_s":-1}', "not -1 s"),
    ("run", '{"actuator":"pump","for_s":"3 s"}', 'for_s must be a number, not "3 s"'),
    ("run", '{"actuator":"pump","for_s":true}', "for_s must be a number, not true"),
    ("run", '{"actuator":"pump","for_s":1e400}', "for_s must be a finite number"),
    ("run", '{"actuator":"pump","for_s":NaN}', "NaN is not a number"),
    ("run", '{"actuator":"pump","level":128}', "pump is a relay"),
    ("run", '{"actuator":"pump","level":256}', "level must be a whole number from 1 to 255"),
    ("run", '{"actuator":"pump","forever":true}', "unknown key 'forever'"),
    ("run", '{}', "missing 'actuator'"),
    ("run", '{"actuator":"pump"', "not valid JSON"),
    ("run", '[1,2]', "expected a JSON object, got an array"),
    ("run", 'null', "expected a JSON object, got null"),
    ("run", '"pump"', "expected a JSON object, got a string"),
    ("run", b'\xff\xfe', "not valid JSON"),
    ("run", "", "empty payload"),
    ("set", '{"parameter":"dry_threshold","value":81}', "dry_threshold goes from 10 to 80, not 81"),
    ("set", '{"parameter":"dry_threshold","value":9.999}', "not 9.999"),
    ("set", '{"parameter":"speed","value":1}', 'no parameter "speed" on this board; parameters: dry_threshold, pulse'),
    ("set", '{"parameter":"pulse","value":%s}' % ("9" * 5000), "payload of 5030 bytes, at most 4096"),
    ("set", '{"parameter":"pulse","value":%s}' % ("9" * 4000), "is far out of range"),
    ("set", '{"parameter":"pulse","value":1e30}', "pulse 1e+30 is far out of range"),
    ("switch", '{"actuator":"pump","state":"on"}', 'state must be "ON" or "OFF", not "on"'),
    ("run_time", '{"actuator":"pump","for_s":600}', "not 600 s"),
    ("off", '{"actuator":"pump","id":[1]}', "id must be a string"),
    ("push", '{"recipe":"x"}', "this board's type is not known yet"),
    ("push", '{"recipe":5}', "recipe must be the recipe's TOML text"),
    ("reboot", "{}", "reboot: no such command; commands: run, off"),
])
def test_bad_commands_are_refused_with_one_line(command, payload, reason):
    with pytest.raises(CommandRefused) as refused:
        parse(WATERER, command, payload)
    assert reason in str(refused.value)
    assert "\n" not in str(refused.value)
    assert str(refused.value).startswith(command)


def test_a_deeply_nested_payload_is_refused_not_a_crash():
    with pytest.raises(CommandRefused, match="not valid JSON"):
        parse(WATERER, "run", "[" * (MAX_COMMAND_BYTES - 1))


def test_a_push_is_parsed_and_compiled_for_the_board(compiled):
    recipe, board, image = compiled("night-light.toml", "uno")
    got = parse(WATERER, "push", json.dumps({"recipe": recipe.text}), board=board).request
    assert isinstance(got, PushRecipe) and got.image == image and got.recipe.meta.name == recipe.meta.name
    broken = recipe.text.replace("[recipe]", "[recipe]\nnonsense = 1", 1)
    with pytest.raises(CommandRefused, match=r"^push: .*nonsense"):
        parse(WATERER, "push", json.dumps({"recipe": broken}), board=board)


def test_a_flood_of_runs_never_asks_for_more_than_max_on():
    leases = []
    for i in range(500):
        for_s = (i % 40) * 0.5
        try:
            leases.append(parse(WATERER, "run", json.dumps({"actuator": "pump", "for_s": for_s})).request)
        except CommandRefused:
            pass
    assert leases and all(1 <= lease.duration_ms <= WATERER.actuators[0].max_on_ms <= DUR_MAX_MS
                          for lease in leases)


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=12)
_keys = st.sampled_from(["actuator", "for_s", "level", "state", "parameter", "value", "recipe", "id", "x"])
_plausible = st.dictionaries(_keys, _json | st.sampled_from(["pump", "ON", "OFF", "dry_threshold", "pulse"]),
                             max_size=5)


@settings(max_examples=400, deadline=None)
@given(command=st.sampled_from(COMMANDS + ("nope",)),
       payload=st.one_of(st.binary(max_size=64), _json.map(json.dumps), _plausible.map(json.dumps)))
def test_random_payloads_give_a_request_or_a_refusal_and_nothing_else(command, payload):
    try:
        got = parse(WATERER, command, payload)
    except CommandRefused as exc:
        assert str(exc) and "\n" not in str(exc)
        return
    if isinstance(got.request, Lease):
        assert 1 <= got.request.duration_ms <= WATERER.actuators[0].max_on_ms
    if isinstance(got.request, Command):
        got.request.pack()


def test_a_push_may_be_larger_than_a_command_but_not_without_bound(compiled):
    recipe, board, _ = compiled("weather-logger.toml", "uno")
    padded = recipe.text + "\n" + "# a long comment\n" * 400  # over 4 KiB, a recipe still
    assert len(padded) > MAX_COMMAND_BYTES
    got = parse(WATERER, "push", json.dumps({"recipe": padded}), board=board).request
    assert isinstance(got, PushRecipe)
    with pytest.raises(CommandRefused, match=r"^push: payload of \d+ bytes, at most 65536"):
        parse(WATERER, "push", json.dumps({"recipe": "#" * 70_000}), board=board)
