"""Config image (format 3) bytes <-> values. Pure: no I/O."""

from __future__ import annotations

import hashlib
import struct
import zlib

from .. import contract
from ..contract import (
    ACTUATOR_SIZE,
    CHANNEL_KIND_MASK,
    CHANNEL_SIZE,
    IMAGE_CRC_START,
    IMAGE_FORMAT,
    IMAGE_HASH_START,
    IMAGE_HEADER_SIZE,
    IMAGE_MAGIC,
    IMAGE_NAME_SIZE,
    PARAM_SIZE,
    RECIPE_HASH_SIZE,
    RULE_SIZE,
    SENSOR_QUANTITY_SHIFT,
    SENSOR_SIZE,
    SMOOTHING_SHIFT,
    ActuatorFlag,
    BoardClass,
    ChannelKind,
    ImageError as Code,
    Operand,
    RuleAction,
    RuleFlag,
    RuleKind,
    Unit,
)
from ..errors import ImageRefused
from .dur import dur16_to_ms, ms_to_dur16
from .model import Actuator, Channel, Image, Param, Rule, Sensor

# The records' layouts, from their one declaration in tendril.contract.
HEADER = struct.Struct(contract.IMAGE_HEADER.struct_format())
PARAM = struct.Struct(contract.PARAM.struct_format())
CHANNEL = struct.Struct(contract.CHANNEL.struct_format())
ACTUATOR = struct.Struct(contract.ACTUATOR.struct_format())
RULE = struct.Struct(contract.RULE.struct_format())
SENSOR = struct.Struct(contract.SENSOR.struct_format())

CRC_START = IMAGE_CRC_START  # the CRC covers bytes CRC_START .. end
HASH_START = IMAGE_HASH_START  # the recipe hash covers bytes HASH_START .. end
CRC_OFFSET = contract.IMAGE_HEADER.offset("crc32")
HASH_OFFSET = contract.IMAGE_HEADER.offset("recipe_hash")
GENERATION_OFFSET = contract.IMAGE_HEADER.offset("generation")

# Rule fields holding a dur16 literal, with their operand bit.
_RULE_DURATIONS = (("hold", Operand.HOLD), ("duration", Operand.DURATION), ("period", Operand.PERIOD))


def image_size(n_params: int, n_channels: int, n_actuators: int, n_rules: int, n_sensors: int = 0) -> int:
    return (
        IMAGE_HEADER_SIZE
        + SENSOR_SIZE * n_sensors
        + PARAM_SIZE * n_params
        + CHANNEL_SIZE * n_channels
        + ACTUATOR_SIZE * n_actuators
        + RULE_SIZE * n_rules
    )


def sensor_count(length: int, n_params: int, n_channels: int, n_actuators: int, n_rules: int) -> int | None:
    """How many sensors an image of ``length`` bytes with these counts holds: the sensors section
    fills what the other sections leave (the header has no spare byte for its count). None when
    that is not a whole number of SENSOR records."""
    rest = length - image_size(n_params, n_channels, n_actuators, n_rules)
    return rest // SENSOR_SIZE if rest >= 0 and rest % SENSOR_SIZE == 0 else None


def crc32(data: bytes) -> int:
    """The image CRC: CRC-32/ISO-HDLC of bytes CRC_START .. end."""
    return zlib.crc32(data[CRC_START:]) & 0xFFFFFFFF


def recipe_hash(data: bytes) -> bytes:
    return hashlib.sha256(data[HASH_START:]).digest()[:RECIPE_HASH_SIZE]


def _seal(body: bytearray) -> bytes:
    """Fill in recipe hash and CRC of an image whose other bytes are final."""
    body[HASH_OFFSET : HASH_OFFSET + RECIPE_HASH_SIZE] = recipe_hash(body)
    struct.pack_into("<I", body, CRC_OFFSET, crc32(body))
    return bytes(body)


def with_generation(data: bytes, generation: int) -> bytes:
    """The same image stamped with ``generation`` (what a host pushes), CRC updated."""
    body = bytearray(data)
    struct.pack_into("<I", body, GENERATION_OFFSET, generation & 0xFFFFFFFF)
    struct.pack_into("<I", body, CRC_OFFSET, crc32(body))
    return bytes(body)


def _name_bytes(name: str) -> bytes:
    raw = name.encode("ascii", errors="strict")
    if len(raw) > IMAGE_NAME_SIZE or any(b < 0x20 or b > 0x7E for b in raw):
        raise ValueError(f"image name {name!r} must be up to {IMAGE_NAME_SIZE} printable ASCII bytes")
    return raw.ljust(IMAGE_NAME_SIZE, b"\0")


def encode(image: Image) -> bytes:
    """The bytes of ``image``. Raises ValueError for a value the format cannot hold."""
    out = bytearray(
        HEADER.pack(
            IMAGE_MAGIC,
            0,
            image_size(
                len(image.params), len(image.channels), len(image.actuators), len(image.rules), len(image.sensors)
            ),
            IMAGE_FORMAT,
            int(image.board_class),
            image.generation & 0xFFFFFFFF,
            bytes(RECIPE_HASH_SIZE),
            _name_bytes(image.name),
            len(image.channels),
            len(image.actuators),
            len(image.rules),
            len(image.params),
            ms_to_dur16(image.telemetry_ms),
        )
    )
    for p in image.params:
        out += PARAM.pack(p.default, p.min, p.max)
    for c in image.channels:
        mode = int(c.kind) | (c.quantity << SENSOR_QUANTITY_SHIFT) | (c.smoothing << SMOOTHING_SHIFT)
        out += CHANNEL.pack(c.pin, mode, int(c.unit), ms_to_dur16(c.period_ms), c.gain, c.offset)
    for a in image.actuators:
        out += ACTUATOR.pack(
            a.pin,
            int(a.flags),
            ms_to_dur16(a.max_on_ms),
            ms_to_dur16(a.min_off_ms),
            ms_to_dur16(a.daily_cap_ms),
            a.servo_min,
            a.servo_max,
            a.servo_safe,
        )
    for r in image.rules:
        durs = [
            getattr(r, name) if r.operands & bit else ms_to_dur16(getattr(r, name))
            for name, bit in _RULE_DURATIONS
        ]
        out += RULE.pack(
            int(r.kind),
            r.actuator,
            int(r.action),
            r.level,
            r.channel,
            int(r.flags),
            r.interlock,
            int(r.operands),
            r.threshold,
            r.hysteresis,
            *durs,
            r.il_threshold,
        )
    for sn in image.sensors:
        out += SENSOR.pack(sn.kind, sn.pin, sn.pin2, bytes(sn.options), ms_to_dur16(sn.period_ms), bytes(sn.rom))
    return _seal(out)


def _enum(cls, value):
    """An enum member when the value is known; the bare int otherwise (validate() reports it)."""
    try:
        return cls(value)
    except ValueError:
        return value


def _dur(code: int) -> int:
    try:
        return dur16_to_ms(code)
    except ValueError:
        raise ImageRefused(Code.BAD_DURATION, 0, f"duration code 0x{code:04x} uses the reserved unit")


def decode(data: bytes) -> Image:
    """The values in image ``data``. Checks structure only (validate() checks meaning).

    Raises tendril.errors.ImageRefused for bytes that are not an image of this format.
    """
    if len(data) < IMAGE_HEADER_SIZE:
        raise ImageRefused(Code.TRUNCATED, 0, f"{len(data)} bytes is shorter than an image header")
    (magic, _crc, length, fmt, board, gen, rhash, name, nc, na, nr, np_, tele) = HEADER.unpack_from(data)
    if magic != IMAGE_MAGIC:
        raise ImageRefused(Code.BAD_MAGIC, 0, "not a tendril config image (bad magic)")
    if fmt != IMAGE_FORMAT:
        raise ImageRefused(Code.BAD_FORMAT, 0, f"config image format {fmt}; this tendril reads {IMAGE_FORMAT}")
    ns = sensor_count(length, np_, nc, na, nr)
    if length != len(data) or ns is None:
        raise ImageRefused(Code.BAD_LENGTH, 0, f"image length {len(data)} does not match its header")
    off = IMAGE_HEADER_SIZE
    params = []
    for _ in range(np_):
        params.append(Param(*PARAM.unpack_from(data, off)))
        off += PARAM_SIZE
    channels = []
    for _ in range(nc):
        pin, mode, unit, period, gain, offset = CHANNEL.unpack_from(data, off)
        channels.append(
            Channel(
                pin=pin,
                kind=_enum(ChannelKind, mode & CHANNEL_KIND_MASK),
                smoothing=mode >> SMOOTHING_SHIFT,
                quantity=(mode >> SENSOR_QUANTITY_SHIFT) & 3,
                unit=_enum(Unit, unit),
                period_ms=_dur(period),
                gain=gain,
                offset=offset,
            )
        )
        off += CHANNEL_SIZE
    actuators = []
    for _ in range(na):
        pin, flags, max_on, min_off, cap, s_min, s_max, s_safe = ACTUATOR.unpack_from(data, off)
        actuators.append(
            Actuator(pin, ActuatorFlag(flags), _dur(max_on), _dur(min_off), _dur(cap), s_min, s_max, s_safe)
        )
        off += ACTUATOR_SIZE
    rules = []
    for _ in range(nr):
        (kind, act, action, level, chan, flags, il, ops, thr, hyst, hold, dur, period, ilt) = (
            RULE.unpack_from(data, off)
        )
        operands = Operand(ops)
        hold, dur, period = (
            raw if operands & bit else _dur(raw)
            for raw, (_, bit) in zip((hold, dur, period), _RULE_DURATIONS)
        )
        rules.append(
            Rule(
                kind=_enum(RuleKind, kind),
                actuator=act,
                action=_enum(RuleAction, action),
                level=level,
                channel=chan,
                flags=RuleFlag(flags),
                interlock=il,
                operands=operands,
                threshold=thr,
                hysteresis=hyst,
                hold=hold,
                duration=dur,
                period=period,
                il_threshold=ilt,
            )
        )
        off += RULE_SIZE
    sensors = []
    for _ in range(ns):
        kind, pin, pin2, options, period, rom = SENSOR.unpack_from(data, off)
        sensors.append(Sensor(kind, pin, pin2, options, _dur(period), rom))
        off += SENSOR_SIZE
    return Image(
        sensors=tuple(sensors),
        name=name.rstrip(b"\0").decode("ascii", errors="replace"),
        board_class=_enum(BoardClass, board),
        telemetry_ms=_dur(tele),
        params=tuple(params),
        channels=tuple(channels),
        actuators=tuple(actuators),
        rules=tuple(rules),
        generation=gen,
        recipe_hash=rhash,
    )
