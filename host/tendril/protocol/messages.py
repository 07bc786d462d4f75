"""Messages <-> (type, payload): the one registry of which class speaks which message type."""

from __future__ import annotations

from dataclasses import dataclass

from ..contract import MsgType
from ._base import EncodeError, Message
from .device import DEVICE_MESSAGES
from .framing import Frame
from .requests import REQUESTS

_BY_TYPE: dict[int, type[Message]] = {cls.TYPE: cls for cls in REQUESTS + DEVICE_MESSAGES}
assert set(_BY_TYPE) == set(MsgType), "every MsgType needs a message class"

# What a device sends: answers to a request (the request's seq) and what it says on its own. HELLO
# is both: at boot, and the answer to COMMAND HELLO.
REPLY_TYPES = frozenset({MsgType.ACK, MsgType.NACK, MsgType.PONG, MsgType.CONFIG_DATA,
                         MsgType.PARAMS, MsgType.STATUS, MsgType.ROM_CODES, MsgType.I2C_SCAN,
                         MsgType.I2C_DATA, MsgType.HELLO})
SPONTANEOUS_TYPES = frozenset({MsgType.TELEMETRY, MsgType.EVENT, MsgType.LOG, MsgType.HELLO})
assert REPLY_TYPES | SPONTANEOUS_TYPES == {cls.TYPE for cls in DEVICE_MESSAGES}, \
    "every device message is a reply or spontaneous"


@dataclass(frozen=True, slots=True)
class Unknown(Message):
    """A frame of a type this version does not know. Returned, not raised: callers count and skip it
    (a newer minor revision may add device message types; a device NACKs unknown requests)."""

    type: int
    payload: bytes = b""

    def pack(self) -> bytes:
        return bytes(self.payload)


def encode_message(msg: Message) -> tuple[int, bytes]:
    """The frame type and payload of ``msg``; raises EncodeError if a field does not fit."""
    if isinstance(msg, Unknown):
        if not 0 <= msg.type <= 0xFF:
            raise EncodeError(f"message type {msg.type} does not fit a byte")
        return msg.type, msg.pack()
    return msg.TYPE, msg.pack()


def decode_message(frame_or_type: Frame | int, payload: bytes | None = None) -> Message:
    """The message in a frame (or a type and payload).

    Raises BadPayload (a ProtocolError) when the payload is too short for its type; unknown types
    give an ``Unknown`` and unknown command ops an ``UnknownCommand``.
    """
    if payload is None:
        msg_type, payload = frame_or_type.type, frame_or_type.payload
    else:
        msg_type = frame_or_type
    cls = _BY_TYPE.get(msg_type)
    if cls is None:
        return Unknown(msg_type, bytes(payload))
    return cls.unpack(payload)
