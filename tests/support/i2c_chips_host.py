"""The host's twin of the I2C chips' arithmetic (tendril.contract.i2c_chips) shaped as
tests/micropython/mp_i2c_chips.py's implementations are, and the inputs the C and Python
implementations are compared on bit for bit."""

from __future__ import annotations

import json

from tendril.contract import i2c_chips as H
from tendril.sim import i2c_float as F

from ..conftest import VECTORS

VECTOR_FILE = VECTORS / "chips" / "i2c_chips.json"


def vectors() -> dict:
    return json.loads(VECTOR_FILE.read_text(encoding="utf-8"))


class HostChips:
    bme280_raw = staticmethod(H.bme280_raw)
    sht_temp = staticmethod(H.sht_temperature)
    sht3x_rh = staticmethod(H.sht3x_humidity)
    sht4x_rh = staticmethod(H.sht4x_humidity)
    aht20_raw = staticmethod(H.aht20_raw)
    aht20_rh = staticmethod(H.aht20_humidity)
    aht20_temp = staticmethod(H.aht20_temperature)
    bh1750_millilux = staticmethod(H.bh1750_millilux)
    crc8_sensirion = staticmethod(H.crc8_sensirion)

    @staticmethod
    def bme280_calib(tp: bytes, h: bytes | None) -> H.Bme280Calib:
        return H.Bme280Calib.from_registers(tp, h)

    @staticmethod
    def bme280_temp(c: H.Bme280Calib, adc_t: int) -> tuple[int, int]:
        return c.temperature(adc_t)

    @staticmethod
    def bme280_millihpa(c: H.Bme280Calib, adc_p: int, t_fine: int) -> int:
        return c.millihpa(adc_p, t_fine)

    @staticmethod
    def bme280_humidity(c: H.Bme280Calib, adc_h: int, t_fine: int) -> int:
        return c.humidity(adc_h, t_fine)


def dense_bme280_raws(c: tuple[int, ...]) -> list[tuple[int, int, int]]:
    """(adc_T, adc_P, adc_H) every 2.5 °C from -40 to 85, every 25 hPa from 300 to 1100 and, in turn,
    every 1 %RH: the readings a part with calibration ``c`` gives across its whole range."""
    out = []
    for i in range(51):
        adc_t = F.bme280_raw_for(c, -40 + 2.5 * i)[0]
        t_fine = F.bme280_temperature(c, adc_t)[1]
        for j in range(33):
            adc_p = F.invert(lambda r: F.bme280_pressure(c, r, t_fine), 30000.0 + 2500 * j, 0, (1 << 20) - 1)
            adc_h = F.invert(lambda r: F.bme280_humidity(c, r, t_fine), float((i * 33 + j) % 101), 0, 0xFFFF)
            out.append((adc_t, adc_p, adc_h))
    return out
