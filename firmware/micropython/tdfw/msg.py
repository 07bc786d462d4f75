"""Message payloads (docs/protocol.md, Message catalogue). Portable: MicroPython and CPython.

Requests are parsed from a payload memoryview into a tuple of their fields; device messages are
packed straight into an Encoder's raw frame (payload at offset HEADER_SIZE) and return the payload
length, so the telemetry and event paths allocate nothing. Every layout is a generated record of
const.py (``<RECORD>_FMT``, ``<RECORD>_<FIELD>``, ``<RECORD>_SIZE``).
"""

import struct

from .const import (
    ACK_FMT,
    ACK_SIZE,
    CMD_CLEAR_SAFE_MODE_FMT,
    CMD_CLEAR_SAFE_MODE_SIZE,
    CMD_GET_PARAMS_FMT,
    CMD_GET_PARAMS_SIZE,
    CMD_HELLO_FMT,
    CMD_HELLO_SIZE,
    CMD_LEASE_FMT,
    CMD_LEASE_SIZE,
    CMD_OFF_FMT,
    CMD_OFF_SIZE,
    CMD_PAUSE_FMT,
    CMD_PAUSE_SIZE,
    CMD_RESUME_FMT,
    CMD_RESUME_SIZE,
    CMD_SET_PARAM_FMT,
    CMD_SET_PARAM_SIZE,
    CMD_STATUS_FMT,
    CMD_STATUS_SIZE,
    CMD_SCAN_ONEWIRE_FMT,
    CMD_SCAN_ONEWIRE_SIZE,
    CMD_SCAN_I2C_FMT,
    CMD_SCAN_I2C_SIZE,
    CMD_I2C_READ_FMT,
    CMD_I2C_READ_SIZE,
    I2C_SCAN_FMT,
    I2C_SCAN_SIZE,
    CMD_TELEMETRY_MODE_FMT,
    CMD_TELEMETRY_MODE_SIZE,
    COMMAND_OP,
    COMMAND_SIZE,
    CONFIG_BEGIN_CRC32,
    CONFIG_BEGIN_GENERATION,
    CONFIG_BEGIN_LENGTH,
    CONFIG_BEGIN_RECIPE_HASH,
    CONFIG_BEGIN_SIZE,
    CONFIG_CHUNK_MAX,
    CONFIG_CHUNK_OFFSET,
    CONFIG_CHUNK_SIZE,
    CONFIG_DATA_FMT,
    CONFIG_DATA_SIZE,
    CONFIG_READ_COUNT,
    CONFIG_READ_OFFSET,
    CONFIG_READ_SIZE,
    EVENT_FMT,
    EVENT_SIZE,
    HEADER_SIZE,
    HELLO_FMT,
    HELLO_SIZE,
    LOG_LEVEL,
    LOG_SIZE,
    LOG_TEXT_MAX,
    MAX_PAYLOAD,
    MSG_COMMAND,
    MSG_CONFIG_ABORT,
    MSG_CONFIG_BEGIN,
    MSG_CONFIG_CHUNK,
    MSG_CONFIG_COMMIT,
    MSG_CONFIG_READ,
    MSG_PING,
    NACK_BAD_LENGTH,
    NACK_FMT,
    NACK_SIZE,
    NACK_UNKNOWN_OP,
    NACK_UNKNOWN_TYPE,
    NO_READING,
    OP_CLEAR_SAFE_MODE,
    OP_GET_PARAMS,
    OP_HELLO,
    OP_LEASE,
    OP_OFF,
    OP_PAUSE,
    OP_RESUME,
    OP_SCAN_ONEWIRE,
    OP_SCAN_I2C,
    OP_I2C_READ,
    OP_SET_PARAM,
    OP_STATUS,
    OP_TELEMETRY_MODE,
    PARAMS_FIRST,
    PARAMS_MAX_VALUES,
    PARAMS_SIZE,
    PARAMS_TOTAL,
    PING_MAX,
    PROTOCOL_VERSION,
    RECIPE_HASH_SIZE,
    ROM_CODE_SIZE,
    ROM_CODES_FMT,
    ROM_CODES_MAX,
    ROM_CODES_SIZE,
    STATUS_ACTUATOR_FMT,
    STATUS_ACTUATOR_SIZE,
    STATUS_FMT,
    STATUS_RULE_FMT,
    STATUS_RULE_SIZE,
    STATUS_SIZE,
    TELEMETRY_FMT,
    TELEMETRY_MAX_VALUES,
    TELEMETRY_SIZE,
)

P = HEADER_SIZE  # payload offset in a raw frame

# COMMAND op -> (its record's layout, op byte included, and its size)
_OPS = {
    OP_LEASE: (CMD_LEASE_FMT, CMD_LEASE_SIZE),
    OP_OFF: (CMD_OFF_FMT, CMD_OFF_SIZE),
    OP_PAUSE: (CMD_PAUSE_FMT, CMD_PAUSE_SIZE),
    OP_RESUME: (CMD_RESUME_FMT, CMD_RESUME_SIZE),
    OP_SET_PARAM: (CMD_SET_PARAM_FMT, CMD_SET_PARAM_SIZE),
    OP_GET_PARAMS: (CMD_GET_PARAMS_FMT, CMD_GET_PARAMS_SIZE),
    OP_HELLO: (CMD_HELLO_FMT, CMD_HELLO_SIZE),
    OP_STATUS: (CMD_STATUS_FMT, CMD_STATUS_SIZE),
    OP_CLEAR_SAFE_MODE: (CMD_CLEAR_SAFE_MODE_FMT, CMD_CLEAR_SAFE_MODE_SIZE),
    OP_TELEMETRY_MODE: (CMD_TELEMETRY_MODE_FMT, CMD_TELEMETRY_MODE_SIZE),
    OP_SCAN_ONEWIRE: (CMD_SCAN_ONEWIRE_FMT, CMD_SCAN_ONEWIRE_SIZE),
    OP_SCAN_I2C: (CMD_SCAN_I2C_FMT, CMD_SCAN_I2C_SIZE),
    OP_I2C_READ: (CMD_I2C_READ_FMT, CMD_I2C_READ_SIZE),
}


def _u16(p, at):
    return p[at] | p[at + 1] << 8


def parse_request(msg_type, p):
    """(0, fields) for a well-formed request, else (nack code, detail).

    Fields: PING (data,); CONFIG_BEGIN (length, crc32, hash, generation); CONFIG_CHUNK (offset,
    data); CONFIG_COMMIT / CONFIG_ABORT (); CONFIG_READ (offset, count); COMMAND (op, *args).
    ``data`` and ``hash`` are memoryviews into ``p``.
    """
    n = len(p)
    if msg_type == MSG_PING:
        if n > PING_MAX:
            return NACK_BAD_LENGTH, 0
        return 0, (p,)
    if msg_type == MSG_CONFIG_BEGIN:
        if n < CONFIG_BEGIN_SIZE:
            return NACK_BAD_LENGTH, 0
        h = CONFIG_BEGIN_RECIPE_HASH
        return 0, (_u16(p, CONFIG_BEGIN_LENGTH), struct.unpack_from("<I", p, CONFIG_BEGIN_CRC32)[0],
                   p[h : h + RECIPE_HASH_SIZE], struct.unpack_from("<I", p, CONFIG_BEGIN_GENERATION)[0])
    if msg_type == MSG_CONFIG_CHUNK:
        if n < CONFIG_CHUNK_SIZE + 1 or n - CONFIG_CHUNK_SIZE > CONFIG_CHUNK_MAX:
            return NACK_BAD_LENGTH, 0
        return 0, (_u16(p, CONFIG_CHUNK_OFFSET), p[CONFIG_CHUNK_SIZE:])
    if msg_type == MSG_CONFIG_COMMIT or msg_type == MSG_CONFIG_ABORT:
        return 0, ()
    if msg_type == MSG_CONFIG_READ:
        if n < CONFIG_READ_SIZE:
            return NACK_BAD_LENGTH, 0
        return 0, (_u16(p, CONFIG_READ_OFFSET), p[CONFIG_READ_COUNT])
    if msg_type == MSG_COMMAND:
        if n < COMMAND_SIZE:
            return NACK_BAD_LENGTH, 0
        spec = _OPS.get(p[COMMAND_OP])
        if spec is None:
            return NACK_UNKNOWN_OP, p[COMMAND_OP]
        if n < spec[1]:
            return NACK_BAD_LENGTH, 0
        return 0, struct.unpack_from(spec[0], p, 0)
    return NACK_UNKNOWN_TYPE, 0


# --- device messages, packed into an Encoder's raw buffer; each returns the payload length ----


def hello(raw, board_class, fw, reset_cause, flags, device_id, boot_count, caps, generation,
          recipe_hash, max_image, name, sensor_kinds):
    # "s" fields are cut or NUL-padded to their width, in MicroPython as in CPython
    struct.pack_into(HELLO_FMT, raw, P, PROTOCOL_VERSION, board_class, fw[0], fw[1], fw[2], reset_cause,
                     flags, 0, device_id, boot_count, caps, generation, bytes(recipe_hash), MAX_PAYLOAD,
                     max_image, bytes(name), sensor_kinds)
    return HELLO_SIZE


def data(raw, src):
    """PONG (or any payload that is just bytes)."""
    raw[P : P + len(src)] = src
    return len(src)


def ack(raw, request_type, detail, value):
    struct.pack_into(ACK_FMT, raw, P, request_type, detail, value)
    return ACK_SIZE


def nack(raw, request_type, code, detail):
    struct.pack_into(NACK_FMT, raw, P, request_type, code, detail & 0xFFFF)
    return NACK_SIZE


def telemetry(raw, time_ms, first, flags, values, start, count, valid=None):
    """values[i] for channels start.., or the NO_READING marker where valid[i] is 0."""
    count = min(count, TELEMETRY_MAX_VALUES)
    struct.pack_into(TELEMETRY_FMT, raw, P, time_ms, first, flags)
    o = P + TELEMETRY_SIZE
    for i in range(start, start + count):
        struct.pack_into("<i", raw, o, values[i] if valid is None or valid[i] else NO_READING)
        o += 4
    return TELEMETRY_SIZE + 4 * count


def event(raw, time_ms, kind, a, b, c, value):
    struct.pack_into(EVENT_FMT, raw, P, time_ms, kind, a, b, c, value)
    return EVENT_SIZE


def log(raw, level, text):
    k = min(len(text), LOG_TEXT_MAX)
    raw[P + LOG_LEVEL] = level
    raw[P + LOG_SIZE : P + LOG_SIZE + k] = text[:k]
    return LOG_SIZE + k


def config_data(raw, offset, total, src):
    struct.pack_into(CONFIG_DATA_FMT, raw, P, offset, total)
    k = min(len(src), CONFIG_CHUNK_MAX)
    raw[P + CONFIG_DATA_SIZE : P + CONFIG_DATA_SIZE + k] = src[:k]
    return CONFIG_DATA_SIZE + k


def params(raw, first, total, values, count):
    count = min(count, PARAMS_MAX_VALUES)
    raw[P + PARAMS_FIRST] = first
    raw[P + PARAMS_TOTAL] = total
    o = P + PARAMS_SIZE
    for i in range(first, first + count):
        struct.pack_into("<i", raw, o, values[i])
        o += 4
    return PARAMS_SIZE + 4 * count


def status_head(raw, time_ms, flags, section, first, total):
    struct.pack_into(STATUS_FMT, raw, P, time_ms, flags, section, first, total)
    return STATUS_SIZE


def status_actuator(raw, at, state, level, owner, ms_left, today_on_ms):
    struct.pack_into(STATUS_ACTUATOR_FMT, raw, P + at, state, level, owner, ms_left, today_on_ms)
    return at + STATUS_ACTUATOR_SIZE


def status_rule(raw, at, state, last_skip, since_fired_ms):
    struct.pack_into(STATUS_RULE_FMT, raw, P + at, state, last_skip, since_fired_ms)
    return at + STATUS_RULE_SIZE


def i2c(raw, status, second, data):
    """I2C_SCAN (second = the count, data = the addresses) or I2C_DATA (second = the address,
    data = the bytes read): the same layout."""
    struct.pack_into(I2C_SCAN_FMT, raw, P, status, second)
    raw[P + I2C_SCAN_SIZE : P + I2C_SCAN_SIZE + len(data)] = bytes(data)
    return I2C_SCAN_SIZE + len(data)


def rom_codes(raw, pin, result, first, total, codes):
    """ROM_CODES with the 8-byte codes in ``codes`` (a list of them, at most ROM_CODES_MAX)."""
    struct.pack_into(ROM_CODES_FMT, raw, P, pin, result, first, total)
    o = P + ROM_CODES_SIZE
    for code in codes[:ROM_CODES_MAX]:
        raw[o : o + ROM_CODE_SIZE] = code
        o += ROM_CODE_SIZE
    return o - P
