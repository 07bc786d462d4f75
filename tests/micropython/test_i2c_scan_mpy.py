"""The I2C scan on the MicroPython virtual board: tdfw's SCAN_I2C and I2C_READ (tdfw/scan.py,
requests.py) over the board's machine.I2C, which plays the C chip models every simulated board shares
(host/tendril/sim/i2c_model.py), through the host's tendril.session.scan_i2c: the story of
tests/support/i2c_scan_story.py as the native board and simavr tell it."""

from __future__ import annotations

import pytest
from tendril.boards import load_board
from tendril.contract import Nack
from tendril.errors import DeviceError
from tendril.recipes import compile_recipe, parse
from tendril.session import Session, push
from tendril.session.scan_i2c import scan_i2c
from tendril.sim.runner import SimBoard, SimSpec

from ..support import i2c_scan_story as story

pytestmark = pytest.mark.slow  # a virtual board subprocess each


def virtual(tmp_path, lines: list[str]) -> SimBoard:
    extra = [a for line in lines for a in ("--set", line)]
    return SimBoard(SimSpec(board="pico", runtime="python", eeprom=tmp_path / "flash", extra=extra))


def test_a_scan_names_each_chip_by_how_it_was_told(tmp_path):
    sim = virtual(tmp_path, story.CHIPS)
    try:
        with Session(sim.port) as s:
            story.check_found(scan_i2c(s))
    finally:
        sim.stop()


def test_a_bus_held_low_stops_the_scan_with_a_bus_fault(tmp_path):
    sim = virtual(tmp_path, story.HELD_LOW)
    try:
        with Session(sim.port) as s:
            bus = scan_i2c(s)
    finally:
        sim.stop()
    assert bus.status in story.BUS_FAULTS and bus.chips == ()


def test_sda_given_to_a_channel_refuses_the_bus(tmp_path):
    sim = virtual(tmp_path, story.CHIPS)
    try:
        with Session(sim.port) as s:
            push(s, compile_recipe(parse(story.sda_recipe("pico")), load_board("pico")))
            with pytest.raises(DeviceError) as refused:
                scan_i2c(s)
    finally:
        sim.stop()
    assert (refused.value.code, refused.value.detail) == (Nack.PIN_IN_USE, 4)  # GP4
