"""The contract's numbers: sizes and limits, and every code the board and the host share.

Message types, COMMAND ops, NACK codes, event kinds and their details, image error codes, units,
flags and bits: each an IntEnum/IntFlag here, once. docs/protocol.md, docs/config-image.md and
docs/rules.md explain what each value means. Nothing here does I/O.
"""

from __future__ import annotations

from enum import IntEnum, IntFlag

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
ROM_CODE_SIZE = 8  # a 1-Wire ROM code: family byte, 48-bit serial, CRC-8
SCAN_MAX_CODES = 16  # a 1-Wire bus search stops after this many codes (ScanResult.TRUNCATED)
I2C_SCAN_MAX = 16  # addresses in one I2C_SCAN reply; a host asks again from the last one + 1
I2C_ADDR_FIRST = 0x08  # the 7-bit addresses an I2C scan tries: 0x08..0x77 (the rest are reserved)
I2C_ADDR_LAST = 0x77
I2C_WRITE_MAX = 2  # bytes I2C_READ writes first (a register address or a 16-bit command), 0..2
I2C_READ_MAX = 8  # bytes I2C_READ reads, 1..8


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
    ROM_CODES = 0x8A
    I2C_SCAN = 0x8B
    I2C_DATA = 0x8C


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
    SCAN_ONEWIRE = 0x0B  # u8 pin, u8 first -> ROM_CODES (a 1-Wire bus search on the pin)
    SCAN_I2C = 0x0C  # u8 first address -> I2C_SCAN (the addresses on the board's I2C bus that ACK)
    I2C_READ = 0x0D  # u8 address, u8 nwrite, u8 w0, u8 w1, u8 nread -> I2C_DATA


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
    PIN_IN_USE = 21  # the pin is an actuator's, a channel's or another kind of sensor's; detail = pin


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
    LOCKED = 0x10  # a guard tripped it: rules may not turn it on until a lease (or its lockout time)


class RuleState(IntEnum):
    IDLE = 0  # condition false (or interval waiting)
    HOLDING = 1  # condition true, hold time not yet reached
    READY = 2  # held, would fire; waiting on a blocker
    RUNNING = 3
    COOLING = 4
    PAUSED = 5
    LOCKED = 6  # a guard that tripped and holds its actuator locked out


class EventKind(IntEnum):
    ACT_ON = 1  # a=actuator b=Source c=rule (0xFF lease) value=level
    ACT_OFF = 2  # a=actuator b=OffReason c=rule (0xFF none) value=ms it was on
    RULE_SKIP = 3  # a=rule b=SkipReason c=actuator value=0
    MODE = 4  # b=ModeChange
    PARAM = 5  # a=index value=new value
    CONFIG = 6  # b=ConfigOutcome value=generation (applied) or Nack detail (rejected)
    ERROR = 7  # b=ErrorCode value=detail
    SENSOR = 8  # a=channel b=SensorFault value=0, or the new value (RECOVERED)
    GUARD = 9  # a=rule b=channel c=actuator value=the channel's value, or NO_READING


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
    NO_READING = 11  # a channel the rule reads (its follow condition, its interlock) has no valid reading
    GUARD = 12  # a guard rule tripped: its channel stayed past its threshold (or had no reading) while on


class SkipReason(IntEnum):
    INTERLOCK = 1
    LEASED = 2
    DAILY_CAP = 3
    MIN_OFF = 4
    NO_READING = 5  # its interlock channel has no valid reading: blocked, fail safe
    GUARD = 6  # its actuator is locked out by a guard that tripped


class SensorFault(IntEnum):
    """Why a channel has no valid reading (EVENT SENSOR's b; docs/rules.md, "Channels without a reading").

    A driver's poll returns one of the fault codes (2 and up) when its sensor failed; the seam says
    STALE when a channel went STALE_SAMPLES samples without a good reading. RECOVERED is the EVENT of
    a channel that reads again; WAITING is never sent: a channel that has not had its first reading
    since its config started (no valid reading, but no fault either).
    """

    RECOVERED = 1
    NO_ANSWER = 2
    CRC = 3
    OUT_OF_RANGE = 4
    POWER_ON_VALUE = 5  # a DS18B20's 85 °C power-on value, or an all-zero scratchpad
    STALE = 6  # no good reading for STALE_SAMPLES of the channel's samples
    WRONG_CHIP = 7  # an I2C part answered at the address with another chip's ID
    BUS = 8  # the I2C bus timed out or was held low (recovered at the next try)
    WAITING = 9


class ScanResult(IntEnum):
    """How a 1-Wire bus search ended (ROM_CODES' result; docs/protocol.md, "SCAN_ONEWIRE")."""

    OK = 0  # every device on the bus found (total may be 0 only with NO_DEVICE)
    NO_DEVICE = 1  # no presence pulse after the reset: nothing on the bus, or no pull-up's high
    HELD_LOW = 2  # the line was low before the reset: shorted to GND, or a device stuck
    CRC = 3  # a code failed its CRC-8, or the devices stopped answering mid-search: the codes before
    TRUNCATED = 4  # SCAN_MAX_CODES codes found and the bus has more


class I2cStatus(IntEnum):
    """How an I2C transfer ended (I2C_SCAN's and I2C_DATA's status; hal.h's HAL_I2C_* in this order)."""

    OK = 0
    NACK_ADDR = 1  # nothing ACKed the address
    NACK_DATA = 2  # the device refused a written byte
    TIMEOUT = 3  # a wait for the bus gave up: a chip holds SCL, or no pull-ups
    BUS_STUCK = 4  # SDA reads low after 9 SCL clocks: shorted to GND, no pull-ups, or a chip stuck


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
IMAGE_FORMAT = 3  # 2: a sensors section after the rules; 3: servo limits in ACTUATOR (docs/config-image.md)
IMAGE_NAME_SIZE = 12
RECIPE_HASH_SIZE = 8

VALUE_LIMIT = 1_000_000_000  # every channel value, threshold and parameter lies in +-VALUE_LIMIT
MAX_SMOOTHING = 8
DAY_MS = 86_400_000
NO_READING = -(2**31)  # a TELEMETRY value of a channel with no valid reading: outside +-VALUE_LIMIT
STALE_SAMPLES = 3  # samples in a row without a good reading that make a channel STALE
MAX_SAMPLE_MS = 60_000  # the longest sample period a channel may have
MIN_INTERVAL_MS = 1_000  # the shortest period of an interval rule


class BoardClass(IntEnum):
    AVR328 = 1  # Uno, Nano
    AVR2560 = 2  # Mega 2560
    RP2040 = 3  # Pico (MicroPython)
    ESP32 = 4  # ESP32 DevKit (MicroPython)


CHANNEL_KIND_MASK = 0x03  # low bits of a channel's mode byte; smoothing sits in the high nibble
SMOOTHING_SHIFT = 4


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
    MM = 12
    LITRE = 13
    MILLILITRE = 14
    LITRE_PER_MIN = 15


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
    Unit.MM: "mm",
    Unit.LITRE: "L",
    Unit.MILLILITRE: "mL",
    Unit.LITRE_PER_MIN: "L/min",
}


class ActuatorFlag(IntFlag):
    PWM = 0x01  # clear: a relay (on/off)
    ACTIVE_LOW = 0x02  # the pin is driven LOW for "on"
    SERVO = 0x04  # a hobby servo: its level is a position in degrees (servo_min..servo_max)


# Servos (docs/config-image.md, "Actuator"): a pulse every 20 ms whose width gives the position,
# SERVO_PULSE_MIN_US at 0 degrees to SERVO_PULSE_MAX_US at SERVO_MAX_DEG (the common 0.5 .. 2.5 ms
# of SG90/MG996R-class servos; a servo made for 1 .. 2 ms reaches its ends a little early and the
# recipe's limits keep it inside them).
SERVO_MAX_DEG = 180
SERVO_PERIOD_US = 20000
SERVO_PULSE_MIN_US = 500
SERVO_PULSE_MAX_US = 2500


class RuleKind(IntEnum):
    THRESHOLD = 1
    INTERVAL = 2
    GUARD = 3  # turns its actuator off, and locks it out, when its channel stays past a threshold while on


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
    BAD_SENSOR = 20  # a sensor record the firmware cannot run (its kind is not in SENSOR_KINDS)


class PinCap(IntFlag):
    """Capabilities of one pin in a board's pin table."""

    ANALOG_IN = 0x01
    DIGITAL_IN = 0x02
    DIGITAL_OUT = 0x04
    PWM = 0x08
    RESERVED = 0x10  # in use by the board itself (UART, USB): never usable
    NO_ACTUATOR = 0x20  # glitches at boot (the bootloader's LED): not for actuators
    SERVO = 0x40  # can drive a servo (on an AVR: an output of timer 1, set to 50 Hz for servos)
    COUNTER = 0x80  # can count pulses (an interrupt on its edges: on an AVR a pin-change bank)
