"""The MicroPython firmware's DS18B20 driver, over the virtual board's onewire and ds18x20 modules,
which play every reset and slot to the pin-level probe model the other simulated boards share
(firmware/sim/sim_onewire.c): the shared probe story (tests/support/ds18b20_story.py) told as the
native board and the real AVR binary tell it, and two probes on one bus by their ROM codes (the
sensor vectors, tests/vectors/sensors/)."""

from __future__ import annotations

from tendril.boards import load_board
from tendril.image import with_generation
from tendril.protocol import Ack, Event, Hello, RequestHello, Telemetry
from tendril.recipes import compile_recipe, parse
from tendril.sim.mpy_board import VirtualBoard
from tendril.sim.scenario import Scenario

from ..support import ds18b20_story as story
from .link import Link

def _run(tmp_path, recipe: str, lines: list[str], ms: int):
    world = Scenario("pico")
    for line in lines:
        world.line(line)
    vb = VirtualBoard("pico", storage=tmp_path, hold=True, world=world)
    vb.start()
    lk = Link(vb)
    try:
        hello = lk.request(RequestHello())
        assert isinstance(lk.push(with_generation(compile_recipe(parse(recipe), load_board("pico")), 1))[-1], Ack)
        lk.run(ms, timeout=600)
    finally:
        lk.close()
        vb.close()
    return hello, lk.unsolicited


def test_the_virtual_board_tells_the_probe_story(tmp_path):
    v = story.FAULTS
    hello, got = _run(tmp_path, v["recipe"], story.scenario(v, "pico"), v["run_ms"])
    assert isinstance(hello, Hello) and hello.sensor_kinds & 1  # it has the DS18B20's driver
    telemetry = [(m.time_ms, m.values[0]) for m in got if isinstance(m, Telemetry)]
    story.check_faults(telemetry, story.sensor_events([m for m in got if isinstance(m, Event)]))


def test_two_probes_on_one_bus_by_rom_code(tmp_path):
    v = story.TWO_PROBES
    _hello, got = _run(tmp_path, v["recipe"], story.scenario(v, "pico"), v["run_ms"])
    assert list([m for m in got if isinstance(m, Telemetry)][-1].values) == v["last_values"]
    assert not story.sensor_events([m for m in got if isinstance(m, Event)])
