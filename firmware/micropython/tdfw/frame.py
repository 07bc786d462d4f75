"""Frames on the wire (docs/protocol.md, Framing and Receiving). Portable: MicroPython and CPython.

Small-RAM design: the decoder owns two preallocated buffers (the COBS chunk, at most MAX_ENCODED
bytes, and the decoded frame) and never allocates while bytes arrive; the encoder COBS-encodes
from a preallocated raw frame into a preallocated wire buffer.
"""

from .const import (
    CRC_SIZE,
    FRAME_HEADER_SEQ,
    FRAME_HEADER_TYPE,
    FRAME_HEADER_VERSION,
    HEADER_SIZE,
    MAX_ENCODED,
    MAX_FRAME,
    MAX_PAYLOAD,
    PROTOCOL_VERSION,
)
from .crc import crc16

try:
    from micropython import const
except ImportError:

    def const(x):
        return x


# Outcomes of one delimiter-terminated chunk (tests/vectors/frames/stream.json spells them out).
NONE = const(0)  # no delimiter yet
FRAME = const(1)
EMPTY = const(2)
COBS = const(3)
SHORT = const(4)
CRC = const(5)
VERSION = const(6)
OVERSIZE = const(7)
NAMES = ("", "frame", "empty", "cobs", "short", "crc", "version", "oversize")

_MIN_RAW = const(6)  # HEADER_SIZE + CRC_SIZE


class Decoder:
    """Feed bytes one at a time with ``push``; each 0x00 yields exactly one outcome.

    After FRAME, ``raw[:n]`` is the decoded frame: version, type, seq, payload, CRC. ``counts[k]``
    counts outcome k. ``chunk[:size]`` keeps the undecoded bytes of the last chunk.
    """

    def __init__(self):
        self.chunk = bytearray(MAX_ENCODED)
        self.raw = bytearray(MAX_FRAME)
        self.size = 0  # bytes in chunk
        self.n = 0  # bytes in raw after a FRAME
        self.over = False
        self.counts = [0] * 8

    def reset(self):
        self.size = 0
        self.over = False

    def push(self, b):
        """One received byte; returns an outcome, NONE until a delimiter arrives."""
        if b:
            if self.over:
                return NONE
            if self.size == MAX_ENCODED:
                self.over = True
                self.size = 0
                return NONE
            self.chunk[self.size] = b
            self.size += 1
            return NONE
        if self.over:
            self.over = False
            out = OVERSIZE
        elif self.size == 0:
            out = EMPTY
        else:
            out = self._decode()
        self.size = 0
        self.counts[out] += 1
        return out

    def _decode(self):
        chunk, raw, size = self.chunk, self.raw, self.size
        i = n = 0
        while i < size:
            code = chunk[i]
            i += 1
            end = i + code - 1
            if end > size:
                return COBS
            while i < end:
                b = chunk[i]
                if b == 0:  # pragma: no cover - push never stores a zero
                    return COBS
                raw[n] = b
                n += 1
                i += 1
            if code < 255 and i < size:
                raw[n] = 0
                n += 1
        if n < _MIN_RAW:
            return SHORT
        if crc16(raw, 0, n - 2) != raw[n - 2] | raw[n - 1] << 8:
            return CRC
        self.n = n
        if raw[FRAME_HEADER_VERSION] != PROTOCOL_VERSION:
            return VERSION
        return FRAME

    def seq(self):
        return self.raw[FRAME_HEADER_SEQ] | self.raw[FRAME_HEADER_SEQ + 1] << 8

    def payload(self):
        return memoryview(self.raw)[HEADER_SIZE : self.n - CRC_SIZE]


class Encoder:
    """Build a frame in ``raw`` (payload at HEADER_SIZE), then ``finish`` COBS-encodes it into ``wire``."""

    def __init__(self):
        self.raw = bytearray(MAX_FRAME)
        self.wire = bytearray(MAX_ENCODED + 1)
        self.wire_mv = memoryview(self.wire)

    def finish(self, msg_type, seq, plen, version=PROTOCOL_VERSION):
        """The wire bytes (a memoryview into ``wire``) of the frame whose payload of ``plen`` bytes is
        at raw[HEADER_SIZE:]."""
        if plen > MAX_PAYLOAD:
            raise ValueError("payload too long")
        raw = self.raw
        raw[FRAME_HEADER_VERSION] = version
        raw[FRAME_HEADER_TYPE] = msg_type
        raw[FRAME_HEADER_SEQ] = seq & 0xFF
        raw[FRAME_HEADER_SEQ + 1] = (seq >> 8) & 0xFF
        n = HEADER_SIZE + plen
        c = crc16(raw, 0, n)
        raw[n] = c & 0xFF
        raw[n + 1] = c >> 8
        return self.wire_mv[: cobs_encode(raw, n + CRC_SIZE, self.wire)]


def cobs_encode(src, n, out):
    """COBS of src[:n] into out, followed by the 0x00 delimiter; returns the bytes written."""
    code_at = 0
    o = 1
    code = 1
    for i in range(n):
        b = src[i]
        if b:
            out[o] = b
            o += 1
            code += 1
            if code == 255:
                out[code_at] = code
                code_at = o
                o += 1
                code = 1
        else:
            out[code_at] = code
            code_at = o
            o += 1
            code = 1
    out[code_at] = code
    out[o] = 0
    return o + 1
