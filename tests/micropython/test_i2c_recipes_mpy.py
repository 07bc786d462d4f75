"""The shipped weather station and SHT4x greenhouse in the MicroPython firmware on the virtual Pico
(clock held, stepped by the test): the chip models behind machine.I2C, the rain gauge's tips through
Pin.irq, the soil probe on the ADC; the rules act on the values, and what a missing chip's channels
drive goes off, safe, as on the other boards (tests/support/weather_story.py, greenhouse_story.py)."""

from __future__ import annotations

import pytest
from tendril.protocol import Event, Telemetry

from ..support import greenhouse_story, weather_story
from ..support.recipe_story import skip_unless_built
from .link import held_board


@pytest.mark.parametrize("story", [weather_story, greenhouse_story], ids=["weather-station", "greenhouse-sht4x"])
def test_the_virtual_board_acts_on_its_i2c_sensors_and_stays_safe_while_a_chip_is_gone(story, tmp_path):
    with held_board(tmp_path, story.scenario("pico")) as lk:
        skip_unless_built(lk.hello(), story.image("pico"), "MicroPython firmware")
        story.play(lk, "pico")
    story.check([m for m in lk.unsolicited if isinstance(m, Event)],
                [m for m in lk.unsolicited if isinstance(m, Telemetry)], "pico")
