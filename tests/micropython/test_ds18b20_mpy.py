"""The MicroPython firmware's DS18B20 driver, over the virtual board's onewire and ds18x20 modules,
which play every reset and slot to the pin-level probe model the other simulated boards share
(firmware/sim/sim_onewire.c): the shared probe story (tests/support/ds18b20_story.py) told as the
native board and the real AVR binary tell it, and two probes on one bus by their ROM codes."""

from __future__ import annotations

from tendril.boards import load_board
from tendril.image import with_generation
from tendril.protocol import Ack, Event, Hello, RequestHello, Telemetry
from tendril.recipes import compile_recipe, parse
from tendril.sim.mpy_board import VirtualBoard
from tendril.sim.scenario import Scenario

from ..support import ds18b20_story as story
from .link import Link

TWO = """\
[recipe]
name = "two-probes"
version = "1.0.0"
summary = "two probes on one bus"
boards = ["pico"]
telemetry = "1 s"

[sensors.tank_probe]
kind = "ds18b20"
pin = "GP2"
rom = "28ab89674523015a"
resolution = 10

[sensors.room_probe]
kind = "ds18b20"
pin = "GP2"
rom = "28efbe00000000fe"

[channels.tank]
sensor = "tank_probe"

[channels.room]
sensor = "room_probe"
"""


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
    hello, got = _run(tmp_path, story.RECIPE, [line.format(pin="GP2") for line in story.SCENARIO], story.RUN_MS)
    assert isinstance(hello, Hello) and hello.sensor_kinds == 1  # it has the DS18B20's driver
    telemetry = [(m.time_ms, m.values[0]) for m in got if isinstance(m, Telemetry)]
    story.check(telemetry, story.sensor_events([m for m in got if isinstance(m, Event)]))


def test_two_probes_on_one_bus_by_rom_code(tmp_path):
    _hello, got = _run(tmp_path, TWO, ["ds18b20 GP2 rom=28ab89674523015a 21.3",
                                       "ds18b20 GP2 rom=28efbe00000000fe -10.0625"], 8_000)
    last = [m for m in got if isinstance(m, Telemetry)][-1].values
    assert last == (21_250, -10_063), last  # the same numbers as the real AVR binary's
