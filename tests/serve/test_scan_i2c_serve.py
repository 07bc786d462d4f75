"""`tendril sensors scan` of the I2C bus while serve owns the board: the scan goes through serve's
`scan` command (with "bus") and says what a direct scan says, and serve's reply carries the chips
for any MQTT client. A real mosquitto, a real `tendril serve`, the native board with the I2C scan
story's chips on its bus (tests/support/i2c_scan_story.py) running the DS18B20 scan story's recipe."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from tendril.boards import load_board
from tendril.mqtt.topics import board_id
from tendril.recipes import compile_recipe, parse
from tendril.session import Session, push
from tendril.sim.runner import SimBoard, SimSpec

from ..remote.test_client_cli import wait_runtime_lists
from ..support import ds18b20_story
from ..support import i2c_scan_story as story
from .conftest import state_where

pytestmark = pytest.mark.slow  # a serve subprocess, a simulated board and CLI subprocesses


@pytest.fixture
def chips(tmp_path):
    lines = [a for line in story.CHIPS for a in ("--set", line)]
    sim = SimBoard(SimSpec(board="uno", runtime="native", eeprom=tmp_path / "chips.eeprom", extra=lines))
    try:
        with Session(sim.port) as s:
            push(s, compile_recipe(parse(ds18b20_story.SCAN["recipe"], "scan story"), load_board("uno")))
            board = board_id(s.hello.device_id)
        yield sim, board
    finally:
        sim.stop()


def scan(*args: str, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "tendril.cli", "sensors", "scan", *args],
                          capture_output=True, text=True, timeout=120, env={**os.environ, **env})


def test_an_i2c_scan_goes_through_serve_and_says_what_a_direct_scan_says(chips, broker, watcher, start_serve):
    sim, board = chips
    direct = scan("--port", sim.port, "--bus", "i2c", env={})  # before serve owns the port
    assert direct.returncode == 0, direct.stderr
    serve = start_serve(broker.url, sim.port)
    watcher.wait(state_where(lambda s: s["board"] == board and s["recipe"] == "scan-story"))
    wait_runtime_lists(serve.runtime, board)
    env = {"TENDRIL_RUNTIME_DIR": str(serve.runtime)}

    since = watcher.count()
    done = scan("--port", sim.port, "--bus", "i2c", env=env)
    assert done.returncode == 0, done.stderr
    assert f"through tendril serve on testhost (board {board})" in done.stderr
    assert done.stdout == direct.stdout
    _, payload, _ = watcher.wait_topic(f"tendril/{board}/response", since=since)
    body = json.loads(payload)
    assert body["ok"] is True and body["command"] == "scan" and body["buses"] == []
    assert [(c["address"], c["chip"], c["kind"], c["how"]) for c in body["i2c"]["chips"]] == [
        tuple(found) for found in story.FOUND]
    assert body["i2c"]["status"] == "ok" and body["snippet"].count("[sensors.") == len(story.FOUND)
    code, _, _ = serve.stop()
    assert code == 0
