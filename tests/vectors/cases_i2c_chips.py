"""The I2C chips' arithmetic: chips/i2c_chips.json, judged against the datasheets' floating-point
formulas (tendril.sim.i2c_float, written from the datasheets, not from the integer code).

BME280/BMP280: four calibrations (the BMP280 datasheet's worked example, alone as a BMP280 and with
a BME280's typical humidity parameters, and two more parts' worth), each as its register bytes
(0x88..0xA1, 0xE1..0xE7 with dig_H4/H5's nibble packing), over -40..85 °C, 300..1100 hPa and
0..100 %RH. Each case is a burst read of 0xF7..0xFE made by inverting the float formulas (bisection),
with the float routine's values for exactly those raw readings: an implementation must split the
burst into ``adc`` and land within ``tolerance`` of each value. The tolerances are the integer
routines' resolution: 0.01 °C; 0.009 %RH, the datasheet's humidity resolution (0.008 %RH) and one
step of the 1/1024 %RH output (the integer routine truncates: worst seen 0.0081); and 0.7 Pa for
pressure (tendril's 32-bit routine in 0.1 Pa, i2c_chips.h: within 0.21 Pa of the double routine at
the same t_fine, 0.63 Pa with the double t_fine over a sweep of 30,000 readings; the datasheet's own
32-bit routine, in whole Pa, is 5.75 Pa off there, its 64-bit one costs an Uno 1,070 B more).
SHT3x/SHT4x, AHT20 and BH1750: raw readings from end to end with the formula's
value; the integer result is rounded to 0.01 (0.001 lx), so within half of that. CRC-8 (poly 0x31,
init 0xFF): Sensirion's example (BE EF -> 92) and the catalogue's check value of CRC-8/NRSC-5.
"""

from __future__ import annotations

from tendril.sim import i2c_float as F

CALIBRATIONS = {
    "bmp280_datasheet": F.DATASHEET_TP,
    "bme280_datasheet": F.DATASHEET_TP + (75, 362, 0, 313, 50, 30),
    "bme280_b": (28009, 25654, 50, 39145, -10750, 3024, 5667, -120, -7, 15500, -14600, 6000, 75, 370, 0, 292, 50, 30),
    "bme280_c": (27850, 26509, -1000, 37065, -10575, 3024, 7491, -78, -7, 9900, -10230, 4285, 75, 355, 0, 334, 0, 30),
}
CELSIUS = [-40 + 12.5 * i for i in range(11)]  # -40 .. 85
HPA = range(300, 1101, 100)
RH = (0.0, 2.5, 10.0, 25.0, 50.0, 75.0, 90.0, 97.5, 100.0)
TOLERANCE = {"celsius": 0.01, "pascal": 0.7, "rh": 0.009}


def registers(c: tuple[int, ...]) -> dict:
    """The calibration as the part holds it (hex): 0x88..0xA1 and (a BME280) 0xE1..0xE7."""
    tp, h = F.bme280_registers(c)
    return {"tp": tp.hex(), "h": h.hex() if h is not None else None}


def _burst(adc_p: int, adc_t: int, adc_h: int) -> str:
    return bytes([adc_p >> 12, (adc_p >> 4) & 0xFF, (adc_p & 0x0F) << 4,
                  adc_t >> 12, (adc_t >> 4) & 0xFF, (adc_t & 0x0F) << 4, adc_h >> 8, adc_h & 0xFF]).hex()


def bme280_cases() -> list[dict]:
    cases = []
    for name, c in CALIBRATIONS.items():
        full = tuple(c) + (0,) * (18 - len(c))
        humid = len(c) == 18
        for i, celsius in enumerate(CELSIUS):
            for j, hpa in enumerate(HPA):
                rh = RH[(i + j) % len(RH)]
                adc_t, adc_p, adc_h = F.bme280_raw_for(full, celsius, hpa * 100.0, rh if humid else None)
                adc_h = adc_h if humid else 0x8000  # a BMP280 reads 0x8000 there (no humidity)
                t, t_fine = F.bme280_temperature(full, adc_t)
                case = {"calib": name, "data": _burst(adc_p, adc_t, adc_h), "adc": [adc_p, adc_t, adc_h],
                        "celsius": round(t, 6), "pascal": round(F.bme280_pressure(full, adc_p, t_fine), 4)}
                if humid:
                    case["rh"] = round(F.bme280_humidity(full, adc_h, t_fine), 6)
                cases.append(case)
    return cases


def _sweep(top: int, step: int) -> list[int]:
    return sorted({0, 1, 2, 3, top // 2, top // 2 + 1, top - 1, top, *range(0, top, step)})


def build() -> dict[str, object]:
    sht = _sweep(0xFFFF, 1021)
    aht = _sweep((1 << 20) - 1, 16411)
    lux = _sweep(0xFFFF, 997)
    aht_frames = ["1c" + "00" * 5, "1c" + "ff" * 5, "1c6b3f2a5c81", "9c8000080000"]
    return {"chips/i2c_chips.json": {
        "calibrations": {name: registers(c) for name, c in CALIBRATIONS.items()},
        "tolerance": TOLERANCE,
        "bme280": bme280_cases(),
        "sht": [{"raw": r, "celsius": round(F.sht_temperature(r), 6), "rh_sht3x": round(F.sht3x_humidity(r), 6),
                 "rh_sht4x": round(F.sht4x_humidity(r), 6)} for r in sht],
        "aht20": [{"raw": r, "celsius": round(F.aht20_temperature(r), 6), "rh": round(F.aht20_humidity(r), 6)}
                  for r in aht],
        "aht20_frames": [{"data": d, "raw": [int(d[2:7], 16), int(d[7:12], 16)]} for d in aht_frames],
        "bh1750": [{"raw": r, "lux": round(F.bh1750_lux(r), 6)} for r in lux],
        "crc8": [{"data": "beef", "crc": 0x92}, {"data": b"123456789".hex(), "crc": 0xF7}, {"data": "", "crc": 0xFF}],
    }}
