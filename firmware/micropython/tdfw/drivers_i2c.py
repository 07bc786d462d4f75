"""The I2C sensor kinds (mirrors firmware/core/drivers_i2c.c): BME280/BMP280, SHT3x, SHT4x,
AHT20/AHT10 and BH1750 on the board's bus, ``machine.I2C`` at 100 or 400 kHz (the recipe's) from ``hal.i2c``
(made once), their arithmetic in i2c_chips.py.

Two polls a reading, so the loop never waits for a conversion: the first starts a measurement and
asks to come back when the datasheet says it is done (got[1]), the second reads it, checks it and
hands over the values in thousandths (got[0], got[3], got[4]: the kind's quantities in order).
Faults, from MicroPython's OSError: ETIMEDOUT (a held SCL or SDA) is BUS, and the bus is made
again at once (``hal.i2c(.., again=True)`` frees a stuck part); any other (ENODEV: the address not
acknowledged, EIO on ports that say that) NO_ANSWER. Another chip's ID is WRONG_CHIP, a CRC-8 that
does not match CRC. Every fault leaves the next read period to try again. Nothing kept per
sensor: a BME280's calibration is read again with every measurement (and its ID checked), so a
re-plugged part just works; the reads go into a few buffers made once.
"""

from .const import (
    READING_NONE,
    READING_OK,
    SENSOR_FAULT_BUS,
    SENSOR_FAULT_CRC,
    SENSOR_FAULT_NO_ANSWER,
    SENSOR_FAULT_OUT_OF_RANGE,
    SENSOR_FAULT_WRONG_CHIP,
    SENSOR_KIND_AHT20,
    SENSOR_KIND_BME280,
    SENSOR_KIND_SHT4X,
    SENSOR_OPTIONS,
    SENSOR_PERIOD,
    SENSOR_PIN,
    SENSOR_PIN2,
)
from .crc import crc8_sensirion
from .i2c_chips import (
    aht20_raw,
    aht20_rh,
    aht20_temp,
    bh1750_millilux,
    bme280_calib,
    bme280_humidity,
    bme280_millihpa,
    bme280_raw,
    bme280_temp,
    sht3x_rh,
    sht4x_rh,
    sht_temp,
)
from .image import dur_ms

_ETIMEDOUT = 110  # MicroPython's errno for a bus that timed out (every port)
_BUSY_MS = 10  # an AHT or BME still busy: look again this much later
# The conversion a start waits for, by kind - BME280 (datasheets' maxima plus a margin for the ms
# tick and the loop): forced mode x1 9.3 ms, SHT3x high repeatability 15.5, SHT4x high precision
# 8.3, AHT "wait 80 ms", BH1750 one-time H-resolution 180 at most.
_CONV_MS = (12, 12, 19, 12, 85, 85, 190)  # drivers_i2c.c's, margins and all
_BME_START = b"\xf2\x01\xf4\x25"  # ctrl_hum x1; ctrl_meas T x1, P x1, forced (register/value pairs)
_BMP_START = b"\xf4\x25"
_ID = (0x60, 0x58)  # BME280, BMP280
_SHT3X_SHOT = b"\x24\x00"  # single shot, high repeatability, no clock stretching
_SHT4X_SHOT = b"\xfd"  # high precision
_AHT_TRIGGER = b"\xac\x33\x00"
_AHT_INIT = (b"\xbe\x08\x00", b"\xe1\x08\x00")  # AHT20, AHT10: calibrate
_BH_ON, _BH_ONCE = b"\x01", b"\x20"  # power on; one-time H-resolution (powers down after)
_BUF = {n: bytearray(n) for n in (1, 2, 6, 7, 8, 26)}  # sensors are polled one at a time


def _read(bus, addr, n):
    b = _BUF[n]
    bus.readfrom_into(addr, b)
    return b


def _regs(bus, addr, reg, n):
    """``n`` bytes from register ``reg`` on (written without a STOP, then read)."""
    b = _BUF[n]
    bus.readfrom_mem_into(addr, reg, b)
    return b


def _crc_ok(b, at):
    """The word at ``at`` and the CRC-8 after it agree (the SHT parts)."""
    return crc8_sensirion(b, at, at + 2) == b[at + 2]


def _bme(bus, kind, addr, phase, got):
    bme = kind == SENSOR_KIND_BME280
    if _regs(bus, addr, 0xD0, 1)[0] != _ID[kind - SENSOR_KIND_BME280]:
        return SENSOR_FAULT_WRONG_CHIP
    if phase == 0:
        bus.writeto(addr, _BME_START if bme else _BMP_START)
        return READING_NONE
    if _regs(bus, addr, 0xF3, 1)[0] & 0x08:  # still measuring
        got[1] = _BUSY_MS
        return READING_NONE
    tp = _regs(bus, addr, 0x88, 26)
    cal = bme280_calib(tp, _regs(bus, addr, 0xE1, 7) if bme else None)
    adc_p, adc_t, adc_h = bme280_raw(_regs(bus, addr, 0xF7, 8))
    if adc_t == 0x80000:  # skipped: no measurement done
        return SENSOR_FAULT_OUT_OF_RANGE
    t, t_fine = bme280_temp(cal, adc_t)
    if t < -4000 or t > 8500:  # the routines' range
        return SENSOR_FAULT_OUT_OF_RANGE
    got[0] = t * 10
    got[4 if bme else 3] = bme280_millihpa(cal, adc_p, t_fine)
    if bme:
        got[3] = (bme280_humidity(cal, adc_h, t_fine) * 125 + 64) >> 7  # 1/1024 %RH -> thousandths
    return READING_OK


def _sht(bus, kind, addr, phase, got):
    sht4 = kind == SENSOR_KIND_SHT4X
    if phase == 0:
        bus.writeto(addr, _SHT4X_SHOT if sht4 else _SHT3X_SHOT)
        return READING_NONE
    b = _read(bus, addr, 6)
    if not (_crc_ok(b, 0) and _crc_ok(b, 3)):
        return SENSOR_FAULT_CRC
    got[0] = sht_temp(b[0] << 8 | b[1]) * 10
    got[3] = (sht4x_rh if sht4 else sht3x_rh)(b[3] << 8 | b[4]) * 10
    return READING_OK


def _aht(bus, kind, addr, phase, got):
    aht20 = kind == SENSOR_KIND_AHT20
    if phase == 0:
        if not _read(bus, addr, 1)[0] & 0x08:  # not calibrated: tell it to
            bus.writeto(addr, _AHT_INIT[not aht20])
        bus.writeto(addr, _AHT_TRIGGER)
        return READING_NONE
    b = _read(bus, addr, 7 if aht20 else 6)
    if b[0] & 0x80:  # busy
        got[1] = _BUSY_MS
        return READING_NONE
    if aht20 and crc8_sensirion(b, 0, 6) != b[6]:
        return SENSOR_FAULT_CRC
    rh, t = aht20_raw(memoryview(b)[1:])
    got[0] = aht20_temp(t) * 10
    got[3] = aht20_rh(rh) * 10
    return READING_OK


def _bh1750(bus, kind, addr, phase, got):
    if phase == 0:
        bus.writeto(addr, _BH_ON)
        bus.writeto(addr, _BH_ONCE)
        return READING_NONE
    b = _read(bus, addr, 2)
    got[0] = bh1750_millilux(b[0] << 8 | b[1])
    return READING_OK


_POLL = (_bme, _bme, _sht, _sht, _aht, _aht, _bh1750)  # by kind - BME280


class I2CSensor:
    """Every I2C kind: one poll per family, chosen by the record's kind."""

    def available(self, hal):
        return hasattr(hal.m, "I2C")

    def setup(self, hal, rec):
        # the bus, made once for every sensor on it, at their speed (option byte 1, alike on all)
        hal.i2c(rec[SENSOR_PIN], rec[SENSOR_PIN2], False, 400000 if rec[SENSOR_OPTIONS + 1] else 100000)

    def poll(self, hal, rec, phase, now, got):
        """got[1]: ms until the next poll (0: one read period on), got[2]: the phase to keep."""
        kind = rec[0] - SENSOR_KIND_BME280
        bus = hal.i2c(rec[SENSOR_PIN], rec[SENSOR_PIN2])
        got[1] = _CONV_MS[kind]
        try:
            r = _POLL[kind](bus, rec[0], rec[SENSOR_OPTIONS], phase, got) if bus is not None else SENSOR_FAULT_BUS
        except OSError as err:
            r = SENSOR_FAULT_NO_ANSWER
            if err.args and err.args[0] == _ETIMEDOUT:
                r = SENSOR_FAULT_BUS
                hal.i2c(rec[SENSOR_PIN], rec[SENSOR_PIN2], True)  # begun again: a stuck part clocked free
        if r == READING_NONE:  # started (collect it when got[1] is over), or still busy
            got[2] = 1
            return r
        got[1] = got[2] = 0  # a fault at the start: the next try one period from now
        if phase:  # the reading or its fault: the next start one period after this one's
            period = dur_ms(rec[SENSOR_PERIOD] | rec[SENSOR_PERIOD + 1] << 8)
            if period > _CONV_MS[kind]:
                got[1] = period - _CONV_MS[kind]
        return r
