"""Every fixed layout of the contract, declared once (docs/protocol.md, docs/config-image.md).

The config image's header and records, the frame header, and each message payload's fixed part are
a ``Record`` here; tools/contract_gen.py writes their C offsets (firmware/core/tendril_records.h),
tools/mpy_gen.py the MicroPython ones (tdfw/const.py), and the host builds its struct formats from
them. Nothing here does I/O.
"""

from __future__ import annotations

from typing import NamedTuple

from .codes import (
    FW_NAME_SIZE,
    HEADER_SIZE,
    IMAGE_MAGIC,
    IMAGE_NAME_SIZE,
    MAX_PAYLOAD,
    RECIPE_HASH_SIZE,
    ROM_CODE_SIZE,
    CommandOp,
)

# --- records --------------------------------------------------------------------------------------
# Every fixed layout of the contract, declared once: the config image's header and records, and
# each message payload's fixed part (a payload's variable tail, such as TELEMETRY's values, is named
# in ``rest``). All integers are little-endian. tools/contract_gen.py and tools/mpy_gen.py generate
# the C and MicroPython offsets from these; the host builds its struct formats from them.

_WIDTHS = {"u8": 1, "u16": 2, "u32": 4, "i32": 4}
_FORMATS = {"u8": "B", "u16": "H", "u32": "I", "i32": "i"}


class Field(NamedTuple):
    """One field of a record: an integer type ("u8", "u16", "u32", "i32") or "bytes" of ``size``."""

    name: str
    type: str
    size: int
    offset: int

    @property
    def format(self) -> str:
        return f"{self.size}s" if self.type == "bytes" else _FORMATS[self.type]


class Record:
    """A fixed layout: fields in order, each at the offset its predecessors' widths give it.

    ``Record("CHANNEL", "...", ("pin", "u8"), ("gain", "i32"), ("name", 12))``: a width given as a
    number is that many raw bytes.
    """

    def __init__(self, name: str, doc: str, *fields: tuple[str, str | int], rest: str = "") -> None:
        self.name = name
        self.doc = doc
        self.rest = rest  # what follows the fixed part to the payload's end, if anything
        out: list[Field] = []
        offset = 0
        for fname, ftype in fields:
            if isinstance(ftype, int):
                out.append(Field(fname, "bytes", ftype, offset))
                offset += ftype
            else:
                out.append(Field(fname, ftype, _WIDTHS[ftype], offset))
                offset += _WIDTHS[ftype]
        self.fields = tuple(out)
        self.size = offset
        self._by_name = {f.name: f for f in out}
        if len(self._by_name) != len(out):
            raise ValueError(f"record {name}: a field name is used twice")

    def __getitem__(self, name: str) -> Field:
        return self._by_name[name]

    def offset(self, name: str) -> int:
        return self._by_name[name].offset

    def struct_format(self, first: str | None = None, stop: str | None = None) -> str:
        """A ``struct`` format of the fields: from field ``first`` on and up to (without) field
        ``stop``, when given."""
        start = self.fields.index(self[first]) if first else 0
        end = self.fields.index(self[stop]) if stop else len(self.fields)
        return "<" + "".join(f.format for f in self.fields[start:end])

    def __repr__(self) -> str:
        return f"Record({self.name!r}, {self.size} bytes)"


# The frame header before every payload (docs/protocol.md, "Framing").
FRAME_HEADER = Record(
    "FRAME_HEADER", "the frame header", ("version", "u8"), ("type", "u8"), ("seq", "u16")
)
assert FRAME_HEADER.size == HEADER_SIZE

# The config image (docs/config-image.md).
IMAGE_HEADER = Record(
    "IMAGE_HEADER",
    "the config image's header",
    ("magic", len(IMAGE_MAGIC)),
    ("crc32", "u32"),  # CRC-32 of bytes [length, end)
    ("length", "u16"),
    ("format", "u8"),
    ("board_class", "u8"),
    ("generation", "u32"),
    ("recipe_hash", RECIPE_HASH_SIZE),  # SHA-256 of bytes [name, end), first 8 bytes
    ("name", IMAGE_NAME_SIZE),
    ("n_channels", "u8"),
    ("n_actuators", "u8"),
    ("n_rules", "u8"),
    ("n_params", "u8"),
    ("telemetry_period", "u16"),  # dur16
)
PARAM = Record(
    "PARAM", "a parameter of the config image", ("default", "i32"), ("min", "i32"), ("max", "i32")
)
CHANNEL = Record(
    "CHANNEL",
    "a channel of the config image",
    ("pin", "u8"),
    ("mode", "u8"),  # ChannelKind in the low bits, smoothing in the high nibble
    ("unit", "u8"),
    ("period", "u16"),  # dur16
    ("gain", "i32"),
    ("offset", "i32"),
)
SENSOR = Record(
    "SENSOR",
    "a sensor of the config image",
    ("kind", "u8"),  # SensorKind (contract/kinds.py, SENSOR_KINDS)
    ("pin", "u8"),  # the data pin: 1-Wire bus, DHT, trigger, pulse input
    ("pin2", "u8"),  # a second pin (an HC-SR04's echo), or NO_INDEX
    ("options", 3),  # three bytes the kind gives meaning to (resolution, model, debounce, ...)
    ("period", "u16"),  # dur16: how often the sensor is read
    ("rom", 8),  # a 1-Wire ROM code, or all zero: "the only one on the bus"
)
ACTUATOR = Record(
    "ACTUATOR",
    "an actuator of the config image",
    ("pin", "u8"),
    ("flags", "u8"),
    ("max_on", "u16"),  # dur16, and the two below
    ("min_off", "u16"),
    ("daily_cap", "u16"),
    ("servo_min", "u8"),  # a servo's limits and safe position in degrees; 0 for any other actuator
    ("servo_max", "u8"),
    ("servo_safe", "u8"),
)
RULE = Record(
    "RULE",
    "a rule of the config image",
    ("kind", "u8"),
    ("actuator", "u8"),
    ("action", "u8"),
    ("level", "u8"),
    ("channel", "u8"),
    ("flags", "u8"),
    ("interlock", "u8"),
    ("operands", "u8"),  # Operand bits: which fields below hold a parameter index
    ("threshold", "i32"),
    ("hysteresis", "i32"),
    ("hold", "u16"),  # dur16 (or a parameter index), and the two below
    ("duration", "u16"),
    ("period", "u16"),
    ("il_threshold", "i32"),
)

# Device messages (docs/protocol.md).
HELLO = Record(
    "HELLO",
    "HELLO; the bytes before fw_name never change, in any protocol version",
    ("protocol_version", "u8"),
    ("board_class", "u8"),
    ("fw_major", "u8"),
    ("fw_minor", "u8"),
    ("fw_patch", "u8"),
    ("reset_cause", "u8"),
    ("flags", "u8"),
    ("reserved", "u8"),
    ("device_id", "u32"),
    ("boot_count", "u32"),
    ("capabilities", "u32"),
    ("config_generation", "u32"),
    ("recipe_hash", RECIPE_HASH_SIZE),
    ("max_payload", "u16"),
    ("max_image", "u16"),
    ("fw_name", FW_NAME_SIZE),  # NUL-padded ASCII
    ("sensor_kinds", "u32"),  # bit 1 << code for each sensor kind the firmware was built with
)
ACK = Record("ACK", "ACK", ("request_type", "u8"), ("detail", "u8"), ("value", "u32"))
NACK = Record("NACK", "NACK", ("request_type", "u8"), ("code", "u8"), ("detail", "u16"))
TELEMETRY = Record(
    "TELEMETRY",
    "TELEMETRY's head",
    ("time_ms", "u32"),
    ("first_channel", "u8"),
    ("flags", "u8"),
    rest="i32 values",
)
EVENT = Record(
    "EVENT",
    "EVENT",
    ("time_ms", "u32"),
    ("kind", "u8"),
    ("a", "u8"),
    ("b", "u8"),
    ("c", "u8"),
    ("value", "i32"),
)
LOG = Record("LOG", "LOG's head", ("level", "u8"), rest="ASCII text")
CONFIG_DATA = Record(
    "CONFIG_DATA",
    "CONFIG_DATA's head",
    ("offset", "u16"),
    ("total_length", "u16"),
    rest="image bytes",
)
PARAMS = Record("PARAMS", "PARAMS' head", ("first", "u8"), ("total", "u8"), rest="i32 values")
STATUS = Record(
    "STATUS",
    "STATUS's head",
    ("time_ms", "u32"),
    ("flags", "u8"),
    ("section", "u8"),
    ("first", "u8"),
    ("total", "u8"),
    rest="entries of the section",
)
STATUS_ACTUATOR = Record(
    "STATUS_ACTUATOR",
    "an entry of STATUS section ACTUATORS",
    ("state", "u8"),
    ("level", "u8"),
    ("owner", "u8"),
    ("ms_left", "u32"),
    ("today_on_ms", "u32"),
)
STATUS_RULE = Record(
    "STATUS_RULE",
    "an entry of STATUS section RULES",
    ("state", "u8"),
    ("last_skip", "u8"),
    ("since_fired_ms", "u32"),
)
ROM_CODES = Record(
    "ROM_CODES",
    "ROM_CODES' head",
    ("pin", "u8"),
    ("result", "u8"),  # ScanResult
    ("first", "u8"),  # the index of the first code below among all found
    ("total", "u8"),  # codes the search found
    rest="8-byte ROM codes",
)
I2C_SCAN = Record(
    "I2C_SCAN",
    "I2C_SCAN's head",
    ("status", "u8"),  # I2cStatus: OK, or TIMEOUT / BUS_STUCK (the scan stopped there)
    ("count", "u8"),  # addresses below
    rest="7-bit addresses that ACKed, ascending",
)
I2C_DATA = Record(
    "I2C_DATA",
    "I2C_DATA's head",
    ("status", "u8"),  # I2cStatus of the write or the read
    ("address", "u8"),  # the request's
    rest="the bytes read (none unless status is OK)",
)

# Requests (docs/protocol.md). A COMMAND's payload is its op byte, then the op's arguments.
CONFIG_BEGIN = Record(
    "CONFIG_BEGIN",
    "CONFIG_BEGIN",
    ("length", "u16"),
    ("crc32", "u32"),
    ("recipe_hash", RECIPE_HASH_SIZE),
    ("generation", "u32"),
)
CONFIG_CHUNK = Record("CONFIG_CHUNK", "CONFIG_CHUNK's head", ("offset", "u16"), rest="image bytes")
CONFIG_READ = Record("CONFIG_READ", "CONFIG_READ", ("offset", "u16"), ("count", "u8"))


COMMAND = Record("COMMAND", "COMMAND's head", ("op", "u8"), rest="the op's arguments")


def _command(op: CommandOp, *args: tuple[str, str | int]) -> Record:
    return Record("CMD_" + op.name, f"COMMAND {op.name}", ("op", "u8"), *args)


COMMANDS = {
    CommandOp.LEASE: _command(
        CommandOp.LEASE, ("actuator", "u8"), ("duration_ms", "u32"), ("level", "u8")
    ),
    CommandOp.OFF: _command(CommandOp.OFF, ("actuator", "u8")),
    CommandOp.PAUSE: _command(CommandOp.PAUSE),
    CommandOp.RESUME: _command(CommandOp.RESUME),
    CommandOp.SET_PARAM: _command(CommandOp.SET_PARAM, ("index", "u8"), ("value", "i32")),
    CommandOp.GET_PARAMS: _command(CommandOp.GET_PARAMS, ("first", "u8")),
    CommandOp.HELLO: _command(CommandOp.HELLO),
    CommandOp.STATUS: _command(CommandOp.STATUS, ("section", "u8"), ("first", "u8")),
    CommandOp.CLEAR_SAFE_MODE: _command(CommandOp.CLEAR_SAFE_MODE),
    CommandOp.TELEMETRY_MODE: _command(CommandOp.TELEMETRY_MODE, ("flags", "u8")),
    CommandOp.SCAN_ONEWIRE: _command(CommandOp.SCAN_ONEWIRE, ("pin", "u8"), ("first", "u8")),
    CommandOp.SCAN_I2C: _command(CommandOp.SCAN_I2C, ("first", "u8")),
    CommandOp.I2C_READ: _command(
        CommandOp.I2C_READ, ("address", "u8"), ("nwrite", "u8"), ("w0", "u8"), ("w1", "u8"), ("nread", "u8")
    ),
}
assert set(COMMANDS) == set(CommandOp), "every CommandOp needs its record"

RECORDS: tuple[Record, ...] = (
    FRAME_HEADER,
    IMAGE_HEADER,
    PARAM,
    CHANNEL,
    ACTUATOR,
    RULE,
    SENSOR,
    HELLO,
    ACK,
    NACK,
    TELEMETRY,
    EVENT,
    LOG,
    CONFIG_DATA,
    PARAMS,
    STATUS,
    STATUS_ACTUATOR,
    STATUS_RULE,
    ROM_CODES,
    I2C_SCAN,
    I2C_DATA,
    CONFIG_BEGIN,
    CONFIG_CHUNK,
    CONFIG_READ,
    COMMAND,
    *COMMANDS.values(),
)

# The sizes the rest of the contract names, from the declarations above.
IMAGE_HEADER_SIZE = IMAGE_HEADER.size
PARAM_SIZE = PARAM.size
CHANNEL_SIZE = CHANNEL.size
ACTUATOR_SIZE = ACTUATOR.size
RULE_SIZE = RULE.size
SENSOR_SIZE = SENSOR.size
HELLO_FROZEN_SIZE = HELLO.offset("fw_name")  # 36 bytes that never change, in any protocol version
HELLO_SIZE = HELLO.size
TELEMETRY_MAX_VALUES = (MAX_PAYLOAD - TELEMETRY.size) // 4  # 14 values a frame
PARAMS_MAX_VALUES = (MAX_PAYLOAD - PARAMS.size) // 4  # 15 values a frame
ROM_CODES_MAX = (MAX_PAYLOAD - ROM_CODES.size) // ROM_CODE_SIZE  # 7 codes a frame
IMAGE_CRC_START = IMAGE_HEADER.offset("length")  # the image CRC covers bytes from here to the end
IMAGE_HASH_START = IMAGE_HEADER.offset("name")  # and the recipe hash bytes from here
