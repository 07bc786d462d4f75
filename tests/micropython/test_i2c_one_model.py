"""One I2C model for every simulated board: the scenario lines the native board's I2C probe reads
through its HAL (tests/sim/test_i2c_boards.py: firmware/arduino/tools/i2c_probe.c on
firmware/native/hal_native.c) give the MicroPython virtual board's ``machine.I2C`` the very same
bytes for the same transfers, and the same faults."""

from __future__ import annotations

import errno

import pytest

from tendril.sim.i2c_model import machine_i2c
from tendril.sim.scenario import Scenario

from ..sim.test_i2c_boards import NACK_ADDR, SCENARIO, TIMEOUT, one, run_probe, steps

pytestmark = pytest.mark.slow  # builds and runs the native probe (about a second once built)


def test_the_virtual_board_reads_the_native_board_s_bytes_from_the_same_scenario(tmp_path):
    native = steps(run_probe("native", tmp_path)[0])
    world, clock = Scenario("pico"), [0]
    for line in SCENARIO:
        world.line(line)
    i2c = machine_i2c(world, lambda: clock[0])(0)

    def after(ms: int, addr: int, n: int, *writes: bytes) -> bytes:
        for w in writes:
            i2c.writeto(addr, w)
        clock[0] += ms
        return i2c.readfrom(addr, n)

    for name, addr in (("bme280", 0x76), ("bmp280", 0x77)):  # the probe's forced x1 measurement
        i2c.writeto(addr, bytes([0xF2, 0x01, 0xF4, 0x25]))
        clock[0] += 10
        assert i2c.readfrom_mem(addr, 0xF7, 8) == one(native, f"{name}.data")[1], name
        assert i2c.readfrom_mem(addr, 0x88, 26) == one(native, f"{name}.cal")[1], name
    assert after(15, 0x45, 6, b"\x24\x00") == one(native, "sht3x")[1]
    assert after(9, 0x44, 6, b"\xfd") == one(native, "sht4x")[1]
    assert after(80, 0x38, 7, b"\xbe\x08\x00", b"\xac\x33\x00") == one(native, "aht")[1]
    assert after(180, 0x23, 2, b"\x01", b"\x20") == one(native, "bh1750")[1]
    # the faults: nothing at the probe's empty address (0x50), a chip that holds SCL (0x5C)
    assert one(native, "missing")[0] == NACK_ADDR and one(native, "stretch")[0] == TIMEOUT
    for addr, code in ((0x50, errno.ENODEV), (0x5C, errno.ETIMEDOUT)):
        with pytest.raises(OSError) as failed:
            i2c.writeto(addr, b"\x01")
        assert failed.value.errno == code
    assert i2c.scan() == [0x23, 0x38, 0x44, 0x45, 0x76, 0x77]
