"""The I2C chips' vectors (tests/vectors/chips/i2c_chips.json) against one implementation of their
arithmetic. Runs unchanged on CPython and on real MicroPython, so the C core (through ctypes), the
host's twin and the MicroPython firmware's are judged by this one checker.

An implementation is an object with the C API's operations, by the same names less ``i2c_``:
bme280_calib(tp, h) (h None for a BMP280), bme280_raw(data) -> (adc_P, adc_T, adc_H),
bme280_temp(c, adc_t) -> (0.01 degC, t_fine), bme280_millihpa(c, adc_p, t_fine) -> 0.1 Pa,
bme280_humidity(c, adc_h, t_fine) -> 1/1024 %RH, sht_temp, sht3x_rh, sht4x_rh, aht20_raw(data) ->
(rh_raw, t_raw), aht20_rh, aht20_temp, bh1750_millilux, crc8_sensirion(data).

``check`` returns (failures, outputs): each failure a line naming the case, and every integer the
implementation gave in order, so that two implementations can be compared bit for bit.
"""

import binascii
import json


def unhex(s):
    return binascii.unhexlify(s)


class _Judge:
    def __init__(self):
        self.fails = []
        self.out = []

    def near(self, what, got, scale, want, tol):
        """got (an integer in 1/scale units) within tol of the float want."""
        self.out.append(got)
        if abs(got / scale - want) > tol + 1e-9:
            self.fails.append("%s: %r (%s), the datasheet's formula gives %r" % (what, got, got / scale, want))

    def equal(self, what, got, want):
        self.out.append(got)
        if got != want:
            self.fails.append("%s: %r, want %r" % (what, got, want))


def check_bme280(vec, imp, j):
    tol = vec["tolerance"]
    calibs = {}
    for name, regs in vec["calibrations"].items():
        calibs[name] = imp.bme280_calib(unhex(regs["tp"]), unhex(regs["h"]) if regs["h"] else None)
    for i, case in enumerate(vec["bme280"]):
        what = "bme280 %d (%s)" % (i, case["calib"])
        c = calibs[case["calib"]]
        adc_p, adc_t, adc_h = imp.bme280_raw(unhex(case["data"]))
        j.equal(what + " adc", [adc_p, adc_t, adc_h], case["adc"])
        t, t_fine = imp.bme280_temp(c, adc_t)
        j.near(what + " temperature", t, 100, case["celsius"], tol["celsius"])
        j.near(what + " pressure", imp.bme280_millihpa(c, adc_p, t_fine), 10, case["pascal"], tol["pascal"])
        if "rh" in case:
            j.near(what + " humidity", imp.bme280_humidity(c, adc_h, t_fine), 1024, case["rh"], tol["rh"])


def check_conversions(vec, imp, j):
    for case in vec["sht"]:
        r = case["raw"]
        j.near("sht %d temperature" % r, imp.sht_temp(r), 100, case["celsius"], 0.005)
        j.near("sht3x %d humidity" % r, imp.sht3x_rh(r), 100, case["rh_sht3x"], 0.005)
        j.near("sht4x %d humidity" % r, imp.sht4x_rh(r), 100, case["rh_sht4x"], 0.005)
    for case in vec["aht20"]:
        r = case["raw"]
        j.near("aht20 %d temperature" % r, imp.aht20_temp(r), 100, case["celsius"], 0.005)
        j.near("aht20 %d humidity" % r, imp.aht20_rh(r), 100, case["rh"], 0.005)
    for case in vec["aht20_frames"]:
        j.equal("aht20 frame " + case["data"], list(imp.aht20_raw(unhex(case["data"])[1:])), case["raw"])
    for case in vec["bh1750"]:
        r = case["raw"]
        j.near("bh1750 %d" % r, imp.bh1750_millilux(r), 1000, case["lux"], 0.0005)
    for case in vec["crc8"]:
        j.equal("crc8 " + case["data"], imp.crc8_sensirion(unhex(case["data"])), case["crc"])


def check(vec, imp):
    j = _Judge()
    check_bme280(vec, imp, j)
    check_conversions(vec, imp, j)
    return j.fails, j.out


class Tdfw:
    """The MicroPython firmware's tdfw.i2c_chips as an implementation (its CRC takes start, end)."""

    def __init__(self):
        from tdfw import crc, i2c_chips

        self._crc = crc.crc8_sensirion
        for name in dir(i2c_chips):
            if not name.startswith("_"):
                setattr(self, name, getattr(i2c_chips, name))

    def crc8_sensirion(self, data):
        return self._crc(data, 0, len(data))


def main(path):
    """Under MicroPython: print one JSON line, the failures and the outputs."""
    with open(path) as f:
        vec = json.load(f)
    fails, out = check(vec, Tdfw())
    print(json.dumps({"fails": fails[:20], "count": len(fails), "out": out}))
