"""Channel drivers and the seam that runs them (mirrors firmware/core/sensor.h and drivers.c).

A channel's kind names, in the generated table (kinds.py), its pin mode and the driver that reads
it: ``DRIVERS[driver]``. A driver has ``setup(hal, ch, pin, mode)`` (when a config starts) and
``poll(hal, ch, pin, now, got)``: start a reading or collect one; it returns READING_OK with the
reading in ``got[0]`` (any int32), READING_NONE (nothing new yet) or a SensorFault code (NO_ANSWER,
CRC, OUT_OF_RANGE, POWER_ON_VALUE: the sensor failed, and why), and puts in ``got[1]`` the ms until
it wants to run again (0, as given: at the channel's next sample). ``Sensors.poll`` runs each
channel's driver when the engine samples the channel and when its wait is over. A fault makes the
channel one with no valid reading at once, STALE_SAMPLES samples in a row with nothing new make it
STALE, and from setup until its first good reading it is WAITING (docs/firmware.md, "Readings and
drivers"; docs/rules.md, "Channels without a reading"). ``got`` is one list reused for every poll:
no allocation per sample.
"""

from .const import (
    CHANNEL_FROM_SENSOR,
    CHANNEL_MODE,
    CHANNEL_SIZE,
    RULE_SIZE,
    DS18B20_POWER_ON_RAW,
    PIN_MODE_INPUT_PULLUP,
    READING_NONE,
    READING_OK,
    SENSOR_FAULT_CRC,
    SENSOR_FAULT_NO_ANSWER,
    SENSOR_FAULT_OUT_OF_RANGE,
    SENSOR_FAULT_POWER_ON_VALUE,
    SENSOR_FAULT_STALE,
    SENSOR_FAULT_WAITING,
    SENSOR_KIND_DHT11,
    SENSOR_KIND_DHT22,
    SENSOR_MAX_QUANTITIES,
    SENSOR_OPTIONS,
    SENSOR_PERIOD,
    SENSOR_PIN,
    SENSOR_QUANTITY_SHIFT,
    SENSOR_ROM,
    SENSOR_SIZE,
    STALE_SAMPLES,
)
from .drivers_dht import DHT
from .drivers_hcsr04 import HCSR04
from .drivers_i2c import I2CSensor
from .drivers_pulse import Pulse
from .engine import HALF, U32, _el
from .image import dur_ms, offsets
from .kinds import K_DRIVER, K_PIN_MODE, KINDS


class Analog:
    """The ADC, read when the channel is sampled (the ADC object is made at the first read)."""

    def setup(self, hal, ch, pin, mode):
        pass

    def poll(self, hal, ch, pin, now, got):
        got[0] = hal.analog(pin)
        return READING_OK


class Digital:
    """A pin's level; the pin is made an input (with its pull-up, if the kind says so) at setup."""

    def setup(self, hal, ch, pin, mode):
        hal.input(pin, mode == PIN_MODE_INPUT_PULLUP)

    def poll(self, hal, ch, pin, now, got):
        got[0] = hal.input(pin, False)  # made at setup: the pull is already set
        return READING_OK


_WAIT_MS = (106, 211, 422, 844)  # a conversion's worst case at 9..12 bits, plus an eighth (drivers.c)


class DS18B20:
    """A DS18B20 probe (mirrors ds_poll in drivers.c) over the modules MicroPython ships: onewire
    (the bus) and ds18x20 (the probe's commands), from ``hal.onewire(pin)``. Two polls a reading:
    the first writes the resolution and starts the conversion, the second reads the scratchpad."""

    def setup(self, hal, rec):
        hal.onewire(rec[SENSOR_PIN])

    def poll(self, hal, rec, phase, now, got):
        """got[0]: the reading (thousandths of a °C), got[1]: ms until the next poll, got[2]: the
        phase to keep."""
        bus, probe, bus_error = hal.onewire(rec[SENSOR_PIN])
        rom = bytes(rec[SENSOR_ROM:SENSOR_ROM + 8])
        only = not any(rom)  # the only one on its bus: SKIP ROM
        res = rec[SENSOR_OPTIONS] - 9
        got[2] = 0
        try:
            if phase == 0:
                config = bytes((0x4B, 0x46, res << 5 | 0x1F))  # TH, TL (unused), the resolution
                if only:
                    if not bus.reset():
                        return SENSOR_FAULT_NO_ANSWER
                    bus.writebyte(0xCC)
                    bus.writebyte(0x4E)
                    bus.write(config)
                else:
                    probe.write_scratch(rom, config)
                if only:
                    probe.convert_temp()  # SKIP ROM, CONVERT T
                else:
                    if not bus.reset():
                        return SENSOR_FAULT_NO_ANSWER
                    bus.select_rom(rom)
                    bus.writebyte(0x44)
                got[1] = _WAIT_MS[res]
                got[2] = 1
                return READING_NONE
            period = dur_ms(rec[SENSOR_PERIOD] | rec[SENSOR_PERIOD + 1] << 8)
            got[1] = period - _WAIT_MS[res]  # the next conversion one period after this one began
            if only:
                if not bus.reset():
                    return SENSOR_FAULT_NO_ANSWER
                bus.writebyte(0xCC)
                bus.writebyte(0xBE)
                sp = bytearray(9)
                bus.readinto(sp)
                if bus.crc8(sp):
                    return SENSOR_FAULT_CRC
            else:
                sp = probe.read_scratch(rom)
        except bus_error:
            return SENSOR_FAULT_NO_ANSWER
        except Exception:  # ds18x20's read_scratch: a CRC that fails
            return SENSOR_FAULT_CRC
        if not any(sp):  # all zero passes the CRC: a bus that reads 0, not a reading
            return SENSOR_FAULT_CRC
        raw = sp[0] | sp[1] << 8
        if raw & 0x8000:
            raw -= 0x10000
        raw &= ~((1 << (3 - res)) - 1)  # the bits a lower resolution leaves undefined
        if raw == DS18B20_POWER_ON_RAW:
            return SENSOR_FAULT_POWER_ON_VALUE
        if raw < -55 * 16 or raw > 125 * 16:
            return SENSOR_FAULT_OUT_OF_RANGE
        got[0] = (raw * 125) >> 1  # 1/16 °C -> thousandths (floor)
        return READING_OK


DRIVERS = (Analog(), Digital())  # by DriverId
# A sensor driver has setup(hal, rec) and poll(hal, rec, phase, now, got): like a channel driver's,
# with got[2] the phase to keep and each quantity's reading at got[_Q[quantity]].
_I2C = I2CSensor()  # one for every I2C kind
SENSOR_DRIVERS = (DS18B20(), DHT(SENSOR_KIND_DHT22), DHT(SENSOR_KIND_DHT11), HCSR04(),
                  Pulse()) + (_I2C,) * 7  # by SensorKind
# (contract/kinds.py); None: not built
_Q = (0, 3, 4)  # where a sensor driver puts each quantity's reading in ``got`` (1 and 2: wait, phase)


def sensor_kinds_built(hal, sensor_drivers=SENSOR_DRIVERS):
    """HELLO's sensor_kinds: bit 1 << code for each sensor kind this firmware has a driver for, on
    this port (a DHT needs the port's ``dht`` module)."""
    bits = 0
    for code, drv in enumerate(sensor_drivers):
        if drv is not None and (not hasattr(drv, "available") or drv.available(hal)):
            bits |= 1 << code
    return bits


class Sensors:
    """The drivers of one engine's channels and sensors (the SENSOR records of ``img``), set up at
    once, and when each wants to run again. A sensor is polled when due; its reading or fault goes
    at once to every channel of kind CHANNEL_FROM_SENSOR that takes it (sensor.c's sensors_read)."""

    def __init__(self, eng, hal, drivers=DRIVERS, img=None, sensor_drivers=SENSOR_DRIVERS):
        self.hal = hal
        nc = eng.nc
        self.srec, self.sdrv, self.squant = [], [], [0] * nc
        if img is not None:
            at = offsets(img)[3] + RULE_SIZE * eng.nr  # the rules, then the sensors
            built = sensor_kinds_built(hal, sensor_drivers)
            for i in range((len(img) - at) // SENSOR_SIZE):
                rec = img[at + SENSOR_SIZE * i:at + SENSOR_SIZE * (i + 1)]
                self.srec.append(rec)
                # validated: a kind of the table; one this port cannot run is never read
                self.sdrv.append(sensor_drivers[rec[0]] if built >> rec[0] & 1 else None)
            _po, co, _ao, _ro = offsets(img)
            for c in range(nc):
                self.squant[c] = img[co + CHANNEL_SIZE * c + CHANNEL_MODE] >> SENSOR_QUANTITY_SHIFT & 3
        ns = len(self.srec)
        self.swake, self.sarmed, self.sphase = [0] * ns, bytearray(ns), bytearray(ns)
        self.sval = [0] * SENSOR_MAX_QUANTITIES
        self.sgot = [0] * (3 + SENSOR_MAX_QUANTITIES - 1)
        if hal is not None:  # the bus at 100 kHz until an I2C sensor's setup says otherwise (td_i2c_fast)
            hal.i2c_hz = 100000
        for i in range(ns):
            if self.sdrv[i] is not None:
                self.sdrv[i].setup(hal, self.srec[i])
        self.drv = [None if eng.c_kind[c] == CHANNEL_FROM_SENSOR else drivers[KINDS[eng.c_kind[c]][K_DRIVER]]
                    for c in range(nc)]
        self.wake = [0] * nc
        self.armed = bytearray(nc)
        self.got = [0, 0]
        self.missed = bytearray(nc)  # samples in a row with nothing new, up to STALE_SAMPLES
        for c in range(nc):
            eng.fault[c] = SENSOR_FAULT_WAITING  # no reading until its driver gives one: no EVENT
            if self.drv[c] is not None:
                self.drv[c].setup(hal, c, eng.c_pin[c], KINDS[eng.c_kind[c]][K_PIN_MODE])

    def read(self, eng, now):
        """Every sensor that is due reads (or starts to); its reading or fault goes to its channels."""
        got = self.sgot
        for i in range(len(self.srec)):
            if self.sarmed[i] and _el(now, self.swake[i]) >= HALF:
                continue
            drv, rec = self.sdrv[i], self.srec[i]
            self.sarmed[i] = 1
            if drv is None:  # not built in: never read
                self.swake[i] = (now + 60000) & U32
                continue
            got[1] = 0
            r = drv.poll(self.hal, rec, self.sphase[i], now, got)
            self.sphase[i] = got[2]
            wait = got[1] or dur_ms(rec[SENSOR_PERIOD] | rec[SENSOR_PERIOD + 1] << 8)
            self.swake[i] = (now + wait) & U32
            if r == READING_NONE:
                continue
            for c in range(eng.nc):
                if eng.c_kind[c] != CHANNEL_FROM_SENSOR or eng.c_pin[c] != i:
                    continue
                if r == READING_OK:
                    eng.raw[c] = got[_Q[self.squant[c]]]
                    eng.fault[c] = 0
                    self.missed[c] = 0
                else:
                    eng.fault[c] = r

    def poll(self, eng, now):
        """One pass, before ``eng.tick(now)``: every sensor and driver that is due runs; readings and
        faults go in."""
        if self.srec:
            self.read(eng, now)
        hal, drv, wake, armed, got, missed = self.hal, self.drv, self.wake, self.armed, self.got, self.missed
        raw, fault, sampled, last, period, pin = eng.raw, eng.fault, eng.sampled, eng.last_sample, eng.c_period, eng.c_pin
        for c in range(eng.nc):
            due = not sampled[c] or _el(now, last[c]) >= period[c]
            if not due and not (armed[c] and _el(now, wake[c]) < HALF):
                continue
            got[1] = 0
            r = drv[c].poll(hal, c, pin[c], now, got) if drv[c] is not None else READING_NONE
            if r == READING_OK:
                raw[c] = got[0]
                fault[c] = 0
                missed[c] = 0
            elif r != READING_NONE:
                fault[c] = r  # the sensor failed, and r says why
            elif due and missed[c] < STALE_SAMPLES:
                missed[c] += 1
                if missed[c] == STALE_SAMPLES:  # nothing new at this sample nor the ones before
                    fault[c] = SENSOR_FAULT_STALE
            if got[1]:
                armed[c] = 1
                wake[c] = (now + got[1]) & U32
            else:
                armed[c] = 0
