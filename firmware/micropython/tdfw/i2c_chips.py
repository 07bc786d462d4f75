"""The I2C chips' arithmetic (mirrors firmware/core/i2c_chips.c, bit for bit): raw register bytes in,
integers out. BME280/BMP280: the datasheets' 32-bit integer compensation; a calibration is a tuple
in the datasheet's order (dig_T1..T3, dig_P1..P9, dig_H1..H6). Temperatures in 0.01 degC, BME280
pressure in milli-hPa (0.1 Pa) and humidity in 1/1024 %RH, SHT/AHT humidity in 0.01 %RH, BH1750 in thousandths of
a lux. The SHT and AHT parts' CRC-8 is crc.crc8_sensirion. Where the C works in unsigned 32 bits,
so does this (the masks); Python's >> floors like the C's arithmetic shift."""

import struct

_U32 = 0xFFFFFFFF


def bme280_calib(tp, h=None):
    """The calibration from registers 0x88..0xA1 and (a BME280) 0xE1..0xE7; a BMP280's H are 0."""
    c = struct.unpack_from("<HhhHhhhhhhhh", tp)
    if h is None:
        return c + (0, 0, 0, 0, 0, 0)
    h2, h3, e4, e5, e6, h6 = struct.unpack_from("<hBbBbb", h)
    # dig_H4: 0xE4 (signed) then 0xE5's low nibble; dig_H5: 0xE6 (signed) then 0xE5's high one
    return c + (tp[25], h2, h3, e4 * 16 + (e5 & 15), e6 * 16 + (e5 >> 4), h6)


def bme280_raw(d):
    """(adc_P, adc_T, adc_H) from the burst read of 0xF7..0xFE."""
    return (d[0] << 12 | d[1] << 4 | d[2] >> 4, d[3] << 12 | d[4] << 4 | d[5] >> 4, d[6] << 8 | d[7])


def bme280_temp(c, adc_t):
    """(0.01 degC, t_fine)."""
    t1 = c[0]
    d = (adc_t >> 4) - t1
    f = ((((adc_t >> 3) - (t1 << 1)) * c[1]) >> 11) + ((((d * d) >> 12) * c[2]) >> 14)
    return (f * 5 + 128) >> 8, f


def bme280_millihpa(c, adc_p, t_fine):
    """milli-hPa (0.1 Pa); 0 when dig_P1 is 0 (i2c_chips.c's i2c_bme280_millihpa)."""
    a = (t_fine >> 1) - 64000
    sq = (a >> 2) * (a >> 2)
    b = (((sq >> 11) * c[8] + ((a * c[7]) << 1)) >> 2) + (c[6] << 16)
    a = (((c[5] * (sq >> 13)) >> 3) + ((c[4] * a) >> 1)) >> 10
    x = (8388608 + a) & _U32
    d = ((((x >> 8) * c[3] + (((x & 255) * c[3]) >> 8)) & _U32) >> 7)
    if d == 0:
        return 0
    n = ((((1048576 - adc_p) - (b >> 12)) & _U32) * 3125 - (((b & 4095) * 3125) >> 12)) & _U32
    r = n % d * 64
    p = (n // d * 5120 + r // d * 80 + (r % d * 80 + (d >> 1)) // d) & _U32
    x = p // 10
    a = (c[11] * ((((x >> 1) * (x >> 1)) & _U32) >> 17)) >> 8
    b = ((x >> 2) * c[10]) >> 9
    return p + (((a + b + c[9] * 16) * 5 + 64) >> 7)


def bme280_humidity(c, adc_h, t_fine):
    """1/1024 %RH, 0..102400."""
    v = t_fine - 76800
    a = ((adc_h << 14) - (c[15] << 20) - c[16] * v + 16384) >> 15
    b = ((((v * c[17]) >> 10) * (((v * c[14]) >> 11) + 32768)) >> 10) + 2097152
    v = a * ((b * c[13] + 8192) >> 14)
    v -= ((((v >> 15) * (v >> 15)) >> 7) * c[12]) >> 4
    return min(max(v, 0), 419430400) >> 12


def _scale(num, raw, den):
    return (num * raw + den // 2) // den


def sht_temp(raw):
    """SHT3x/SHT4x: -45 + 175 raw / 65535 degC."""
    return _scale(17500, raw, 65535) - 4500


def sht3x_rh(raw):
    return _scale(10000, raw, 65535)


def sht4x_rh(raw):
    """-6 + 125 raw / 65535 %RH clamped to 0..100."""
    return min(max(_scale(12500, raw, 65535) - 600, 0), 10000)


def aht20_raw(d):
    """(humidity, temperature) 20-bit readings from a measurement's bytes 1..5."""
    return d[0] << 12 | d[1] << 4 | d[2] >> 4, (d[2] & 15) << 16 | d[3] << 8 | d[4]


def aht20_rh(raw):
    return (raw * 625 + 32768) >> 16


def aht20_temp(raw):
    return ((raw * 1250 + 32768) >> 16) - 5000


def bh1750_millilux(raw):
    return _scale(2500, raw, 3)
