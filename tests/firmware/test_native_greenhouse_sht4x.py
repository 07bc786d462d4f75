"""The shipped greenhouse with an SHT4x in the C firmware on the native board, its clock held and
stepped by the test: the SHT4x on the I2C bus drives the vent fan and the heater, the soil probe the
pump; the heater goes off, safe, while the SHT4x does not answer, and the pump carries on
(tests/support/greenhouse_story.py)."""

from __future__ import annotations

from tendril.protocol import Event, Telemetry

from ..support import greenhouse_story as story
from ..support.native_board import NativeBoard


def test_the_greenhouse_acts_on_its_sht4x_and_soil_and_heats_nothing_without_a_reading(plain, tmp_path):
    args = [a for line in story.scenario("uno") for a in ("--set", line)]
    board = NativeBoard(plain, tmp_path / "ee.bin", "--fast", "--hold", *args)
    try:
        story.play(board, "uno")
    finally:
        board.close()
    story.check(board.messages(Event), board.messages(Telemetry), "uno")
    fan, heater, pump = story.RELAY_PINS["uno"]  # active low: 0 is on
    assert [level for _t, level in board.pins(fan)][-2:] == [0, 1]  # heat, then damp, kept it on
    assert [level for _t, level in board.pins(heater)][-3:] == [0, 1, 0]  # frost, the fault, frost again
    assert [level for _t, level in board.pins(pump)][-2:] == [0, 1]  # one pulse, during the fault
