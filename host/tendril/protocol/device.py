"""Device messages, device -> host (types 0x80-0xFF).

The host decodes these, so decoding is lenient where protocol.md allows: bytes after the known layout
are ignored and values this version does not know stay plain ints. Encoding (for simulated devices
and tests) is strict about every documented limit.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

from .. import contract
from ..contract import (
    CONFIG_CHUNK_MAX,
    LOG_TEXT_MAX,
    MAX_PAYLOAD,
    NO_READING,
    RECIPE_HASH_SIZE,
    TELEMETRY_MAX_VALUES,
    AckDetail,
    BoardClass,
    Capability,
    ConfigOutcome,
    ErrorCode,
    EventKind,
    HelloFlag,
    ModeChange,
    MsgType,
    Nack,
    OffReason,
    ResetCause,
    SensorFault,
    SkipReason,
    Source,
    TelemetryFlag,
)
from ..contract import FW_NAME_SIZE, HELLO_FROZEN_SIZE, PARAMS_MAX_VALUES
from ._base import I32S, EncodeError, Message, limit, need, pack, pack_i32s, u8_table
from .i2c import I2cData, I2cScan
from .scan import RomCodes
from .status import Status

HELLO_TEXT_MAX = FW_NAME_SIZE
# Each payload's fixed part, from its record in tendril.contract.
_HELLO = struct.Struct(contract.HELLO.struct_format(stop="fw_name"))  # the frozen part
_HELLO_TAIL = struct.Struct(contract.HELLO.struct_format(first="sensor_kinds"))  # after the name
_HELLO_SENSOR_KINDS = contract.HELLO.offset("sensor_kinds")
_ACK = struct.Struct(contract.ACK.struct_format())
_NACK = struct.Struct(contract.NACK.struct_format())
_TELEMETRY = struct.Struct(contract.TELEMETRY.struct_format())
_EVENT = struct.Struct(contract.EVENT.struct_format())
_LOG = struct.Struct(contract.LOG.struct_format())
_CONFIG_DATA = struct.Struct(contract.CONFIG_DATA.struct_format())
_PARAMS = struct.Struct(contract.PARAMS.struct_format())


def _text(raw: bytes) -> str:
    """ASCII text from a device; never raises (a garbled name must not stop the host)."""
    return raw.decode("ascii", "replace")


def _ascii(msg_type: int, text: str, most: int) -> bytes:
    try:
        raw = text.encode("ascii")
    except UnicodeEncodeError as exc:
        raise EncodeError(f"{MsgType(msg_type).name}: text must be ASCII: {text!r}") from exc
    limit(msg_type, "text bytes", len(raw), 0, most)
    return raw


@dataclass(frozen=True, slots=True, kw_only=True)
class Hello(Message):
    """Who the device is. Its first 36 bytes are frozen, so any version's HELLO decodes here."""

    TYPE = MsgType.HELLO
    protocol_version: int
    board_class: int
    fw_major: int
    fw_minor: int
    fw_patch: int
    reset_cause: int
    flags: int
    reserved: int = 0
    device_id: int
    boot_count: int
    capabilities: int
    config_generation: int
    recipe_hash: bytes
    max_payload: int
    max_image: int
    text: str = ""  # the firmware's name, e.g. "tendril-avr"
    sensor_kinds: int = 0  # bit 1 << code per sensor kind built in; 0 from a firmware older than it

    def pack(self) -> bytes:
        limit(
            self.TYPE,
            "recipe hash bytes",
            len(self.recipe_hash),
            RECIPE_HASH_SIZE,
            RECIPE_HASH_SIZE,
        )
        head = pack(
            self.TYPE,
            _HELLO,
            self.protocol_version,
            self.board_class,
            self.fw_major,
            self.fw_minor,
            self.fw_patch,
            self.reset_cause,
            self.flags,
            self.reserved,
            self.device_id,
            self.boot_count,
            self.capabilities,
            self.config_generation,
            self.recipe_hash,
            self.max_payload,
            self.max_image,
        )
        limit(self.TYPE, "sensor kinds", self.sensor_kinds, 0, 0xFFFFFFFF)
        name = _ascii(self.TYPE, self.text, HELLO_TEXT_MAX).ljust(HELLO_TEXT_MAX, b"\0")
        return head + name + _HELLO_TAIL.pack(self.sensor_kinds)

    @classmethod
    def unpack(cls, payload: bytes) -> Hello:
        need(cls.TYPE, payload, HELLO_FROZEN_SIZE, "the frozen HELLO prefix")
        v = _HELLO.unpack_from(payload)
        # The name is NUL-padded to 16 bytes; an older or odd firmware may send it shorter.
        text = bytes(payload[HELLO_FROZEN_SIZE : HELLO_FROZEN_SIZE + HELLO_TEXT_MAX]).split(b"\0")[
            0
        ]
        return cls(
            protocol_version=v[0],
            board_class=u8_table(BoardClass)[v[1]],
            fw_major=v[2],
            fw_minor=v[3],
            fw_patch=v[4],
            reset_cause=ResetCause(v[5]),
            flags=HelloFlag(v[6]),
            reserved=v[7],
            device_id=v[8],
            boot_count=v[9],
            capabilities=Capability(v[10]),
            config_generation=v[11],
            recipe_hash=v[12],
            max_payload=v[13],
            max_image=v[14],
            text=_text(text),
            # added after the name (docs/protocol.md); a firmware older than it has no sensor kinds
            sensor_kinds=(
                _HELLO_TAIL.unpack_from(payload, _HELLO_SENSOR_KINDS)[0]
                if len(payload) >= _HELLO_SENSOR_KINDS + _HELLO_TAIL.size
                else 0
            ),
        )


@dataclass(frozen=True, slots=True)
class Pong(Message):
    TYPE = MsgType.PONG
    data: bytes = b""

    def pack(self) -> bytes:
        limit(self.TYPE, "bytes", len(self.data), 0, MAX_PAYLOAD)
        return bytes(self.data)

    @classmethod
    def unpack(cls, payload: bytes) -> Pong:
        return cls(bytes(payload))


@dataclass(frozen=True, slots=True)
class Ack(Message):
    TYPE = MsgType.ACK
    request_type: int
    detail: int = AckDetail.OK
    value: int = 0

    def pack(self) -> bytes:
        return pack(self.TYPE, _ACK, self.request_type, self.detail, self.value)

    @classmethod
    def unpack(cls, payload: bytes) -> Ack:
        need(cls.TYPE, payload, _ACK.size)
        request_type, detail, value = _ACK.unpack_from(payload)
        return cls(u8_table(MsgType)[request_type], u8_table(AckDetail)[detail], value)


@dataclass(frozen=True, slots=True)
class NackMsg(Message):
    """NACK (named so beside the contract's ``Nack`` code enum)."""

    TYPE = MsgType.NACK
    request_type: int
    code: int
    detail: int = 0

    def pack(self) -> bytes:
        return pack(self.TYPE, _NACK, self.request_type, self.code, self.detail)

    @classmethod
    def unpack(cls, payload: bytes) -> NackMsg:
        need(cls.TYPE, payload, _NACK.size)
        request_type, code, detail = _NACK.unpack_from(payload)
        return cls(u8_table(MsgType)[request_type], u8_table(Nack)[code], detail)


@dataclass(frozen=True, slots=True)
class Telemetry(Message):
    """Channel values ``first_channel ..`` at ``time_ms``: calibrated thousandths, or raw if flagged.

    None is a channel with no valid reading (the NO_READING marker on the wire)."""

    TYPE = MsgType.TELEMETRY
    time_ms: int
    first_channel: int
    flags: int
    values: tuple[int | None, ...]

    def pack(self) -> bytes:
        limit(self.TYPE, "values", len(self.values), 0, TELEMETRY_MAX_VALUES)
        head = pack(self.TYPE, _TELEMETRY, self.time_ms, self.first_channel, self.flags)
        return head + pack_i32s(self.TYPE, tuple(NO_READING if v is None else v for v in self.values))

    @classmethod
    def unpack(cls, payload: bytes) -> Telemetry:
        size = len(payload)
        if size < _TELEMETRY.size:
            need(cls.TYPE, payload, _TELEMETRY.size)
        n = min((size - _TELEMETRY.size) >> 2, TELEMETRY_MAX_VALUES)
        time_ms, first, flags = _TELEMETRY.unpack_from(payload)
        values = I32S[n].unpack_from(payload, _TELEMETRY.size)
        if NO_READING in values:
            values = tuple(None if v == NO_READING else v for v in values)
        return cls(time_ms, first, _TELEMETRY_FLAGS[flags], values)


_TELEMETRY_FLAGS = tuple(TelemetryFlag(v) for v in range(256))

# EVENT's `b` byte means something different for each kind (protocol.md, EVENT table).
_EVENT_B = {
    EventKind.ACT_ON: Source,
    EventKind.ACT_OFF: OffReason,
    EventKind.RULE_SKIP: SkipReason,
    EventKind.MODE: ModeChange,
    EventKind.CONFIG: ConfigOutcome,
    EventKind.ERROR: ErrorCode,
    EventKind.SENSOR: SensorFault,
}


@dataclass(frozen=True, slots=True)
class Event(Message):
    TYPE = MsgType.EVENT
    time_ms: int
    kind: int
    a: int
    b: int
    c: int
    value: int

    @property
    def reason(self) -> int:
        """``b`` as the enum its kind gives it (Source, OffReason, ...), or the plain int."""
        enum = _EVENT_B.get(self.kind)
        return u8_table(enum)[self.b] if enum is not None else self.b

    def pack(self) -> bytes:
        return pack(self.TYPE, _EVENT, self.time_ms, self.kind, self.a, self.b, self.c, self.value)

    @classmethod
    def unpack(cls, payload: bytes) -> Event:
        need(cls.TYPE, payload, _EVENT.size)
        time_ms, kind, a, b, c, value = _EVENT.unpack_from(payload)
        return cls(time_ms, u8_table(EventKind)[kind], a, b, c, value)


@dataclass(frozen=True, slots=True)
class Log(Message):
    """A line of text from the firmware. ``level``: 0 debug, 1 info, 2 warning, 3 error."""

    TYPE = MsgType.LOG
    level: int
    text: str = ""

    def pack(self) -> bytes:
        return pack(self.TYPE, _LOG, self.level) + _ascii(self.TYPE, self.text, LOG_TEXT_MAX)

    @classmethod
    def unpack(cls, payload: bytes) -> Log:
        need(cls.TYPE, payload, _LOG.size, "the level")
        return cls(_LOG.unpack_from(payload)[0], _text(bytes(payload[_LOG.size :])))


@dataclass(frozen=True, slots=True)
class ConfigData(Message):
    TYPE = MsgType.CONFIG_DATA
    offset: int
    total_length: int
    data: bytes = b""

    def pack(self) -> bytes:
        limit(self.TYPE, "data bytes", len(self.data), 0, CONFIG_CHUNK_MAX)
        return pack(self.TYPE, _CONFIG_DATA, self.offset, self.total_length) + bytes(self.data)

    @classmethod
    def unpack(cls, payload: bytes) -> ConfigData:
        need(cls.TYPE, payload, _CONFIG_DATA.size)
        offset, total = _CONFIG_DATA.unpack_from(payload)
        return cls(offset, total, bytes(payload[_CONFIG_DATA.size :]))


@dataclass(frozen=True, slots=True)
class Params(Message):
    TYPE = MsgType.PARAMS
    first: int
    total: int
    values: tuple[int, ...] = ()

    def pack(self) -> bytes:
        limit(self.TYPE, "values", len(self.values), 0, PARAMS_MAX_VALUES)
        return pack(self.TYPE, _PARAMS, self.first, self.total) + pack_i32s(self.TYPE, self.values)

    @classmethod
    def unpack(cls, payload: bytes) -> Params:
        need(cls.TYPE, payload, _PARAMS.size)
        n = min((len(payload) - _PARAMS.size) >> 2, PARAMS_MAX_VALUES)
        first, total = _PARAMS.unpack_from(payload)
        return cls(first, total, I32S[n].unpack_from(payload, _PARAMS.size))


DEVICE_MESSAGES: tuple[type[Message], ...] = (
    Hello,
    Pong,
    Ack,
    NackMsg,
    Telemetry,
    Event,
    Log,
    ConfigData,
    Params,
    Status,
    RomCodes,
    I2cScan,
    I2cData,
)
