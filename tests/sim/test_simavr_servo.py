"""A servo driven by the real AVR binary in simavr: the firmware sets timer 1 up for 50 Hz, simavr's
timer model drives the OC1A pin (D9), and the runner (firmware/sim/sim_servo_avr.c) times each real
pulse in CPU cycles. The vent story of tests/support/servo_story.py: safe at boot, opened by a rule,
clamped under a lease that asks for more, safe again at the lease's end and on OFF."""

from __future__ import annotations

import re

import pytest
from tendril.contract import EventKind
from tendril.protocol import Ack, Event, Lease, Off

from ..support import servo_story as story

pytestmark = pytest.mark.slow  # the real firmware in simavr for some seconds of board time


@pytest.fixture
def board(uno_board):
    return uno_board


def _pulses(board) -> list[tuple[int, int, int]]:
    """(board ms, degrees the runner read, pulse us) of each change of D9's 50 Hz pulse train."""
    out = []
    for line in board.events.lines():
        m = re.fullmatch(r"servo 9 (-?\d+) us=(\d+) period=20000 t=(\d+)ms", line)
        if m:
            out.append((int(m[3]), int(m[1]), int(m[2])))
    return out


def test_the_real_timer_moves_the_vent_by_rule_and_by_lease_inside_its_limits(board):
    board.start(scenario=story.SCENARIO, hold=True)
    board.push(story.image())
    board.sim.clock.hold()
    board.run(10_000)
    moves = [(t, us) for t, _deg, us in _pulses(board)]
    story.check_rule(moves)
    # the runner's reading of the real pulse: within a microsecond of what the firmware meant
    assert all(abs(deg - story.degrees(us)) <= 0.5 for _t, deg, us in _pulses(board))

    start = len(_pulses(board))
    assert isinstance(board.link.request(Lease(0, 2_000, 200)), Ack)  # asks for more than 120
    board.run(3_000)
    lease = _pulses(board)[start:]
    assert [us for _t, _d, us in lease] == [story.pulse_us(story.HI), story.pulse_us(story.SAFE)], lease
    assert 1_900 <= lease[1][0] - lease[0][0] <= 2_100, lease  # back to safe when the lease ends
    on = [e for e in board.device_events() if e.kind == EventKind.ACT_ON]
    assert on[-1].value == story.HI, on  # ACT_ON says the position it really took

    start = len(_pulses(board))
    assert isinstance(board.link.request(Lease(0, 60_000, 100)), Ack)
    board.run(1_000)
    assert isinstance(board.link.request(Off(0)), Ack)
    board.run(1_000)
    tail = [us for _t, _d, us in _pulses(board)[start:]]
    assert tail == [story.pulse_us(100), story.pulse_us(story.SAFE)], tail


def test_a_board_that_boots_with_a_vent_in_its_config_drives_it_safe_first(board):
    board.start(hold=True)
    board.push(story.image())
    board.start()  # a power cycle: the config is in EEPROM
    board.listen(1.0)
    pulses = _pulses(board)
    assert pulses and pulses[0][2] == story.pulse_us(story.SAFE) and pulses[0][0] < 200, pulses
