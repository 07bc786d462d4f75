"""What is on a board's I2C bus, over a session (COMMAND SCAN_I2C and I2C_READ, docs/protocol.md):
the addresses that answer, then, address by address, the chip that is likely there and how it was
told (docs/sensors.md, "Finding I2C chips"). No words for people beyond a chip's name and how it
was told: the CLI says what a bus fault means.

How chips are told apart (their datasheets; the C chip models of firmware/sim answer the same):
- 0x76, 0x77: register 0xD0 is the chip ID: 0x60 a BME280, 0x58 a BMP280 (0x56, 0x57 its samples).
- 0x44..0x46: an SHT4x answers command 0x89 with its serial, two words each with a good CRC-8; else
  an SHT3x answers command 0xF32D with its status word and a good CRC-8.
- 0x38, 0x39: an AHT20 or AHT10 answers command 0x71 with its status byte (bit 3: calibrated); no
  register tells the two apart.
- 0x23, 0x5C: a BH1750 has no ID register: by its address only.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..contract import I2C_ADDR_FIRST, I2C_ADDR_LAST, I2C_SCAN_MAX, I2cStatus
from ..contract.i2c_chips import crc8_sensirion
from ..protocol import I2cData, I2cRead, I2cScan, ScanI2c
from .session import Session

BUSY_WAIT_S = 0.02  # a chip still executing a command NACKs its address: ask again this much later
BMX_IDS = {0x60: ("BME280", "bme280"), 0x58: ("BMP280", "bmp280"), 0x57: ("BMP280", "bmp280"),
           0x56: ("BMP280", "bmp280")}
AHT_CALIBRATED = 0x08  # status bit 3


@dataclass(frozen=True)
class Chip:
    """The chip likely at ``address``: its name for people, the sensor kind that reads it (None when
    tendril has none for it) and how it was told."""

    address: int
    name: str
    kind: str | None
    how: str


@dataclass(frozen=True)
class I2cBus:
    """An I2C bus scanned: how the scan ended (I2cStatus: OK, or the bus fault it stopped at; a plain
    int this tendril cannot name) and the chips that answered, by address."""

    status: int
    chips: tuple[Chip, ...]
    pin_in_use: str | None = None  # not scanned: the recipe gives this pin (SDA or SCL, by name) to another use

    def json(self) -> dict:
        body = {"status": _status_name(self.status),
                "chips": [{"address": c.address, "chip": c.name, "kind": c.kind, "how": c.how} for c in self.chips]}
        if self.pin_in_use is not None:
            body["pin_in_use"] = self.pin_in_use
        return body

    @classmethod
    def of_json(cls, body: dict) -> I2cBus:
        """serve's reply back (KeyError, TypeError or ValueError when it is not one)."""
        status = body["status"]
        status = I2cStatus[status.upper()] if isinstance(status, str) else int(status)
        in_use = body.get("pin_in_use")
        return cls(status, tuple(Chip(int(c["address"]), str(c["chip"]), c["kind"], str(c["how"]))
                                 for c in body["chips"]), None if in_use is None else str(in_use))


def _status_name(status: int) -> str | int:
    return I2cStatus(status).name.lower() if status in I2cStatus._value2member_map_ else status


def scan_addresses(session: Session) -> tuple[int, list[int]]:
    """(status, the addresses that ACK) of every page of the board's scan. DeviceError when the
    board refuses (UNKNOWN_OP: it has no I2C bus; PIN_IN_USE)."""
    found: list[int] = []
    first = I2C_ADDR_FIRST
    while True:
        page = session.call(ScanI2c(first), "an I2C scan", I2cScan)
        found.extend(a for a in page.addresses if a >= first)
        if page.status != I2cStatus.OK or len(page.addresses) < I2C_SCAN_MAX or not page.addresses:
            return page.status, found
        first = page.addresses[-1] + 1
        if first > I2C_ADDR_LAST:
            return page.status, found


def read(session: Session, address: int, write: bytes, nread: int) -> bytes | None:
    """``write`` then ``nread`` bytes from ``address``; None when the chip did not answer. A chip
    still executing the command (a firmware that cannot wait inside a request) is asked again."""
    got = session.call(I2cRead.of(address, write, nread), f"an I2C read at 0x{address:02x}", I2cData)
    if got.status == I2cStatus.NACK_ADDR and write:
        session.poll(BUSY_WAIT_S)
        got = session.call(I2cRead.of(address, b"", nread), f"an I2C read at 0x{address:02x}", I2cData)
    return got.data if got.status == I2cStatus.OK and len(got.data) == nread else None


def _words_ok(data: bytes | None, words: int) -> bool:
    """``words`` 16-bit words, each followed by its Sensirion CRC-8, all good."""
    return data is not None and all(crc8_sensirion(data[3 * k : 3 * k + 2]) == data[3 * k + 2] for k in range(words))


def identify(session: Session, address: int) -> Chip:
    """The chip likely at ``address`` (an address that ACKed)."""
    if address in (0x76, 0x77):
        got = read(session, address, b"\xd0", 1)
        if got is None:
            return Chip(address, "unknown chip", None, "no answer from its ID register 0xD0")
        name, kind = BMX_IDS.get(got[0], ("unknown chip", None))
        return Chip(address, name, kind, f"ID 0x{got[0]:02x}")
    if address in (0x44, 0x45, 0x46):
        if _words_ok(read(session, address, b"\x89", 6), 2):
            return Chip(address, "SHT4x", "sht4x", "CRC-checked serial")
        if address != 0x46 and _words_ok(read(session, address, b"\xf3\x2d", 3), 1):
            return Chip(address, "SHT3x", "sht3x", "CRC-checked status")
        return Chip(address, "unknown chip", None, "neither an SHT4x serial nor an SHT3x status with a good CRC")
    if address in (0x38, 0x39):
        got = read(session, address, b"\x71", 1)
        if got is None:
            return Chip(address, "unknown chip", None, "no answer to the status command 0x71")
        state = "calibrated" if got[0] & AHT_CALIBRATED else "not calibrated yet"
        if address == 0x39:
            return Chip(address, "AHT10", "aht10", f"status 0x{got[0]:02x}, {state}")
        return Chip(address, "AHT20 (or AHT10)", "aht20", f"status 0x{got[0]:02x}, {state}")
    if address in (0x23, 0x5C):
        return Chip(address, "BH1750", "bh1750", "address only: it has no ID register")
    return Chip(address, "unknown chip", None, "address only")


def scan_i2c(session: Session) -> I2cBus:
    """The board's I2C bus: the address scan, then each address's chip. DeviceError when the board
    refuses the scan (UNKNOWN_OP: no bus; PIN_IN_USE)."""
    status, addresses = scan_addresses(session)
    return I2cBus(status, tuple(identify(session, a) for a in addresses))
