"""What a real `tendril serve` puts on the broker for a simulated board: retained state,
availability and Home Assistant discovery that passes HA's documented rules; events; the runtime
file; and an orderly stop on SIGTERM that loses no logged row."""

from __future__ import annotations

import json
import signal

import pytest

from tendril.mqtt.ha_rules import check
from tendril.serve.runtime import find_local_serve

from ..live.conftest import count, wait_until
from .conftest import board_of, state_where

pytestmark = pytest.mark.slow  # a serve subprocess against a live simulated board


def test_state_availability_and_discovery_are_retained_and_pass_ha_rules(
        broker, watcher, fast_board, start_serve, tmp_path):
    board = board_of(fast_board.port)
    serve = start_serve(broker.url, fast_board.port)
    watcher.wait_topic("tendril/serve/testhost/availability", "online")
    watcher.wait_topic(f"tendril/{board}/availability", "online")
    watcher.wait(state_where(lambda s: s["board"] == board and s["channels"]["soil"] is not None
                             and s["actuators"]["pump"].get("on") is False))
    _, config, _ = watcher.wait_topic(f"homeassistant/device/tendril_{board}/config")
    payload = json.loads(config)
    check(payload)
    assert {"sensor_channel_soil", "binary_sensor_channel_tank_empty", "switch_actuator_pump",
            "number_parameter_dry_threshold"} <= set(payload["cmps"])

    # A second client sees them retained: what Home Assistant gets when it connects later.
    from .conftest import Watcher
    late = Watcher(broker.host, broker.port)
    try:
        for topic in (f"tendril/{board}/state", f"tendril/{board}/availability",
                      f"homeassistant/device/tendril_{board}/config",
                      "tendril/serve/testhost/availability"):
            late.wait(lambda t, p, topic=topic: t == topic)
        # (Events and frames are live, never retained: a late client sees only what comes next.)
        # The broker sends the retained copy first, on subscribing; what serve publishes after
        # that reaches this live subscriber with retain unset (MQTT 3.1.1, 3.3.1.3), so only
        # the first message on each state/availability topic must carry the flag.
        retained_kinds = ("/state", "/availability")
        first: dict[str, bool] = {}
        for t, _, retain in list(late.messages):
            if t.startswith("tendril/") and t.endswith(retained_kinds):
                first.setdefault(t, retain)
        assert first and all(first.values()), first
        assert not any(retain for t, _, retain in late.messages
                       if t.endswith(("/event", "/frames")))
    finally:
        late.close()

    info = wait_until(lambda: (i := find_local_serve(serve.runtime / "serve.json")) and board in
                      i["boards"] and i, 30)
    assert info["boards"][board] == {"port": fast_board.port, "state": "online"}
    assert info["broker"] == broker.url and info["prefix"] == "tendril" and not info["read_only"]

    # An event: a parameter set over MQTT shows as a PARAM event (not retained).
    since = watcher.count()
    watcher.publish(f"tendril/{board}/cmd/set", json.dumps({"parameter": "pulse", "value": 6,
                                                             "id": 1}))
    _, reply, _ = watcher.wait_topic(f"tendril/{board}/response", since=since)
    assert json.loads(reply) == {"command": "set", "ok": True, "id": 1, "board": board}
    _, event, retained = next(m for m in [watcher.wait(
        lambda t, p: t == f"tendril/{board}/event" and '"param"' in p, since=since)])
    assert json.loads(event)["parameter"] == "pulse" and json.loads(event)["value"] == 6
    watcher.wait(state_where(lambda s: s["parameters"]["pulse"] == 6), since=since)

    since = watcher.count()
    rc, out, err = serve.stop(signal.SIGTERM)
    assert rc == 0, err
    watcher.wait_topic(f"tendril/{board}/availability", "offline", since=since)
    watcher.wait_topic("tendril/serve/testhost/availability", "offline", since=since)
    assert not (serve.runtime / "serve.json").exists()
    committed = int(out.strip().splitlines()[-1].split()[0])
    assert committed > 0 and count(serve.db, "SELECT count(*) FROM samples") > 0


def test_the_real_firmware_in_simavr_is_served_and_commanded(broker, watcher, start_serve, tmp_path):
    from ..live.conftest import push_fast
    from ..support.boards import Boards
    from ..support.simavr_board import build_product
    from .test_commands import Client

    avr = Boards(tmp_path, "avr", elf=build_product("uno"))
    avr.start()
    try:
        push_fast(avr.port)
        board = board_of(avr.port)
        start_serve(broker.url, avr.port)
        watcher.wait(state_where(lambda s: s["board"] == board and s["channels"]["soil"] is not None
                                 and s["actuators"]["pump"]))
        _, config, _ = watcher.wait_topic(f"homeassistant/device/tendril_{board}/config")
        check(json.loads(config))
        since = watcher.count()
        assert Client(watcher, board).send("run", {"actuator": "pump", "for_s": 1})["ok"]
        Client(watcher, board).event("act_on", since, actuator="pump", source="lease")
    finally:
        avr.stop()
