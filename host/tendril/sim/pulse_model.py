"""The MicroPython virtual board's ``Pin.irq`` for pulse inputs: the world's pulse sources
(firmware/sim/sim_pulse.c, through the world library) give every edge of a pin, bounces included,
at its microsecond; the board calls a pin's falling-edge handler for each fall as the clock passes
it, with the clock set to that fall's time meanwhile (so a handler's ticks_ms is the edge's, as on
a real port where the interrupt runs microseconds after the edge)."""

from __future__ import annotations

import ctypes
from collections.abc import Callable

from .scenario import Scenario, library


def _lib() -> ctypes.CDLL:
    lib = library()
    fn = lib.sim_world_pulse_next
    if fn.argtypes is None:
        fn.restype = ctypes.c_int
        fn.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.POINTER(ctypes.c_uint64), ctypes.POINTER(ctypes.c_uint8),
                       ctypes.POINTER(ctypes.c_uint64), ctypes.POINTER(ctypes.c_uint8)]
    return lib


class PulseInput:
    """One pin's edges from the world, walked forward as board time passes."""

    def __init__(self, world: Scenario, pin: int, now_us: int) -> None:
        self.world, self.pin = world, pin
        self._k, self._j = ctypes.c_uint64(1), ctypes.c_uint8(0)
        self._at, self._level = ctypes.c_uint64(), ctypes.c_uint8()
        self._pending: tuple[int, int] | None = None
        for _ in self.edges(now_us):  # edges before the handler was set are not its
            pass

    def edges(self, until_us: int):
        """(time in us, level after) of each edge up to until_us, in order."""
        fn = _lib().sim_world_pulse_next
        while True:
            if self._pending is None:
                if not fn(self.world.pointer, self.pin, ctypes.byref(self._k), ctypes.byref(self._j),
                          ctypes.byref(self._at), ctypes.byref(self._level)):
                    return
                self._pending = (self._at.value, self._level.value)
            if self._pending[0] > until_us:
                return
            edge, self._pending = self._pending, None
            yield edge


def deliver(inputs: dict[int, tuple[PulseInput, Callable[[], None]]], until_us: int,
            set_clock: Callable[[float], None]) -> None:
    """Each registered pin's falls up to until_us to its handler, the clock at each fall meanwhile."""
    for source, handler in inputs.values():
        for at_us, level in source.edges(until_us):
            if not level:
                set_clock(at_us / 1000)
                handler()
