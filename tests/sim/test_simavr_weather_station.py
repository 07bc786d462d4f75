"""The shipped weather station in the real AVR binary under simavr: the BME280 and BH1750 models
answering the firmware's TWI (firmware/sim/sim_i2c_avr.c), the rain gauge's tips at the pin counted
by its interrupt; the rules act on the values and the fan stops, safe, while the BME280 does not
answer, as on the other boards (tests/support/weather_story.py). The Mega, and the Uno once its
build with every driver fits its budget."""

from __future__ import annotations

import pytest

from ..support import weather_story as story
from ..support.recipe_story import Held, product_within_budget
from ..support.simavr_board import FirmwareBoard, on_periods

pytestmark = pytest.mark.slow  # the real firmware in simavr for 265 s of board time


@pytest.mark.parametrize("board", ["mega2560", "uno"])
def test_the_real_binary_runs_the_weather_station_on_its_i2c_sensors_and_rain(board, simavr_built, tmp_path):
    fw = FirmwareBoard(product_within_budget(board), tmp_path, board)
    try:
        fw.start(scenario="\n".join(story.scenario(board)) + "\n", hold=True)
        story.play(Held(fw), board)
        story.check(fw.device_events(), fw.telemetry(), board)
        fw.stop()
        fan = on_periods(fw.events.pins(), story.FAN_PIN[board], 0)  # active low
        assert len(fan) == 1, fan  # hot and humid, until the BME280 went
    finally:
        fw.stop()
