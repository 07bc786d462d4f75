"""tendril's wire protocol v1 (docs/protocol.md): frames and typed messages.

Pure code, no I/O, threads or clock: transports and sessions feed bytes in and get values out.
"""

from ._base import BadPayload, EncodeError, Message
from .device import (
    DEVICE_MESSAGES,
    HELLO_FROZEN_SIZE,
    HELLO_TEXT_MAX,
    PARAMS_MAX_VALUES,
    Ack,
    ConfigData,
    Event,
    Hello,
    Log,
    NackMsg,
    Params,
    Pong,
    Telemetry,
)
from .framing import OUTCOMES, DecoderStats, Frame, FrameDecoder, encode_frame
from .messages import REPLY_TYPES, SPONTANEOUS_TYPES, Unknown, decode_message, encode_message
from .requests import (
    COMMANDS,
    REQUESTS,
    ClearSafeMode,
    Command,
    ConfigAbort,
    ConfigBegin,
    ConfigChunk,
    ConfigCommit,
    ConfigRead,
    GetParams,
    I2cRead,
    Lease,
    Off,
    Pause,
    Ping,
    RequestHello,
    RequestStatus,
    Resume,
    ScanI2c,
    ScanOneWire,
    SetParam,
    TelemetryMode,
    UnknownCommand,
)
from .i2c import I2cData, I2cScan
from .scan import RomCodes
from .status import ActuatorEntry, RuleEntry, Status


def encode(msg: Message, seq: int) -> bytes:
    """The wire bytes of ``msg`` sent with sequence number ``seq``."""
    msg_type, payload = encode_message(msg)
    return encode_frame(msg_type, seq, payload)


__all__ = [
    "REPLY_TYPES",
    "SPONTANEOUS_TYPES",
    "COMMANDS",
    "DEVICE_MESSAGES",
    "HELLO_FROZEN_SIZE",
    "HELLO_TEXT_MAX",
    "OUTCOMES",
    "PARAMS_MAX_VALUES",
    "REQUESTS",
    "Ack",
    "ActuatorEntry",
    "BadPayload",
    "ClearSafeMode",
    "Command",
    "ConfigAbort",
    "ConfigBegin",
    "ConfigChunk",
    "ConfigCommit",
    "ConfigData",
    "ConfigRead",
    "DecoderStats",
    "EncodeError",
    "Event",
    "Frame",
    "FrameDecoder",
    "GetParams",
    "Hello",
    "I2cData",
    "I2cRead",
    "I2cScan",
    "Lease",
    "Log",
    "Message",
    "NackMsg",
    "Off",
    "Params",
    "Pause",
    "Ping",
    "Pong",
    "RequestHello",
    "RequestStatus",
    "Resume",
    "RomCodes",
    "RuleEntry",
    "ScanI2c",
    "ScanOneWire",
    "SetParam",
    "Status",
    "Telemetry",
    "TelemetryMode",
    "Unknown",
    "UnknownCommand",
    "decode_message",
    "encode",
    "encode_frame",
    "encode_message",
]
