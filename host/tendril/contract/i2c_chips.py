"""The I2C chips' arithmetic on the host, bit for bit what the firmware computes
(firmware/core/i2c_chips.c; the MicroPython firmware's tdfw/i2c_chips.py): raw register bytes in,
integers out, no floats, so a host tool, a Python engine or a test gets the board's exact value.

- BME280/BMP280: the datasheets' 32-bit integer compensation. Temperature in 0.01 °C (with the
  fine temperature pressure and humidity need), pressure in milli-hPa (0.1 Pa: the 32-bit routine
  with a finer divisor and division), humidity in 1/1024 %RH. Where the C routine works in unsigned 32 bits, so does this (masks below).
- SHT3x/SHT4x and AHT20/AHT10: 0.01 °C and 0.01 %RH, rounded to nearest.
- BH1750 (high-resolution mode, default MTreg): thousandths of a lux.
- ``crc8_sensirion``: poly 0x31, init 0xFF, the CRC the SHT and AHT parts send after each word.

Python's ``>>`` floors like the arithmetic shift the C relies on; the C's int32 products do not
overflow for a real part's calibration over the datasheet's range, so unbounded ints agree there.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

BME280_CALIB_TP_SIZE = 26  # registers 0x88..0xA1
BME280_CALIB_H_SIZE = 7  # registers 0xE1..0xE7
BME280_RH_MAX = 100 * 1024
_U32 = 0xFFFFFFFF


@dataclass(frozen=True)
class Bme280Calib:
    """The trimming parameters, named like the datasheet's (dig_T1 is t1)."""

    t1: int
    t2: int
    t3: int
    p1: int
    p2: int
    p3: int
    p4: int
    p5: int
    p6: int
    p7: int
    p8: int
    p9: int
    h1: int = 0
    h2: int = 0
    h3: int = 0
    h4: int = 0
    h5: int = 0
    h6: int = 0

    @classmethod
    def from_registers(cls, tp: bytes, h: bytes | None = None) -> Bme280Calib:
        """From 0x88..0xA1 and (a BME280) 0xE1..0xE7; without ``h`` (a BMP280) humidity's are 0."""
        words = struct.unpack_from("<HhhHhhhhhhhh", tp)
        if h is None:
            return cls(*words)
        h2, h3, e4, e5, e6, h6 = struct.unpack_from("<hBbBbb", h)
        # dig_H4: 0xE4 (signed) then 0xE5's low nibble; dig_H5: 0xE6 (signed) then 0xE5's high one
        return cls(*words, h1=tp[25], h2=h2, h3=h3, h4=e4 * 16 + (e5 & 0x0F), h5=e6 * 16 + (e5 >> 4), h6=h6)

    def temperature(self, adc_t: int) -> tuple[int, int]:
        """(temperature in 0.01 °C, t_fine)."""
        d = (adc_t >> 4) - self.t1
        t_fine = ((((adc_t >> 3) - (self.t1 << 1)) * self.t2) >> 11) + ((((d * d) >> 12) * self.t3) >> 14)
        return (t_fine * 5 + 128) >> 8, t_fine

    def millihpa(self, adc_p: int, t_fine: int) -> int:
        """Pressure in milli-hPa (0.1 Pa); 0 when dig_P1 is 0. The datasheet's 32-bit routine with 8
        more bits in its divisor, three 32-bit divisions and the second-order terms in 1/256 Pa
        (i2c_chips.h, ``i2c_bme280_millihpa``)."""
        v1 = (t_fine >> 1) - 64000
        sq = (v1 >> 2) * (v1 >> 2)
        v2 = (((sq >> 11) * self.p6 + ((v1 * self.p5) << 1)) >> 2) + (self.p4 << 16)
        v1 = (((self.p3 * (sq >> 13)) >> 3) + ((self.p2 * v1) >> 1)) >> 10
        x = (8388608 + v1) & _U32
        d = ((((x >> 8) * self.p1 + (((x & 255) * self.p1) >> 8)) & _U32) >> 7)
        if d == 0:
            return 0
        n = ((((1048576 - adc_p) - (v2 >> 12)) & _U32) * 3125 - (((v2 & 4095) * 3125) >> 12)) & _U32
        r = n % d * 64
        p = (n // d * 5120 + r // d * 80 + (r % d * 80 + (d >> 1)) // d) & _U32
        x = p // 10
        v1 = (self.p9 * ((((x >> 1) * (x >> 1)) & _U32) >> 17)) >> 8
        v2 = ((x >> 2) * self.p8) >> 9
        return p + (((v1 + v2 + self.p7 * 16) * 5 + 64) >> 7)

    def humidity(self, adc_h: int, t_fine: int) -> int:
        """Relative humidity in 1/1024 %RH, 0..BME280_RH_MAX."""
        v = t_fine - 76800
        a = ((adc_h << 14) - (self.h4 << 20) - self.h5 * v + 16384) >> 15
        b = ((((v * self.h6) >> 10) * (((v * self.h3) >> 11) + 32768)) >> 10) + 2097152
        v = a * ((b * self.h2 + 8192) >> 14)
        v -= ((((v >> 15) * (v >> 15)) >> 7) * self.h1) >> 4
        return min(max(v, 0), 419430400) >> 12


def bme280_raw(data: bytes) -> tuple[int, int, int]:
    """(adc_P, adc_T, adc_H) from the burst read of 0xF7..0xFE."""
    return ((data[0] << 12) | (data[1] << 4) | (data[2] >> 4), (data[3] << 12) | (data[4] << 4) | (data[5] >> 4),
            (data[6] << 8) | data[7])


def _scale(num: int, raw: int, den: int) -> int:
    return (num * raw + den // 2) // den


def sht_temperature(raw: int) -> int:
    """SHT3x and SHT4x: -45 + 175 raw / 65535 °C, in 0.01 °C."""
    return _scale(17500, raw, 65535) - 4500


def sht3x_humidity(raw: int) -> int:
    """SHT3x: 100 raw / 65535 %RH, in 0.01 %RH."""
    return _scale(10000, raw, 65535)


def sht4x_humidity(raw: int) -> int:
    """SHT4x: -6 + 125 raw / 65535 %RH clamped to 0..100 (its datasheet), in 0.01 %RH."""
    return min(max(_scale(12500, raw, 65535) - 600, 0), 10000)


def aht20_raw(data: bytes) -> tuple[int, int]:
    """(humidity, temperature) 20-bit readings from a measurement's bytes 1..5 (byte 0: status)."""
    return (data[0] << 12) | (data[1] << 4) | (data[2] >> 4), ((data[2] & 0x0F) << 16) | (data[3] << 8) | data[4]


def aht20_humidity(raw: int) -> int:
    """raw / 2^20 * 100 %RH in 0.01 %RH (10000 / 2^20 is 625 / 2^16)."""
    return (raw * 625 + 32768) >> 16


def aht20_temperature(raw: int) -> int:
    """raw / 2^20 * 200 - 50 °C in 0.01 °C."""
    return ((raw * 1250 + 32768) >> 16) - 5000


def bh1750_millilux(raw: int) -> int:
    """raw / 1.2 lux in thousandths of a lux."""
    return _scale(2500, raw, 3)


def crc8_sensirion(data: bytes) -> int:
    """CRC-8 poly 0x31, init 0xFF, not reflected: 0x92 for b"\\xbe\\xef" (Sensirion's example)."""
    crc = 0xFF
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = ((crc << 1) ^ 0x31) & 0xFF if crc & 0x80 else (crc << 1) & 0xFF
    return crc
