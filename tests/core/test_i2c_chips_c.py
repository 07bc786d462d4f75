"""The C core's I2C chip arithmetic (firmware/core/i2c_chips.c, crc8_sensirion) through ctypes: the
shared vectors (the datasheets' float formulas within the routines' resolution), and bit for bit
the host's twin over every calibration's whole range."""

from __future__ import annotations

import ctypes

import pytest

from ..micropython import mp_i2c_chips
from ..support.i2c_chips_host import HostChips, dense_bme280_raws, vectors
from .ccore import LIB_PATH
from .i2c_chips_c import CChips


@pytest.fixture(scope="module")
def chips(core) -> CChips:  # core: the library built once (conftest)
    return CChips(ctypes.CDLL(str(LIB_PATH)))


def test_c_core_meets_the_shared_vectors(chips):
    fails, out = mp_i2c_chips.check(vectors(), chips)
    assert len(out) > 1000
    assert fails == []


def test_c_core_gives_the_host_twins_integers_on_the_vectors(chips):
    vec = vectors()
    assert mp_i2c_chips.check(vec, chips)[1] == mp_i2c_chips.check(vec, HostChips())[1]


@pytest.mark.parametrize("name", ["bmp280_datasheet", "bme280_datasheet", "bme280_b", "bme280_c"])
def test_c_core_gives_the_host_twins_integers_over_the_whole_range(chips, name):
    regs = vectors()["calibrations"][name]
    tp, h = bytes.fromhex(regs["tp"]), bytes.fromhex(regs["h"]) if regs["h"] else None
    cc, hc = chips.bme280_calib(tp, h), HostChips.bme280_calib(tp, h)
    seq = tuple(getattr(hc, f) for f in ("t1", "t2", "t3", "p1", "p2", "p3", "p4", "p5", "p6", "p7", "p8", "p9",
                                         "h1", "h2", "h3", "h4", "h5", "h6"))
    assert all(getattr(cc, f) == getattr(hc, f) for f in ("t1", "p9", "h1", "h2", "h3", "h4", "h5", "h6"))
    differ = []
    for adc_t, adc_p, adc_h in dense_bme280_raws(seq):
        t, t_fine = chips.bme280_temp(cc, adc_t)
        want = hc.temperature(adc_t)
        got = (t, t_fine, chips.bme280_pressure(cc, adc_p, t_fine), chips.bme280_humidity(cc, adc_h, t_fine))
        if got != (*want, hc.pressure(adc_p, want[1]), hc.humidity(adc_h, want[1])):
            differ.append((adc_t, adc_p, adc_h, got))
    assert differ == []


def test_c_conversions_at_their_range_ends(chips):
    ends = [(chips.sht_temp, 0, -4500), (chips.sht_temp, 0xFFFF, 13000), (chips.sht3x_rh, 0xFFFF, 10000),
            (chips.sht4x_rh, 0, 0), (chips.sht4x_rh, 0xFFFF, 10000), (chips.aht20_temp, 0, -5000),
            (chips.aht20_temp, (1 << 20) - 1, 15000), (chips.aht20_rh, (1 << 20) - 1, 10000),
            (chips.bh1750_millilux, 0xFFFF, 54_612_500)]
    assert [(f.__name__, raw, f(raw)) for f, raw, _ in ends] == [(f.__name__, raw, v) for f, raw, v in ends]
    assert chips.crc8_sensirion(b"\xbe\xef") == 0x92
