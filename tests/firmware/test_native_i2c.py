"""The I2C sensor kinds of the C firmware on the native board, against the chip models on the world's
bus at the HAL (firmware/sim/sim_i2c.c, sim_i2c_chips.c), the board's clock held and stepped by the
test: every kind's values over time (tests/support/i2c_story.py), and each fault with its recovery."""

from __future__ import annotations

import pytest
from tendril.contract import SensorKind
from tendril.protocol import Event, Hello, RequestHello, Telemetry

from ..support import i2c_story as story
from ..support.native_board import NativeBoard, play_recipe

I2C_KINDS = (SensorKind.BME280, SensorKind.BMP280, SensorKind.SHT3X, SensorKind.SHT4X, SensorKind.AHT20,
             SensorKind.AHT10, SensorKind.BH1750)


def test_the_native_board_says_it_has_every_i2c_driver(plain, tmp_path):
    board = NativeBoard(plain, tmp_path / "ee.bin", "--fast", "--hold")
    try:
        hello = board.request(RequestHello())
    finally:
        board.close()
    assert isinstance(hello, Hello) and all(hello.sensor_kinds >> k & 1 for k in I2C_KINDS)


@pytest.mark.parametrize("speed, khz", [("", "100"), ("400 kHz", "400")], ids=["100kHz", "400kHz"])
def test_every_i2c_kind_reads_what_the_scenario_sets_within_its_resolution(plain, tmp_path, speed, khz):
    board = play_recipe(plain, tmp_path, story.values_recipe(speed), story.values_scenario(), story.VALUES_RUN_MS)
    rows = [(m.time_ms, list(m.values)) for m in board.messages(Telemetry)]
    assert story.check_values(rows) >= 8 * 35
    assert not [e for e in board.messages(Event) if e.kind == 8], board.messages(Event)  # no SENSOR event
    # the HAL's bus begun at the recipe's `[i2c] speed` (and never at another)
    assert [line.split()[2] for line in board.stderr if line.split()[1:2] == ["i2c"]] == [khz], board.stderr


@pytest.mark.parametrize("binary", ["plain", "debug"])
def test_each_i2c_fault_is_its_channels_event_and_recovers_while_the_rest_reads_on(binary, request, tmp_path):
    board = play_recipe(request.getfixturevalue(binary), tmp_path, story.FAULTS_RECIPE, story.faults_scenario(),
                  story.FAULTS_RUN_MS)
    rows = [(m.time_ms, list(m.values)) for m in board.messages(Telemetry)]
    story.check_faults(rows, board.messages(Event))
