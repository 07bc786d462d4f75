"""The MicroPython virtual board's ``onewire`` and ``ds18x20`` modules, written here against the
API MicroPython documents for them (the firmware's DS18B20 driver, tdfw/drivers.py, and its bus
search, tdfw/scan.py, use only that API; ``OneWire.scan()`` is there for scripts on the board), over the pin-level probe model every simulated board shares: firmware/sim/sim_onewire.c in the
world library, the same C the native board and the simavr runner drive. Each reset and time slot is
played to it with the timings of firmware/core/hal.h on a bus clock in microseconds that starts at
the board's ms, so the scenario's probes, temperatures and faults (`ds18b20`, `ds18b20_fault`
lines) read the same here as on the other boards.
"""

from __future__ import annotations

import ctypes
import types
from collections.abc import Callable

from .scenario import Scenario, library

SKIP_ROM, MATCH_ROM, CONVERT, READ_SCRATCH, WRITE_SCRATCH = 0xCC, 0x55, 0x44, 0xBE, 0x4E
SEARCH_ROM = 0xF0


class OneWireError(Exception):
    """No presence pulse where one was required."""


def crc8(data) -> int:
    """Dallas/Maxim CRC-8: 0 over a whole ROM code or scratchpad."""
    crc = 0
    for byte in data:
        for _ in range(8):
            crc = (crc >> 1) ^ 0x8C if (crc ^ byte) & 1 else crc >> 1
            byte >>= 1
    return crc


class _Bus:
    """One pin's bus in the C model, and its microsecond clock."""

    def __init__(self, world: Scenario, pin: int, now_ms: Callable[[], int]) -> None:
        self.lib, self.world, self.now_ms = library(), world, now_ms
        self.buf = ctypes.create_string_buffer(self.lib.sim_world_bus_size())
        self.ptr = ctypes.cast(self.buf, ctypes.c_void_p)
        self.lib.sim_world_bus_init(self.ptr, world.pointer, pin)
        self.us = 0

    def _now(self) -> int:
        ms = self.now_ms()
        self.lib.sim_world_bus_update(self.ptr, self.world.pointer, ms)
        self.us = max(self.us, ms * 1000)
        return self.us

    def reset(self) -> bool:
        t = self._now()
        lib, b = self.lib, self.ptr
        if not lib.ow_level(b, t):  # held low
            self.us = t + 1
            return False
        lib.ow_master_low(b, t)
        lib.ow_master_release(b, t + 480)
        present = not lib.ow_level(b, t + 550)
        self.us = t + 960
        return present and bool(lib.ow_level(b, self.us))

    def bit(self, value: int) -> int:
        t = self._now()
        lib, b = self.lib, self.ptr
        self.us = t + 70
        lib.ow_master_low(b, t)
        if value:
            lib.ow_master_release(b, t + 6)
            return int(lib.ow_level(b, t + 15))
        lib.ow_master_release(b, t + 60)
        return 0


def modules(world: Scenario, now_ms: Callable[[], int]) -> dict[str, types.SimpleNamespace]:
    """``onewire`` and ``ds18x20`` for one virtual board whose world is ``world`` and clock ``now_ms``."""
    buses: dict[int, _Bus] = {}

    class OneWire:
        def __init__(self, pin) -> None:
            n = pin.n
            if n not in buses:
                buses[n] = _Bus(world, n, now_ms)
            self.bus = buses[n]

        def reset(self, required: bool = False) -> bool:
            present = self.bus.reset()
            if required and not present:
                raise OneWireError
            return present

        def readbit(self) -> int:
            return self.bus.bit(1)

        def readbyte(self) -> int:
            return sum(self.bus.bit(1) << k for k in range(8))

        def readinto(self, buf) -> None:
            for i in range(len(buf)):
                buf[i] = self.readbyte()

        def writebit(self, value: int) -> None:
            self.bus.bit(1 if value else 0)

        def writebyte(self, value: int) -> None:
            for k in range(8):
                self.bus.bit(value >> k & 1)

        def write(self, buf) -> None:
            for b in buf:
                self.writebyte(b)

        def scan(self) -> list[bytearray]:
            """The ROM codes on the bus, as MicroPython's ``OneWire.scan()`` gives them: a walk of the
            search tree, one SEARCH ROM pass a code, each branch where the devices disagree (bit and
            complement both 0) taken 0 first and 1 on a later pass that repeats the bits before it.
            No CRC check, and nothing said about why it found nothing (as MicroPython's)."""
            found: list[bytearray] = []
            todo: list[list[int]] = [[]]  # bit prefixes still to follow
            while todo and len(found) < 64:
                prefix = todo.pop()
                if not self.reset():
                    break
                self.writebyte(SEARCH_ROM)
                bits: list[int] = []
                for k in range(64):
                    bit, complement = self.readbit(), self.readbit()
                    if bit and complement:  # nobody answered
                        break
                    if k < len(prefix):
                        choice = prefix[k]
                    elif bit != complement:
                        choice = bit
                    else:
                        todo.append(bits + [1])
                        choice = 0
                    bits.append(choice)
                    self.writebit(choice)
                if len(bits) == 64:
                    found.append(bytearray(sum(bits[8 * i + j] << j for j in range(8)) for i in range(8)))
            return found

        def select_rom(self, rom) -> None:
            self.reset()
            self.writebyte(MATCH_ROM)
            self.write(rom)

        @staticmethod
        def crc8(data) -> int:
            return crc8(data)

    class DS18X20:
        def __init__(self, ow: OneWire) -> None:
            self.ow = ow
            self.buf = bytearray(9)

        def convert_temp(self) -> None:
            self.ow.reset(True)
            self.ow.writebyte(SKIP_ROM)
            self.ow.writebyte(CONVERT)

        def read_scratch(self, rom) -> bytearray:
            self.ow.reset(True)
            self.ow.select_rom(rom)
            self.ow.writebyte(READ_SCRATCH)
            self.ow.readinto(self.buf)
            if crc8(self.buf):
                raise Exception("CRC error")
            return self.buf

        def write_scratch(self, rom, buf) -> None:
            self.ow.reset(True)
            self.ow.select_rom(rom)
            self.ow.writebyte(WRITE_SCRATCH)
            self.ow.write(buf)

        def read_temp(self, rom) -> float:
            buf = self.read_scratch(rom)
            t = buf[1] << 8 | buf[0]
            return (t - 0x10000 if t & 0x8000 else t) / 16

    return {"onewire": types.SimpleNamespace(OneWire=OneWire, OneWireError=OneWireError),
            "ds18x20": types.SimpleNamespace(DS18X20=DS18X20)}
