"""Requests, host -> device (types 0x01-0x7F), including every COMMAND op.

Decoding a request is what a device (or a simulated one) does; the length checks here are the ones
that make a device answer NACK BAD_LENGTH.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from typing import ClassVar

from .. import contract
from ..contract import (
    CONFIG_CHUNK_MAX,
    I2C_ADDR_FIRST,
    PING_MAX,
    RECIPE_HASH_SIZE,
    CommandOp,
    MsgType,
    StatusSection,
    TelemetryFlag,
)
from ._base import BadPayload, EncodeError, Message, limit, need, pack, u8_table

# Each payload's fixed part, from its record in tendril.contract.
_BEGIN = struct.Struct(contract.CONFIG_BEGIN.struct_format())
_OFFSET = struct.Struct(contract.CONFIG_CHUNK.struct_format())
_READ = struct.Struct(contract.CONFIG_READ.struct_format())
_OP = struct.Struct(contract.COMMAND.struct_format())


def _args(op: CommandOp) -> struct.Struct:
    """A COMMAND op's arguments: its record after the op byte."""
    record = contract.COMMANDS[op]
    if len(record.fields) == 1:
        return struct.Struct("<")
    return struct.Struct(record.struct_format(first=record.fields[1].name))


@dataclass(frozen=True, slots=True)
class Ping(Message):
    TYPE = MsgType.PING
    data: bytes = b""

    def pack(self) -> bytes:
        limit(self.TYPE, "bytes", len(self.data), 0, PING_MAX)
        return bytes(self.data)

    @classmethod
    def unpack(cls, payload: bytes) -> Ping:
        if len(payload) > PING_MAX:
            raise BadPayload(cls.TYPE, f"{len(payload)} bytes, at most {PING_MAX}")
        return cls(bytes(payload))


@dataclass(frozen=True, slots=True)
class ConfigBegin(Message):
    TYPE = MsgType.CONFIG_BEGIN
    length: int
    crc32: int
    recipe_hash: bytes
    generation: int

    def pack(self) -> bytes:
        limit(
            self.TYPE,
            "recipe hash bytes",
            len(self.recipe_hash),
            RECIPE_HASH_SIZE,
            RECIPE_HASH_SIZE,
        )
        return pack(self.TYPE, _BEGIN, self.length, self.crc32, self.recipe_hash, self.generation)

    @classmethod
    def unpack(cls, payload: bytes) -> ConfigBegin:
        need(cls.TYPE, payload, _BEGIN.size)
        return cls(*_BEGIN.unpack_from(payload))


@dataclass(frozen=True, slots=True)
class ConfigChunk(Message):
    TYPE = MsgType.CONFIG_CHUNK
    offset: int
    data: bytes

    def pack(self) -> bytes:
        limit(self.TYPE, "data bytes", len(self.data), 1, CONFIG_CHUNK_MAX)
        return pack(self.TYPE, _OFFSET, self.offset) + bytes(self.data)

    @classmethod
    def unpack(cls, payload: bytes) -> ConfigChunk:
        need(cls.TYPE, payload, _OFFSET.size + 1, "offset and at least one data byte")
        data = bytes(payload[_OFFSET.size :])
        if len(data) > CONFIG_CHUNK_MAX:
            raise BadPayload(cls.TYPE, f"{len(data)} data bytes, at most {CONFIG_CHUNK_MAX}")
        return cls(_OFFSET.unpack_from(payload)[0], data)


@dataclass(frozen=True, slots=True)
class ConfigCommit(Message):
    TYPE = MsgType.CONFIG_COMMIT

    def pack(self) -> bytes:
        return b""

    @classmethod
    def unpack(cls, payload: bytes) -> ConfigCommit:
        return cls()


@dataclass(frozen=True, slots=True)
class ConfigAbort(Message):
    TYPE = MsgType.CONFIG_ABORT

    def pack(self) -> bytes:
        return b""

    @classmethod
    def unpack(cls, payload: bytes) -> ConfigAbort:
        return cls()


@dataclass(frozen=True, slots=True)
class ConfigRead(Message):
    TYPE = MsgType.CONFIG_READ
    offset: int
    count: int

    def pack(self) -> bytes:
        return pack(self.TYPE, _READ, self.offset, self.count)

    @classmethod
    def unpack(cls, payload: bytes) -> ConfigRead:
        need(cls.TYPE, payload, _READ.size)
        return cls(*_READ.unpack_from(payload))


# --- COMMAND (0x20): u8 op, then the op's arguments ---------------------------------------------


class Command(Message):
    """Base of the COMMAND ops. A subclass names its ``OP`` and its argument layout ``ARGS``."""

    __slots__ = ()
    TYPE = MsgType.COMMAND
    OP: ClassVar[int]
    ARGS: ClassVar[struct.Struct] = struct.Struct("<")

    def args(self) -> tuple:
        return tuple(getattr(self, name) for name in self.__slots__)

    def pack(self) -> bytes:
        return pack(self.TYPE, _OP, self.OP) + pack(self.TYPE, self.ARGS, *self.args())

    @classmethod
    def unpack(cls, payload: bytes) -> Command:
        """Decode a whole COMMAND payload, dispatching on the op byte."""
        need(MsgType.COMMAND, payload, _OP.size, "the op")
        (op,) = _OP.unpack_from(payload)
        op_cls = COMMANDS.get(op)
        if op_cls is None:
            return UnknownCommand(op, bytes(payload[_OP.size :]))
        need(MsgType.COMMAND, payload, _OP.size + op_cls.ARGS.size, f"op {op_cls.OP.name}")
        return op_cls._from_args(op_cls.ARGS.unpack_from(payload, _OP.size))

    @classmethod
    def _from_args(cls, values: tuple) -> Command:
        return cls(*values)


@dataclass(frozen=True, slots=True)
class Lease(Command):
    OP = CommandOp.LEASE
    ARGS = _args(CommandOp.LEASE)
    actuator: int
    duration_ms: int
    level: int


@dataclass(frozen=True, slots=True)
class Off(Command):
    OP = CommandOp.OFF
    ARGS = _args(CommandOp.OFF)
    actuator: int


@dataclass(frozen=True, slots=True)
class Pause(Command):
    OP = CommandOp.PAUSE
    ARGS = _args(CommandOp.PAUSE)


@dataclass(frozen=True, slots=True)
class Resume(Command):
    OP = CommandOp.RESUME
    ARGS = _args(CommandOp.RESUME)


@dataclass(frozen=True, slots=True)
class SetParam(Command):
    OP = CommandOp.SET_PARAM
    ARGS = _args(CommandOp.SET_PARAM)
    index: int
    value: int


@dataclass(frozen=True, slots=True)
class GetParams(Command):
    OP = CommandOp.GET_PARAMS
    ARGS = _args(CommandOp.GET_PARAMS)
    first: int


@dataclass(frozen=True, slots=True)
class RequestHello(Command):
    OP = CommandOp.HELLO
    ARGS = _args(CommandOp.HELLO)


@dataclass(frozen=True, slots=True)
class RequestStatus(Command):
    OP = CommandOp.STATUS
    ARGS = _args(CommandOp.STATUS)
    section: int
    first: int

    @classmethod
    def _from_args(cls, values: tuple) -> RequestStatus:
        return cls(u8_table(StatusSection)[values[0]], values[1])


@dataclass(frozen=True, slots=True)
class ClearSafeMode(Command):
    OP = CommandOp.CLEAR_SAFE_MODE
    ARGS = _args(CommandOp.CLEAR_SAFE_MODE)


@dataclass(frozen=True, slots=True)
class TelemetryMode(Command):
    OP = CommandOp.TELEMETRY_MODE
    ARGS = _args(CommandOp.TELEMETRY_MODE)
    flags: int

    @classmethod
    def _from_args(cls, values: tuple) -> TelemetryMode:
        return cls(TelemetryFlag(values[0]))


@dataclass(frozen=True, slots=True)
class ScanOneWire(Command):
    """A 1-Wire bus search on ``pin``; the reply (ROM_CODES) lists the codes from ``first`` on."""

    OP = CommandOp.SCAN_ONEWIRE
    ARGS = _args(CommandOp.SCAN_ONEWIRE)
    pin: int
    first: int = 0


@dataclass(frozen=True, slots=True)
class ScanI2c(Command):
    """An address scan of the board's I2C bus; the reply (I2C_SCAN) lists the addresses from
    ``first`` on that ACK an empty write."""

    OP = CommandOp.SCAN_I2C
    ARGS = _args(CommandOp.SCAN_I2C)
    first: int = I2C_ADDR_FIRST


@dataclass(frozen=True, slots=True)
class I2cRead(Command):
    """Write ``nwrite`` (0..2) of w0, w1 to ``address`` (a register address or a command), then
    read ``nread`` (1..8) bytes; the reply is I2C_DATA."""

    OP = CommandOp.I2C_READ
    ARGS = _args(CommandOp.I2C_READ)
    address: int
    nwrite: int
    w0: int
    w1: int
    nread: int

    @classmethod
    def of(cls, address: int, write: bytes, nread: int) -> I2cRead:
        """The request that writes ``write`` (0..2 bytes) then reads ``nread`` bytes."""
        w = bytes(write) + bytes(2)
        return cls(address, len(write), w[0], w[1], nread)


@dataclass(frozen=True, slots=True)
class UnknownCommand(Command):
    """An op this version does not know: a device answers NACK UNKNOWN_OP, detail = the op."""

    op: int
    data: bytes = b""

    def pack(self) -> bytes:
        if not 0 <= self.op <= 0xFF:
            raise EncodeError(f"COMMAND: op {self.op} does not fit a byte")
        return bytes((self.op,)) + bytes(self.data)


COMMANDS: dict[int, type[Command]] = {
    cls.OP: cls
    for cls in (
        Lease,
        Off,
        Pause,
        Resume,
        SetParam,
        GetParams,
        RequestHello,
        RequestStatus,
        ClearSafeMode,
        TelemetryMode,
        ScanOneWire,
        ScanI2c,
        I2cRead,
    )
}
assert set(COMMANDS) == set(CommandOp), "every CommandOp needs a message class"

REQUESTS: tuple[type[Message], ...] = (
    Ping,
    ConfigBegin,
    ConfigChunk,
    ConfigCommit,
    ConfigAbort,
    ConfigRead,
    Command,
)
