"""A guard in the C firmware on the native board, its clock held and stepped by the test: the pump's
flow stops mid-watering and the guard stops it, keeps it locked out (STATUS), and a manual run with
the tank still empty trips again (tests/support/guard_story.py; rules.md "Guards")."""

from __future__ import annotations

from tendril.boards import load_board
from tendril.image.codec import with_generation
from tendril.protocol import Event
from tendril.recipes import compile_recipe, parse

from ..support import guard_story as story
from ..support.native_board import NativeBoard


def test_a_pump_whose_flow_stops_is_stopped_and_locked_out_until_a_manual_run(plain, tmp_path):
    args = [a for line in story.scenario("uno") for a in ("--set", line)]
    board = NativeBoard(plain, tmp_path / "ee.bin", "--fast", "--hold", *args)
    try:
        image = with_generation(compile_recipe(parse(story.recipe("uno")), load_board("uno")), 1)
        locked = story.play(board, image)
    finally:
        board.close()
    story.check(board.messages(Event), locked)
    levels = [level for _t, level in board.pins(7)]
    assert levels[-4:] == [1, 0, 1, 0]  # on, off by the guard, on by hand, off by the guard again
