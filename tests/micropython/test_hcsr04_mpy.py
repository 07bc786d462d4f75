"""The MicroPython firmware's HC-SR04 driver (tdfw/drivers_hcsr04.py), its echo timed by the virtual
board's machine.time_pulse_us from the world's sonar model the native board shares
(firmware/sim/sim_sonar.c): the shared fault story (tests/vectors/sensors/hcsr04_faults.json)."""

from __future__ import annotations

from tendril.boards import load_board
from tendril.contract import SensorKind
from tendril.image import with_generation
from tendril.protocol import Ack, Event, Hello, RequestHello, Telemetry
from tendril.recipes import compile_recipe, parse
from tendril.sim.mpy_board import VirtualBoard
from tendril.sim.scenario import Scenario

from ..support import hcsr04_story as story
from .link import Link


def test_the_virtual_board_tells_the_sonar_story(tmp_path):
    v = story.FAULTS
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
    assert isinstance(hello, Hello) and hello.sensor_kinds >> SensorKind.HCSR04 & 1
    got = lk.unsolicited
    telemetry = [(m.time_ms, m.values[0]) for m in got if isinstance(m, Telemetry)]
    story.check_faults(telemetry, story.sensor_events([m for m in got if isinstance(m, Event)]))
