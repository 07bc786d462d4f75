"""ROM_CODES (0x8A): a page of the ROM codes a 1-Wire bus search found (COMMAND SCAN_ONEWIRE)."""

from __future__ import annotations

import struct
from dataclasses import dataclass

from .. import contract
from ..contract import ROM_CODE_SIZE, ROM_CODES_MAX, MsgType, ScanResult
from ._base import EncodeError, Message, limit, need, pack, u8_table

_HEAD = struct.Struct(contract.ROM_CODES.struct_format())


@dataclass(frozen=True, slots=True)
class RomCodes(Message):
    """Codes ``first .. first + len(codes) - 1`` of the ``total`` a search of ``pin``'s bus found, in
    the search's order (lowest ROM code bit first), and how the search ended."""

    TYPE = MsgType.ROM_CODES
    pin: int
    result: int
    first: int
    total: int
    codes: tuple[bytes, ...] = ()

    def pack(self) -> bytes:
        limit(self.TYPE, "codes", len(self.codes), 0, ROM_CODES_MAX)
        if any(len(code) != ROM_CODE_SIZE for code in self.codes):
            raise EncodeError(f"ROM_CODES: a code is {ROM_CODE_SIZE} bytes")
        head = pack(self.TYPE, _HEAD, self.pin, self.result, self.first, self.total)
        return head + b"".join(bytes(code) for code in self.codes)

    @classmethod
    def unpack(cls, payload: bytes) -> RomCodes:
        need(cls.TYPE, payload, _HEAD.size)
        pin, result, first, total = _HEAD.unpack_from(payload)
        body = bytes(payload[_HEAD.size :])
        n = min(len(body) // ROM_CODE_SIZE, ROM_CODES_MAX)
        codes = tuple(body[k * ROM_CODE_SIZE : (k + 1) * ROM_CODE_SIZE] for k in range(n))
        return cls(pin, u8_table(ScanResult)[result], first, total, codes)
