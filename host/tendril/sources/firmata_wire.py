"""Firmata's bytes without I/O: a decoder (bytes in, messages out), what a board says about itself.

Written from the Firmata 2.x protocol description (docs/host.md, *Firmata*), not from any
library. Firmata frames like MIDI: a status byte (bit 7 set) starts every message and is followed by
7-bit data bytes; a sysex runs from START_SYSEX (0xF0) to END_SYSEX (0xF7). There is no length or
checksum, so the decoder can only drop what breaks that framing, and ``board_layout`` checks that
the capability and analog-mapping replies agree before a host believes them.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import ProtocolError

# Status bytes (a channel message carries a pin or port number in its low nibble)
DIGITAL_MESSAGE = 0x90
ANALOG_MESSAGE = 0xE0
REPORT_ANALOG = 0xC0
REPORT_DIGITAL = 0xD0
START_SYSEX = 0xF0
SET_PIN_MODE = 0xF4
SET_DIGITAL_PIN_VALUE = 0xF5
END_SYSEX = 0xF7
REPORT_VERSION = 0xF9
SYSTEM_RESET = 0xFF

# Sysex commands
ANALOG_MAPPING_QUERY = 0x69
ANALOG_MAPPING_RESPONSE = 0x6A
CAPABILITY_QUERY = 0x6B
CAPABILITY_RESPONSE = 0x6C
REPORT_FIRMWARE = 0x79
SAMPLING_INTERVAL = 0x7A

# Pin modes in a capability reply
MODE_INPUT, MODE_OUTPUT, MODE_ANALOG, MODE_PWM, MODE_SERVO, MODE_I2C = 0, 1, 2, 3, 4, 6
MODE_PULLUP = 0x0B
END_OF_PIN = 0x7F  # capability reply: closes a pin's list; analog mapping: "no channel"

# Data bytes after a status byte; a status not listed is skipped with whatever data follows it.
_CHANNEL_LENGTHS = {DIGITAL_MESSAGE: 2, ANALOG_MESSAGE: 2, REPORT_ANALOG: 1, REPORT_DIGITAL: 1}
_SYSTEM_LENGTHS = {SET_PIN_MODE: 2, SET_DIGITAL_PIN_VALUE: 2, REPORT_VERSION: 2, SYSTEM_RESET: 0}
SYSEX_MAX = 2048  # data bytes; a Mega's capability reply is ~700


def query(command: int) -> bytes:
    """A sysex with no data: how a host asks for a capability, analog-mapping or firmware reply."""
    return bytes([START_SYSEX, command, END_SYSEX])


VERSION_QUERY = bytes([REPORT_VERSION])


@dataclass(frozen=True)
class Message:
    """One whole message. ``status`` has its channel bits cleared for channel messages (0x90, 0xE0,
    ...); ``channel`` is the pin or port they carried. For a sysex, ``status`` is START_SYSEX,
    ``command`` its first byte and ``data`` the bytes after it."""

    status: int
    data: bytes
    channel: int = 0
    command: int | None = None

    def value14(self) -> int:
        """The 14-bit value of a two-data-byte message (lsb first, 7 bits each)."""
        return self.data[0] | (self.data[1] << 7)


class FirmataDecoder:
    """``feed(bytes) -> [Message]``, keeping a message cut between two reads. ``damaged`` counts
    what broke the framing: a sysex cut by a status byte or longer than SYSEX_MAX, a sysex with no
    command, data bytes that belong to no message."""

    def __init__(self) -> None:
        self.damaged = 0
        self._status = 0  # 0: between messages; START_SYSEX: in a sysex; else collecting for it
        self._channel = 0
        self._need = 0
        self._data = bytearray()
        self._skipping = False  # after a status byte this decoder has no length for

    @property
    def in_sysex(self) -> bool:
        return self._status == START_SYSEX

    def feed(self, chunk: bytes) -> list[Message]:
        out: list[Message] = []
        for b in chunk:
            if b & 0x80:
                self._start(b, out)
            elif self._status == START_SYSEX:
                if len(self._data) < SYSEX_MAX:
                    self._data.append(b)
                else:  # too long to be a reply we can use: dropped at its END_SYSEX
                    self._data = bytearray()
                    self._status, self._skipping = 0, True
                    self.damaged += 1
            elif self._status:
                self._data.append(b)
                if len(self._data) == self._need:
                    out.append(Message(self._status, bytes(self._data), self._channel))
                    self._status = 0
            elif not self._skipping:
                self.damaged += 1
        return out

    def _start(self, b: int, out: list[Message]) -> None:
        if self._status == START_SYSEX:
            if b == END_SYSEX:
                if self._data:
                    out.append(Message(START_SYSEX, bytes(self._data[1:]), 0, self._data[0]))
                else:
                    self.damaged += 1
                self._status = 0
                return
            self.damaged += 1  # a sysex cut short by a new message
        elif self._status:
            self.damaged += 1  # a channel message cut short
        self._status, self._skipping, self._data = 0, False, bytearray()
        if b == START_SYSEX:
            self._status = START_SYSEX
            return
        if b == END_SYSEX:
            return  # the end of a sysex this decoder dropped
        kind = b & 0xF0 if b < 0xF0 else b
        need = _CHANNEL_LENGTHS.get(kind) if b < 0xF0 else _SYSTEM_LENGTHS.get(b)
        if need is None:
            self._skipping = True
        elif need == 0:
            out.append(Message(b, b""))
        else:
            self._status, self._channel, self._need = kind, b & 0x0F if b < 0xF0 else 0, need


# --- what a board says about itself ------------------------------------------------------------


@dataclass(frozen=True)
class BoardLayout:
    """A board's pins as its capability and analog-mapping replies describe them.

    ``modes[pin]`` is that pin's ((mode, resolution), ...) in the order the board listed them
    (empty: not usable, e.g. the serial pins); ``channels[pin]`` its analog input, or None."""

    modes: tuple[tuple[tuple[int, int], ...], ...]
    channels: tuple[int | None, ...]

    def pins_with(self, mode: int) -> tuple[int, ...]:
        return tuple(pin for pin, pairs in enumerate(self.modes)
                     if any(m == mode for m, _ in pairs))

    @property
    def analog_channels(self) -> tuple[int, ...]:
        return tuple(sorted(c for c in self.channels if c is not None))


def parse_capabilities(data: bytes) -> tuple[tuple[tuple[int, int], ...], ...]:
    """A CAPABILITY_RESPONSE's data: per pin, (mode, resolution) pairs closed by 0x7F."""
    if not data or data[-1] != END_OF_PIN:
        raise ProtocolError("capability reply does not end with a pin's 0x7F")
    pins = []
    for entry in data[:-1].split(bytes([END_OF_PIN])):
        if len(entry) % 2:
            raise ProtocolError(f"capability reply: pin {len(pins)} has an odd byte count")
        pins.append(tuple((entry[i], entry[i + 1]) for i in range(0, len(entry), 2)))
    return tuple(pins)


def parse_analog_mapping(data: bytes) -> tuple[int | None, ...]:
    """An ANALOG_MAPPING_RESPONSE's data: per pin, its analog channel or 0x7F for none."""
    return tuple(None if b == END_OF_PIN else b for b in data)


def board_layout(capability: bytes, mapping: bytes) -> BoardLayout:
    """The layout from both replies' data, or ProtocolError when they do not describe one board
    (a damaged or cut reply: Firmata has no checksum, so agreement is the check)."""
    modes = parse_capabilities(capability)
    channels = parse_analog_mapping(mapping)
    if len(modes) != len(channels):
        raise ProtocolError(f"capability reply has {len(modes)} pins, analog mapping"
                            f" {len(channels)}")
    used = [c for c in channels if c is not None]
    if len(set(used)) != len(used):
        raise ProtocolError("analog mapping names a channel twice")
    for pin, channel in enumerate(channels):
        if channel is not None and not any(m == MODE_ANALOG for m, _ in modes[pin]):
            raise ProtocolError(f"pin {pin} has analog channel {channel} but no analog mode")
    if not modes:
        raise ProtocolError("capability reply lists no pins")
    return BoardLayout(modes, channels)


def parse_firmware(data: bytes) -> tuple[int, int, str]:
    """A REPORT_FIRMWARE reply's data: (major, minor, name); the name is sent as 7-bit pairs."""
    if len(data) < 2:
        raise ProtocolError("firmware reply too short")
    raw = data[2:]
    name = bytes((raw[i] | (raw[i + 1] << 7)) & 0xFF for i in range(0, len(raw) - 1, 2))
    return data[0], data[1], name.decode("utf-8", errors="replace")
