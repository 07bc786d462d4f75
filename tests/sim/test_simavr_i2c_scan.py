"""The I2C scan in the real AVR binary in simavr: the firmware's cmd_i2c on the AVR's TWI master
(firmware/arduino/hal_avr.c) against the runner's chip models (sim_i2c_avr.c answering the TWI from
firmware/sim/sim_i2c_chips.c), through the host's tendril.session.scan_i2c: the story of
tests/support/i2c_scan_story.py as the native board and the virtual board tell it, on the Uno and
the Mega."""

from __future__ import annotations

import pytest
from tendril.contract import I2cStatus
from tendril.session import Session
from tendril.session.scan_i2c import scan_i2c
from tendril.sim.runner import SimBoard, SimSpec

from ..support import i2c_scan_story as story
from ..support.simavr_board import Events, build_product

pytestmark = pytest.mark.slow  # the real firmware in simavr, paced in real time



@pytest.mark.parametrize("board", ["mega2560", "uno"])
def test_the_real_binary_names_each_chip_and_says_a_bus_held_low(simavr_built, board, tmp_path):
    elf = build_product(board)
    found = {}
    for name, lines in (("chips", story.CHIPS), ("held_low", story.HELD_LOW)):
        extra = [a for line in lines for a in ("--set", line)]
        events = tmp_path / f"{name}.events"
        sim = SimBoard(SimSpec(board=board, elf=elf, eeprom=tmp_path / f"{name}.eeprom", events=events,
                               extra=extra))
        try:
            with Session(sim.port) as s:
                found[name] = scan_i2c(s)
        finally:
            sim.stop()
        stop = Events(events).stop()
        print(board, name, stop)  # the numbers docs/benchmarks.md records
        assert int(stop["ram_never_used"]) >= 512  # the stack budget, scans and reads included
    story.check_found(found["chips"])
    assert found["held_low"].status == I2cStatus.BUS_STUCK and found["held_low"].chips == ()
