"""The DHT22 (AM2302) and DHT11 driver (mirrors drivers_dht.c) over the ``dht`` module MicroPython
ships (``dht.DHT22(pin)``/``dht.DHT11(pin)``: measure(), temperature(), humidity()), from
``hal.module("dht")``. One poll a reading: measure() sends the start signal and reads the 40 bits
itself (about 25 ms). Its errors: OSError (the part did not answer, a timeout) is NO_ANSWER, any other
exception (MicroPython's "checksum error") is CRC. Then the datasheets' ranges, as the C driver checks
them. A port without the module has no DHT driver (``available``), and says so in HELLO."""

from .const import (
    READING_OK,
    SENSOR_FAULT_CRC,
    SENSOR_FAULT_NO_ANSWER,
    SENSOR_FAULT_OUT_OF_RANGE,
    SENSOR_KIND_DHT11,
    SENSOR_PIN,
)

# Tenths the parts send, by kind: (lowest °C, highest °C, highest %RH); DHT22 -40..80 °C, DHT11 0..50 °C
_RANGE = {SENSOR_KIND_DHT11: (0, 500, 1000)}
_RANGE_DHT22 = (-400, 800, 1000)


def _tenths(x):
    """A reading of the module (an int for a DHT11 on some ports, a float in tenths) in tenths."""
    return int(x * 10 + (0.5 if x >= 0 else -0.5))


class DHT:
    def __init__(self, kind):
        self.kind = kind

    def available(self, hal):
        return hal.module("dht") is not None

    def setup(self, hal, rec):
        hal.dht(rec[SENSOR_PIN], self.kind == SENSOR_KIND_DHT11)

    def poll(self, hal, rec, phase, now, got):
        """got[0]: the temperature (thousandths of a °C), got[3]: the humidity (of a %); got[1] 0:
        the next reading one read period on."""
        got[1] = got[2] = 0
        part = hal.dht(rec[SENSOR_PIN], self.kind == SENSOR_KIND_DHT11)
        try:
            part.measure()
            t, h = _tenths(part.temperature()), _tenths(part.humidity())
        except OSError:
            return SENSOR_FAULT_NO_ANSWER
        except Exception:  # noqa: BLE001 - MicroPython's dht raises a bare Exception on a bad checksum
            return SENSOR_FAULT_CRC
        if t == 0 and h == 0:  # all zero passes the checksum: a line that only reads 0 (drivers_dht.c)
            return SENSOR_FAULT_CRC
        lo, hi, rh = _RANGE.get(self.kind, _RANGE_DHT22)
        if t < lo or t > hi or h < 0 or h > rh:
            return SENSOR_FAULT_OUT_OF_RANGE
        got[0] = t * 100
        got[3] = h * 100
        return READING_OK
