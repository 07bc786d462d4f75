"""ctypes bindings to the C core's I2C chip arithmetic (firmware/core/i2c_chips.h, crc8_sensirion in
crc.h), shaped as tests/micropython/mp_i2c_chips.py's implementations are."""

from __future__ import annotations

import ctypes as C

i8, u8, i16, u16, i32, u32 = C.c_int8, C.c_uint8, C.c_int16, C.c_uint16, C.c_int32, C.c_uint32
P8 = C.c_char_p


class Bme280Calib(C.Structure):
    """i2c_bme280_calib_t, field for field."""

    _fields_ = [("t1", u16), ("t2", i16), ("t3", i16), ("p1", u16), *((f"p{n}", i16) for n in range(2, 10)),
                ("h2", i16), ("h4", i16), ("h5", i16), ("h1", u8), ("h3", u8), ("h6", i8)]


_SIGS = {
    "i2c_bme280_calib": (None, [C.POINTER(Bme280Calib), P8, P8]),
    "i2c_bme280_raw": (None, [P8, C.POINTER(i32), C.POINTER(i32), C.POINTER(i32)]),
    "i2c_bme280_temp": (i32, [C.POINTER(Bme280Calib), i32, C.POINTER(i32)]),
    "i2c_bme280_millihpa": (i32, [C.POINTER(Bme280Calib), i32, i32]),
    "i2c_bme280_humidity": (u32, [C.POINTER(Bme280Calib), i32, i32]),
    "i2c_sht_temp": (i32, [u16]),
    "i2c_sht3x_rh": (i32, [u16]),
    "i2c_sht4x_rh": (i32, [u16]),
    "i2c_aht20_raw": (None, [P8, C.POINTER(u32), C.POINTER(u32)]),
    "i2c_aht20_rh": (i32, [u32]),
    "i2c_aht20_temp": (i32, [u32]),
    "i2c_bh1750_millilux": (i32, [u16]),
    "crc8_sensirion": (u8, [P8, u8]),
}


class CChips:
    """The C functions with plain Python values in and out."""

    def __init__(self, lib: C.CDLL) -> None:
        self.lib = lib
        for name, (res, args) in _SIGS.items():
            fn = getattr(lib, name)
            fn.restype, fn.argtypes = res, args
        for name in ("sht_temp", "sht3x_rh", "sht4x_rh", "aht20_rh", "aht20_temp", "bh1750_millilux"):
            setattr(self, name, getattr(lib, "i2c_" + name))

    def bme280_calib(self, tp: bytes, h: bytes | None) -> Bme280Calib:
        c = Bme280Calib()
        self.lib.i2c_bme280_calib(C.byref(c), tp, h)
        return c

    def bme280_raw(self, data: bytes) -> tuple[int, int, int]:
        p, t, h = i32(), i32(), i32()
        self.lib.i2c_bme280_raw(data, C.byref(p), C.byref(t), C.byref(h))
        return p.value, t.value, h.value

    def bme280_temp(self, c: Bme280Calib, adc_t: int) -> tuple[int, int]:
        t_fine = i32()
        return self.lib.i2c_bme280_temp(C.byref(c), adc_t, C.byref(t_fine)), t_fine.value

    def bme280_millihpa(self, c: Bme280Calib, adc_p: int, t_fine: int) -> int:
        return self.lib.i2c_bme280_millihpa(C.byref(c), adc_p, t_fine)

    def bme280_humidity(self, c: Bme280Calib, adc_h: int, t_fine: int) -> int:
        return self.lib.i2c_bme280_humidity(C.byref(c), adc_h, t_fine)

    def aht20_raw(self, data: bytes) -> tuple[int, int]:
        h, t = u32(), u32()
        self.lib.i2c_aht20_raw(data, C.byref(h), C.byref(t))
        return h.value, t.value

    def crc8_sensirion(self, data: bytes) -> int:
        return self.lib.crc8_sensirion(data, len(data))
