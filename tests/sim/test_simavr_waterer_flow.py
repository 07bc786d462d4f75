"""The shipped plant waterer with a flow meter in the real AVR binary under simavr: the meter's pulses
at the pin (firmware/sim/sim_pulse_avr.c) counted by the firmware's pin-change interrupt, the rule's
watering and the guard stopping a pump that runs dry, as on the other boards
(tests/support/waterer_flow_story.py)."""

from __future__ import annotations

import pytest

from ..support import waterer_flow_story as story
from ..support.recipe_story import Held
from ..support.simavr_board import FirmwareBoard, build_product, on_periods

pytestmark = pytest.mark.slow  # the real firmware in simavr for 200 s of board time


@pytest.fixture(scope="module")
def elf():
    return build_product("uno")


def test_the_real_binary_counts_litres_and_its_guard_stops_a_pump_running_dry(elf, simavr_built, tmp_path):
    board = FirmwareBoard(elf, tmp_path)
    try:
        board.start(scenario="\n".join(story.scenario("uno")) + "\n", hold=True)
        locked = story.play(Held(board), "uno")
        story.check(board.device_events(), board.telemetry(), locked)
        board.stop()
        pump = on_periods(board.events.pins(), 7, 0)  # active low
        # the rule's watering, the lease the guard cut short, the lease after the refill, the rule's
        assert len(pump) == 4, pump
        assert all(7_900 <= pump[i][1] - pump[i][0] <= 8_100 for i in (0, 3)), pump
    finally:
        board.stop()
