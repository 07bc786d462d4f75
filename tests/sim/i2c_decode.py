"""The I2C chips' datasheet conversions, written here again from the datasheets (not from the C
models), so the tests judge the simulated chips' bytes independently: Bosch BME280/BMP280 (section
8.1, the floating-point compensation), Sensirion SHT3x/SHT4x, Aosong AHT20, Rohm BH1750."""

from __future__ import annotations

import struct


def crc8(data: bytes) -> int:
    """CRC-8, polynomial 0x31, init 0xFF (Sensirion's example: 0xBEEF -> 0x92)."""
    crc = 0xFF
    for b in data:
        crc ^= b
        for _ in range(8):
            crc = (crc << 1 ^ 0x31) & 0xFF if crc & 0x80 else crc << 1 & 0xFF
    return crc


def bme_calibration(cal: bytes, calh: bytes | None, h1: int = 0) -> dict:
    """dig_T1..dig_P9 from 0x88..0x9F (26 bytes from 0x88: 0xA1 is the last), dig_H2..H6 from 0xE1.."""
    t1, t2, t3, p1, p2, p3, p4, p5, p6, p7, p8, p9 = struct.unpack("<HhhHhhhhhhhh", cal[:24])
    c = dict(T1=t1, T2=t2, T3=t3, P1=p1, P2=p2, P3=p3, P4=p4, P5=p5, P6=p6, P7=p7, P8=p8, P9=p9, H1=cal[25])
    if calh:
        c["H2"] = struct.unpack("<h", calh[0:2])[0]
        c["H3"] = calh[2]
        c["H4"] = (struct.unpack("b", calh[3:4])[0] << 4) | (calh[4] & 0x0F)
        c["H5"] = (struct.unpack("b", calh[5:6])[0] << 4) | (calh[4] >> 4)
        c["H6"] = struct.unpack("b", calh[6:7])[0]
    return c


def bme_compensate(c: dict, adc_t: int, adc_p: int, adc_h: int | None = None) -> tuple:
    """°C, hPa and % RH (None without humidity), the datasheet's double-precision formulas."""
    v1 = (adc_t / 16384.0 - c["T1"] / 1024.0) * c["T2"]
    v2 = (adc_t / 131072.0 - c["T1"] / 8192.0) ** 2 * c["T3"]
    t_fine = v1 + v2
    v1 = t_fine / 2.0 - 64000.0
    v2 = v1 * v1 * c["P6"] / 32768.0 + v1 * c["P5"] * 2.0
    v2 = v2 / 4.0 + c["P4"] * 65536.0
    v1 = (c["P3"] * v1 * v1 / 524288.0 + c["P2"] * v1) / 524288.0
    v1 = (1.0 + v1 / 32768.0) * c["P1"]
    p = (1048576.0 - adc_p - v2 / 4096.0) * 6250.0 / v1
    p += (c["P9"] * p * p / 2147483648.0 + p * c["P8"] / 32768.0 + c["P7"]) / 16.0
    h = None
    if adc_h is not None:
        x = t_fine - 76800.0
        x = (adc_h - (c["H4"] * 64.0 + c["H5"] / 16384.0 * x)) * (
            c["H2"] / 65536.0 * (1.0 + c["H6"] / 67108864.0 * x * (1.0 + c["H3"] / 67108864.0 * x)))
        h = min(100.0, max(0.0, x * (1.0 - c["H1"] * x / 524288.0)))
    return t_fine / 5120.0, p / 100.0, h


def bme_raw(data: bytes) -> tuple[int, int, int]:
    """adc_T, adc_P, adc_H from the 8 data registers 0xF7..0xFE."""
    p = data[0] << 12 | data[1] << 4 | data[2] >> 4
    t = data[3] << 12 | data[4] << 4 | data[5] >> 4
    return t, p, data[6] << 8 | data[7]


def sht(frame: bytes, rh_lo: float = 0.0, rh_span: float = 100.0) -> tuple[float, float]:
    """°C and % RH of a 6-byte SHT frame, both CRCs checked (SHT4x: rh_lo -6, rh_span 125)."""
    assert crc8(frame[0:2]) == frame[2] and crc8(frame[3:5]) == frame[5], frame.hex()
    st, srh = frame[0] << 8 | frame[1], frame[3] << 8 | frame[4]
    return -45 + 175 * st / 65535, rh_lo + rh_span * srh / 65535


def aht(frame: bytes) -> tuple[float, float]:
    """°C and % RH of the AHT20's 7 bytes (status, 20-bit humidity, 20-bit temperature, CRC)."""
    assert crc8(frame[:6]) == frame[6], frame.hex()
    srh = frame[1] << 12 | frame[2] << 4 | frame[3] >> 4
    st = (frame[3] & 0x0F) << 16 | frame[4] << 8 | frame[5]
    return st / 2**20 * 200 - 50, srh / 2**20 * 100
