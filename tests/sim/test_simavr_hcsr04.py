"""The real AVR binary's HC-SR04 driver in simavr: hal_ping raises the trigger pin, and the runner's
model (firmware/sim/sim_sonar_avr.c over sim_sonar.c) drives the echo pin high and low again at the
cycles the sonar's answer says; the firmware times it by timer 0. The shared fault story
(tests/vectors/sensors/hcsr04_faults.json) told as the native board and the virtual board tell it."""

from __future__ import annotations

import pytest
from tendril.boards import load_board
from tendril.image import with_generation
from tendril.protocol import Telemetry
from tendril.recipes import compile_recipe, parse

from ..support import hcsr04_story as story
from ..support.simavr_board import FirmwareBoard, build_product

pytestmark = pytest.mark.slow  # the real firmware in simavr for half a minute of board time


@pytest.fixture(scope="module")
def elf():
    return build_product("uno")


@pytest.fixture
def board(elf, simavr_built, tmp_path):
    fw = FirmwareBoard(elf, tmp_path)
    yield fw
    fw.stop()


def test_the_real_binary_tells_the_sonar_story(board):
    v = story.FAULTS
    board.start(scenario="\n".join(story.scenario(v, "uno")) + "\n", hold=True)
    board.push(with_generation(compile_recipe(parse(v["recipe"]), load_board("uno")), 1))
    board.listen_until(lambda m: isinstance(m, Telemetry) and m.time_ms >= v["run_ms"], timeout=600)
    telemetry = [(m.time_ms, m.values[0]) for m in board.telemetry()]
    story.check_faults(telemetry, story.sensor_events(board.device_events()))
    board.stop()
    unit = next(line for line in board.events.lines() if line.startswith("hcsr04 trig=7"))
    pings = int(dict(kv.split("=") for kv in unit.split()[1:])["pings"])
    assert 100 <= pings <= 140, unit  # one every 200 ms read period for 26 s of board time
