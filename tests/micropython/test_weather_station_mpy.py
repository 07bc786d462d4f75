"""The shipped weather station in the MicroPython firmware on the virtual Pico (clock held, stepped
by the test): the BME280 and BH1750 models behind machine.I2C, the rain gauge's tips through
Pin.irq; the rules act on the values and the fan stops, safe, while the BME280 does not answer, as
on the other boards (tests/support/weather_story.py)."""

from __future__ import annotations

import pytest
from tendril.protocol import Event, Telemetry

from ..support import weather_story as story
from ..support.recipe_story import kinds_not_built
from .link import held_board


def test_the_virtual_board_runs_the_weather_station_on_its_i2c_sensors_and_rain(tmp_path):
    with held_board(tmp_path, story.scenario("pico")) as lk:
        missing = kinds_not_built(lk.hello(), story.image("pico"))
        if missing:  # the MicroPython drivers come with the I2C kinds (tdfw): until then, say so
            pytest.skip(f"the MicroPython firmware has no driver for {', '.join(missing)} yet")
        story.play(lk, "pico")
    story.check([m for m in lk.unsolicited if isinstance(m, Event)],
                [m for m in lk.unsolicited if isinstance(m, Telemetry)], "pico")
