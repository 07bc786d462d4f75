"""The I2C scan on the MicroPython virtual board: tdfw's SCAN_I2C and I2C_READ (tdfw/scan.py,
requests.py) over the board's machine.I2C, which plays the C chip models every simulated board shares
(host/tendril/sim/i2c_model.py), through the host's tendril.session.scan_i2c: the story of
tests/support/i2c_scan_story.py as the native board and simavr tell it."""

from __future__ import annotations

import pytest
from tendril.contract import Nack
from tendril.errors import DeviceError
from tendril.sim.runner import SimBoard, SimSpec

from ..support import i2c_scan_story as story

pytestmark = pytest.mark.slow  # a virtual board subprocess each


def virtual(tmp_path, lines: list[str]) -> SimBoard:
    extra = [a for line in lines for a in ("--set", line)]
    return SimBoard(SimSpec(board="pico", runtime="python", eeprom=tmp_path / "flash", extra=extra))


def test_a_scan_names_each_chip_by_how_it_was_told_and_a_held_bus_by_its_fault(tmp_path):
    story.check_found(story.scan_on(lambda lines: virtual(tmp_path, lines), story.CHIPS))
    held = story.scan_on(lambda lines: virtual(tmp_path, lines), story.HELD_LOW)
    assert held.status in story.BUS_FAULTS and held.chips == ()


def test_sda_given_to_a_channel_refuses_the_bus(tmp_path):
    refused = story.scan_on(lambda lines: virtual(tmp_path, lines), story.CHIPS, "pico")
    assert isinstance(refused, DeviceError) and (refused.code, refused.detail) == (Nack.PIN_IN_USE, 4)  # GP4
