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
    PIN_MODE_INPUT_PULLUP,
    READING_NONE,
    READING_OK,
    SENSOR_FAULT_STALE,
    SENSOR_FAULT_WAITING,
    STALE_SAMPLES,
)
from .engine import HALF, U32, _el
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


DRIVERS = (Analog(), Digital())  # by DriverId
# HELLO's sensor_kinds: bit 1 << code for each sensor kind (contract/kinds.py SENSOR_KINDS) this
# firmware has a driver for. None yet.
SENSOR_KINDS_BUILT = 0


class Sensors:
    """The drivers of one engine's channels, set up at once, and when each wants to run again."""

    def __init__(self, eng, hal, drivers=DRIVERS):
        self.hal = hal
        nc = eng.nc
        self.drv = [drivers[KINDS[eng.c_kind[c]][K_DRIVER]] for c in range(nc)]
        self.wake = [0] * nc
        self.armed = bytearray(nc)
        self.got = [0, 0]
        self.missed = bytearray(nc)  # samples in a row with nothing new, up to STALE_SAMPLES
        for c in range(nc):
            eng.fault[c] = SENSOR_FAULT_WAITING  # no reading until its driver gives one: no EVENT
            self.drv[c].setup(hal, c, eng.c_pin[c], KINDS[eng.c_kind[c]][K_PIN_MODE])

    def poll(self, eng, now):
        """One pass, before ``eng.tick(now)``: every driver that is due runs; readings and faults go in."""
        hal, drv, wake, armed, got, missed = self.hal, self.drv, self.wake, self.armed, self.got, self.missed
        raw, fault, sampled, last, period, pin = eng.raw, eng.fault, eng.sampled, eng.last_sample, eng.c_period, eng.c_pin
        for c in range(eng.nc):
            due = not sampled[c] or _el(now, last[c]) >= period[c]
            if not due and not (armed[c] and _el(now, wake[c]) < HALF):
                continue
            got[1] = 0
            r = drv[c].poll(hal, c, pin[c], now, got)
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
