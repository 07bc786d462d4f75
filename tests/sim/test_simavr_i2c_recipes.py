"""The shipped weather station and SHT4x greenhouse in the real AVR binary under simavr: the chip
models answering the firmware's TWI (firmware/sim/sim_i2c_avr.c), the rain gauge's tips at the pin
counted by its interrupt, the soil probe on the ADC; the rules act on the values, and what a missing
chip's channels drive goes off, safe, as on the other boards (tests/support/weather_story.py,
greenhouse_story.py), on the Mega and the Uno."""

from __future__ import annotations

import pytest
from tendril.sim.runner import hello

from ..support import greenhouse_story, weather_story
from ..support.recipe_story import Held, relay_periods, skip_unless_built
from ..support.simavr_board import FirmwareBoard, build_product

pytestmark = pytest.mark.slow  # the real firmware in simavr for 230 to 265 s of board time




@pytest.mark.parametrize("board", ["mega2560", "uno"])
@pytest.mark.parametrize("story", [weather_story, greenhouse_story], ids=["weather-station", "greenhouse-sht4x"])
def test_the_real_binary_acts_on_its_i2c_sensors_and_stays_safe_while_a_chip_is_gone(story, board, simavr_built,
                                                                                     tmp_path):
    fw = FirmwareBoard(build_product(board), tmp_path, board)
    try:
        link = fw.start(scenario="\n".join(story.scenario(board)) + "\n", hold=True)
        skip_unless_built(hello(link), story.image(board), "C firmware")
        story.play(Held(fw), board)
        story.check(fw.device_events(), fw.telemetry(), board)
        fw.stop()
        story.check_relays(relay_periods(fw.events.pins(), story.RELAYS[board]), board)
        assert int(fw.events.stop()["ram_never_used"]) >= 512  # the stack budget, every driver's deepest call in
    finally:
        fw.stop()
