"""Message payloads (docs/protocol.md, Message catalogue). Portable: MicroPython and CPython.

Requests are parsed from a payload memoryview into a tuple of their fields; device messages are
packed straight into an Encoder's raw frame (payload at offset 4) and return the payload length,
so the telemetry and event paths allocate nothing.
"""

import struct

from .const import (
    CONFIG_CHUNK_MAX,
    FW_NAME_SIZE,
    HELLO_FROZEN_SIZE,
    MAX_PAYLOAD,
    MSG_COMMAND,
    MSG_CONFIG_ABORT,
    MSG_CONFIG_BEGIN,
    MSG_CONFIG_CHUNK,
    MSG_CONFIG_COMMIT,
    MSG_CONFIG_READ,
    MSG_PING,
    NACK_BAD_LENGTH,
    NACK_UNKNOWN_OP,
    NACK_UNKNOWN_TYPE,
    OP_CLEAR_SAFE_MODE,
    OP_GET_PARAMS,
    OP_HELLO,
    OP_LEASE,
    OP_OFF,
    OP_PAUSE,
    OP_RESUME,
    OP_SET_PARAM,
    OP_STATUS,
    OP_TELEMETRY_MODE,
    PARAMS_MAX_VALUES,
    PING_MAX,
    TELEMETRY_MAX_VALUES,
)

P = 4  # payload offset in a raw frame

# COMMAND op -> (argument layout, its size)
_OPS = {
    OP_LEASE: ("<BIB", 6),
    OP_OFF: ("<B", 1),
    OP_PAUSE: ("<", 0),
    OP_RESUME: ("<", 0),
    OP_SET_PARAM: ("<Bi", 5),
    OP_GET_PARAMS: ("<B", 1),
    OP_HELLO: ("<", 0),
    OP_STATUS: ("<BB", 2),
    OP_CLEAR_SAFE_MODE: ("<", 0),
    OP_TELEMETRY_MODE: ("<B", 1),
}


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
        if n < 18:
            return NACK_BAD_LENGTH, 0
        length, crc = struct.unpack_from("<HI", p, 0)
        return 0, (length, crc, p[6:14], struct.unpack_from("<I", p, 14)[0])
    if msg_type == MSG_CONFIG_CHUNK:
        if n < 3 or n - 2 > CONFIG_CHUNK_MAX:
            return NACK_BAD_LENGTH, 0
        return 0, (p[0] | p[1] << 8, p[2:])
    if msg_type == MSG_CONFIG_COMMIT or msg_type == MSG_CONFIG_ABORT:
        return 0, ()
    if msg_type == MSG_CONFIG_READ:
        if n < 3:
            return NACK_BAD_LENGTH, 0
        return 0, (p[0] | p[1] << 8, p[2])
    if msg_type == MSG_COMMAND:
        if n < 1:
            return NACK_BAD_LENGTH, 0
        spec = _OPS.get(p[0])
        if spec is None:
            return NACK_UNKNOWN_OP, p[0]
        if n < 1 + spec[1]:
            return NACK_BAD_LENGTH, 0
        return 0, (p[0],) + struct.unpack_from(spec[0], p, 1)
    return NACK_UNKNOWN_TYPE, 0


# --- device messages, packed into an Encoder's raw buffer; each returns the payload length ----


def hello(raw, board_class, fw, reset_cause, flags, device_id, boot_count, caps, generation,
          recipe_hash, max_image, name):
    struct.pack_into("<8B4I", raw, P, 1, board_class, fw[0], fw[1], fw[2], reset_cause, flags, 0,
                     device_id, boot_count, caps, generation)
    raw[P + 24 : P + 32] = recipe_hash
    struct.pack_into("<HH", raw, P + 32, MAX_PAYLOAD, max_image)
    k = min(len(name), FW_NAME_SIZE)
    o = P + HELLO_FROZEN_SIZE
    raw[o : o + k] = name[:k]
    for i in range(o + k, o + FW_NAME_SIZE):
        raw[i] = 0
    return HELLO_FROZEN_SIZE + FW_NAME_SIZE


def data(raw, src):
    """PONG (or any payload that is just bytes)."""
    raw[P : P + len(src)] = src
    return len(src)


def ack(raw, request_type, detail, value):
    struct.pack_into("<BBI", raw, P, request_type, detail, value)
    return 6


def nack(raw, request_type, code, detail):
    struct.pack_into("<BBH", raw, P, request_type, code, detail & 0xFFFF)
    return 4


def telemetry(raw, time_ms, first, flags, values, start, count):
    count = min(count, TELEMETRY_MAX_VALUES)
    struct.pack_into("<IBB", raw, P, time_ms, first, flags)
    o = P + 6
    for i in range(start, start + count):
        struct.pack_into("<i", raw, o, values[i])
        o += 4
    return 6 + 4 * count


def event(raw, time_ms, kind, a, b, c, value):
    struct.pack_into("<IBBBBi", raw, P, time_ms, kind, a, b, c, value)
    return 12


def log(raw, level, text):
    k = min(len(text), MAX_PAYLOAD - 1)
    raw[P] = level
    raw[P + 1 : P + 1 + k] = text[:k]
    return 1 + k


def config_data(raw, offset, total, src):
    struct.pack_into("<HH", raw, P, offset, total)
    k = min(len(src), CONFIG_CHUNK_MAX)
    raw[P + 4 : P + 4 + k] = src[:k]
    return 4 + k


def params(raw, first, total, values, count):
    count = min(count, PARAMS_MAX_VALUES)
    raw[P] = first
    raw[P + 1] = total
    o = P + 2
    for i in range(first, first + count):
        struct.pack_into("<i", raw, o, values[i])
        o += 4
    return 2 + 4 * count


def status_head(raw, time_ms, flags, section, first, total):
    struct.pack_into("<IBBBB", raw, P, time_ms, flags, section, first, total)
    return 8


def status_actuator(raw, at, state, level, owner, ms_left, today_on_ms):
    struct.pack_into("<BBBII", raw, P + at, state, level, owner, ms_left, today_on_ms)
    return at + 11


def status_rule(raw, at, state, last_skip, since_fired_ms):
    struct.pack_into("<BBI", raw, P + at, state, last_skip, since_fired_ms)
    return at + 6
