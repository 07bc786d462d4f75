"""The MicroPython virtual board's ``machine.I2C``, written here against the API MicroPython documents
for it (``I2C(id, scl=, sda=, freq=)``: scan, writeto, writevto, readfrom, readfrom_into,
writeto_mem, readfrom_mem, readfrom_mem_into), over the I2C bus every simulated board shares: the
scenario's ``i2c`` and ``i2c_fault`` lines (firmware/sim/README.md) evaluated by the C chip models
(firmware/sim/sim_i2c.c, sim_i2c_chips.c through the world library's sim_world_i2c_* calls, the
same C the native board answers hal_i2c_* with and simavr plays on its TWI), so a chip's values
and faults read the same here as on the other boards.

The scenario has one bus: every ``I2C(id)``, whatever its pins, reaches it. Transfers fail the way
MicroPython's do: OSError(ENODEV) when nothing ACKs the address (a missing chip, a chip that NACKs
while it measures), OSError(EIO) when a written byte is refused, OSError(ETIMEDOUT) when a chip
holds SCL (``stretch``) or SDA is held low (``held_low``, ``stuck``). Making an ``I2C`` frees a
stuck bus as the C firmware's hal_i2c_begin does (SCL clocked up to 9 times; a ``held_low`` bus
stays held). Board time stands still during a transfer (a real one takes well under a ms).
"""

from __future__ import annotations

import ctypes
import errno
from collections.abc import Callable

from .scenario import Scenario, library

# hal.h's HAL_I2C_* statuses, which the world's I2C calls answer with (tests cross-check hal.h)
OK, NACK_ADDR, NACK_DATA, TIMEOUT, BUS_STUCK = range(5)
ERRNO = {NACK_ADDR: errno.ENODEV, NACK_DATA: errno.EIO, TIMEOUT: errno.ETIMEDOUT, BUS_STUCK: errno.ETIMEDOUT}
_WHY = {NACK_ADDR: "no ACK at 0x%02x", NACK_DATA: "0x%02x refused a byte", TIMEOUT: "0x%02x held SCL",
        BUS_STUCK: "SDA held low (0x%02x)"}
_ADDRESSES = 0x78 - 0x08  # what a scan tries


def _lib() -> ctypes.CDLL:
    lib = library()
    if lib.sim_world_i2c_write.argtypes is None:
        c_p, c_int, c_u32, u8s = ctypes.c_void_p, ctypes.c_int, ctypes.c_uint32, ctypes.POINTER(ctypes.c_uint8)
        for name, args in (("sim_world_i2c_begin", [c_p, c_u32]),
                           ("sim_world_i2c_write", [c_p, c_int, u8s, c_int, c_int, c_u32, ctypes.POINTER(c_int)]),
                           ("sim_world_i2c_read", [c_p, c_int, u8s, c_int, c_u32]),
                           ("sim_world_i2c_scan", [c_p, c_u32, u8s, c_int])):
            fn = getattr(lib, name)
            fn.restype, fn.argtypes = c_int, args
    return lib


def _check(status: int, addr: int) -> None:
    if status != OK:
        raise OSError(ERRNO[status], _WHY[status] % addr)


def machine_i2c(world: Scenario, now_ms: Callable[[], int], made: list | None = None) -> type:
    """``machine.I2C`` for one virtual board whose world is ``world`` and clock ``now_ms``; each one
    made is written down in ``made`` as (board ms, freq)."""

    def now() -> int:
        return now_ms() & 0xFFFFFFFF

    class I2C:
        def __init__(self, id=0, *, scl=None, sda=None, freq=400_000, timeout=50_000):  # noqa: A002
            self.id, self.freq, self.timeout = id, freq, timeout
            if made is not None:
                made.append((now(), freq))
            _lib().sim_world_i2c_begin(world.pointer, now())  # a stuck bus is clocked free

        def scan(self) -> list[int]:
            found = (ctypes.c_uint8 * _ADDRESSES)()
            return list(found[: _lib().sim_world_i2c_scan(world.pointer, now(), found, _ADDRESSES)])

        def writeto(self, addr, buf, stop=True) -> int:
            data = bytes(buf)
            acks = ctypes.c_int()
            raw = (ctypes.c_uint8 * len(data)).from_buffer_copy(data)
            _check(_lib().sim_world_i2c_write(world.pointer, addr, raw, len(data), int(bool(stop)), now(),
                                              ctypes.byref(acks)), addr)
            return acks.value

        def writevto(self, addr, vector, stop=True) -> int:
            return self.writeto(addr, b"".join(bytes(b) for b in vector), stop)

        def readfrom_into(self, addr, buf, stop=True) -> None:
            out = (ctypes.c_uint8 * len(buf))()
            _check(_lib().sim_world_i2c_read(world.pointer, addr, out, len(buf), now()), addr)
            buf[:] = bytes(out)

        def readfrom(self, addr, nbytes, stop=True) -> bytes:
            buf = bytearray(nbytes)
            self.readfrom_into(addr, buf, stop)
            return bytes(buf)

        def writeto_mem(self, addr, memaddr, buf, *, addrsize=8) -> None:
            self.writeto(addr, _memaddr(memaddr, addrsize) + bytes(buf))

        def readfrom_mem_into(self, addr, memaddr, buf, *, addrsize=8) -> None:
            self.writeto(addr, _memaddr(memaddr, addrsize), stop=False)  # then a repeated START
            self.readfrom_into(addr, buf)

        def readfrom_mem(self, addr, memaddr, nbytes, *, addrsize=8) -> bytes:
            buf = bytearray(nbytes)
            self.readfrom_mem_into(addr, memaddr, buf, addrsize=addrsize)
            return bytes(buf)

    return I2C


def _memaddr(memaddr: int, addrsize: int) -> bytes:
    """A register address as MicroPython sends it: addrsize bits, most significant byte first."""
    n = max(addrsize // 8, 1)
    return (memaddr & ((1 << 8 * n) - 1)).to_bytes(n, "big")
