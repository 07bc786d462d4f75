"""The one source of tendril's contract: what the board and the host share, defined once.

- codes.py: sizes, limits and every code (message types, NACK codes, event kinds, units, flags).
- records.py: every record's layout (the image header and records, the frame header, each message
  payload).
- kinds.py: the channel-kind table (docs/adding-a-sensor.md).

Import from ``tendril.contract`` itself: it holds all three, and CONSTANTS and ENUMS below say what
the generators export. ``python tools/contract_gen.py`` writes the C headers (tendril_contract.h,
tendril_records.h, tendril_kinds.[ch]) from this package, ``tools/mpy_gen.py`` the MicroPython
firmware's const.py and kinds.py, and tests check that the committed files, and the tables in docs/,
still match it. Nothing here does I/O.

docs/protocol.md, docs/config-image.md and docs/rules.md explain what each value means.
"""
from __future__ import annotations

from enum import IntEnum, IntFlag

from .codes import *  # noqa: F403  (the codes and sizes)
from .kinds import *  # noqa: F403  (the channel-kind table)
from .records import *  # noqa: F403  (the record layouts and the sizes they give)

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
    "ROM_CODE_SIZE": ROM_CODE_SIZE,
    "ROM_CODES_MAX": ROM_CODES_MAX,
    "SCAN_MAX_CODES": SCAN_MAX_CODES,
    "I2C_SCAN_MAX": I2C_SCAN_MAX,
    "I2C_ADDR_FIRST": I2C_ADDR_FIRST,
    "I2C_ADDR_LAST": I2C_ADDR_LAST,
    "I2C_WRITE_MAX": I2C_WRITE_MAX,
    "I2C_READ_MAX": I2C_READ_MAX,
    "HELLO_FROZEN_SIZE": HELLO_FROZEN_SIZE,
    "FW_NAME_SIZE": FW_NAME_SIZE,
    "HELLO_SIZE": HELLO_SIZE,
    "OWNER_LEASE": OWNER_LEASE,
    "NEVER_MS": NEVER_MS,
    "NO_INDEX": NO_INDEX,
    "NO_READING": NO_READING,
    "STALE_SAMPLES": STALE_SAMPLES,
    "IMAGE_FORMAT": IMAGE_FORMAT,
    "IMAGE_HEADER_SIZE": IMAGE_HEADER_SIZE,
    "IMAGE_NAME_SIZE": IMAGE_NAME_SIZE,
    "RECIPE_HASH_SIZE": RECIPE_HASH_SIZE,
    "CHANNEL_SIZE": CHANNEL_SIZE,
    "ACTUATOR_SIZE": ACTUATOR_SIZE,
    "RULE_SIZE": RULE_SIZE,
    "PARAM_SIZE": PARAM_SIZE,
    "SENSOR_SIZE": SENSOR_SIZE,
    "SENSOR_KIND_COUNT": SENSOR_KIND_COUNT,
    "SENSOR_MAX_QUANTITIES": SENSOR_MAX_QUANTITIES,
    "CHANNEL_FROM_SENSOR": CHANNEL_FROM_SENSOR,
    "SENSOR_QUANTITY_SHIFT": SENSOR_QUANTITY_SHIFT,
    "DS18B20_POWER_ON_RAW": DS18B20_POWER_ON_RAW,
    "HCSR04_TRIGGER_US": HCSR04_TRIGGER_US,
    "HCSR04_US_PER_CM": HCSR04_US_PER_CM,
    "HCSR04_MIN_CM": HCSR04_MIN_CM,
    "HCSR04_MAX_CM": HCSR04_MAX_CM,
    "HCSR04_TIMEOUT_US": HCSR04_TIMEOUT_US,
    "SERVO_MAX_DEG": SERVO_MAX_DEG,
    "SERVO_PERIOD_US": SERVO_PERIOD_US,
    "SERVO_PULSE_MIN_US": SERVO_PULSE_MIN_US,
    "SERVO_PULSE_MAX_US": SERVO_PULSE_MAX_US,
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
    SensorFault,
    ScanResult,
    I2cStatus,
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
    SensorKind,
)
