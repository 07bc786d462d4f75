"""CRC-16/XMODEM (frames), CRC-32/ISO-HDLC (config images), CRC-8/MAXIM (1-Wire) and the SHT and AHT
parts' CRC-8 (I2C). Portable: MicroPython and CPython."""

import binascii

try:
    from array import array
except ImportError:  # pragma: no cover - every MicroPython port has array
    array = None


def _table16():
    t = array("H", bytes(512))
    for i in range(256):
        c = i << 8
        for _ in range(8):
            c = ((c << 1) ^ 0x1021) if c & 0x8000 else (c << 1)
        t[i] = c & 0xFFFF
    return t


if hasattr(binascii, "crc_hqx"):  # CPython: C speed

    def crc16(buf, start, end):
        """CRC-16/XMODEM of buf[start:end]."""
        return binascii.crc_hqx(memoryview(buf)[start:end], 0)

else:
    _T16 = _table16()

    def crc16(buf, start, end):
        """CRC-16/XMODEM of buf[start:end] (table-driven; no allocation)."""
        c = 0
        t = _T16
        for i in range(start, end):
            c = ((c << 8) & 0xFF00) ^ t[(c >> 8) ^ buf[i]]
        return c


if hasattr(binascii, "crc32"):

    def crc32(buf, start, end, crc=0):
        """CRC-32/ISO-HDLC of buf[start:end], continuing from ``crc`` (zlib's convention)."""
        return binascii.crc32(memoryview(buf)[start:end], crc) & 0xFFFFFFFF

else:  # pragma: no cover - ports built without binascii.crc32

    def crc32(buf, start, end, crc=0):
        c = crc ^ 0xFFFFFFFF
        for i in range(start, end):
            c ^= buf[i]
            for _ in range(8):
                c = (c >> 1) ^ 0xEDB88320 if c & 1 else c >> 1
        return c ^ 0xFFFFFFFF


def crc8(buf, start, end):
    """CRC-8/MAXIM (1-Wire) of buf[start:end]: 0 over a whole ROM code or DS18B20 scratchpad."""
    c = 0
    for i in range(start, end):
        b = buf[i]
        for _ in range(8):
            c = (c >> 1) ^ 0x8C if (c ^ b) & 1 else c >> 1
            b >>= 1
    return c


def crc8_sensirion(buf, start, end):
    """CRC-8 of the SHT and AHT parts (poly 0x31, init 0xFF) of buf[start:end]: 0x92 for BE EF."""
    c = 0xFF
    for i in range(start, end):
        c ^= buf[i]
        for _ in range(8):
            c = ((c << 1) ^ 0x31) & 0xFF if c & 0x80 else (c << 1) & 0xFF
    return c
