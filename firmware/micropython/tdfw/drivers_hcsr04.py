"""The HC-SR04 / JSN-SR04T driver (mirrors drivers_hcsr04.c): one ping a reading, through the Hal's
ping (machine.time_pulse_us, a bounded wait for the echo)."""

from .const import (
    HCSR04_MAX_CM,
    HCSR04_MIN_CM,
    HCSR04_TIMEOUT_US,
    HCSR04_US_PER_CM,
    READING_OK,
    SENSOR_FAULT_NO_ANSWER,
    SENSOR_FAULT_OUT_OF_RANGE,
    SENSOR_PIN,
    SENSOR_PIN2,
)


class HCSR04:
    def setup(self, hal, rec):
        hal.output(rec[SENSOR_PIN], 0)  # the trigger: low between pings

    def poll(self, hal, rec, phase, now, got):
        """got[0]: the distance (thousandths of a cm); got[1] 0: the next ping one read period on."""
        got[1] = got[2] = 0
        us = hal.ping(rec[SENSOR_PIN], rec[SENSOR_PIN2], HCSR04_TIMEOUT_US)
        if us == 0 or us == 0xFFFF:
            return SENSOR_FAULT_NO_ANSWER
        if us < HCSR04_MIN_CM * HCSR04_US_PER_CM or us > HCSR04_MAX_CM * HCSR04_US_PER_CM:
            return SENSOR_FAULT_OUT_OF_RANGE
        got[0] = (us * 1000 + HCSR04_US_PER_CM // 2) // HCSR04_US_PER_CM
        return READING_OK
