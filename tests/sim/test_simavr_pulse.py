"""The real AVR binary's pulse counter in simavr: the runner's model (firmware/sim/sim_pulse_avr.c over
sim_pulse.c) drives the pin's every fall, rise and bounce at its cycle, and the firmware counts them
in its pin-change interrupt as on a real Uno. The shared story (tests/vectors/sensors/pulse_story.json:
10 and 500 Hz with none missed, a stop, a bouncing switch with and without debounce) told as the
native board tells it."""

from __future__ import annotations

import pytest
from tendril.boards import load_board
from tendril.image import with_generation
from tendril.protocol import Telemetry
from tendril.recipes import compile_recipe, parse

from ..support import pulse_story as story
from ..support.ds18b20_story import sensor_events
from ..support.simavr_board import FirmwareBoard, build_product

pytestmark = pytest.mark.slow  # the real firmware in simavr for 24 s of board time


@pytest.fixture(scope="module")
def elf():
    return build_product("uno")


@pytest.fixture
def board(elf, simavr_built, tmp_path):
    fw = FirmwareBoard(elf, tmp_path)
    yield fw
    fw.stop()


def test_the_real_binary_counts_every_pulse_and_no_bounce(board):
    v = story.STORY
    board.start(scenario="\n".join(story.scenario(v, "uno")) + "\n", hold=True)
    board.push(with_generation(compile_recipe(parse(v["recipe"]), load_board("uno")), 1))
    board.listen_until(lambda m: isinstance(m, Telemetry) and m.time_ms >= v["run_ms"], timeout=600)
    rows = [(m.time_ms, list(m.values)) for m in board.telemetry()]
    story.check_story(rows, sensor_events(board.device_events()))
    board.stop()
    falls = {line.split()[1]: int(line.split()[2].split("=")[1])
             for line in board.events.lines() if line.startswith("pulse pin=")}
    # the model drove the flow's pulses (no bounces on it) and four falls a tip on each switch
    assert falls["pin=2"] >= v["stop_total"] // 1000, falls
    assert falls["pin=3"] == falls["pin=4"] and falls["pin=3"] % (1 + v["bounces"]) == 0, falls
