"""The shipped plant waterer with a flow meter in the C firmware on the native board, its clock held
and stepped by the test: litres counted, a pump running dry stopped by its guard
(tests/support/waterer_flow_story.py)."""

from __future__ import annotations

from tendril.protocol import Event, Telemetry

from ..support import waterer_flow_story as story
from ..support.native_board import NativeBoard


def test_the_plant_waterer_counts_litres_and_stops_a_pump_running_dry(plain, tmp_path):
    args = [a for line in story.scenario("uno") for a in ("--set", line)]
    board = NativeBoard(plain, tmp_path / "ee.bin", "--fast", "--hold", *args)
    try:
        locked = story.play(board, "uno")
    finally:
        board.close()
    story.check(board.messages(Event), board.messages(Telemetry), locked)
    levels = [level for _t, level in board.pins(7)]
    assert levels[-8:] == [0, 1] * 4  # active low: the rule, by hand (the guard stops it), by hand, the rule
