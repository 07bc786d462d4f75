"""The host's I2C chip arithmetic (tendril.contract.i2c_chips) against the datasheets' floating-point
formulas (tendril.sim.i2c_float): the shared vectors, then a denser sweep of every calibration over
-40..85 °C, 300..1100 hPa and 0..100 %RH, and the conversions at their range ends."""

from __future__ import annotations

import importlib.util
import struct

import pytest

from tendril.contract import i2c_chips as H
from tendril.sim import i2c_float as F

from .conftest import VECTORS
from .micropython import mp_i2c_chips
from .support.i2c_chips_host import HostChips, dense_bme280_raws, vectors


def _cases():
    spec = importlib.util.spec_from_file_location("cases_i2c_chips", VECTORS / "cases_i2c_chips.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


CASES = _cases()


def test_host_twin_meets_the_shared_vectors():
    vec = vectors()
    fails, out = mp_i2c_chips.check(vec, HostChips())
    assert len(vec["bme280"]) >= 300 and len(out) > 1000
    assert fails == []


@pytest.mark.parametrize("name", list(CASES.CALIBRATIONS))
def test_bme280_integer_routines_stay_within_resolution_of_the_double_ones_over_the_range(name):
    c = tuple(CASES.CALIBRATIONS[name]) + (0,) * (18 - len(CASES.CALIBRATIONS[name]))
    cal = H.Bme280Calib(*c)
    worst = {"celsius": 0.0, "pascal": 0.0, "rh": 0.0}
    for adc_t, adc_p, adc_h in dense_bme280_raws(c):
        celsius, t_fine_f = F.bme280_temperature(c, adc_t)
        t, t_fine = cal.temperature(adc_t)
        assert abs(t_fine - t_fine_f) / 5120 <= CASES.TOLERANCE["celsius"]  # t_fine is °C x 5120
        worst["celsius"] = max(worst["celsius"], abs(t / 100 - celsius))
        worst["pascal"] = max(worst["pascal"], abs(cal.millihpa(adc_p, t_fine) / 10 - F.bme280_pressure(c, adc_p, t_fine_f)))
        if len(CASES.CALIBRATIONS[name]) == 18:
            worst["rh"] = max(worst["rh"], abs(cal.humidity(adc_h, t_fine) / 1024 - F.bme280_humidity(c, adc_h, t_fine_f)))
    assert all(worst[k] <= CASES.TOLERANCE[k] for k in worst), worst


def test_the_datasheet_worked_example():
    cal = H.Bme280Calib(*F.DATASHEET_TP)
    t, t_fine = cal.temperature(F.DATASHEET_ADC_T)
    assert (t, t_fine) == (2508, 128422)  # 25.08 °C, the datasheet's t_fine
    assert abs(cal.millihpa(F.DATASHEET_ADC_P, t_fine) / 10 - 100653.27) <= CASES.TOLERANCE["pascal"]
    assert F.bme280_temperature(F.DATASHEET_TP, F.DATASHEET_ADC_T)[1] == 128422
    assert round(F.bme280_pressure(F.DATASHEET_TP, F.DATASHEET_ADC_P, 128422), 1) == 100653.3


def test_calibration_registers_unpack_the_humidity_nibbles_with_their_signs():
    c = (27504, 26435, -1000, 36477, -10685, 3024, 2855, 140, -7, 15500, -14600, 6000, 75, -362, 200, -313, -50, -30)
    regs = CASES.registers(c)
    got = H.Bme280Calib.from_registers(bytes.fromhex(regs["tp"]), bytes.fromhex(regs["h"]))
    assert (got.h1, got.h2, got.h3, got.h4, got.h5, got.h6) == (75, -362, 200, -313, -50, -30)
    assert (got.t1, got.p9) == (27504, 6000)
    bmp = H.Bme280Calib.from_registers(bytes.fromhex(regs["tp"]))
    assert (bmp.h1, bmp.h4, bmp.h5) == (0, 0, 0)


def test_a_humidity_nibble_mix_up_fails_the_vectors():
    class Swapped(HostChips):
        @staticmethod
        def bme280_calib(tp, h):
            c = H.Bme280Calib.from_registers(tp, h)
            if h is None:
                return c
            e4, e5, e6 = h[3], h[4], struct.unpack("b", h[5:6])[0]
            return H.Bme280Calib(*[getattr(c, f) for f in ("t1", "t2", "t3", "p1", "p2", "p3", "p4", "p5", "p6",
                                                              "p7", "p8", "p9", "h1", "h2", "h3")],
                                 h4=e4 * 16 + (e5 >> 4), h5=e6 * 16 + (e5 & 0x0F), h6=c.h6)

    fails, _ = mp_i2c_chips.check(vectors(), Swapped())
    assert any("humidity" in f for f in fails)


def test_conversions_at_their_range_ends():
    assert (H.sht_temperature(0), H.sht_temperature(0xFFFF)) == (-4500, 13000)
    assert (H.sht3x_humidity(0), H.sht3x_humidity(0xFFFF)) == (0, 10000)
    assert (H.sht4x_humidity(0), H.sht4x_humidity(0xFFFF)) == (0, 10000)  # clamped: -6 and 119 %RH
    assert H.sht4x_humidity(3140) == 0 and H.sht4x_humidity(3150) == 1  # -6 + 125 S/65535 crosses 0 at 3145.7
    assert (H.aht20_temperature(0), H.aht20_temperature((1 << 20) - 1)) == (-5000, 15000)
    assert (H.aht20_humidity(0), H.aht20_humidity((1 << 20) - 1)) == (0, 10000)
    assert (H.bh1750_millilux(0), H.bh1750_millilux(1), H.bh1750_millilux(0xFFFF)) == (0, 833, 54_612_500)


def test_crc8_examples():
    assert H.crc8_sensirion(b"\xbe\xef") == 0x92  # Sensirion's datasheet example
    assert H.crc8_sensirion(b"123456789") == 0xF7  # CRC-8/NRSC-5's check value
    word = b"\x66\x66"
    assert H.crc8_sensirion(word + bytes([H.crc8_sensirion(word)])) == 0  # a word and its CRC
