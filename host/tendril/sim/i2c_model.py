"""Register-level models of the I2C chips for the MicroPython virtual board, and a ``machine.I2C``
like MicroPython's (scan, readfrom, readfrom_into, writeto, readfrom_mem, readfrom_mem_into,
writeto_mem) over a bus of them. A chip's raw readings come from the datasheets' floating-point
formulas inverted by bisection (tendril.sim.i2c_float), never from the firmware's integer code, so
a driver that reads a model is judged by the datasheet. Every model reads its conditions (°C, Pa,
%RH, lux) from attributes a test or scenario sets, and takes its time from the board's clock.

- BME280 (ID 0x60) / BMP280 (0x58), 0x76 or 0x77: calibration at 0x88..0xA1 and 0xE1..0xE7, ID at
  0xD0, soft reset 0xE0 = 0xB6, ctrl_hum 0xF2, status 0xF3 (bit 3 while measuring), ctrl_meas 0xF4
  (forced mode measures once, for the datasheet's typical time, then sleeps), data 0xF7..0xFE
  (0x80000 / 0x8000 for a quantity whose oversampling is "skipped"). Writes are register/value
  pairs, reads auto-increment, as the datasheet's I2C protocol says.
- SHT3x (0x44): single shot 0x2400 (high repeatability, no clock stretching), 15 ms; a read before
  it is done is NACKed. Six bytes: T, CRC, RH, CRC.
- SHT4x (0x44): 0xFD (high precision), 8.3 ms; the same six bytes.
- AHT20 (0x38): status (a read, or 0x71 then a read) with bit 7 busy and bit 3 calibrated; 0xBE
  0x08 0x00 calibrates; 0xAC 0x33 0x00 measures for 80 ms; then status, five bytes of two 20-bit
  readings and a CRC.
- BH1750 (0x23 or 0x5C): 0x01 power on, 0x20 one-time high resolution (180 ms at most); two bytes.

Faults on demand: a device's ``fault`` is None, "missing" (its address is NACKed: OSError ENODEV),
"wrong_id" (a BME280 answers another ID) or "crc" (SHT/AHT: a CRC byte off by one); the bus's
``stuck`` (SDA held low) makes every transaction fail with OSError ETIMEDOUT, as MicroPython's
machine.I2C does on a timeout.
"""

from __future__ import annotations

import errno
import struct
from collections.abc import Callable, Sequence

from ..contract.i2c_chips import crc8_sensirion
from . import i2c_float as F

BME280_ID, BMP280_ID = 0x60, 0x58
_OVERSAMPLING = (0, 1, 2, 4, 8, 16)  # osrs field 0..5; 0 is "skipped"


class Nack(Exception):
    """The device did not acknowledge (its address, or a read it is not ready for)."""


def bme280_registers(c: Sequence[int]) -> tuple[bytes, bytes | None]:
    """A calibration (the datasheet's order, 12 or 18 values) as the part holds it: 0x88..0xA1 and,
    for a BME280, 0xE1..0xE7, with dig_H4 and dig_H5 sharing 0xE5's nibbles."""
    tp = struct.pack("<HhhHhhhhhhhh", *c[:12]) + bytes([0, c[12] if len(c) > 12 else 0])
    if len(c) == 12:
        return tp, None
    h4, h5, h6 = c[15], c[16], c[17]
    return tp, struct.pack("<hB", c[13], c[14]) + bytes(
        [(h4 >> 4) & 0xFF, (h5 & 0x0F) << 4 | (h4 & 0x0F), (h5 >> 4) & 0xFF, h6 & 0xFF])


class Device:
    """One chip on the bus: ``write`` and ``read`` are transactions after its address is ACKed."""

    address = 0
    fault: str | None = None

    def __init__(self, clock: Callable[[], int]) -> None:
        self.clock = clock

    def write(self, data: bytes) -> None:
        raise NotImplementedError

    def read(self, n: int) -> bytes:
        raise NotImplementedError


class Bme280(Device):
    """A BME280 (or, with ``humidity=False``, a BMP280) with calibration ``calib``."""

    def __init__(self, clock: Callable[[], int], address: int = 0x76,
                 calib: Sequence[int] = F.DATASHEET_TP + (75, 362, 0, 313, 50, 30), humidity: bool = True) -> None:
        super().__init__(clock)
        self.address, self.humidity = address, humidity
        self.calib = tuple(calib[:18] if humidity else calib[:12])
        self.celsius, self.pascal, self.rh = 21.0, 101325.0, 45.0
        tp, h = bme280_registers(self.calib)
        self.rom = {0x88 + i: b for i, b in enumerate(tp)}
        if h is not None:
            self.rom.update({0xE1 + i: b for i, b in enumerate(h)})
        self.reset()

    def reset(self) -> None:
        self.regs = {0xF2: 0, 0xF4: 0, 0xF5: 0}
        self.data = bytes([0x80, 0, 0, 0x80, 0, 0, 0x80, 0])  # the reset values of 0xF7..0xFE
        self.pending = self.data  # what 0xF7..0xFE hold once the measurement under way is done
        self.pointer, self.done_at = 0, 0

    def _measure(self) -> None:
        """A forced measurement: what the part will hold at 0xF7..0xFE when it is done (until then
        they keep the last one's)."""
        full = self.calib + (0,) * (18 - len(self.calib))
        adc_t, adc_p, adc_h = F.bme280_raw_for(full, self.celsius, self.pascal, self.rh if self.humidity else None)
        osrs_t, osrs_p = self.regs[0xF4] >> 5, (self.regs[0xF4] >> 2) & 7
        osrs_h = self.regs[0xF2] & 7 if self.humidity else 0
        adc_t = adc_t if osrs_t else 0x80000
        adc_p = adc_p if osrs_p else 0x80000
        adc_h = adc_h if osrs_h and adc_h is not None else 0x8000
        self.pending = bytes([adc_p >> 12, (adc_p >> 4) & 0xFF, (adc_p & 0x0F) << 4,
                           adc_t >> 12, (adc_t >> 4) & 0xFF, (adc_t & 0x0F) << 4, adc_h >> 8, adc_h & 0xFF])
        # the datasheet's typical measurement time (appendix 9.1), in ms, rounded up
        n = [_OVERSAMPLING[min(x, 5)] for x in (osrs_t, osrs_p, osrs_h)]
        ms = 1.0 + 2.0 * n[0] + (2.0 * n[1] + 0.5 if n[1] else 0) + (2.0 * n[2] + 0.5 if n[2] else 0)
        self.done_at = self.clock() + int(ms + 0.999)

    def write(self, data: bytes) -> None:
        if data:
            self.pointer = data[0]
        for reg, value in zip(data[::2], data[1::2]):
            if reg == 0xE0 and value == 0xB6:
                self.reset()
            elif reg in (0xF2, 0xF4, 0xF5):
                self.regs[reg] = value
                if reg == 0xF4 and value & 3 in (1, 2):
                    self._measure()

    def _register(self, reg: int) -> int:
        measuring = self.clock() < self.done_at
        if reg == 0xD0:
            chip_id = BME280_ID if self.humidity else BMP280_ID
            return chip_id ^ 0x01 if self.fault == "wrong_id" else chip_id
        if reg == 0xF3:
            return 0x08 if measuring else 0
        if reg == 0xF4:
            return self.regs[0xF4] & ~3 | (self.regs[0xF4] & 3 if measuring else 0)  # forced: back to sleep
        if 0xF7 <= reg <= 0xFE:
            self.data = self.data if measuring else self.pending
            return self.data[reg - 0xF7]
        return self.regs.get(reg, self.rom.get(reg, 0))

    def read(self, n: int) -> bytes:
        out = bytes(self._register((self.pointer + i) & 0xFF) for i in range(n))
        self.pointer = (self.pointer + n) & 0xFF
        return out


def _word(value: int, bad: bool) -> bytes:
    word = bytes([value >> 8, value & 0xFF])
    return word + bytes([(crc8_sensirion(word) + bad) & 0xFF])


class Sht(Device):
    """An SHT3x (``series=3``: 0x2400, 15 ms) or SHT4x (``series=4``: 0xFD, 8.3 ms) at 0x44."""

    def __init__(self, clock: Callable[[], int], series: int = 3, address: int = 0x44) -> None:
        super().__init__(clock)
        self.address, self.series = address, series
        self.celsius, self.rh = 21.0, 45.0
        self.result: bytes | None = None
        self.done_at = 0

    def write(self, data: bytes) -> None:
        command = (b"\x24\x00", 15) if self.series == 3 else (b"\xfd", 9)
        if bytes(data) == command[0]:
            humidity = F.sht3x_humidity if self.series == 3 else F.sht4x_humidity
            t = F.invert(F.sht_temperature, self.celsius, 0, 0xFFFF)
            lo = 0 if self.series == 3 else 3146  # an SHT4x's formula is clamped below 3146
            rh = F.invert(humidity, self.rh, lo, 0xFFFF if self.series == 3 else 55574)
            self.result = _word(t, self.fault == "crc") + _word(rh, False)
            self.done_at = self.clock() + command[1]

    def read(self, n: int) -> bytes:
        if self.result is None or self.clock() < self.done_at:
            raise Nack  # no measurement, or not done: the part NACKs its read header
        out, self.result = self.result[:n], None
        return out


class Aht20(Device):
    """An AHT20 at 0x38."""

    def __init__(self, clock: Callable[[], int], address: int = 0x38) -> None:
        super().__init__(clock)
        self.address = address
        self.celsius, self.rh = 21.0, 45.0
        self.calibrated = True
        self.frame = bytes(6)
        self.done_at = 0

    def write(self, data: bytes) -> None:
        data = bytes(data)
        if data == b"\xbe\x08\x00":
            self.calibrated = True
        elif data == b"\xac\x33\x00":
            h = F.invert(F.aht20_humidity, self.rh, 0, (1 << 20) - 1)
            t = F.invert(F.aht20_temperature, self.celsius, 0, (1 << 20) - 1)
            self.frame = bytes([h >> 12, (h >> 4) & 0xFF, (h & 0x0F) << 4 | t >> 16, (t >> 8) & 0xFF, t & 0xFF])
            self.done_at = self.clock() + 80

    def read(self, n: int) -> bytes:
        status = (0x80 if self.clock() < self.done_at else 0) | (0x08 if self.calibrated else 0) | 0x10
        body = bytes([status]) + self.frame
        body += bytes([(crc8_sensirion(body) + (self.fault == "crc")) & 0xFF])
        return body[:n]


class Bh1750(Device):
    """A BH1750 at 0x23 (ADDR low) or 0x5C."""

    def __init__(self, clock: Callable[[], int], address: int = 0x23) -> None:
        super().__init__(clock)
        self.address = address
        self.lux = 250.0
        self.powered = False
        self.count, self.pending, self.done_at = 0, 0, 0

    def write(self, data: bytes) -> None:
        for op in bytes(data):
            if op == 0x01:
                self.powered = True
            elif op == 0x00:
                self.powered = False
            elif op == 0x20 and self.powered:
                self.pending = F.invert(F.bh1750_lux, self.lux, 0, 0xFFFF)
                self.done_at = self.clock() + 180
                self.powered = False  # one-time modes power down when done

    def read(self, n: int) -> bytes:
        if self.done_at and self.clock() >= self.done_at:
            self.count, self.done_at = self.pending, 0
        return bytes([self.count >> 8, self.count & 0xFF])[:n]


class Bus:
    """The devices on one I2C bus, by address; ``stuck``: SDA held low."""

    def __init__(self) -> None:
        self.devices: dict[int, Device] = {}
        self.stuck = False

    def attach(self, device: Device) -> Device:
        self.devices[device.address] = device
        return device

    def _device(self, addr: int) -> Device:
        if self.stuck:
            raise OSError(errno.ETIMEDOUT, "I2C bus timeout")
        device = self.devices.get(addr)
        if device is None or device.fault == "missing":
            raise OSError(errno.ENODEV, "no I2C device at 0x%02x" % addr)
        return device

    def write(self, addr: int, data: bytes) -> int:
        self._device(addr).write(bytes(data))
        return len(data)

    def read(self, addr: int, n: int) -> bytes:
        try:
            return self._device(addr).read(n)
        except Nack:
            raise OSError(errno.ENODEV, "0x%02x NACKed the read" % addr) from None


def machine_i2c(buses: dict[int, Bus]) -> type:
    """A ``machine.I2C`` class over ``buses`` (by id; a bus is made empty on first use)."""

    class I2C:
        def __init__(self, id=0, *, scl=None, sda=None, freq=400_000, timeout=50_000):  # noqa: A002
            self.bus = buses.setdefault(id, Bus())
            self.freq = freq

        def scan(self) -> list[int]:
            if self.bus.stuck:
                return []  # MicroPython's scan lists the addresses that ACK: none, with SDA low
            return sorted(a for a, d in self.bus.devices.items() if d.fault != "missing")

        def writeto(self, addr, buf, stop=True) -> int:
            return self.bus.write(addr, buf)

        def readfrom(self, addr, nbytes, stop=True) -> bytes:
            return self.bus.read(addr, nbytes)

        def readfrom_into(self, addr, buf, stop=True) -> None:
            buf[:] = self.bus.read(addr, len(buf))

        def writeto_mem(self, addr, memaddr, buf, *, addrsize=8) -> None:
            self.bus.write(addr, bytes([memaddr]) + bytes(buf))

        def readfrom_mem(self, addr, memaddr, nbytes, *, addrsize=8) -> bytes:
            self.bus.write(addr, bytes([memaddr]))
            return self.bus.read(addr, nbytes)

        def readfrom_mem_into(self, addr, memaddr, buf, *, addrsize=8) -> None:
            buf[:] = self.readfrom_mem(addr, memaddr, len(buf))

    return I2C
