"""What every message class shares: the base class, the errors, and small packing helpers."""

from __future__ import annotations

import struct
from enum import IntEnum
from functools import cache
from typing import ClassVar, TypeVar

from ..contract import MsgType
from ..errors import ProtocolError

E = TypeVar("E", bound=IntEnum)


class BadPayload(ProtocolError):
    """A payload too short (or too long) for its message type: a device answers NACK BAD_LENGTH."""

    def __init__(self, msg_type: int, message: str) -> None:
        self.msg_type = msg_type
        super().__init__(f"{type_name(msg_type)}: {message}")


class EncodeError(ProtocolError):
    """A message whose fields do not fit its wire layout (a value out of range, too many bytes)."""


class Message:
    """A typed message. Subclasses are frozen dataclasses with ``TYPE`` (and ``OP`` for commands).

    ``pack`` gives the payload; ``unpack`` reads one, ignoring bytes after the known layout so that a
    newer minor revision can append fields (protocol.md, *Versions*).
    """

    __slots__ = ()
    TYPE: ClassVar[int]

    def pack(self) -> bytes:  # pragma: no cover - every subclass overrides it
        raise NotImplementedError

    @classmethod
    def unpack(cls, payload: bytes) -> Message:  # pragma: no cover - every subclass overrides it
        raise NotImplementedError


def type_name(msg_type: int) -> str:
    try:
        return MsgType(msg_type).name
    except ValueError:
        return f"type 0x{msg_type:02X}"


def known(enum: type[E], value: int) -> E | int:
    """The enum member for ``value``, or the plain int when this version does not know it."""
    try:
        return enum(value)
    except ValueError:
        return value


@cache
def u8_table(enum: type[E]) -> tuple[E | int, ...]:
    """``known(enum, v)`` for every byte value, so decoding a u8 field is one tuple index."""
    return tuple(known(enum, v) for v in range(256))


def need(msg_type: int, payload: bytes, size: int, what: str = "") -> None:
    if len(payload) < size:
        detail = f" ({what})" if what else ""
        raise BadPayload(msg_type, f"{len(payload)} payload bytes, needs at least {size}{detail}")


def pack(msg_type: int, layout: struct.Struct, *values: object) -> bytes:
    """``layout.pack`` with a ProtocolError naming the message instead of a bare struct.error."""
    try:
        return layout.pack(*values)
    except struct.error as exc:
        raise EncodeError(f"{type_name(msg_type)}: a field is out of range: {exc}") from exc


def limit(msg_type: int, what: str, count: int, low: int, high: int) -> None:
    if not low <= count <= high:
        raise EncodeError(f"{type_name(msg_type)}: {count} {what}, must be {low}..{high}")


# Layouts of 0..16 little-endian i32 values, made once (telemetry decodes use them at a high rate).
I32S = tuple(struct.Struct(f"<{n}i") for n in range(17))


def pack_i32s(msg_type: int, values: tuple[int, ...] | list[int]) -> bytes:
    return pack(msg_type, I32S[len(values)], *values)
