"""The one source of tendril's contract constants.

Every message type, error code, event kind, image field code and size that the board and the host
share is defined here, once, and so is every record's layout (the ``# --- records`` section: the
image header and records, the frame header, each message payload). ``python tools/contract_gen.py``
writes the C headers ``firmware/core/tendril_contract.h`` and ``tendril_records.h`` from this
module, ``tools/mpy_gen.py`` the MicroPython firmware's ``const.py``, and tests check that the
committed files, and the tables in docs/, still match it. Nothing here does I/O.

docs/protocol.md, docs/config-image.md and docs/rules.md explain what each value means.
"""

from __future__ import annotations

from enum import IntEnum, IntFlag
from typing import NamedTuple

# --- wire protocol -------------------------------------------------------------------------------

PROTOCOL_VERSION = 1
HEADER_SIZE = 4  # version u8, type u8, seq u16
CRC_SIZE = 2  # CRC-16/XMODEM, little-endian
MAX_PAYLOAD = 64
MAX_FRAME = HEADER_SIZE + MAX_PAYLOAD + CRC_SIZE  # 70 bytes before COBS
MAX_ENCODED = MAX_FRAME + (MAX_FRAME // 254) + 1  # 71 bytes of COBS, plus the 0x00 delimiter
CONFIG_CHUNK_MAX = 56  # data bytes in one CONFIG_CHUNK / CONFIG_DATA
PING_MAX = 32
LOG_TEXT_MAX = MAX_PAYLOAD - 1
FW_NAME_SIZE = 16  # HELLO's firmware name: u8[16] after the frozen part, NUL-padded
OWNER_LEASE = 0xFE  # STATUS actuator owner: a manual lease
NEVER_MS = 0xFFFFFFFF  # STATUS since_fired_ms of a rule that never fired


class MsgType(IntEnum):
    """Message types. 0x01-0x7F are requests from the host, 0x80-0xFF come from the device."""

    PING = 0x01
    CONFIG_BEGIN = 0x10
    CONFIG_CHUNK = 0x11
    CONFIG_COMMIT = 0x12
    CONFIG_ABORT = 0x13
    CONFIG_READ = 0x14
    COMMAND = 0x20

    HELLO = 0x80
    PONG = 0x81
    ACK = 0x82
    NACK = 0x83
    TELEMETRY = 0x84
    EVENT = 0x85
    LOG = 0x86
    CONFIG_DATA = 0x87
    PARAMS = 0x88
    STATUS = 0x89


class CommandOp(IntEnum):
    """The first payload byte of a COMMAND request."""

    LEASE = 0x01  # u8 actuator, u32 duration ms, u8 level
    OFF = 0x02  # u8 actuator
    PAUSE = 0x03
    RESUME = 0x04
    SET_PARAM = 0x05  # u8 index, i32 value
    GET_PARAMS = 0x06  # u8 first index -> PARAMS
    HELLO = 0x07  # -> HELLO
    STATUS = 0x08  # u8 section, u8 first -> STATUS
    CLEAR_SAFE_MODE = 0x09
    TELEMETRY_MODE = 0x0A  # u8 flags (TelemetryFlag)


class Nack(IntEnum):
    """Error codes carried by NACK."""

    UNKNOWN_TYPE = 1
    BAD_LENGTH = 2
    BAD_VERSION = 3
    UNKNOWN_OP = 4
    BAD_INDEX = 5
    BAD_VALUE = 6
    OUT_OF_RANGE = 7
    NO_CONFIG = 8
    NO_TRANSFER = 9
    BAD_OFFSET = 10
    TOO_LARGE = 11
    BAD_CRC = 12
    IMAGE_INVALID = 13
    STALE_GENERATION = 14
    STORAGE = 15
    LIMIT_MAX_ON = 16
    LIMIT_MIN_OFF = 17
    LIMIT_DAILY_CAP = 18
    SAFE_MODE = 19
    BUSY = 20


class AckDetail(IntEnum):
    """The detail byte of an ACK to CONFIG_BEGIN (0 for every other request)."""

    OK = 0
    ALREADY_ACTIVE = 1


class LogLevel(IntEnum):
    DEBUG = 0
    INFO = 1
    WARNING = 2
    ERROR = 3


class HelloFlag(IntFlag):
    SAFE_MODE = 0x01
    PAUSED = 0x02
    HAS_CONFIG = 0x04
    RAW_TELEMETRY = 0x08


class Capability(IntFlag):
    CONFIG_STORE = 0x01  # keeps a pushed config across power cycles
    PARAM_STORE = 0x02  # keeps tuned parameters across power cycles
    PWM = 0x04
    RAW_TELEMETRY = 0x08
    WATCHDOG = 0x10
    SIMULATED = 0x20  # a simulated board, not hardware


class ResetCause(IntFlag):
    POWER_ON = 0x01
    EXTERNAL = 0x02
    BROWN_OUT = 0x04
    WATCHDOG = 0x08
    SOFTWARE = 0x10


class TelemetryFlag(IntFlag):
    RAW = 0x01  # values are raw ADC/pin readings, not calibrated and smoothed


class StatusSection(IntEnum):
    ACTUATORS = 0
    RULES = 1


class ActuatorStateBit(IntFlag):
    ON = 0x01
    LEASED = 0x02
    CAPPED = 0x04  # daily cap reached
    RESTING = 0x08  # off and inside min_off


class RuleState(IntEnum):
    IDLE = 0  # condition false (or interval waiting)
    HOLDING = 1  # condition true, hold time not yet reached
    READY = 2  # held, would fire; waiting on a blocker
    RUNNING = 3
    COOLING = 4
    PAUSED = 5


class EventKind(IntEnum):
    ACT_ON = 1  # a=actuator b=Source c=rule (0xFF lease) value=level
    ACT_OFF = 2  # a=actuator b=OffReason c=rule (0xFF none) value=ms it was on
    RULE_SKIP = 3  # a=rule b=SkipReason c=actuator value=0
    MODE = 4  # b=ModeChange
    PARAM = 5  # a=index value=new value
    CONFIG = 6  # b=ConfigOutcome value=generation (applied) or Nack detail (rejected)
    ERROR = 7  # b=ErrorCode value=detail


class Source(IntEnum):
    RULE = 1
    LEASE = 2


class OffReason(IntEnum):
    RULE_DONE = 1
    CONDITION_CLEARED = 2
    LEASE_END = 3
    MANUAL_OFF = 4
    MAX_ON = 5
    DAILY_CAP = 6
    INTERLOCK = 7
    PAUSED = 8
    RECONFIG = 9
    SAFE_MODE = 10


class SkipReason(IntEnum):
    INTERLOCK = 1
    LEASED = 2
    DAILY_CAP = 3
    MIN_OFF = 4


class ModeChange(IntEnum):
    PAUSED = 1
    RESUMED = 2
    SAFE_MODE_ENTERED = 3
    SAFE_MODE_CLEARED = 4


class ConfigOutcome(IntEnum):
    APPLIED = 1
    REJECTED = 2
    CLEARED = 3


class ErrorCode(IntEnum):
    STORAGE_WRITE = 1
    STORAGE_VERIFY = 2
    RX_OVERFLOW = 3
    STORED_CONFIG_INVALID = 4


NO_INDEX = 0xFF  # "none" in any u8 index field (rule, channel, actuator)

# --- config image ---------------------------------------------------------------------------------

IMAGE_MAGIC = b"TD"
IMAGE_FORMAT = 1
IMAGE_NAME_SIZE = 12
RECIPE_HASH_SIZE = 8

VALUE_LIMIT = 1_000_000_000  # every channel value, threshold and parameter lies in +-VALUE_LIMIT
MAX_SMOOTHING = 8
DAY_MS = 86_400_000
MAX_SAMPLE_MS = 60_000  # the longest sample period a channel may have
MIN_INTERVAL_MS = 1_000  # the shortest period of an interval rule


class BoardClass(IntEnum):
    AVR328 = 1  # Uno, Nano
    AVR2560 = 2  # Mega 2560
    RP2040 = 3  # Pico (MicroPython)
    ESP32 = 4  # ESP32 DevKit (MicroPython)


CHANNEL_KIND_MASK = 0x03  # low bits of a channel's mode byte; smoothing sits in the high nibble
SMOOTHING_SHIFT = 4


class ChannelKind(IntEnum):
    ANALOG = 0
    DIGITAL = 1
    DIGITAL_PULLUP = 2


class Unit(IntEnum):
    """Display units of a channel. The device never looks at them; decompile needs them back."""

    NONE = 0
    PERCENT = 1
    CELSIUS = 2
    VOLT = 3
    MILLIVOLT = 4
    LUX = 5
    RAW = 6
    BOOL = 7
    CM = 8
    PPM = 9
    HPA = 10
    FAHRENHEIT = 11


UNIT_SYMBOLS = {
    Unit.NONE: "",
    Unit.PERCENT: "%",
    Unit.CELSIUS: "°C",
    Unit.VOLT: "V",
    Unit.MILLIVOLT: "mV",
    Unit.LUX: "lx",
    Unit.RAW: "raw",
    Unit.BOOL: "bool",
    Unit.CM: "cm",
    Unit.PPM: "ppm",
    Unit.HPA: "hPa",
    Unit.FAHRENHEIT: "°F",
}


class ActuatorFlag(IntFlag):
    PWM = 0x01  # clear: a relay (on/off)
    ACTIVE_LOW = 0x02  # the pin is driven LOW for "on"


class RuleKind(IntEnum):
    THRESHOLD = 1
    INTERVAL = 2


class RuleAction(IntEnum):
    PULSE = 1  # on for `duration`, then off
    FOLLOW = 2  # on while the condition holds


class RuleFlag(IntFlag):
    ABOVE = 0x01  # condition is "value > threshold" (clear: "value < threshold")
    INTERLOCK_ABOVE = 0x02  # interlock blocks when "value > il_threshold" (clear: "<")


class Operand(IntFlag):
    """Bits of a rule's operand mask: a set bit means the field holds a parameter index."""

    THRESHOLD = 0x01
    HYSTERESIS = 0x02
    HOLD = 0x04
    DURATION = 0x08
    PERIOD = 0x10  # cooldown (threshold rules) or period (interval rules)
    INTERLOCK = 0x20


class DurUnit(IntEnum):
    """Top two bits of a dur16 duration code; the low 14 bits count these units."""

    MS = 0
    S = 1
    MIN = 2


DUR_UNIT_MS = {DurUnit.MS: 1, DurUnit.S: 1000, DurUnit.MIN: 60_000}
DUR_COUNT_MAX = 0x3FFF
DUR_MAX_MS = DUR_COUNT_MAX * 60_000  # 11.4 days


class ImageError(IntEnum):
    """Why an image was refused. NACK IMAGE_INVALID carries (code << 8) | index as its detail."""

    TRUNCATED = 1
    BAD_MAGIC = 2
    BAD_FORMAT = 3
    BAD_LENGTH = 4
    TOO_LARGE = 5
    BAD_CRC = 6
    BAD_BOARD = 7
    TOO_MANY = 8
    BAD_NAME = 9
    BAD_TELEMETRY = 10
    BAD_PARAM = 11
    BAD_PIN = 12
    PIN_CONFLICT = 13
    BAD_CHANNEL = 14
    BAD_ACTUATOR = 15
    ABOVE_CEILING = 16
    BAD_RULE = 17
    BAD_REF = 18
    BAD_DURATION = 19


class PinCap(IntFlag):
    """Capabilities of one pin in a board's pin table."""

    ANALOG_IN = 0x01
    DIGITAL_IN = 0x02
    DIGITAL_OUT = 0x04
    PWM = 0x08
    RESERVED = 0x10  # in use by the board itself (UART, USB): never usable
    NO_ACTUATOR = 0x20  # glitches at boot (the bootloader's LED): not for actuators


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
ACTUATOR = Record(
    "ACTUATOR",
    "an actuator of the config image",
    ("pin", "u8"),
    ("flags", "u8"),
    ("max_on", "u16"),  # dur16, and the two below
    ("min_off", "u16"),
    ("daily_cap", "u16"),
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
}
assert set(COMMANDS) == set(CommandOp), "every CommandOp needs its record"

RECORDS: tuple[Record, ...] = (
    FRAME_HEADER,
    IMAGE_HEADER,
    PARAM,
    CHANNEL,
    ACTUATOR,
    RULE,
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
HELLO_FROZEN_SIZE = HELLO.offset("fw_name")  # 36 bytes that never change, in any protocol version
HELLO_SIZE = HELLO.size
TELEMETRY_MAX_VALUES = (MAX_PAYLOAD - TELEMETRY.size) // 4  # 14 values a frame
PARAMS_MAX_VALUES = (MAX_PAYLOAD - PARAMS.size) // 4  # 15 values a frame
IMAGE_CRC_START = IMAGE_HEADER.offset("length")  # the image CRC covers bytes from here to the end
IMAGE_HASH_START = IMAGE_HEADER.offset("name")  # and the recipe hash bytes from here

# --- channel kinds: one row each (docs/adding-a-sensor.md) ---------------------------------------
# A channel's kind (the low bits of its mode byte) says how it gets its reading. Everything about a
# kind is in its row below, and every implementation reads the row: tools/contract_gen.py writes the
# C table (firmware/core/tendril_kinds.[ch]), tools/mpy_gen.py the MicroPython one (tdfw/kinds.py),
# and the host (recipes, image validation) looks kinds up here instead of testing for analog.


class DriverId(IntEnum):
    """The firmware driver that reads a kind: an index into the C td_drivers[] and tdfw.drivers."""

    ANALOG = 0  # the ADC: a count for the board's adc_bits, read when the channel is sampled
    DIGITAL = 1  # a pin's level, 0 or 1


class Reading(IntEnum):
    """What a driver's poll delivered (firmware/core/sensor.h, tdfw/drivers.py)."""

    NONE = 0  # nothing new yet (a conversion under way)
    OK = 1  # a reading, given to the engine
    INVALID = 2  # the sensor failed to give one: the channel keeps its last good reading


class PinMode(IntEnum):
    """How a pin is set up (hal.h's HAL_INPUT, HAL_INPUT_PULLUP, HAL_OUTPUT)."""

    INPUT = 0
    INPUT_PULLUP = 1
    OUTPUT = 2


FULL_SCALE_ADC = -1  # a kind's full_scale: the board's ADC maximum, (1 << adc_bits) - 1


class KindSpec(NamedTuple):
    """One row of the channel-kind table."""

    kind: ChannelKind  # the code in the mode byte
    name: str  # the recipe's spelling (`kind = "..."`)
    words: str  # for people: "digital with pull-up"
    pin_cap: PinCap  # what the pin must be able to do
    pin_mode: PinMode  # how the firmware sets the pin up
    driver: DriverId  # what reads it
    full_scale: int  # the largest raw reading, or FULL_SCALE_ADC
    unit: Unit  # the unit of a channel with no calibration and no `unit`
    raw_bits: int  # width of a raw reading (at most 32: the engine takes an int32)
    raw_signed: bool

    @property
    def binary(self) -> bool:
        """Reads 0 or 1: may `invert`, and may be a rule's `unless = "name"`."""
        return self.full_scale == 1

    @property
    def reads_volts(self) -> bool:
        """An ADC count: a calibration point may be given in volts."""
        return self.full_scale == FULL_SCALE_ADC

    def full(self, adc_bits: int) -> int:
        """The largest raw reading on a board with this ADC."""
        return (1 << adc_bits) - 1 if self.full_scale == FULL_SCALE_ADC else self.full_scale


CHANNEL_KINDS: tuple[KindSpec, ...] = (  # indexed by ChannelKind
    KindSpec(ChannelKind.ANALOG, "analog", "analog", PinCap.ANALOG_IN, PinMode.INPUT,
             DriverId.ANALOG, FULL_SCALE_ADC, Unit.RAW, 16, False),
    KindSpec(ChannelKind.DIGITAL, "digital", "digital", PinCap.DIGITAL_IN, PinMode.INPUT,
             DriverId.DIGITAL, 1, Unit.BOOL, 1, False),
    KindSpec(ChannelKind.DIGITAL_PULLUP, "digital_pullup", "digital with pull-up", PinCap.DIGITAL_IN,
             PinMode.INPUT_PULLUP, DriverId.DIGITAL, 1, Unit.BOOL, 1, False),
)
# A kind code the table does not know is refused (BAD_CHANNEL), after the pin check, which asks such a
# kind for a digital input (docs/config-image.md, "Validation", step 13).
UNKNOWN_KIND_PIN_CAP = PinCap.DIGITAL_IN
KINDS_BY_NAME = {k.name: k for k in CHANNEL_KINDS}


def channel_kind(code: int) -> KindSpec | None:
    """The table's row for kind ``code``, or None for a code it does not know."""
    return CHANNEL_KINDS[code] if 0 <= code < len(CHANNEL_KINDS) else None


CONSTANTS = {
    "PROTOCOL_VERSION": PROTOCOL_VERSION,
    "HEADER_SIZE": HEADER_SIZE,
    "CRC_SIZE": CRC_SIZE,
    "MAX_PAYLOAD": MAX_PAYLOAD,
    "MAX_FRAME": MAX_FRAME,
    "MAX_ENCODED": MAX_ENCODED,
    "CONFIG_CHUNK_MAX": CONFIG_CHUNK_MAX,
    "PING_MAX": PING_MAX,
    "LOG_TEXT_MAX": LOG_TEXT_MAX,
    "TELEMETRY_MAX_VALUES": TELEMETRY_MAX_VALUES,
    "PARAMS_MAX_VALUES": PARAMS_MAX_VALUES,
    "HELLO_FROZEN_SIZE": HELLO_FROZEN_SIZE,
    "FW_NAME_SIZE": FW_NAME_SIZE,
    "HELLO_SIZE": HELLO_SIZE,
    "OWNER_LEASE": OWNER_LEASE,
    "NEVER_MS": NEVER_MS,
    "NO_INDEX": NO_INDEX,
    "IMAGE_FORMAT": IMAGE_FORMAT,
    "IMAGE_HEADER_SIZE": IMAGE_HEADER_SIZE,
    "IMAGE_NAME_SIZE": IMAGE_NAME_SIZE,
    "RECIPE_HASH_SIZE": RECIPE_HASH_SIZE,
    "CHANNEL_SIZE": CHANNEL_SIZE,
    "ACTUATOR_SIZE": ACTUATOR_SIZE,
    "RULE_SIZE": RULE_SIZE,
    "PARAM_SIZE": PARAM_SIZE,
    "VALUE_LIMIT": VALUE_LIMIT,
    "MAX_SMOOTHING": MAX_SMOOTHING,
    "CHANNEL_KIND_MASK": CHANNEL_KIND_MASK,
    "SMOOTHING_SHIFT": SMOOTHING_SHIFT,
    "CHANNEL_KIND_COUNT": len(CHANNEL_KINDS),
    "DRIVER_COUNT": len(DriverId),
    "DAY_MS": DAY_MS,
    "MAX_SAMPLE_MS": MAX_SAMPLE_MS,
    "MIN_INTERVAL_MS": MIN_INTERVAL_MS,
    "DUR_COUNT_MAX": DUR_COUNT_MAX,
    "DUR_MAX_MS": DUR_MAX_MS,
}

ENUMS: tuple[type[IntEnum] | type[IntFlag], ...] = (
    MsgType,
    CommandOp,
    Nack,
    AckDetail,
    LogLevel,
    HelloFlag,
    Capability,
    ResetCause,
    TelemetryFlag,
    StatusSection,
    ActuatorStateBit,
    RuleState,
    EventKind,
    Source,
    OffReason,
    SkipReason,
    ModeChange,
    ConfigOutcome,
    ErrorCode,
    BoardClass,
    ChannelKind,
    Unit,
    ActuatorFlag,
    RuleKind,
    RuleAction,
    RuleFlag,
    Operand,
    DurUnit,
    ImageError,
    PinCap,
    DriverId,
    Reading,
    PinMode,
)
