"""Commands through the broker to a real `tendril serve` and on to the board: each reaches it (its
EVENTs show it) and gets a reply; anything wrong gets a one-line refused reply and serve carries on.
Home Assistant's birth message brings discovery and state again, and a push that drops a channel
removes its entity."""

from __future__ import annotations

import json
import re

import pytest

from tendril.mqtt.ha_rules import check

from ..live.conftest import FAST_TEXT
from .conftest import Watcher, board_of, state_where

pytestmark = pytest.mark.slow  # a serve subprocess against a live simulated board


class Client:
    """Sends commands and waits for the reply with the same id."""

    def __init__(self, watcher: Watcher, board: str) -> None:
        self.w, self.board, self.n = watcher, board, 0

    def send(self, command: str, body=None, raw: bytes | None = None) -> dict:
        self.n += 1
        rid = f"r{self.n}"
        payload = raw if raw is not None else json.dumps({**(body or {}), "id": rid})
        since = self.w.count()
        self.w.publish(f"tendril/{self.board}/cmd/{command}", payload)
        if raw is not None:  # no id to match: the next reply to this command
            _, text, _ = self.w.wait(lambda t, p: t == f"tendril/{self.board}/response"
                                     and json.loads(p)["command"] == command, since=since)
        else:
            _, text, _ = self.w.wait(lambda t, p: t == f"tendril/{self.board}/response"
                                     and json.loads(p).get("id") == rid, since=since)
        return json.loads(text)

    def event(self, kind: str, since: int, **fields) -> dict:
        def match(t, p):
            if t != f"tendril/{self.board}/event":
                return False
            e = json.loads(p)
            return e["kind"] == kind and all(e.get(k) == v for k, v in fields.items())
        return json.loads(self.w.wait(match, since=since)[1])


@pytest.fixture
def served(broker, watcher, fast_board, start_serve):
    board = board_of(fast_board.port)
    serve = start_serve(broker.url, fast_board.port)
    watcher.wait(state_where(lambda s: s["board"] == board and s["actuators"]["pump"]))
    return serve, Client(watcher, board)


def test_every_command_reaches_the_board_and_is_answered(served, watcher):
    serve, c = served
    since = watcher.count()
    assert c.send("run", {"actuator": "pump", "for_s": 2})["ok"]
    c.event("act_on", since, actuator="pump", source="lease")
    assert c.send("off", {"actuator": "pump"})["ok"]
    c.event("act_off", since, actuator="pump")
    assert c.send("pause")["ok"]
    c.event("mode", since, mode="paused")
    watcher.wait(state_where(lambda s: s["paused"] is True), since=since)
    assert c.send("resume")["ok"]
    c.event("mode", since, mode="resumed")
    assert c.send("set", {"parameter": "dry_threshold", "value": 42.5})["ok"]
    c.event("param", since, parameter="dry_threshold", value=42.5)
    assert c.send("run_time", {"actuator": "pump", "for_s": 3})["ok"]
    watcher.wait(state_where(lambda s: s["actuators"]["pump"]["run_time_s"] == 3), since=since)
    status = c.send("status")
    assert status["ok"] and status["state"]["parameters"]["dry_threshold"] == 42.5
    pulled = c.send("pull")
    assert pulled["ok"] and "[actuators.pump]" in pulled["recipe"]
    assert 'default = "42.5 %"' in pulled["recipe"] or "42.5" in pulled["recipe"]


def test_bad_commands_get_one_line_refusals_and_serve_carries_on(served, watcher, broker):
    serve, c = served
    cases = [
        ("run", {"actuator": "fan"}, "no actuator \"fan\""),
        ("set", {"parameter": "nope", "value": 1}, "no parameter \"nope\""),
        ("set", {"parameter": "pulse", "value": 99}, "pulse goes from 1 to 10"),
        ("run", {"actuator": "pump", "for_s": 600}, "max_on"),
        ("run", {"actuator": "pump", "for_s": "5"}, "must be a number"),
    ]
    for command, body, why in cases:
        answer = c.send(command, body)
        assert answer["ok"] is False and why in answer["error"], answer
        assert "\n" not in answer["error"]
    for raw, why in ((b"{not json", "not valid JSON"), (b"[1, 2]", "expected a JSON object"),
                     (b"x" * 5000, "payload of 5000 bytes")):
        answer = c.send("run", raw=raw)
        assert answer["ok"] is False and why in answer["error"], answer
    # An unknown board: refused on that board's response topic.
    other = Client(watcher, "0badf00d")
    assert "not online here" in other.send("run", {"actuator": "pump"})["error"]
    # 2 MB: past the broker's packet limit (tests/support/mosquitto.py); serve never sees it.
    big = Watcher(broker.host, broker.port)
    try:
        big.client.publish(f"tendril/{c.board}/cmd/push", b"{" + b" " * 2_000_000 + b"}", qos=0)
    finally:
        big.close()
    assert c.send("status")["ok"]  # still fine
    assert serve.proc.poll() is None
    assert "Traceback" not in serve.stderr
    assert re.search(r"refused run for [0-9a-f]{8}: run: not valid JSON", serve.stderr)


def test_birth_message_resends_and_a_push_that_drops_a_channel_removes_its_entity(served, watcher):
    serve, c = served
    config = f"homeassistant/device/tendril_{c.board}/config"
    watcher.wait_topic(config)
    since = watcher.count()
    watcher.publish("homeassistant/status", "online")
    watcher.wait_topic(config, since=since)
    watcher.wait(lambda t, p: t == f"tendril/{c.board}/state", since=since)

    text = FAST_TEXT.replace('unless = "tank_empty"\n', "")
    text = re.sub(r"\[channels\.tank_empty\].*?(?=\n\[)", "", text, flags=re.S)
    assert "tank_empty" not in text
    since = watcher.count()
    answer = c.send("push", {"recipe": text})
    assert answer["ok"], answer
    _, first, _ = watcher.wait_topic(config, since=since)
    removal = json.loads(first)
    assert removal["cmps"]["binary_sensor_channel_tank_empty"] == {"p": "binary_sensor"}
    check(removal)
    _, second, _ = watcher.wait(lambda t, p: t == config and "tank_empty" not in p, since=since)
    check(json.loads(second))
    watcher.wait(state_where(lambda s: "tank_empty" not in s["channels"]), since=since)
