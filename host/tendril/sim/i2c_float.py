"""The I2C chips' datasheet formulas in floating point, and their inverses: the raw reading a chip
sends for a temperature, pressure, humidity or light level, which the shared vectors
(tests/vectors/cases_i2c_chips.py) judge the firmware's integer code (firmware/core/i2c_chips.c)
by. Written from the datasheets, not from that code, so that each can judge the other (the
simulated chips are the C models of firmware/sim/sim_i2c_chips.c, written the same way):

- BME280/BMP280: the double-precision compensation (BME280 datasheet 8.1, BMP280 8.1), with the
  calibration as a sequence in the datasheet's order (dig_T1..dig_T3, dig_P1..dig_P9,
  dig_H1..dig_H6; a BMP280's humidity parameters are 0).
- SHT3x/SHT4x: T = -45 + 175 S/65535; RH = 100 S/65535 (SHT3x), -6 + 125 S/65535 (SHT4x).
- AHT20/AHT10: RH = S/2^20 * 100, T = S/2^20 * 200 - 50.
- BH1750: lux = count / 1.2 (high-resolution mode, default MTreg).

The inverses find the raw reading by bisection over the part's ADC range (every formula is monotonic
in its raw value for a real calibration), so they hold whatever formula they invert.
"""

from __future__ import annotations

import struct
from collections.abc import Callable, Sequence

# The BMP280 datasheet's worked example (its section 3.12): dig_T1..T3, dig_P1..P9.
DATASHEET_TP = (27504, 26435, -1000, 36477, -10685, 3024, 2855, 140, -7, 15500, -14600, 6000)
DATASHEET_ADC_T, DATASHEET_ADC_P = 519888, 415148  # 25.08 °C, 100653.27 Pa


def bme280_registers(c: Sequence[int]) -> tuple[bytes, bytes | None]:
    """A calibration (the datasheet's order, 12 or 18 values) as the part holds it: 0x88..0xA1 and,
    for a BME280, 0xE1..0xE7, with dig_H4 and dig_H5 sharing 0xE5's nibbles."""
    tp = struct.pack("<HhhHhhhhhhhh", *c[:12]) + bytes([0, c[12] if len(c) > 12 else 0])
    if len(c) == 12:
        return tp, None
    h4, h5, h6 = c[15], c[16], c[17]
    return tp, struct.pack("<hB", c[13], c[14]) + bytes(
        [(h4 >> 4) & 0xFF, (h5 & 0x0F) << 4 | (h4 & 0x0F), (h5 >> 4) & 0xFF, h6 & 0xFF])


def bme280_temperature(c: Sequence[int], adc_t: int) -> tuple[float, int]:
    """(°C, t_fine) as the datasheet's double routine gives them (t_fine truncated to an integer)."""
    t1, t2, t3 = c[0], c[1], c[2]
    var1 = (adc_t / 16384.0 - t1 / 1024.0) * t2
    var2 = (adc_t / 131072.0 - t1 / 8192.0) * (adc_t / 131072.0 - t1 / 8192.0) * t3
    return (var1 + var2) / 5120.0, int(var1 + var2)


def bme280_pressure(c: Sequence[int], adc_p: int, t_fine: int) -> float:
    """Pa (0 where the datasheet's routine guards a division by zero)."""
    p1, p2, p3, p4, p5, p6, p7, p8, p9 = c[3:12]
    var1 = t_fine / 2.0 - 64000.0
    var2 = var1 * var1 * p6 / 32768.0
    var2 = var2 + var1 * p5 * 2.0
    var2 = var2 / 4.0 + p4 * 65536.0
    var1 = (p3 * var1 * var1 / 524288.0 + p2 * var1) / 524288.0
    var1 = (1.0 + var1 / 32768.0) * p1
    if var1 == 0.0:
        return 0.0
    p = 1048576.0 - adc_p
    p = (p - var2 / 4096.0) * 6250.0 / var1
    var1 = p9 * p * p / 2147483648.0
    var2 = p * p8 / 32768.0
    return p + (var1 + var2 + p7) / 16.0


def bme280_humidity(c: Sequence[int], adc_h: int, t_fine: int) -> float:
    """%RH, clamped to 0..100 as the datasheet's routine clamps it."""
    h1, h2, h3, h4, h5, h6 = c[12:18]
    h = t_fine - 76800.0
    h = (adc_h - (h4 * 64.0 + h5 / 16384.0 * h)) * (
        h2 / 65536.0 * (1.0 + h6 / 67108864.0 * h * (1.0 + h3 / 67108864.0 * h)))
    h = h * (1.0 - h1 * h / 524288.0)
    return min(max(h, 0.0), 100.0)


def sht_temperature(raw: int) -> float:
    return -45.0 + 175.0 * raw / 65535.0


def sht3x_humidity(raw: int) -> float:
    return 100.0 * raw / 65535.0


def sht4x_humidity(raw: int) -> float:
    return min(max(-6.0 + 125.0 * raw / 65535.0, 0.0), 100.0)


def aht20_humidity(raw: int) -> float:
    return raw / 1048576.0 * 100.0


def aht20_temperature(raw: int) -> float:
    return raw / 1048576.0 * 200.0 - 50.0


def bh1750_lux(raw: int) -> float:
    return raw / 1.2


def invert(f: Callable[[int], float], target: float, lo: int, hi: int) -> int:
    """The raw value in lo..hi whose f is nearest ``target``, f monotonic (either way) over lo..hi."""
    rising = f(hi) >= f(lo)
    a, b = lo, hi
    while b - a > 1:  # keep f(a) on the low side of target and f(b) on the high side
        m = (a + b) // 2
        if (f(m) < target) == rising:
            a = m
        else:
            b = m
    return a if abs(f(a) - target) <= abs(f(b) - target) else b


def bme280_raw_for(c: Sequence[int], celsius: float, pascal: float | None = None,
                   rh: float | None = None) -> tuple[int, int | None, int | None]:
    """(adc_T, adc_P, adc_H) a BME280/BMP280 with calibration ``c`` reads at these conditions."""
    adc_t = invert(lambda r: bme280_temperature(c, r)[0], celsius, 0, (1 << 20) - 1)
    t_fine = bme280_temperature(c, adc_t)[1]
    adc_p = None if pascal is None else invert(lambda r: bme280_pressure(c, r, t_fine), pascal, 0, (1 << 20) - 1)
    adc_h = None if rh is None else invert(lambda r: bme280_humidity(c, r, t_fine), rh, 0, 0xFFFF)
    return adc_t, adc_p, adc_h
