"""Config image, format 2 (docs/config-image.md): validation and field access. Portable.

``validate(img, board)`` runs the checks in exactly the documented order and returns
``(error, index)``, ``(0, 0)`` when the image is good. ``board`` is a tuple from boardtab.BOARDS.
The image is never copied: every field is read with struct.unpack_from from the buffer given.
"""

import struct

from .const import (
    ACTUATOR_FLAG_ACTIVE_LOW,
    ACTUATOR_FLAG_PWM,
    ACTUATOR_FLAG_SERVO,
    ACTUATOR_FMT,
    ACTUATOR_SIZE,
    B_BOARD_CLASS,
    B_CEILING_DAILY_CAP_MS,
    B_CEILING_MAX_ON_MS,
    B_MAX_ACTUATORS,
    B_MAX_CHANNELS,
    B_MAX_IMAGE,
    B_MAX_PARAMS,
    B_MAX_RULES,
    B_MIN_SAMPLE_MS,
    B_MIN_TELEMETRY_MS,
    B_I2C_SCL,
    B_I2C_SDA,
    B_PIN_CAPS,
    CHANNEL_FMT,
    CHANNEL_FROM_SENSOR,
    CHANNEL_KIND_MASK,
    CHANNEL_SIZE,
    DAY_MS,
    DUR_MAX_MS,
    IMAGE_FORMAT,
    IMAGE_HEADER_FMT,
    IMAGE_HEADER_GENERATION,
    IMAGE_HEADER_LENGTH,
    IMAGE_HEADER_MAGIC,
    IMAGE_HEADER_N_ACTUATORS,
    IMAGE_HEADER_N_CHANNELS,
    IMAGE_HEADER_N_PARAMS,
    IMAGE_HEADER_N_RULES,
    IMAGE_HEADER_NAME,
    IMAGE_HEADER_RECIPE_HASH,
    IMAGE_HEADER_SIZE,
    IMAGE_HEADER_TELEMETRY_PERIOD,
    IMAGE_MAGIC,
    IMAGE_NAME_SIZE,
    IMG_ERR_ABOVE_CEILING,
    IMG_ERR_BAD_ACTUATOR,
    IMG_ERR_BAD_BOARD,
    IMG_ERR_BAD_CHANNEL,
    IMG_ERR_BAD_CRC,
    IMG_ERR_BAD_DURATION,
    IMG_ERR_BAD_FORMAT,
    IMG_ERR_BAD_LENGTH,
    IMG_ERR_BAD_MAGIC,
    IMG_ERR_BAD_NAME,
    IMG_ERR_BAD_PARAM,
    IMG_ERR_BAD_PIN,
    IMG_ERR_BAD_REF,
    IMG_ERR_BAD_RULE,
    IMG_ERR_BAD_SENSOR,
    IMG_ERR_BAD_TELEMETRY,
    IMG_ERR_PIN_CONFLICT,
    IMG_ERR_TOO_LARGE,
    IMG_ERR_TOO_MANY,
    IMG_ERR_TRUNCATED,
    MAX_SAMPLE_MS,
    MAX_SMOOTHING,
    MIN_INTERVAL_MS,
    NO_INDEX,
    OPERAND_DURATION,
    OPERAND_HOLD,
    OPERAND_HYSTERESIS,
    OPERAND_INTERLOCK,
    OPERAND_PERIOD,
    OPERAND_THRESHOLD,
    PARAM_FMT,
    PARAM_SIZE,
    PIN_CAP_DIGITAL_OUT,
    PIN_CAP_NO_ACTUATOR,
    PIN_CAP_PWM,
    PIN_CAP_RESERVED,
    PIN_CAP_SERVO,
    SERVO_MAX_DEG,
    RECIPE_HASH_SIZE,
    RULE_ACTION_FOLLOW,
    RULE_ACTION_PULSE,
    RULE_FLAG_ABOVE,
    RULE_FLAG_INTERLOCK_ABOVE,
    RULE_FMT,
    RULE_KIND_GUARD,
    RULE_KIND_INTERVAL,
    RULE_KIND_THRESHOLD,
    RULE_SIZE,
    SENSOR_KIND,
    SENSOR_KIND_COUNT,
    SENSOR_OPTIONS,
    SENSOR_PERIOD,
    SENSOR_PIN,
    SENSOR_PIN2,
    SENSOR_QUANTITY_SHIFT,
    SENSOR_ROM,
    SENSOR_SIZE,
    VALUE_LIMIT,
)
from .crc import crc8, crc32
from .kinds import (K_PIN_CAP, KINDS, S_BUS, SENSOR_BUS_I2C, S_FAMILY, S_MIN_PERIOD, S_OPTIONS, S_PIN_CAP, S_PINS, S_QUANTITIES, SENSOR_KINDS,
                    UNKNOWN_KIND_PIN_CAP)

_UNIT_MS = (1, 1000, 60000)


def dur_ok(code):
    return (code >> 14) != 3


def dur_ms(code):
    """Milliseconds of a valid dur16 code."""
    return (code & 0x3FFF) * _UNIT_MS[code >> 14]


def size_for(np_, nc, na, nr):
    return IMAGE_HEADER_SIZE + PARAM_SIZE * np_ + CHANNEL_SIZE * nc + ACTUATOR_SIZE * na + RULE_SIZE * nr


def counts(img):
    """(n_channels, n_actuators, n_rules, n_params) of a header."""
    return (img[IMAGE_HEADER_N_CHANNELS], img[IMAGE_HEADER_N_ACTUATORS], img[IMAGE_HEADER_N_RULES],
            img[IMAGE_HEADER_N_PARAMS])


def offsets(img):
    """Start offsets of the params, channels, actuators and rules sections."""
    nc, na, np_ = img[IMAGE_HEADER_N_CHANNELS], img[IMAGE_HEADER_N_ACTUATORS], img[IMAGE_HEADER_N_PARAMS]
    po = IMAGE_HEADER_SIZE
    co = po + PARAM_SIZE * np_
    ao = co + CHANNEL_SIZE * nc
    return po, co, ao, ao + ACTUATOR_SIZE * na


def generation(img):
    return struct.unpack_from("<I", img, IMAGE_HEADER_GENERATION)[0]


def image_crc(img):
    """CRC-32 of bytes [length field, end): what the header's crc32 and CONFIG_BEGIN's hold."""
    return crc32(img, IMAGE_HEADER_LENGTH, len(img))


def recipe_hash(img):
    return img[IMAGE_HEADER_RECIPE_HASH : IMAGE_HEADER_RECIPE_HASH + RECIPE_HASH_SIZE]


def telemetry_ms(img):
    """The image's telemetry period (a valid image's dur16, in ms)."""
    return dur_ms(struct.unpack_from("<H", img, IMAGE_HEADER_TELEMETRY_PERIOD)[0])


def _caps(board, pin):
    t = board[B_PIN_CAPS]
    return t[pin] if pin < len(t) else 0


def validate(img, board):
    """(error, index) of the first failed check of docs/config-image.md, (0, 0) if none."""
    n = len(img)
    if n < IMAGE_HEADER_SIZE:
        return IMG_ERR_TRUNCATED, 0
    _m, crc, length, fmt, bclass, _g, _h, _n, nc, na, nr, np_, tele = struct.unpack_from(IMAGE_HEADER_FMT, img, 0)
    if img[IMAGE_HEADER_MAGIC:IMAGE_HEADER_MAGIC + len(IMAGE_MAGIC)] != IMAGE_MAGIC:
        return IMG_ERR_BAD_MAGIC, 0
    if fmt != IMAGE_FORMAT:
        return IMG_ERR_BAD_FORMAT, 0
    if length != n:
        return IMG_ERR_BAD_LENGTH, 0
    if length > board[B_MAX_IMAGE]:
        return IMG_ERR_TOO_LARGE, 0
    if crc != image_crc(img):
        return IMG_ERR_BAD_CRC, 0
    if bclass != board[B_BOARD_CLASS]:
        return IMG_ERR_BAD_BOARD, 0
    for i, (count, limit) in enumerate(((nc, board[B_MAX_CHANNELS]), (na, board[B_MAX_ACTUATORS]),
                                        (nr, board[B_MAX_RULES]), (np_, board[B_MAX_PARAMS]))):
        if count > limit:
            return IMG_ERR_TOO_MANY, i
    # the sensors section fills what the other sections leave (the header has no spare byte for its count)
    rest = length - size_for(np_, nc, na, nr)
    if rest < 0 or rest % SENSOR_SIZE:
        return IMG_ERR_BAD_LENGTH, 0
    ns = rest // SENSOR_SIZE
    if ns > board[B_MAX_CHANNELS]:
        return IMG_ERR_TOO_MANY, 4
    nul = False
    for i in range(IMAGE_HEADER_NAME, IMAGE_HEADER_NAME + IMAGE_NAME_SIZE):
        b = img[i]
        if b == 0:
            nul = True
        elif nul or b < 0x20 or b > 0x7E:
            return IMG_ERR_BAD_NAME, 0
    if not dur_ok(tele):
        return IMG_ERR_BAD_DURATION, 0
    if tele and dur_ms(tele) < board[B_MIN_TELEMETRY_MS]:
        return IMG_ERR_BAD_TELEMETRY, 0
    off = IMAGE_HEADER_SIZE
    for i in range(np_):
        d, lo, hi = struct.unpack_from(PARAM_FMT, img, off)
        off += PARAM_SIZE
        if not (lo <= d <= hi) or lo < -VALUE_LIMIT or hi > VALUE_LIMIT:
            return IMG_ERR_BAD_PARAM, i
    used = bytearray(32)  # bitmap of pins 0..255 in use
    sens_at = length - SENSOR_SIZE * ns
    for i in range(nc):
        pin, mode, _unit, period, _gain, coff = struct.unpack_from(CHANNEL_FMT, img, off)
        off += CHANNEL_SIZE
        kind = mode & CHANNEL_KIND_MASK
        extra = mode & 0x0C  # a sensor channel's quantity; reserved for a pin's channel
        from_sensor = kind == CHANNEL_FROM_SENSOR
        if from_sensor:  # the pin byte is a sensor's index
            if pin >= ns:
                return IMG_ERR_BAD_REF, i
            sk = img[sens_at + SENSOR_SIZE * pin + SENSOR_KIND]
            sk = SENSOR_KINDS[sk] if sk < SENSOR_KIND_COUNT else None  # None: refused with its sensor
            if sk is not None and extra >> SENSOR_QUANTITY_SHIFT >= sk[S_QUANTITIES]:
                return IMG_ERR_BAD_CHANNEL, i
            extra = 0
        else:
            caps = _caps(board, pin)
            need = KINDS[kind][K_PIN_CAP] if kind < len(KINDS) else UNKNOWN_KIND_PIN_CAP
            if caps & PIN_CAP_RESERVED or not caps & need:
                return IMG_ERR_BAD_PIN, i
        if (kind >= len(KINDS) and not from_sensor) or extra or (mode >> 4) > MAX_SMOOTHING:
            return IMG_ERR_BAD_CHANNEL, i
        if not dur_ok(period):
            return IMG_ERR_BAD_DURATION, i
        ms = dur_ms(period)
        if ms < board[B_MIN_SAMPLE_MS] or ms > MAX_SAMPLE_MS or coff > VALUE_LIMIT or coff < -VALUE_LIMIT:
            return IMG_ERR_BAD_CHANNEL, i
        if from_sensor:
            continue
        if used[pin >> 3] & (1 << (pin & 7)):
            return IMG_ERR_PIN_CONFLICT, i
        used[pin >> 3] |= 1 << (pin & 7)
    for i in range(na):
        pin, flags, max_on, min_off, cap, lo, hi, safe = struct.unpack_from(ACTUATOR_FMT, img, off)
        off += ACTUATOR_SIZE
        caps = _caps(board, pin)
        if (caps & (PIN_CAP_RESERVED | PIN_CAP_NO_ACTUATOR) or not caps & PIN_CAP_DIGITAL_OUT
                or (flags & ACTUATOR_FLAG_PWM and not caps & PIN_CAP_PWM)
                or (flags & ACTUATOR_FLAG_SERVO and not caps & PIN_CAP_SERVO)):
            return IMG_ERR_BAD_PIN, i
        if flags & ~(ACTUATOR_FLAG_PWM | ACTUATOR_FLAG_ACTIVE_LOW | ACTUATOR_FLAG_SERVO):
            return IMG_ERR_BAD_ACTUATOR, i
        if not flags & ACTUATOR_FLAG_SERVO:
            if lo or hi or safe:
                return IMG_ERR_BAD_ACTUATOR, i
        elif (flags & (ACTUATOR_FLAG_PWM | ACTUATOR_FLAG_ACTIVE_LOW)
              or not (lo <= safe <= hi <= SERVO_MAX_DEG and lo < hi)):
            return IMG_ERR_BAD_ACTUATOR, i
        if used[pin >> 3] & (1 << (pin & 7)):
            return IMG_ERR_PIN_CONFLICT, i
        used[pin >> 3] |= 1 << (pin & 7)
        if not (dur_ok(max_on) and dur_ok(min_off) and dur_ok(cap)):
            return IMG_ERR_BAD_DURATION, i
        max_on, min_off, cap = dur_ms(max_on), dur_ms(min_off), dur_ms(cap)
        if min_off > DAY_MS:
            return IMG_ERR_BAD_ACTUATOR, i
        if max_on > board[B_CEILING_MAX_ON_MS] or cap > board[B_CEILING_DAILY_CAP_MS]:
            return IMG_ERR_ABOVE_CEILING, i
        if not flags & ACTUATOR_FLAG_SERVO and (max_on == 0 or cap == 0):  # a servo's 0: no time limit
            return IMG_ERR_BAD_ACTUATOR, i
    for i in range(nr):
        err = _check_rule(img, off, nc, na, np_)
        if err:
            return err, i
        off += RULE_SIZE
    for i in range(ns):
        err = _check_sensor(img, sens_at, i, board, used)
        if err:
            return err, i
    return 0, 0


def _on_i2c(kind):
    """Sensor kind ``kind`` (validated) is on the board's I2C bus."""
    return SENSOR_KINDS[kind][S_BUS] == SENSOR_BUS_I2C


def _check_sensor(img, at, i, board, used):
    """Check 16 for sensor i: its kind, pins, options, period, ROM code, who else is on its pin."""
    off = at + SENSOR_SIZE * i
    kind, pin, pin2 = img[off + SENSOR_KIND], img[off + SENSOR_PIN], img[off + SENSOR_PIN2]
    row = SENSOR_KINDS[kind] if kind < SENSOR_KIND_COUNT else None  # None: past the table, or a gap
    if row is None:
        return IMG_ERR_BAD_SENSOR
    caps = _caps(board, pin)
    if caps & PIN_CAP_RESERVED or caps & row[S_PIN_CAP] != row[S_PIN_CAP]:
        return IMG_ERR_BAD_PIN
    if row[S_PINS] == 1:  # a one-pin kind's pin2 is NO_INDEX
        if pin2 != NO_INDEX:
            return IMG_ERR_BAD_SENSOR
    else:  # a two-pin kind's (an HC-SR04's echo) is a pin like the first
        caps = _caps(board, pin2)
        if caps & PIN_CAP_RESERVED or caps & row[S_PIN_CAP] != row[S_PIN_CAP]:
            return IMG_ERR_BAD_PIN
    for k in range(3):
        lo, hi = row[S_OPTIONS][k]
        if not lo <= img[off + SENSOR_OPTIONS + k] <= hi:
            return IMG_ERR_BAD_SENSOR
    period = img[off + SENSOR_PERIOD] | img[off + SENSOR_PERIOD + 1] << 8
    if not dur_ok(period):
        return IMG_ERR_BAD_DURATION
    if not row[S_MIN_PERIOD] <= dur_ms(period) <= MAX_SAMPLE_MS:
        return IMG_ERR_BAD_SENSOR
    rom = off + SENSOR_ROM
    zero = not any(img[rom:rom + 8])
    family = row[S_FAMILY]
    if not zero and (family == 0 or img[rom] != family or crc8(img, rom, rom + 8)):
        return IMG_ERR_BAD_SENSOR
    i2c = row[S_BUS] == SENSOR_BUS_I2C
    if i2c and (pin, pin2) != (board[B_I2C_SDA], board[B_I2C_SCL]):  # the board's bus (NO_INDEX: none)
        return IMG_ERR_BAD_PIN
    for j in range(i if i2c else 0):  # one part at each address on the bus, all at one speed
        o = at + SENSOR_SIZE * j
        if _on_i2c(img[o + SENSOR_KIND]) and (img[o + SENSOR_OPTIONS] == img[off + SENSOR_OPTIONS]
                                              or img[o + SENSOR_OPTIONS + 1] != img[off + SENSOR_OPTIONS + 1]):
            return IMG_ERR_BAD_SENSOR
    if used[pin >> 3] & (1 << (pin & 7)):
        return IMG_ERR_PIN_CONFLICT
    if pin2 != NO_INDEX and (pin2 == pin or used[pin2 >> 3] & (1 << (pin2 & 7))):
        return IMG_ERR_PIN_CONFLICT
    for j in range(i):
        o = at + SENSOR_SIZE * j
        if i2c and _on_i2c(img[o + SENSOR_KIND]):
            continue  # both on the bus: they share its pins
        opin2 = img[o + SENSOR_PIN2]  # a second pin is never shared
        if opin2 != NO_INDEX and opin2 in (pin, pin2):
            return IMG_ERR_PIN_CONFLICT
        if pin2 != NO_INDEX and img[o + SENSOR_PIN] == pin2:
            return IMG_ERR_PIN_CONFLICT
        if img[o + SENSOR_PIN] != pin:
            continue
        orom = img[o + SENSOR_ROM:o + SENSOR_ROM + 8]
        if (img[o + SENSOR_KIND] != kind or family == 0 or zero or orom == img[rom:rom + 8]
                or not any(orom)):
            return IMG_ERR_PIN_CONFLICT
    return 0


_OPERANDS = (OPERAND_THRESHOLD | OPERAND_HYSTERESIS | OPERAND_HOLD | OPERAND_DURATION | OPERAND_PERIOD
             | OPERAND_INTERLOCK)


def _check_rule(img, off, nc, na, np_):
    kind, act, action, level, chan, flags, il, ops, thr, hyst, hold, dur, period, ilt = struct.unpack_from(RULE_FMT, img, off)
    interval = kind == RULE_KIND_INTERVAL
    if kind == RULE_KIND_GUARD:
        # a guard drives nothing and has no interlock: those fields are zero
        if (action or level or hyst or dur or ilt or il != NO_INDEX or flags & ~RULE_FLAG_ABOVE
                or ops & ~(OPERAND_THRESHOLD | OPERAND_HOLD | OPERAND_PERIOD)):
            return IMG_ERR_BAD_RULE
    elif (kind not in (RULE_KIND_THRESHOLD, RULE_KIND_INTERVAL)
            or action not in (RULE_ACTION_PULSE, RULE_ACTION_FOLLOW)
            or (interval and action == RULE_ACTION_FOLLOW) or level == 0
            or flags & ~(RULE_FLAG_ABOVE | RULE_FLAG_INTERLOCK_ABOVE) or ops & ~_OPERANDS):
        return IMG_ERR_BAD_RULE
    fields = (thr, hyst, hold, dur, period, ilt)  # operand bits 0x01 .. 0x20, in this order
    if (act >= na or (not interval and chan >= nc) or (interval and chan != NO_INDEX)
            or (il != NO_INDEX and il >= nc)):
        return IMG_ERR_BAD_REF
    for k in range(6):
        if ops & (1 << k) and not (0 <= fields[k] < np_):
            return IMG_ERR_BAD_REF
    for k in (2, 3, 4):
        if not ops & (1 << k) and not dur_ok(fields[k]):
            return IMG_ERR_BAD_DURATION
    # (field index, lowest, highest) in the order validate.py checks them
    bounds = ((0, -VALUE_LIMIT, VALUE_LIMIT), (5, -VALUE_LIMIT, VALUE_LIMIT), (1, 0, VALUE_LIMIT),
              (2, 0, DUR_MAX_MS), (3, 1 if action == RULE_ACTION_PULSE else 0, DUR_MAX_MS),
              (4, MIN_INTERVAL_MS if interval else 0, DUR_MAX_MS))
    for k, lo, hi in bounds:
        if ops & (1 << k):
            continue
        v = dur_ms(fields[k]) if 2 <= k <= 4 else fields[k]
        if not lo <= v <= hi:
            return IMG_ERR_BAD_RULE
    for k, lo, hi in bounds:
        if ops & (1 << k):
            _d, pmin, pmax = struct.unpack_from(PARAM_FMT, img, IMAGE_HEADER_SIZE + PARAM_SIZE * fields[k])
            if pmin < lo or pmax > hi:
                return IMG_ERR_BAD_PARAM
    return 0
