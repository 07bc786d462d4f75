"""The shipped greenhouse with an SHT4x in the MicroPython firmware on the virtual Pico (clock held,
stepped by the test): the SHT4x model behind machine.I2C, the soil probe on the ADC; the heater
goes off, safe, while the SHT4x does not answer, and the pump waters meanwhile, as on the other
boards (tests/support/greenhouse_story.py)."""

from __future__ import annotations

import pytest
from tendril.protocol import Event, Telemetry

from ..support import greenhouse_story as story
from ..support.recipe_story import kinds_not_built
from .link import held_board


def test_the_virtual_board_runs_the_greenhouse_on_its_sht4x_and_soil(tmp_path):
    with held_board(tmp_path, story.scenario("pico")) as lk:
        missing = kinds_not_built(lk.hello(), story.image("pico"))
        if missing:  # the MicroPython drivers come with the I2C kinds (tdfw): until then, say so
            pytest.skip(f"the MicroPython firmware has no driver for {', '.join(missing)} yet")
        story.play(lk, "pico")
    story.check([m for m in lk.unsolicited if isinstance(m, Event)],
                [m for m in lk.unsolicited if isinstance(m, Telemetry)], "pico")
