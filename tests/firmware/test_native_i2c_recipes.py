"""The shipped weather station and SHT4x greenhouse in the C firmware on the native board, its clock
held and stepped by the test: the I2C chips' models and the other sensors drive the rules, and what
a missing chip's channels drive goes off, safe, while the rest of the board carries on
(tests/support/weather_story.py, greenhouse_story.py)."""

from __future__ import annotations

import pytest
from tendril.protocol import Event, RequestHello, Telemetry

from ..support import greenhouse_story, weather_story
from ..support.native_board import NativeBoard
from ..support.recipe_story import relay_periods, skip_unless_built


@pytest.mark.parametrize("story", [weather_story, greenhouse_story], ids=["weather-station", "greenhouse-sht4x"])
def test_the_recipe_acts_on_its_i2c_sensors_and_stays_safe_while_a_chip_is_gone(story, plain, tmp_path):
    args = [a for line in story.scenario("uno") for a in ("--set", line)]
    board = NativeBoard(plain, tmp_path / "ee.bin", "--fast", "--hold", *args)
    try:
        skip_unless_built(board.request(RequestHello()), story.image("uno"), "C firmware")
        story.play(board, "uno")
    finally:
        board.close()
    story.check(board.messages(Event), board.messages(Telemetry), "uno")
    pins = [(pin, level, t) for pin in story.RELAYS["uno"] for t, level in board.pins(pin)]
    story.check_relays(relay_periods(sorted(pins, key=lambda p: p[2]), story.RELAYS["uno"]), "uno")
