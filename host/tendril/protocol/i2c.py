"""I2C_SCAN (0x8B) and I2C_DATA (0x8C): the replies to COMMAND SCAN_I2C and I2C_READ."""

from __future__ import annotations

import struct
from dataclasses import dataclass

from .. import contract
from ..contract import I2C_READ_MAX, I2C_SCAN_MAX, I2cStatus, MsgType
from ._base import Message, limit, need, pack, u8_table

_SCAN = struct.Struct(contract.I2C_SCAN.struct_format())
_DATA = struct.Struct(contract.I2C_DATA.struct_format())


@dataclass(frozen=True, slots=True)
class I2cScan(Message):
    """The addresses (ascending, from the request's ``first`` on, at most I2C_SCAN_MAX) that ACKed
    an empty write, and how the scan ended: OK, or the bus fault (TIMEOUT, BUS_STUCK) it stopped at."""

    TYPE = MsgType.I2C_SCAN
    status: int
    addresses: tuple[int, ...] = ()

    def pack(self) -> bytes:
        limit(self.TYPE, "addresses", len(self.addresses), 0, I2C_SCAN_MAX)
        return pack(self.TYPE, _SCAN, self.status, len(self.addresses)) + bytes(self.addresses)

    @classmethod
    def unpack(cls, payload: bytes) -> I2cScan:
        need(cls.TYPE, payload, _SCAN.size)
        status, count = _SCAN.unpack_from(payload)
        body = bytes(payload[_SCAN.size : _SCAN.size + min(count, I2C_SCAN_MAX)])
        return cls(u8_table(I2cStatus)[status], tuple(body))


@dataclass(frozen=True, slots=True)
class I2cData(Message):
    """What an I2C_READ read from ``address``: the transfer's status and, when OK, the bytes."""

    TYPE = MsgType.I2C_DATA
    status: int
    address: int
    data: bytes = b""

    def pack(self) -> bytes:
        limit(self.TYPE, "data bytes", len(self.data), 0, I2C_READ_MAX)
        return pack(self.TYPE, _DATA, self.status, self.address) + bytes(self.data)

    @classmethod
    def unpack(cls, payload: bytes) -> I2cData:
        need(cls.TYPE, payload, _DATA.size)
        status, address = _DATA.unpack_from(payload)
        return cls(u8_table(I2cStatus)[status], address, bytes(payload[_DATA.size : _DATA.size + I2C_READ_MAX]))
