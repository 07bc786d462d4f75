"""A guard in the MicroPython firmware on the virtual board (clock held, stepped by the test): the
same dry-run story as the native board's (tests/support/guard_story.py; rules.md "Guards")."""

from __future__ import annotations

from tendril.boards import load_board
from tendril.image import with_generation
from tendril.protocol import Event
from tendril.recipes import compile_recipe, parse
from tendril.sim.mpy_board import VirtualBoard
from tendril.sim.scenario import Scenario

from ..support import guard_story as story
from .link import Link


def test_the_virtual_board_stops_a_pump_running_dry_and_locks_it_out(tmp_path):
    world = Scenario("pico")
    for line in story.scenario("pico"):
        world.line(line)
    vb = VirtualBoard("pico", storage=tmp_path, hold=True, world=world)
    vb.start()
    lk = Link(vb)
    try:
        image = with_generation(compile_recipe(parse(story.recipe("pico")), load_board("pico")), 1)
        locked = story.play(lk, image)
    finally:
        lk.close()
        vb.close()
    story.check([m for m in lk.unsolicited if isinstance(m, Event)], locked)
