"""The I2C scan on the MicroPython virtual board: tdfw's SCAN_I2C and I2C_READ (tdfw/scan.py,
requests.py) over the board's machine.I2C, which plays the C chip models every simulated board shares
(host/tendril/sim/i2c_model.py), through the host's tendril.session.scan_i2c: the story of
tests/support/i2c_scan_story.py as the native board and simavr tell it."""

from __future__ import annotations

import pytest

from ..support import i2c_scan_story as story

pytestmark = pytest.mark.slow  # a virtual board subprocess a scan


def test_the_virtual_board_tells_the_i2c_scan_story(tmp_path):
    # GP4 is the Pico's SDA; a held SDA is a timeout to MicroPython's machine.I2C
    story.tell(story.starter("pico", "python", tmp_path), "pico", 4, story.BUS_FAULTS)
