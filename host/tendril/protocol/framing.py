"""Frames on the wire: COBS + 0x00 delimiter around | version | type | seq | payload | crc |.

Pure code: bytes in, frames out. `FrameDecoder.feed` is the host's hot path, so it works on whole
delimiter-separated chunks (``bytes.split``, the C ``cobs`` codec, ``binascii.crc_hqx``) and never loops
over single bytes in Python. See docs/protocol.md, *Framing* and *Receiving*.
"""

from __future__ import annotations

import struct
from binascii import crc_hqx
from dataclasses import dataclass, fields
from typing import NamedTuple

from cobs.cobs import DecodeError as _CobsError
from cobs.cobs import decode as _cobs_decode
from cobs.cobs import encode as _cobs_encode

from ..contract import (
    CRC_SIZE,
    FRAME_HEADER,
    HEADER_SIZE,
    MAX_ENCODED,
    MAX_PAYLOAD,
    PROTOCOL_VERSION,
    MsgType,
)
from ..errors import ProtocolError

# Outcome names, as tests/vectors/frames/stream.json spells them.
FRAME = "frame"
EMPTY = "empty"
COBS = "cobs"
SHORT = "short"
CRC = "crc"
VERSION = "version"
OVERSIZE = "oversize"
OUTCOMES = (FRAME, EMPTY, COBS, SHORT, CRC, VERSION, OVERSIZE)

_MIN_RAW = HEADER_SIZE + CRC_SIZE
_HEADER = struct.Struct(FRAME_HEADER.struct_format())
_AT_VERSION = FRAME_HEADER.offset("version")
_AT_TYPE = FRAME_HEADER.offset("type")
_AT_SEQ = FRAME_HEADER.offset("seq")
_CRC = struct.Struct("<H")
_HELLO = int(MsgType.HELLO)


class Frame(NamedTuple):
    """One decoded frame. A NamedTuple because the decoder builds tens of thousands a second."""

    version: int
    type: int
    seq: int
    payload: bytes


_new_frame = tuple.__new__  # skips NamedTuple's keyword handling on the hot path


@dataclass(slots=True)
class DecoderStats:
    """Counters of every outcome of protocol.md *Receiving*, plus the bytes fed."""

    bytes: int = 0
    frames: int = 0
    empty: int = 0
    cobs: int = 0
    short: int = 0
    crc: int = 0
    version: int = 0
    oversize: int = 0

    @property
    def errors(self) -> int:
        """Chunks dropped as errors (``empty`` is not one: a sender may flush with 0x00)."""
        return self.cobs + self.short + self.crc + self.version + self.oversize

    def as_dict(self) -> dict[str, int]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


class FrameDecoder:
    """Turns a byte stream into frames; every delimiter-terminated chunk gives exactly one outcome.

    ``feed`` returns the valid frames and counts everything else in ``stats``. Pass a list as
    ``outcomes`` to also get each chunk's outcome name, in stream order. Bytes after the last 0x00
    wait for the next call and report nothing yet. At most ``MAX_ENCODED`` bytes are ever kept: a
    longer chunk is only remembered as "oversize" until its delimiter arrives.
    """

    __slots__ = ("_overflow", "_pending", "foreign_hello", "stats")

    def __init__(self) -> None:
        self.stats = DecoderStats()
        # A HELLO with a good CRC but another protocol version. It is dropped as `version` like any
        # such frame, but kept here because HELLO's first 36 bytes are frozen: a v1 host can still
        # say what the device is and ask the user to update (protocol.md, *Versions*).
        self.foreign_hello: Frame | None = None
        self._pending = b""
        self._overflow = False

    @property
    def buffered(self) -> int:
        """Bytes held while waiting for a delimiter: never more than MAX_ENCODED."""
        return len(self._pending)

    def reset(self) -> None:
        """Forget a partial chunk (after a reconnect); counters are kept."""
        self._pending = b""
        self._overflow = False

    def feed(self, data: bytes, outcomes: list[str] | None = None) -> list[Frame]:
        if type(data) is not bytes:
            data = bytes(data)  # bytearray / memoryview from a transport
        stats = self.stats
        stats.bytes += len(data)
        if self._overflow:
            end = data.find(b"\x00")
            if end < 0:
                return []
            self._overflow = False
            stats.oversize += 1
            if outcomes is not None:
                outcomes.append(OVERSIZE)
            data = data[end + 1 :]
        elif self._pending:
            data = self._pending + data
        chunks = data.split(b"\x00")
        tail = chunks.pop()
        if len(tail) > MAX_ENCODED:
            self._overflow = True
            tail = b""
        self._pending = tail

        frames: list[Frame] = []
        append = frames.append
        record = outcomes.append if outcomes is not None else None
        # the header's offsets as locals: as fast as literal indexes in the loop
        at_version, at_type, at_seq, payload_at = _AT_VERSION, _AT_TYPE, _AT_SEQ, HEADER_SIZE
        for chunk in chunks:
            if 0 < len(chunk) <= MAX_ENCODED:
                try:
                    raw = _cobs_decode(chunk)
                except _CobsError:
                    self._reject(COBS, record)
                    continue
                if len(raw) < _MIN_RAW:
                    self._reject(SHORT, record)
                elif crc_hqx(raw[:-2], 0) != raw[-2] | raw[-1] << 8:
                    self._reject(CRC, record)
                elif raw[at_version] != PROTOCOL_VERSION:
                    if raw[at_type] == _HELLO:
                        self.foreign_hello = _make(raw)
                    self._reject(VERSION, record)
                else:
                    seq = raw[at_seq] | raw[at_seq + 1] << 8
                    append(_new_frame(Frame, (raw[at_version], raw[at_type], seq, raw[payload_at:-2])))
                    if record is not None:
                        record(FRAME)
            else:
                self._reject(EMPTY if not chunk else OVERSIZE, record)
        stats.frames += len(frames)
        return frames

    def _reject(self, outcome: str, record) -> None:
        setattr(self.stats, outcome, getattr(self.stats, outcome) + 1)
        if record is not None:
            record(outcome)


def _make(raw: bytes) -> Frame:
    version, type_, seq = _HEADER.unpack_from(raw)
    return Frame(version, type_, seq, raw[HEADER_SIZE:-CRC_SIZE])


def encode_frame(
    type: int, seq: int, payload: bytes = b"", version: int = PROTOCOL_VERSION
) -> bytes:
    """The wire bytes of one frame: COBS(header, payload, CRC) followed by the 0x00 delimiter."""
    if len(payload) > MAX_PAYLOAD:
        raise ProtocolError(
            f"payload of {len(payload)} bytes, at most {MAX_PAYLOAD} fit in a frame"
        )
    try:
        body = _HEADER.pack(version, type, seq) + payload
    except struct.error as exc:
        raise ProtocolError(
            f"frame header out of range (version {version}, type {type}, seq {seq})"
        ) from exc
    return _cobs_encode(body + _CRC.pack(crc_hqx(body, 0))) + b"\x00"
