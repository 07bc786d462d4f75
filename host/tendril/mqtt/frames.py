"""The frames record (docs/fleet.md, *Collecting a fleet into one database*): exactly what a board's
thread hands its sinks, as compact bytes for the ``<prefix>/<board>/frames`` topic. Pure: no
client, no clock, no I/O.

    record = Record(TELEMETRY, host_time, seq, board=(device_id, boot_count), number=n, msg=msg)
    payload = encode(record)        # bytes for MQTT
    decode(payload) == record       # FrameRecordError (one line) for anything else

Every record starts with the same header, little-endian:

    magic "TR" | version u8 | kind u8 | run u32 | number u64 | device_id u32 | boot_count u32
    | host_time f64 | seq u16

``run`` is a random number the publishing sink drew when it started and ``number`` counts its
records from 1: together they name a record, so a collector can drop a copy that QoS 1 delivered
twice. ``device_id`` and ``boot_count`` say which boot of which board the record belongs to, so a
collector that comes back after a while can find the log session again without the HELLO.

The body by kind: HELLO, TELEMETRY, EVENT, STATUS, PARAMS carry one protocol message as
``type u8 | payload`` (tendril.protocol's encode_message / decode_message, so the message layout
is declared once); CONFIG carries ``direction u8 | text length u32 (0xFFFFFFFF: none) | text |
image``; RECIPE carries ``known u8 | name length u16 | name | text``.
"""

from __future__ import annotations

import math
import struct
from dataclasses import dataclass

from ..protocol import Event, Hello, Params, Status, Telemetry, decode_message, encode_message

MAGIC = b"TR"
VERSION = 1
MAX_RECORD = 256 * 1024  # a config image and its recipe text fit many times over

HELLO, TELEMETRY, EVENT, STATUS, PARAMS, CONFIG, RECIPE = range(1, 8)
KINDS = {HELLO: "hello", TELEMETRY: "telemetry", EVENT: "event", STATUS: "status",
         PARAMS: "params", CONFIG: "config", RECIPE: "recipe"}
_MESSAGE_CLASS = {HELLO: Hello, TELEMETRY: Telemetry, EVENT: Event, STATUS: Status, PARAMS: Params}
DIRECTIONS = ("pushed", "read")

_HEAD = struct.Struct("<2sBBIQIIdH")
_NO_TEXT = 0xFFFFFFFF


class FrameRecordError(ValueError):
    """A record that cannot be encoded, or bytes that are not a record this version knows."""


@dataclass(frozen=True)
class Record:
    kind: int
    host_time: float
    seq: int = 0  # the protocol frame's seq (TELEMETRY, EVENT); 0 for the others
    board: tuple[int, int] = (0, 0)  # (device_id, boot_count)
    run: int = 0
    number: int = 0
    msg: object = None  # HELLO .. PARAMS: the protocol message
    direction: str = ""  # CONFIG
    image: bytes = b""  # CONFIG
    text: str | None = None  # CONFIG: the recipe text if known; RECIPE: the recipe's text
    known: bool = False  # RECIPE: the board runs a recipe (False: it has no config)
    name: str = ""  # RECIPE: the recipe's name


def encode(record: Record) -> bytes:
    """The bytes of ``record``; FrameRecordError if a field does not fit."""
    kind = record.kind
    if kind not in KINDS:
        raise FrameRecordError(f"frames record: no kind {kind!r}")
    device_id, boot_count = record.board
    try:
        head = _HEAD.pack(MAGIC, VERSION, kind, record.run, record.number, device_id, boot_count,
                          float(record.host_time), record.seq)
    except (struct.error, TypeError, ValueError) as exc:
        raise FrameRecordError(f"frames record ({KINDS[kind]}): a header field does not fit: {exc}"
                               ) from None
    if kind in _MESSAGE_CLASS:
        if not isinstance(record.msg, _MESSAGE_CLASS[kind]):
            raise FrameRecordError(f"frames record ({KINDS[kind]}): carries "
                                   f"{type(record.msg).__name__}, not {_MESSAGE_CLASS[kind].__name__}")
        msg_type, payload = encode_message(record.msg)
        body = bytes([msg_type]) + payload
    elif kind == CONFIG:
        if record.direction not in DIRECTIONS:
            raise FrameRecordError(f"frames record (config): direction {record.direction!r} is not"
                                   f" one of {', '.join(DIRECTIONS)}")
        text = None if record.text is None else record.text.encode()
        body = (bytes([DIRECTIONS.index(record.direction)])
                + struct.pack("<I", _NO_TEXT if text is None else len(text))
                + (text or b"") + bytes(record.image))
    else:
        name = record.name.encode()
        if len(name) > 0xFFFF:
            raise FrameRecordError("frames record (recipe): the name is longer than 65535 bytes")
        body = (bytes([1 if record.known else 0]) + struct.pack("<H", len(name)) + name
                + (record.text or "").encode())
    out = head + body
    if len(out) > MAX_RECORD:
        raise FrameRecordError(f"frames record ({KINDS[kind]}): {len(out)} bytes, more than"
                               f" {MAX_RECORD}")
    return out


def decode(data: bytes) -> Record:
    """The record in ``data``; FrameRecordError (one line) for truncated, oversized, foreign or
    unknown records, and for a message inside that does not decode."""
    data = bytes(data)
    if len(data) > MAX_RECORD:
        raise FrameRecordError(f"frames record: {len(data)} bytes, more than {MAX_RECORD}")
    if len(data) < _HEAD.size:
        raise FrameRecordError(f"frames record: truncated ({len(data)} bytes, the header alone is"
                               f" {_HEAD.size})")
    magic, version, kind, run, number, device_id, boot_count, host_time, seq = _HEAD.unpack_from(data)
    if magic != MAGIC:
        raise FrameRecordError("frames record: not a tendril frames record (bad magic)")
    if version != VERSION:
        raise FrameRecordError(f"frames record: version {version}, this tendril reads {VERSION}")
    if kind not in KINDS:
        raise FrameRecordError(f"frames record: unknown kind {kind}")
    if not math.isfinite(host_time):
        raise FrameRecordError("frames record: host time is not a number")
    body = data[_HEAD.size:]
    common = dict(kind=kind, host_time=host_time, seq=seq, board=(device_id, boot_count),
                  run=run, number=number)
    what = KINDS[kind]
    if kind in _MESSAGE_CLASS:
        if not body:
            raise FrameRecordError(f"frames record ({what}): truncated, no message")
        try:
            msg = decode_message(body[0], body[1:])
        except Exception as exc:  # noqa: BLE001 - any decoder failure is this record's fault
            raise FrameRecordError(f"frames record ({what}): the message does not decode: "
                                   f"{type(exc).__name__}: {exc}".splitlines()[0]) from None
        if not isinstance(msg, _MESSAGE_CLASS[kind]):
            raise FrameRecordError(f"frames record ({what}): carries message type {body[0]}")
        return Record(msg=msg, **common)
    if kind == CONFIG:
        if len(body) < 5:
            raise FrameRecordError("frames record (config): truncated")
        if body[0] >= len(DIRECTIONS):
            raise FrameRecordError(f"frames record (config): unknown direction {body[0]}")
        (n,) = struct.unpack_from("<I", body, 1)
        text = None
        rest = body[5:]
        if n != _NO_TEXT:
            if n > len(rest):
                raise FrameRecordError("frames record (config): truncated recipe text")
            text, rest = _text(rest[:n], what), rest[n:]
        return Record(direction=DIRECTIONS[body[0]], image=rest, text=text, **common)
    if len(body) < 3 or body[0] > 1:
        raise FrameRecordError("frames record (recipe): truncated or a bad flag")
    (n,) = struct.unpack_from("<H", body, 1)
    if n > len(body) - 3:
        raise FrameRecordError("frames record (recipe): truncated name")
    name = _text(body[3:3 + n], what)
    return Record(known=bool(body[0]), name=name, text=_text(body[3 + n:], what), **common)


def _text(raw: bytes, what: str) -> str:
    try:
        return raw.decode()
    except UnicodeDecodeError:
        raise FrameRecordError(f"frames record ({what}): text is not UTF-8") from None
