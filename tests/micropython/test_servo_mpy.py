"""A servo on the MicroPython firmware: tdfw drives machine.PWM at 50 Hz with duty_ns, and the
virtual board's PWM model records each pulse width. The vent story of tests/support/servo_story.py
on a Pico (the servo on GP9, the air on GP26), the clock held and stepped by the test."""

from __future__ import annotations

from tendril.contract import BoardClass, EventKind
from tendril.protocol import Ack, Event, Lease, Off
from tendril.sim.mpy_board import VirtualBoard
from tendril.sim.scenario import Scenario

from ..support import servo_story as story
from .link import Link


def _moves(vb: VirtualBoard) -> list[tuple[int, int]]:
    assert all(hz == 50 for _t, _us, hz in vb.pulses.get(story.PIN, []))
    return [(t, us) for t, us, _hz in vb.pulses.get(story.PIN, [])]


def test_the_virtual_board_moves_the_vent_by_rule_and_lease_inside_its_limits(tmp_path):
    world = Scenario("pico")
    world.line(story.PICO_SCENARIO.strip())
    vb = VirtualBoard("pico", storage=tmp_path, hold=True, world=world)
    vb.start()
    lk = Link(vb)
    try:
        assert isinstance(lk.push(story.image(BoardClass.RP2040, air_pin=26, adc_bits=16))[-1], Ack)
        lk.run(10_000, timeout=600)
        story.check_rule(_moves(vb))
        start = len(_moves(vb))
        assert isinstance(lk.request(Lease(0, 2_000, 200)), Ack)
        lk.run(3_000, timeout=600)
        lease = _moves(vb)[start:]
        assert [us for _t, us in lease] == [story.pulse_us(story.HI), story.pulse_us(story.SAFE)], lease
        assert 1_900 <= lease[1][0] - lease[0][0] <= 2_100, lease
        start = len(_moves(vb))
        assert isinstance(lk.request(Lease(0, 60_000, 100)), Ack)
        lk.run(500, timeout=600)
        assert isinstance(lk.request(Off(0)), Ack)
        lk.run(500, timeout=600)
        assert [us for _t, us in _moves(vb)[start:]] == [story.pulse_us(100), story.pulse_us(story.SAFE)]
    finally:
        lk.close()
        vb.close()
    on = [m for m in lk.unsolicited if isinstance(m, Event) and m.kind == EventKind.ACT_ON]
    assert story.HI in [e.value for e in on], on
