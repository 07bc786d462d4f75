"""Ask a Firmata board what it is, on a port tendril opened, until it has answered in full.

A board may say nothing when the port opens (a board that does not reset on open, like the simulated
Uno, sent its greeting long ago; a real Uno is in its boot loader, then StandardFirmata blinks its
version for about 2 s before it reads the port), and a reply may arrive late, in pieces or damaged.
So the host asks (CAPABILITY_QUERY, ANALOG_MAPPING_QUERY, REPORT_VERSION, REPORT_FIRMWARE),
collects whole messages with ``FirmataDecoder`` for as long as they take, and asks again for
whatever is still missing every ``retry`` seconds until ``timeout``. Queries are idempotent, so a
duplicate reply to an earlier query is harmless: the first whole one that agrees with the rest is
kept.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from ..errors import ProtocolError, TransportError
from .firmata_wire import (
    ANALOG_MAPPING_QUERY,
    ANALOG_MAPPING_RESPONSE,
    CAPABILITY_QUERY,
    CAPABILITY_RESPONSE,
    REPORT_FIRMWARE,
    REPORT_VERSION,
    START_SYSEX,
    VERSION_QUERY,
    BoardLayout,
    FirmataDecoder,
    board_layout,
    parse_firmware,
    query,
)

RETRY_S = 0.5  # StandardFirmata's 195-byte capability reply takes 34 ms at 57,600 baud
READ_S = 0.05  # one read's wait: how often the loop looks at the clock


@dataclass(frozen=True)
class BoardFacts:
    """What a Firmata board said about itself. ``version`` is the protocol version (REPORT_VERSION),
    ``firmware`` (major, minor, name) from REPORT_FIRMWARE; either is None if it never answered."""

    layout: BoardLayout
    version: tuple[int, int] | None
    firmware: tuple[int, int, str] | None
    queries: int  # rounds of questions it took (1 when every reply came whole the first time)


class _Replies:
    def __init__(self) -> None:
        self.capability: bytes | None = None
        self.mapping: bytes | None = None
        self.layout: BoardLayout | None = None
        self.version: tuple[int, int] | None = None
        self.firmware: tuple[int, int, str] | None = None

    def take(self, msg) -> None:
        if msg.status == REPORT_VERSION:
            self.version = (msg.data[0], msg.data[1])
        elif msg.status != START_SYSEX:
            return  # analog or digital reports of a board a previous host left streaming
        elif msg.command == CAPABILITY_RESPONSE:
            self.capability = msg.data
        elif msg.command == ANALOG_MAPPING_RESPONSE:
            self.mapping = msg.data
        elif msg.command == REPORT_FIRMWARE:
            try:
                self.firmware = parse_firmware(msg.data)
            except ProtocolError:
                pass
        if self.layout is None and self.capability is not None and self.mapping is not None:
            try:
                self.layout = board_layout(self.capability, self.mapping)
            except ProtocolError:  # one of them is damaged or cut: ask for both again
                self.capability = self.mapping = None

    def missing(self) -> bytes:
        """The questions whose answers are still missing, as bytes to send."""
        out = b""
        if self.layout is None and self.capability is None:
            out += query(CAPABILITY_QUERY)
        if self.layout is None and self.mapping is None:
            out += query(ANALOG_MAPPING_QUERY)
        if self.version is None:
            out += VERSION_QUERY
        if self.firmware is None:
            out += query(REPORT_FIRMWARE)
        return out


def handshake(ser, port: str, baud: int, timeout: float, retry: float = RETRY_S,
              clock=time.monotonic) -> BoardFacts:
    """Ask ``ser`` (an open pyserial port) until the board's layout is known, then wait at most two
    more rounds for its version and firmware name. TransportError when no layout came within
    ``timeout`` s; pyserial's errors pass through. ``ser``'s read timeout is set to READ_S."""
    ser.timeout = READ_S
    decoder = FirmataDecoder()
    replies = _Replies()
    heard = 0
    rounds = 0
    start = clock()
    deadline = start + timeout
    next_ask = start
    layout_at = None
    while True:
        now = clock()
        if replies.layout is not None:
            layout_at = now if layout_at is None else layout_at
            if (replies.version and replies.firmware) or now - layout_at > 2 * retry:
                break
        if now >= deadline:
            break
        # Ask again unless a reply is coming in right now (then give it one more round).
        if now >= next_ask and (not decoder.in_sysex or now >= next_ask + retry):
            ser.write(replies.missing())
            rounds += 1
            next_ask = now + retry
        data = ser.read(max(1, ser.in_waiting))
        heard += len(data)
        for msg in decoder.feed(data):
            replies.take(msg)
    if replies.layout is None:
        if heard == 0:
            why = "nothing came back"
        else:
            why = f"{heard} bytes came back, but no whole capability and analog-mapping reply"
        raise TransportError(f"no Firmata firmware answered on {port} at {baud} baud in"
                             f" {timeout:g} s ({why}; upload StandardFirmata or"
                             " firmware/sketches/firmata, or check --baud)")
    return BoardFacts(replies.layout, replies.version, replies.firmware, rounds)
