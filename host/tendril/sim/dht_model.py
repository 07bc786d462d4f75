"""The MicroPython virtual board's ``dht`` module, written here against the API MicroPython documents
for it (``dht.DHT22(pin)``, ``dht.DHT11(pin)``: measure(), temperature(), humidity(); the firmware's
driver, tdfw/drivers_dht.py, uses only that), over the DHT model every simulated board shares: the
bytes the scenario's DHT sends (firmware/sim/sim_dht.c through the world library, the same C the
native board answers hal_dht_read with and simavr plays edge by edge), so its values and faults
(`dht22`, `dht11`, `dht_fault` lines) read the same here. measure() fails the way MicroPython's
does: OSError (ETIMEDOUT) when the part does not answer, an Exception on a checksum that does not
add up. Board time stands still during a measure (a real one takes about 25 ms).
"""

from __future__ import annotations

import ctypes
import errno
import types
from collections.abc import Callable

from .scenario import Scenario, library


def _lib() -> ctypes.CDLL:
    lib = library()
    fn = lib.sim_world_dht_read
    if fn.argtypes is None:
        fn.restype = ctypes.c_int
        fn.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_uint32, ctypes.POINTER(ctypes.c_uint8)]
    return lib


def module(world: Scenario, now_ms: Callable[[], int]) -> types.SimpleNamespace:
    """``dht`` for one virtual board whose world is ``world`` and clock ``now_ms``."""

    class _DHT:
        def __init__(self, pin) -> None:
            self.pin = pin
            self.buf = bytearray(5)

        def measure(self) -> None:
            out = (ctypes.c_uint8 * 5)()
            if not _lib().sim_world_dht_read(world.pointer, self.pin.n, now_ms() & 0xFFFFFFFF, out):
                raise OSError(errno.ETIMEDOUT, "no answer")
            self.buf[:] = bytes(out)
            if sum(self.buf[:4]) & 0xFF != self.buf[4]:
                raise Exception("checksum error")  # noqa: TRY002 - what MicroPython raises

    class DHT11(_DHT):
        """Whole units: MicroPython documents ints for a DHT11 (the tenths bytes are left out)."""

        def humidity(self) -> int:
            return self.buf[0]

        def temperature(self) -> int:
            return self.buf[2]

    class DHT22(_DHT):
        """Tenths: 16 bits each, the temperature's top bit its sign."""

        def humidity(self) -> float:
            return (self.buf[0] << 8 | self.buf[1]) * 0.1

        def temperature(self) -> float:
            t = ((self.buf[2] & 0x7F) << 8 | self.buf[3]) * 0.1
            return -t if self.buf[2] & 0x80 else t

    return types.SimpleNamespace(DHT11=DHT11, DHT22=DHT22)
