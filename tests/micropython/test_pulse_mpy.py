"""The MicroPython firmware's pulse counter (tdfw/drivers_pulse.py over the Hal's Pin.irq counting),
on the virtual board whose Pin.irq is fed each edge of the world's pulse sources the native board
and simavr share (firmware/sim/sim_pulse.c): the shared story (tests/vectors/sensors/pulse_story.json)."""

from __future__ import annotations

import pytest
from tendril.boards import load_board
from tendril.contract import SensorKind
from tendril.image import with_generation
from tendril.protocol import Ack, Event, Hello, RequestHello, Telemetry
from tendril.recipes import compile_recipe, parse
from tendril.sim.mpy_board import VirtualBoard
from tendril.sim.scenario import Scenario

from ..support import pulse_story as story
from ..support.ds18b20_story import sensor_events
from .link import Link

pytestmark = pytest.mark.slow  # 24 s of board time, every edge of 500 Hz through Pin.irq in CPython


def test_the_virtual_board_tells_the_pulse_story(tmp_path):
    v = story.STORY
    world = Scenario("pico")
    for line in story.scenario(v, "pico"):
        world.line(line)
    vb = VirtualBoard("pico", storage=tmp_path, hold=True, world=world)
    vb.start()
    lk = Link(vb)
    try:
        hello = lk.request(RequestHello())
        assert isinstance(lk.push(with_generation(compile_recipe(parse(v["recipe"]), load_board("pico")), 1))[-1], Ack)
        lk.run(v["run_ms"], timeout=600)
    finally:
        lk.close()
        vb.close()
    assert isinstance(hello, Hello) and hello.sensor_kinds >> SensorKind.PULSE & 1
    got = lk.unsolicited
    rows = [(m.time_ms, list(m.values)) for m in got if isinstance(m, Telemetry)]
    story.check_story(rows, sensor_events([m for m in got if isinstance(m, Event)]))
