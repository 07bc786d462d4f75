"""The pulse counter driver (mirrors drivers_pulse.c): the Hal counts falls by Pin.irq with its
debounce; a reading is the rate since the last one and the total since the config started, each in
thousandths (rate per s, or per min with per_minute), OUT_OF_RANGE past what an int32 of thousandths
holds. The first reading comes one read period after setup."""

from .const import (
    READING_NONE,
    READING_OK,
    SENSOR_FAULT_NO_ANSWER,
    SENSOR_FAULT_OUT_OF_RANGE,
    SENSOR_OPTIONS,
    SENSOR_PIN,
)

TOTAL_MAX = 2147483  # pulses: INT32_MAX // 1000
RATE_MAX = 2147483  # pulses a second or a minute
PERIOD_MAX = 65535  # pulses in one read period


class Pulse:
    def __init__(self):
        self.last = {}  # pin: [count, ms] at the last poll

    def setup(self, hal, rec):
        hal.pulse_begin(rec[SENSOR_PIN], rec[SENSOR_OPTIONS])

    def poll(self, hal, rec, phase, now, got):
        """got[0]: the rate, got[3]: the total; got[2] 1 once the interval has begun."""
        pin = rec[SENSOR_PIN]
        count = hal.pulse_count(pin)
        got[2] = 1
        if count is None:
            return SENSOR_FAULT_NO_ANSWER
        last = self.last.get(pin)
        if last is None:
            last = self.last[pin] = [0, 0]
        n = (count - last[0]) & 0xFFFFFFFF
        dt = (now - last[1]) & 0xFFFF
        last[0], last[1] = count, now & 0xFFFF
        if not phase or not dt:  # the first poll after setup: the interval starts here
            return READING_NONE
        if count > TOTAL_MAX or n > PERIOD_MAX:
            return SENSOR_FAULT_OUT_OF_RANGE
        x = n * (60000 if rec[SENSOR_OPTIONS + 1] else 1000)
        if x // dt >= RATE_MAX:
            return SENSOR_FAULT_OUT_OF_RANGE
        got[0] = x * 1000 // dt
        got[3] = count * 1000
        return READING_OK
