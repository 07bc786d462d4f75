"""A guard in the MicroPython firmware on the virtual board (clock held, stepped by the test): the
same dry-run story as the native board's (tests/support/guard_story.py; rules.md "Guards")."""

from __future__ import annotations

from tendril.boards import load_board
from tendril.image import with_generation
from tendril.protocol import Event
from tendril.recipes import compile_recipe, parse

from ..support import guard_story as story
from .link import held_board


def test_the_virtual_board_stops_a_pump_running_dry_and_locks_it_out(tmp_path):
    with held_board(tmp_path, story.scenario("pico")) as lk:
        image = with_generation(compile_recipe(parse(story.recipe("pico")), load_board("pico")), 1)
        locked = story.play(lk, image)
    story.check([m for m in lk.unsolicited if isinstance(m, Event)], locked)
