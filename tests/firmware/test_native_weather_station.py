"""The shipped weather station in the C firmware on the native board, its clock held and stepped by
the test: a BME280 and a BH1750 on the I2C bus and a rain gauge drive the vent, the fan, the storm
LED and the lamp; the fan stops, safe, while the BME280 does not answer
(tests/support/weather_story.py)."""

from __future__ import annotations

from tendril.protocol import Event, Telemetry

from ..support import weather_story as story
from ..support.native_board import NativeBoard


def test_the_weather_station_acts_on_its_i2c_sensors_and_rain_and_stays_safe_without_its_bme280(plain, tmp_path):
    args = [a for line in story.scenario("uno") for a in ("--set", line)]
    board = NativeBoard(plain, tmp_path / "ee.bin", "--fast", "--hold", *args)
    try:
        story.play(board, "uno")
    finally:
        board.close()
    story.check(board.messages(Event), board.messages(Telemetry), "uno")
    levels = [level for _t, level in board.pins(story.FAN_PIN["uno"])]
    assert levels[-2:] == [0, 1]  # active low: on while hot and humid, off when the BME280 went
