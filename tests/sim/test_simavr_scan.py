"""COMMAND SCAN_ONEWIRE in the real AVR binary in simavr: the firmware's bus search
(firmware/core/onewire.c) bit-banging the pin, cycle-counted, against the runner's pin-level model of
the probes (firmware/sim/sim_onewire.c, driven from the pin's DDR writes): the scan story of
tests/vectors/sensors/ds18b20_scan.json, told as the native board and the virtual board tell it."""

from __future__ import annotations

import pytest
from tendril.boards import load_board
from tendril.image import with_generation
from tendril.recipes import compile_recipe, parse

from ..support import ds18b20_story as story
from ..support.simavr_board import FirmwareBoard, build_product

pytestmark = pytest.mark.slow  # the real firmware in simavr for seconds of board time


def test_the_real_binary_tells_the_scan_story(simavr_built, tmp_path):
    board = FirmwareBoard(build_product("uno"), tmp_path)
    try:
        board.start(scenario="\n".join(story.scan_scenario("uno")) + "\n", hold=True)
        board.push(with_generation(compile_recipe(parse(story.SCAN["recipe"]), load_board("uno")), 1))
        board.sim.clock.hold()
        got = story.play_scan("uno", lambda m: board.link.request(m, timeout=10), board.run)
        telemetry = [(m.time_ms, m.values[0]) for m in board.telemetry()]
        story.check_scan("uno", got, telemetry, board.device_events())
    finally:
        board.stop()
    stop = board.events.stop()
    bus = next(line for line in board.events.lines() if line.startswith("ds18b20 pin=3"))
    print(stop, bus)  # the numbers docs/benchmarks.md records
    assert int(stop["ram_never_used"]) >= 512  # the Uno's stack budget, searches included
    assert bus.split()[-1] == "bad_slots=0"  # every slot of every search one a probe could read
