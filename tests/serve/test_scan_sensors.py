"""`tendril sensors scan` while serve owns the board: the scan goes through serve (its `scan` command
on the MQTT bus, the reply carrying the ROM codes and the recipe snippet), with no configuration,
and says what it says when it opens the port itself. A real mosquitto, a real `tendril serve`, the
native board with the scan story's DS18B20s on its buses (tests/vectors/sensors/ds18b20_scan.json)
running the story's recipe (a probe read on D3 while the bus is searched)."""

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
from ..support import ds18b20_story as story
from .conftest import TIMEOUT, state_where

pytestmark = pytest.mark.slow  # a serve subprocess, a simulated board and CLI subprocesses


@pytest.fixture
def probes(tmp_path):
    """The native Uno with the story's probes on D3..D6, running the story's recipe."""
    lines = [a for line in story.scan_scenario("uno") for a in ("--set", line)]
    sim = SimBoard(SimSpec(board="uno", runtime="native", eeprom=tmp_path / "probes.eeprom", extra=lines))
    try:
        with Session(sim.port) as s:
            push(s, compile_recipe(parse(story.SCAN["recipe"], "scan story"), load_board("uno")))
            board = board_id(s.hello.device_id)
            boots = s.hello.boot_count
        yield sim, board, boots
    finally:
        sim.stop()


def scan(*args: str, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "tendril.cli", "sensors", "scan", *args],
                          capture_output=True, text=True, timeout=120, env={**os.environ, **env})


def test_a_scan_goes_through_serve_and_says_what_a_direct_scan_says(probes, broker, watcher,
                                                                    start_serve):
    sim, board, boots = probes
    serve = start_serve(broker.url, sim.port)
    watcher.wait(state_where(lambda s: s["board"] == board and s["recipe"] == "scan-story"))
    wait_runtime_lists(serve.runtime, board)
    env = {"TENDRIL_RUNTIME_DIR": str(serve.runtime)}

    since = watcher.count()
    done = scan("--port", sim.port, env=env)
    assert done.returncode == 0, done.stderr
    assert f"through tendril serve on testhost (board {board})" in done.stderr
    out = done.stdout.splitlines()
    assert out[0] == "D3: 3 devices"  # the default list: the recipe's 1-Wire pin
    families = {"10": "DS18S20", "28": "DS18B20", "22": "DS1822"}
    assert [line.split()[:2] for line in out[1:4]] == [[c, families[c[:2]]] for c in story.SCAN["codes"]]
    snippet = "\n".join(out[out.index("[sensors.probe_1]"):])
    recipe = parse('[recipe]\nname = "scanned"\nversion = "1.0.0"\nsummary = "s"\nboards = ["uno"]\n\n'
                   + snippet)
    compile_recipe(recipe, load_board("uno"))
    assert [s.rom.hex() for s in recipe.sensors] == ["28ab89674523015a"]  # DS18B20s only

    # serve's reply on the bus: the codes and the same snippet, for any MQTT client
    _, payload, _ = watcher.wait_topic(f"tendril/{board}/response", since=since)
    body = json.loads(payload)
    assert body["ok"] is True and body["command"] == "scan"
    assert body["buses"] == [{"pin": "D3", "number": 3, "result": "ok", "codes": story.SCAN["codes"]}]
    assert body["snippet"] == snippet + "\n"

    named = scan("--port", board, "--pin", "D4", "--pin", "D5", env=env)  # by board id too
    assert named.returncode == 0, named.stderr
    assert [line.split(":")[0] for line in named.stdout.splitlines()] == ["D4", "D5"]
    assert "no device answered" in named.stdout and "held low" in named.stdout

    for pin, words in (("D0", "cannot carry a 1-Wire bus"), ("Z9", "no such pin")):
        refused = scan("--port", sim.port, "--pin", pin, env=env)
        assert refused.returncode == 1 and refused.stdout == "", refused.stdout
        assert words in refused.stderr and "Traceback" not in refused.stderr, refused.stderr
        assert refused.stderr.splitlines()[-1].startswith("tendril: "), refused.stderr

    assert f"scan for {board}" in serve.stderr
    code, _, _ = serve.stop()
    assert code == 0
    with Session(sim.port) as s:  # serve held the link all along: the board never reset
        assert s.hello.boot_count == boots
