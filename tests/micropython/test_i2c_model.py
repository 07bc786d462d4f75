"""The virtual board's ``machine.I2C`` (tendril.sim.i2c_model) over the C chip models every simulated
board shares (firmware/sim/sim_i2c.c, sim_i2c_chips.c), driven by scenario lines (`i2c`,
`i2c_fault`) and read the way the firmware's drivers will read them, with the MicroPython
firmware's arithmetic (tdfw/i2c_chips.py): each chip answers as its datasheet says (IDs, busy bits,
NACKs, CRCs, timing on the board's clock), gives back the scenario's values as they change over
board time, and fails on demand with MicroPython's errors. Board time is a number the test sets."""

from __future__ import annotations

import errno
import re

import pytest
from tdfw import crc, i2c_chips as chips

from tendril.errors import SimError
from tendril.sim import i2c_float as F, i2c_model as M
from tendril.sim.mpy_board import Machine, VirtualBoard
from tendril.sim.scenario import Scenario

from ..conftest import ROOT

BME280_ID, BMP280_ID = 0x60, 0x58
FORCED_X1 = bytes([0b001_001_01])  # ctrl_meas: temperature x1, pressure x1, forced mode
# the datasheet's maximum measurement time (appendix 9.1) at x1, in whole ms: 1.25 + 2.3 T
# + (2.3 + 0.575) P + (2.3 + 0.575) H = 9.3 ms for a BME280; 6.4 ms for a BMP280 (no humidity)
X1_MS, X1_MS_BMP280 = 10, 7
HOUR = 3_600_000


class Rig:
    """A world of scenario lines, a board clock the test moves, and machine.I2C over both."""

    def __init__(self, *lines: str) -> None:
        self.ms = 0
        self.world = Scenario("pico")
        for line in lines:
            self.world.line(line)
        self.I2C = M.machine_i2c(self.world, lambda: self.ms)
        self.i2c = self.I2C(0, scl=None, sda=None, freq=400_000)


def _crc_ok(frame: bytes) -> bool:
    return crc.crc8_sensirion(frame, 0, len(frame) - 1) == frame[-1]


def _errno(call, *args) -> int:
    with pytest.raises(OSError) as failed:
        call(*args)
    return failed.value.errno


def read_bme280(rig: Rig, addr: int = 0x76):
    """A forced measurement as a driver takes one: (°C, Pa, %RH or None)."""
    i2c = rig.i2c
    chip_id = i2c.readfrom_mem(addr, 0xD0, 1)[0]
    assert chip_id in (BME280_ID, BMP280_ID)
    humid = chip_id == BME280_ID
    c = chips.bme280_calib(i2c.readfrom_mem(addr, 0x88, 26), i2c.readfrom_mem(addr, 0xE1, 7) if humid else None)
    i2c.writeto_mem(addr, 0xF2, b"\x01")  # humidity x1
    i2c.writeto_mem(addr, 0xF4, FORCED_X1)
    assert i2c.readfrom_mem(addr, 0xF3, 1)[0] & 0x08  # measuring
    busy_ms = X1_MS if humid else X1_MS_BMP280
    rig.ms += busy_ms - 1
    assert i2c.readfrom_mem(addr, 0xF3, 1)[0] & 0x08  # still measuring
    rig.ms += 1
    assert i2c.readfrom_mem(addr, 0xF3, 1)[0] & 0x08 == 0 and i2c.readfrom_mem(addr, 0xF4, 1)[0] & 3 == 0  # asleep
    adc_p, adc_t, adc_h = chips.bme280_raw(i2c.readfrom_mem(addr, 0xF7, 8))
    t, t_fine = chips.bme280_temp(c, adc_t)
    rh = chips.bme280_humidity(c, adc_h, t_fine) / 1024 if humid else None
    return t / 100, chips.bme280_millihpa(c, adc_p, t_fine) / 10, rh


def measure_sht(rig: Rig, command: bytes, ms: int, addr: int = 0x44) -> bytes:
    rig.i2c.writeto(addr, command)
    rig.ms += ms
    return rig.i2c.readfrom(addr, 6)


def test_the_status_codes_are_hal_h_s():
    enum = re.search(r"enum \{ (HAL_I2C_OK = 0[^}]*)\}", (ROOT / "firmware/core/hal.h").read_text()).group(1)
    names = [n.strip().split()[0].removeprefix("HAL_I2C_") for n in enum.split(",")]
    assert names == ["OK", "NACK_ADDR", "NACK_DATA", "TIMEOUT", "BUS_STUCK"]
    assert [getattr(M, n) for n in names] == list(range(5))


# The datasheets' resolution after the integer routines: 0.01 °C steps; pressure, the 32-bit
# routine's worst error against the float one (5.05 Pa, docs/sensors.md) plus a raw step; humidity,
# the float's 0.008 %RH plus the 1/1024 output step.
@pytest.mark.parametrize("celsius,hpa,rh", [(21.5, 1013.25, 40.0), (-40.0, 300.0, 0.0), (85.0, 1100.0, 100.0),
                                            (3.7, 876.54, 63.3)])
def test_a_bme280_reads_the_scenario_s_conditions(celsius, hpa, rh):
    rig = Rig(f"i2c bme280 temp={celsius} press={hpa} hum={rh}")
    t, p, h = read_bme280(rig)
    assert abs(t - celsius) <= 0.01 and abs(p - hpa * 100) <= 5.5 and abs(h - rh) <= 0.01, (t, p, h)


def test_a_bme280_holds_the_datasheet_example_calibration_and_its_reset_values():
    rig = Rig("i2c bme280")
    assert rig.i2c.readfrom_mem(0x76, 0xD0, 1) == bytes([BME280_ID])
    buf = bytearray(26)
    rig.i2c.readfrom_mem_into(0x76, 0x88, buf)
    assert chips.bme280_calib(bytes(buf))[:12] == F.DATASHEET_TP
    assert rig.i2c.readfrom_mem(0x76, 0xF7, 8) == bytes([0x80, 0, 0, 0x80, 0, 0, 0x80, 0])  # "skipped"


def test_a_bmp280_has_its_id_and_no_humidity():
    rig = Rig("i2c bmp280 addr=0x77 temp=25 press=950")
    t, p, h = read_bme280(rig, 0x77)
    assert rig.i2c.readfrom_mem(0x77, 0xD0, 1) == bytes([BMP280_ID]) and h is None
    assert abs(t - 25.0) <= 0.01 and abs(p - 95000.0) <= 5.5
    assert rig.i2c.readfrom_mem(0x77, 0xFD, 2) == b"\x80\x00"  # no humidity: its reset value


def test_bme280_data_change_only_when_a_measurement_ends_and_a_soft_reset_clears_them():
    rig = Rig("i2c bme280 temp=0:20,1h:30")
    read_bme280(rig)
    first = rig.i2c.readfrom_mem(0x76, 0xF7, 8)
    rig.ms = HOUR
    rig.i2c.writeto_mem(0x76, 0xF4, FORCED_X1)
    assert rig.i2c.readfrom_mem(0x76, 0xF7, 8) == first  # still measuring: the last one's values
    rig.ms += X1_MS
    assert rig.i2c.readfrom_mem(0x76, 0xF7, 8) != first
    rig.i2c.writeto_mem(0x76, 0xE0, b"\xb6")
    assert rig.i2c.readfrom_mem(0x76, 0xF4, 1) == b"\x00" and rig.i2c.readfrom_mem(0x76, 0xFA, 1) == b"\x80"


@pytest.mark.parametrize("line,command,ms,rh", [("i2c sht3x", b"\x24\x00", 15, chips.sht3x_rh),
                                                ("i2c sht4x", b"\xfd", 9, chips.sht4x_rh)])
def test_sht_chips_measure_then_answer_with_crcs(line, command, ms, rh):
    rig = Rig(f"{line} temp=-12.5 hum=87.25")
    assert _errno(rig.i2c.readfrom, 0x44, 6) == errno.ENODEV  # nothing measured: the read is NACKed
    rig.i2c.writeto(0x44, command)
    rig.ms += ms - 1
    assert _errno(rig.i2c.readfrom, 0x44, 6) == errno.ENODEV  # still measuring
    rig.ms += 1
    frame = rig.i2c.readfrom(0x44, 6)
    assert _crc_ok(frame[0:3]) and _crc_ok(frame[3:6])
    assert abs(chips.sht_temp(frame[0] << 8 | frame[1]) / 100 - -12.5) <= 0.01
    assert abs(rh(frame[3] << 8 | frame[4]) / 100 - 87.25) <= 0.01
    assert _errno(rig.i2c.readfrom, 0x44, 6) == errno.ENODEV  # read out: NACKed until a new command


def test_an_sht4x_sends_its_serial_number_with_crcs():
    rig = Rig("i2c sht4x")
    frame = measure_sht(rig, b"\x89", 1)
    assert _crc_ok(frame[0:3]) and _crc_ok(frame[3:6]) and frame[0:2] + frame[3:5] != bytes(4)


@pytest.mark.parametrize("line,calibrate,n", [("i2c aht20", b"\xbe\x08\x00", 7), ("i2c aht10", b"\xe1\x08\x00", 6)])
def test_aht_chips_calibrate_then_measure_with_a_busy_bit(line, calibrate, n):
    rig = Rig(f"{line} temp=33.3 hum=12")
    assert rig.i2c.readfrom(0x38, 1)[0] & 0x08 == 0  # not calibrated at power-on
    rig.i2c.writeto(0x38, calibrate)
    assert rig.i2c.readfrom(0x38, 1)[0] & 0x08
    rig.i2c.writeto(0x38, b"\xac\x33\x00")
    rig.ms += 79
    assert rig.i2c.readfrom(0x38, 1)[0] & 0x80  # busy
    rig.ms += 1
    frame = rig.i2c.readfrom(0x38, n)
    assert frame[0] & 0x80 == 0 and (n == 6 or _crc_ok(frame))
    h, t = chips.aht20_raw(frame[1:6])
    assert abs(chips.aht20_rh(h) / 100 - 12.0) <= 0.01 and abs(chips.aht20_temp(t) / 100 - 33.3) <= 0.01


def test_a_bh1750_measures_once_in_high_resolution_after_power_on():
    rig = Rig("i2c bh1750 addr=0x5c lux=1234.5")
    rig.i2c.writeto(0x5C, b"\x20")  # powered down: ignored
    rig.ms += 200
    assert rig.i2c.readfrom(0x5C, 2) == b"\x00\x00"
    assert rig.i2c.writeto(0x5C, b"\x01") == 1 and rig.i2c.writevto(0x5C, [b"\x20"]) == 1  # one ACK each
    rig.ms += 179
    assert rig.i2c.readfrom(0x5C, 2) == b"\x00\x00"
    rig.ms += 1
    raw = rig.i2c.readfrom(0x5C, 2)
    assert abs(chips.bh1750_millilux(raw[0] << 8 | raw[1]) / 1000 - 1234.5) <= 0.42  # half a count


def test_values_follow_the_scenario_over_board_time():
    rig = Rig("i2c sht4x temp=0:18,6h:26 hum=0:70,6h:45", "i2c bh1750 lux=0:0,1h:20000")
    got = []
    for at in (0, 3 * HOUR, 6 * HOUR, 7 * HOUR):
        rig.ms = at
        frame = measure_sht(rig, b"\xfd", 9)
        rig.i2c.writeto(0x23, b"\x01")
        rig.i2c.writeto(0x23, b"\x20")
        rig.ms += 180
        raw = rig.i2c.readfrom(0x23, 2)
        got.append((chips.sht_temp(frame[0] << 8 | frame[1]) / 100, chips.sht4x_rh(frame[3] << 8 | frame[4]) / 100,
                    chips.bh1750_millilux(raw[0] << 8 | raw[1]) / 1000))
    want = [(18.0, 70.0, 0.0), (22.0, 57.5, 20000.0), (26.0, 45.0, 20000.0), (26.0, 45.0, 20000.0)]
    for (t, h, lux), (wt, wh, wlux) in zip(got, want):
        assert abs(t - wt) <= 0.01 and abs(h - wh) <= 0.01 and abs(lux - wlux) <= 0.42, got


def test_a_missing_chip_is_not_found_nor_answers_while_its_fault_lasts():
    rig = Rig("i2c bme280", "i2c bh1750", "i2c_fault 0x76 missing 30s 45s")
    assert rig.i2c.scan() == [0x23, 0x76]
    rig.ms = 30_000
    assert rig.i2c.scan() == [0x23]
    assert _errno(rig.i2c.readfrom_mem, 0x76, 0xD0, 1) == errno.ENODEV
    assert _errno(rig.i2c.writeto, 0x40, b"\x00") == errno.ENODEV  # nothing there at all
    rig.ms = 45_000
    assert rig.i2c.scan() == [0x23, 0x76] and rig.i2c.readfrom_mem(0x76, 0xD0, 1) == bytes([BME280_ID])


def test_a_chip_that_holds_scl_times_out_and_the_bus_carries_on():
    rig = Rig("i2c sht3x", "i2c bh1750", "i2c_fault 0x44 stretch 1s 2s")
    rig.ms = 1_000
    assert _errno(rig.i2c.writeto, 0x44, b"\x24\x00") == errno.ETIMEDOUT
    assert rig.i2c.scan() == [0x23] and rig.i2c.writeto(0x23, b"\x01") == 1
    rig.ms = 2_000
    assert len(measure_sht(rig, b"\x24\x00", 15)) == 6


def test_sda_held_low_times_out_every_transfer_until_it_is_released():
    rig = Rig("i2c bh1750", "i2c_fault bus held_low 1s 2s")
    rig.ms = 1_000
    assert rig.i2c.scan() == []
    assert _errno(rig.i2c.readfrom, 0x23, 2) == errno.ETIMEDOUT
    assert _errno(rig.I2C(0).writeto, 0x23, b"\x01") == errno.ETIMEDOUT  # clocking SCL does not free it
    rig.ms = 2_000
    assert rig.i2c.scan() == [0x23]


def test_a_stuck_bus_times_out_until_a_new_i2c_clocks_it_free():
    rig = Rig("i2c bh1750", "i2c_fault bus stuck 1s 2s")
    rig.ms = 1_000
    assert _errno(rig.i2c.readfrom, 0x23, 2) == errno.ETIMEDOUT and rig.i2c.scan() == []
    freed = rig.I2C(0)  # hal_i2c_begin's recovery: SCL clocked until the chip lets SDA go
    assert freed.scan() == [0x23] and rig.i2c.readfrom(0x23, 2) == b"\x00\x00"


@pytest.mark.parametrize("line,command,ms,n", [("i2c sht3x", b"\x24\x00", 15, 6), ("i2c sht4x", b"\xfd", 9, 6),
                                               ("i2c aht20", b"\xac\x33\x00", 80, 7)])
def test_a_crc_fault_sends_crcs_the_firmware_rejects(line, command, ms, n):
    addr = 0x38 if "aht" in line else 0x44
    rig = Rig(line, f"i2c_fault 0x{addr:02x} crc 1s 2s")

    def frame() -> bytes:
        rig.i2c.writeto(addr, command)
        rig.ms += ms
        return rig.i2c.readfrom(addr, n)

    good = frame()
    rig.ms = 1_000
    bad = frame()
    words = [bad] if n == 7 else [bad[0:3], bad[3:6]]
    assert all(_crc_ok(w) for w in ([good] if n == 7 else [good[0:3], good[3:6]]))
    assert not any(_crc_ok(w) for w in words)
    rig.ms = 2_000
    assert _crc_ok(frame()[: 7 if n == 7 else 3])


def test_a_wrong_id_fault_changes_a_bme280_s_chip_id_and_an_sht4x_s_serial():
    rig = Rig("i2c bme280", "i2c sht4x", "i2c_fault 0x76 wrong_id 1s 2s", "i2c_fault 0x44 wrong_id 1s 2s")
    serial = measure_sht(rig, b"\x89", 1)
    rig.ms = 1_000
    assert rig.i2c.readfrom_mem(0x76, 0xD0, 1) not in (bytes([BME280_ID]), bytes([BMP280_ID]))
    wrong = measure_sht(rig, b"\x89", 1)
    assert wrong != serial and _crc_ok(wrong[0:3]) and _crc_ok(wrong[3:6])  # a good frame, another part's
    rig.ms = 2_000
    assert rig.i2c.readfrom_mem(0x76, 0xD0, 1) == bytes([BME280_ID]) and measure_sht(rig, b"\x89", 1) == serial


def test_a_wrong_i2c_line_is_refused_in_words():
    with pytest.raises(SimError, match="two I2C devices at 0x76"):
        Rig("i2c bme280", "i2c bmp280")


def test_the_virtual_board_hands_the_firmware_a_machine_i2c_over_its_scenario_on_its_clock(tmp_path):
    world = Scenario("pico")
    world.line("i2c bme280 addr=0x77")
    world.line("i2c bh1750 lux=500")
    world.line("i2c_fault 0x77 missing 60s 70s")
    board = VirtualBoard("pico", storage=tmp_path, world=world, hold=True)
    board.start()
    try:
        machine = Machine(board)
        i2c = machine.I2C(1, scl=machine.Pin(7), sda=machine.Pin(6), freq=100_000)
        assert i2c.scan() == [0x23, 0x77] and machine.I2C(0).scan() == [0x23, 0x77]  # one bus
        assert i2c.readfrom_mem(0x77, 0xD0, 1) == bytes([BME280_ID])
        board.run(61_000 - board.now_ms())
        assert i2c.scan() == [0x23]  # the board's clock is the scenario's time
    finally:
        board.close()
