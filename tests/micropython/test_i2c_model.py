"""The I2C chips' register models (tendril.sim.i2c_model) and the virtual board's ``machine.I2C``,
read the way the firmware's drivers will read them, with the MicroPython firmware's arithmetic
(tdfw/i2c_chips.py): each chip gives back the conditions it was set to, within the integer
routines' resolution, keeps to its datasheet's protocol (IDs, busy bits, NACKs, CRCs, timing on the
board's clock), and fails on demand (missing device, wrong ID, CRC error, SDA held low)."""

from __future__ import annotations

import errno

import pytest
from tdfw import crc, i2c_chips as chips

from tendril.sim import i2c_model as M
from tendril.sim.mpy_board import Machine, VirtualBoard


class Clock:
    def __init__(self) -> None:
        self.ms = 0

    def __call__(self) -> int:
        return self.ms


@pytest.fixture
def rig():
    clock, buses = Clock(), {}
    return clock, buses, M.machine_i2c(buses)(0, scl=None, sda=None)


def _crc_ok(frame: bytes) -> bool:
    return crc.crc8_sensirion(frame, 0, len(frame) - 1) == frame[-1]


def read_bme280(i2c, clock: Clock, addr: int = 0x76):
    """A forced measurement as a driver takes one: (°C, Pa, %RH or None)."""
    chip_id = i2c.readfrom_mem(addr, 0xD0, 1)[0]
    assert chip_id in (M.BME280_ID, M.BMP280_ID)
    humid = chip_id == M.BME280_ID
    c = chips.bme280_calib(i2c.readfrom_mem(addr, 0x88, 26), i2c.readfrom_mem(addr, 0xE1, 7) if humid else None)
    i2c.writeto_mem(addr, 0xF2, b"\x01")  # humidity x1
    i2c.writeto_mem(addr, 0xF4, bytes([0b001_001_01]))  # temperature x1, pressure x1, forced
    assert i2c.readfrom_mem(addr, 0xF3, 1)[0] & 0x08  # measuring
    clock.ms += 10  # the datasheet's typical 8 ms for x1, x1, x1
    assert i2c.readfrom_mem(addr, 0xF3, 1)[0] & 0x08 == 0 and i2c.readfrom_mem(addr, 0xF4, 1)[0] & 3 == 0
    adc_p, adc_t, adc_h = chips.bme280_raw(i2c.readfrom_mem(addr, 0xF7, 8))
    t, t_fine = chips.bme280_temp(c, adc_t)
    rh = chips.bme280_humidity(c, adc_h, t_fine) / 1024 if humid else None
    return t / 100, chips.bme280_pressure(c, adc_p, t_fine), rh


@pytest.mark.parametrize("celsius,pascal,rh", [(21.0, 101325.0, 45.0), (-40.0, 30000.0, 0.0), (85.0, 110000.0, 100.0),
                                               (3.7, 87654.0, 63.3)])
def test_bme280_model_reads_back_its_conditions(rig, celsius, pascal, rh):
    clock, buses, i2c = rig
    chip = buses[0].attach(M.Bme280(clock))
    chip.celsius, chip.pascal, chip.rh = celsius, pascal, rh
    t, p, h = read_bme280(i2c, clock)
    assert abs(t - celsius) <= 0.01 and abs(p - pascal) <= 7 and abs(h - rh) <= 0.02, (t, p, h)


def test_bmp280_model_has_its_id_and_no_humidity(rig):
    clock, buses, i2c = rig
    chip = buses[0].attach(M.Bme280(clock, address=0x77, calib=M.F.DATASHEET_TP, humidity=False))
    chip.celsius, chip.pascal = 25.0, 95000.0
    t, p, h = read_bme280(i2c, clock, 0x77)
    assert i2c.readfrom_mem(0x77, 0xD0, 1) == bytes([M.BMP280_ID]) and h is None
    assert abs(t - 25.0) <= 0.01 and abs(p - 95000.0) <= 7
    assert i2c.readfrom_mem(0x77, 0xFD, 2) == b"\x80\x00"  # no humidity: its reset value


def test_bme280_data_change_only_when_a_measurement_ends_and_a_soft_reset_clears_them(rig):
    clock, buses, i2c = rig
    chip = buses[0].attach(M.Bme280(clock))
    assert i2c.readfrom_mem(0x76, 0xF7, 8) == bytes([0x80, 0, 0, 0x80, 0, 0, 0x80, 0])
    read_bme280(i2c, clock)
    first = i2c.readfrom_mem(0x76, 0xF7, 8)
    chip.celsius = 30.0
    i2c.writeto_mem(0x76, 0xF4, bytes([0b001_001_01]))
    assert i2c.readfrom_mem(0x76, 0xF7, 8) == first  # still measuring: the last one's values
    clock.ms += 10
    assert i2c.readfrom_mem(0x76, 0xF7, 8) != first
    i2c.writeto_mem(0x76, 0xE0, b"\xb6")
    assert i2c.readfrom_mem(0x76, 0xF4, 1) == b"\x00" and i2c.readfrom_mem(0x76, 0xFA, 1) == b"\x80"


@pytest.mark.parametrize("series,command,ms", [(3, b"\x24\x00", 15), (4, b"\xfd", 9)])
def test_sht_models_measure_then_answer_with_crcs(rig, series, command, ms):
    clock, buses, i2c = rig
    chip = buses[0].attach(M.Sht(clock, series=series))
    chip.celsius, chip.rh = -12.5, 87.25
    with pytest.raises(OSError) as nothing:
        i2c.readfrom(0x44, 6)  # no measurement started: NACK
    assert nothing.value.errno == errno.ENODEV
    i2c.writeto(0x44, command)
    clock.ms += ms - 1
    with pytest.raises(OSError):
        i2c.readfrom(0x44, 6)  # not done yet
    clock.ms += 1
    frame = i2c.readfrom(0x44, 6)
    assert _crc_ok(frame[0:3]) and _crc_ok(frame[3:6])
    rh = chips.sht3x_rh if series == 3 else chips.sht4x_rh
    assert abs(chips.sht_temp(frame[0] << 8 | frame[1]) / 100 - -12.5) <= 0.01
    assert abs(rh(frame[3] << 8 | frame[4]) / 100 - 87.25) <= 0.01
    chip.fault = "crc"
    i2c.writeto(0x44, command)
    clock.ms += ms
    frame = i2c.readfrom(0x44, 6)
    assert not _crc_ok(frame[0:3]) and _crc_ok(frame[3:6])


def test_aht20_model_busy_calibration_and_crc(rig):
    clock, buses, i2c = rig
    chip = buses[0].attach(M.Aht20(clock))
    chip.calibrated, chip.celsius, chip.rh = False, 33.3, 12.0
    assert i2c.readfrom(0x38, 1)[0] & 0x08 == 0
    i2c.writeto(0x38, b"\xbe\x08\x00")
    i2c.writeto(0x38, b"\x71")
    assert i2c.readfrom(0x38, 1)[0] & 0x08
    i2c.writeto(0x38, b"\xac\x33\x00")
    assert i2c.readfrom(0x38, 1)[0] & 0x80  # busy
    clock.ms += 80
    frame = i2c.readfrom(0x38, 7)
    assert frame[0] & 0x80 == 0 and _crc_ok(frame)
    h, t = chips.aht20_raw(frame[1:6])
    assert abs(chips.aht20_rh(h) / 100 - 12.0) <= 0.01 and abs(chips.aht20_temp(t) / 100 - 33.3) <= 0.01
    chip.fault = "crc"
    assert not _crc_ok(i2c.readfrom(0x38, 7))


def test_bh1750_model_one_time_high_resolution(rig):
    clock, buses, i2c = rig
    chip = buses[0].attach(M.Bh1750(clock))
    chip.lux = 1234.5
    i2c.writeto(0x23, b"\x20")  # powered down: ignored
    clock.ms += 200
    assert i2c.readfrom(0x23, 2) == b"\x00\x00"
    i2c.writeto(0x23, b"\x01")
    i2c.writeto(0x23, b"\x20")
    clock.ms += 179
    assert i2c.readfrom(0x23, 2) == b"\x00\x00"
    clock.ms += 1
    raw = i2c.readfrom(0x23, 2)
    assert abs(chips.bh1750_millilux(raw[0] << 8 | raw[1]) / 1000 - 1234.5) <= 0.42  # half a count


def test_faults_missing_wrong_id_and_a_stuck_bus(rig):
    clock, buses, i2c = rig
    bme = buses[0].attach(M.Bme280(clock))
    buses[0].attach(M.Bh1750(clock))
    assert i2c.scan() == [0x23, 0x76]
    bme.fault = "wrong_id"
    assert i2c.readfrom_mem(0x76, 0xD0, 1) != bytes([M.BME280_ID])
    bme.fault = "missing"
    assert i2c.scan() == [0x23]
    with pytest.raises(OSError) as missing:
        i2c.readfrom_mem(0x76, 0xD0, 1)
    assert missing.value.errno == errno.ENODEV
    with pytest.raises(OSError) as nobody:
        i2c.writeto(0x40, b"\x00")
    assert nobody.value.errno == errno.ENODEV
    buses[0].stuck = True
    assert i2c.scan() == []
    with pytest.raises(OSError) as stuck:
        i2c.readfrom(0x23, 2)
    assert stuck.value.errno == errno.ETIMEDOUT


def test_the_virtual_board_hands_the_firmware_a_machine_i2c_over_its_buses():
    board = VirtualBoard("pico", hold=True)
    try:
        bus = board.i2c_buses.setdefault(1, M.Bus())
        bus.attach(M.Bme280(board.now_ms, address=0x77))
        machine = Machine(board)
        i2c = machine.I2C(1, scl=machine.Pin(7), sda=machine.Pin(6), freq=100_000)
        assert i2c.scan() == [0x77]
        assert i2c.readfrom_mem(0x77, 0xD0, 1) == bytes([M.BME280_ID])
        buf = bytearray(26)
        i2c.readfrom_mem_into(0x77, 0x88, buf)
        assert chips.bme280_calib(bytes(buf))[:12] == M.F.DATASHEET_TP
        assert machine.I2C(0).scan() == []  # another bus, nothing on it
    finally:
        board.close()
