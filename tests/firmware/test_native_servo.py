"""A servo on the native board: the C core drives it through hal_servo_write, and the native HAL's
model reports each pulse width (`t=<ms> servo <pin> <us>` on stderr). The vent story of
tests/support/servo_story.py with the board's clock held and stepped by the test."""

from __future__ import annotations

import re

from tendril.contract import EventKind
from tendril.protocol import Ack, Event, Lease, Off

from ..support import servo_story as story
from ..support.native_board import NativeBoard


def _moves(board: NativeBoard) -> list[tuple[int, int]]:
    return [(int(m[1]), int(m[2])) for m in (re.fullmatch(r"t=(\d+) servo 9 (\d+)", x) for x in board.stderr) if m]


def test_the_native_board_moves_the_vent_by_rule_and_lease_inside_its_limits(plain, tmp_path):
    board = NativeBoard(plain, tmp_path / "ee.bin", "--fast", "--hold", "--set", story.SCENARIO.strip())
    try:
        assert isinstance(board.push(story.image())[-1], Ack)
        board.run(10_000)
        story.check_rule(_moves(board))
        start = len(_moves(board))
        assert isinstance(board.request(Lease(0, 2_000, 200)), Ack)
        board.run(3_000)
        lease = _moves(board)[start:]
        assert [us for _t, us in lease] == [story.pulse_us(story.HI), story.pulse_us(story.SAFE)], lease
        assert 1_900 <= lease[1][0] - lease[0][0] <= 2_100, lease
        on = [m for m in board.messages(Event) if m.kind == EventKind.ACT_ON]
        assert on[-1].value == story.HI, on
        start = len(_moves(board))
        assert isinstance(board.request(Lease(0, 60_000, 100)), Ack)
        board.run(500)
        assert isinstance(board.request(Off(0)), Ack)
        board.run(500)
        assert [us for _t, us in _moves(board)[start:]] == [story.pulse_us(100), story.pulse_us(story.SAFE)]
    finally:
        board.close()


def test_a_native_board_with_a_vent_in_its_eeprom_drives_it_safe_at_boot(plain, tmp_path):
    board = NativeBoard(plain, tmp_path / "ee.bin", "--fast", "--hold")
    try:
        assert isinstance(board.push(story.image())[-1], Ack)
    finally:
        board.close()
    board = NativeBoard(plain, tmp_path / "ee.bin", "--fast", "--hold")
    try:
        board.run(100)
        assert _moves(board)[:1] == [(0, story.pulse_us(story.SAFE))], board.stderr
    finally:
        board.close()
