"""The shipped greenhouse with an SHT4x in the real AVR binary under simavr: the SHT4x model
answering the firmware's TWI (firmware/sim/sim_i2c_avr.c), the soil probe on the ADC; the fan and
the heater act on the air, the heater goes off, safe, while the SHT4x does not answer, and the pump
waters meanwhile, as on the other boards (tests/support/greenhouse_story.py). The Mega, and the Uno
once its build with every driver fits its budget."""

from __future__ import annotations

import pytest

from ..support import greenhouse_story as story
from ..support.recipe_story import Held, product_within_budget
from ..support.simavr_board import FirmwareBoard, on_periods

pytestmark = pytest.mark.slow  # the real firmware in simavr for 230 s of board time


@pytest.mark.parametrize("board", ["mega2560", "uno"])
def test_the_real_binary_runs_the_greenhouse_on_its_sht4x_and_soil(board, simavr_built, tmp_path):
    fw = FirmwareBoard(product_within_budget(board), tmp_path, board)
    try:
        fw.start(scenario="\n".join(story.scenario(board)) + "\n", hold=True)
        story.play(Held(fw), board)
        story.check(fw.device_events(), fw.telemetry(), board)
        fw.stop()
        fan, heater, pump = (on_periods(fw.events.pins(), pin, 0) for pin in story.RELAY_PINS[board])
        assert (len(fan), len(heater), len(pump)) == (1, 1, 1), (fan, heater, pump)  # the heater on again at the end
        assert 7_900 <= pump[0][1] - pump[0][0] <= 8_100, pump  # the pulse, in the pin's own time
    finally:
        fw.stop()
