"""The shipped plant waterer with a flow meter in the MicroPython firmware on the virtual Pico (clock
held, stepped by the test): every fall of the meter's model through Pin.irq, litres counted, the
guard stopping a pump that runs dry, as on the other boards (tests/support/waterer_flow_story.py)."""

from __future__ import annotations

from tendril.protocol import Event, Telemetry

from ..support import waterer_flow_story as story
from .link import held_board


def test_the_virtual_board_counts_litres_and_stops_a_pump_running_dry(tmp_path):
    with held_board(tmp_path, story.scenario("pico")) as lk:
        locked = story.play(lk, "pico")
    story.check([m for m in lk.unsolicited if isinstance(m, Event)],
                [m for m in lk.unsolicited if isinstance(m, Telemetry)], locked)
