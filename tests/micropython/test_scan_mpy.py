"""COMMAND SCAN_ONEWIRE on the MicroPython virtual board: the firmware's bus search (tdfw/scan.py)
over the virtual board's onewire module, which plays every reset and slot to the pin-level probe
model the other simulated boards share (firmware/sim/sim_onewire.c): the scan story of
tests/vectors/sensors/ds18b20_scan.json, told as the native board and the real AVR binary tell it;
and the module's own OneWire.scan() over the same model."""

from __future__ import annotations

from tendril.boards import load_board
from tendril.image import with_generation
from tendril.protocol import Ack, Event, Telemetry
from tendril.recipes import compile_recipe, parse
from tendril.sim.mpy_board import VirtualBoard
from tendril.sim.onewire_model import modules
from tendril.sim.scenario import Scenario

from ..support import ds18b20_story as story
from .link import Link


def test_the_virtual_board_tells_the_scan_story(tmp_path):
    world = Scenario("pico")
    for line in story.scan_scenario("pico"):
        world.line(line)
    vb = VirtualBoard("pico", storage=tmp_path, hold=True, world=world)
    vb.start()
    lk = Link(vb)
    try:
        image = with_generation(compile_recipe(parse(story.SCAN["recipe"]), load_board("pico")), 1)
        assert isinstance(lk.push(image)[-1], Ack)
        got = story.play_scan("pico", lambda m: lk.request(m, timeout=30), lambda ms: lk.run(ms, timeout=300))
    finally:
        lk.close()
        vb.close()
    telemetry = [(m.time_ms, m.values[0]) for m in lk.unsolicited if isinstance(m, Telemetry)]
    story.check_scan("pico", got, telemetry, [m for m in lk.unsolicited if isinstance(m, Event)])


class _Pin:
    def __init__(self, n: int) -> None:
        self.n = n


def test_onewire_scan_finds_the_codes_of_a_bus_and_nothing_on_a_held_or_empty_one():
    world = Scenario("pico")
    for line in story.scan_scenario("pico"):
        world.line(line)
    onewire = modules(world, lambda: 1_000)["onewire"]
    pins = story.SCAN["numbers"]["pico"]
    found = onewire.OneWire(_Pin(pins["bus"])).scan()
    assert [bytes(c).hex() for c in found] == story.SCAN["codes"]
    assert all(isinstance(c, bytearray) for c in found)  # as MicroPython gives them
    assert onewire.OneWire(_Pin(pins["held_low"])).scan() == []
    assert onewire.OneWire(_Pin(pins["empty"])).scan() == []
