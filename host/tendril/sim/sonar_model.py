"""The MicroPython virtual board's `machine.time_pulse_us` for HC-SR04 echo pins: the world's sonar
model (firmware/sim/sim_sonar.c, through the world library) answers what a ping gets, and this gives
it back the way MicroPython's time_pulse_us does: -2 when the pulse never began within the timeout,
-1 when it was still going at the timeout (each phase has the whole timeout), else its width in us.
The ping is the trigger pulse the driver wrote just before; board time stands still meanwhile."""

from __future__ import annotations

import ctypes

from .scenario import Scenario, library

# sim_sonar.h's answers
OK, NONE, STUCK_HIGH, LONG = 0, 1, 2, 3


def _lib() -> ctypes.CDLL:
    lib = library()
    fn = lib.sim_world_sonar_ping
    if fn.argtypes is None:
        u32p = ctypes.POINTER(ctypes.c_uint32)
        fn.restype = ctypes.c_int
        fn.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_uint32, u32p, u32p]
    return lib


def time_pulse_us(world: Scenario, pin: int, now_ms: int, level: int, timeout_us: int) -> int:
    """What MicroPython's machine.time_pulse_us(pin, level, timeout_us) returns on echo pin ``pin``."""
    rise, width = ctypes.c_uint32(), ctypes.c_uint32()
    got = _lib().sim_world_sonar_ping(world.pointer, pin, now_ms & 0xFFFFFFFF, ctypes.byref(rise), ctypes.byref(width))
    if level != 1 or got == NONE:
        return -2  # the echo never rose
    if got == STUCK_HIGH:
        return -1  # high already, and still high at the timeout
    if rise.value > timeout_us:
        return -2
    return -1 if width.value > timeout_us else width.value
