"""Validation of a config image for one board, in exactly the order docs/config-image.md lists.

The C core's image_validate() implements the same algorithm; the image vectors hold them to it.
"""

from __future__ import annotations


from ..boards import Board
from ..contract import (
    ACTUATOR_SIZE,
    CHANNEL_FROM_SENSOR,
    CHANNEL_KIND_MASK,
    CHANNEL_SIZE,
    DAY_MS,
    DUR_MAX_MS,
    I2C_BUS,
    IMAGE_FORMAT,
    SERVO_MAX_DEG,
    IMAGE_HEADER_SIZE,
    IMAGE_MAGIC,
    MAX_SAMPLE_MS,
    MAX_SMOOTHING,
    MIN_INTERVAL_MS,
    NO_INDEX,
    PARAM_SIZE,
    RULE_SIZE,
    SMOOTHING_SHIFT,
    UNKNOWN_KIND_PIN_CAP,
    SENSOR_QUANTITY_SHIFT,
    SENSOR_SIZE,
    VALUE_LIMIT,
    ActuatorFlag,
    ImageError as Code,
    Operand,
    PinCap,
    RuleAction,
    RuleFlag,
    RuleKind,
    channel_kind,
    onewire_crc8,
    sensor_kind,
)
from ..errors import ImageRefused
from .codec import ACTUATOR, CHANNEL, HEADER, PARAM, RULE, SENSOR, crc32, sensor_count
from .dur import dur16_to_ms, dur16_valid



def _fail(code: Code, index: int, why: str) -> ImageRefused:
    return ImageRefused(code, index, f"{code.name} at {index}: {why}")


def _pin_caps(board: Board, pin: int) -> int:
    caps = board.pin_caps
    return caps[pin] if pin < len(caps) else 0


def validate(data: bytes, board: Board) -> None:
    """Raise tendril.errors.ImageRefused(code, index) for the first check ``data`` fails on ``board``."""
    if len(data) < IMAGE_HEADER_SIZE:
        raise _fail(
            Code.TRUNCATED, 0, f"{len(data)} bytes is shorter than the {IMAGE_HEADER_SIZE}-byte header"
        )
    (magic, crc, length, fmt, bclass, _gen, _hash, name, nc, na, nr, np_, tele) = HEADER.unpack_from(data)
    if magic != IMAGE_MAGIC:
        raise _fail(Code.BAD_MAGIC, 0, "magic is not 'TD'")
    if fmt != IMAGE_FORMAT:
        raise _fail(Code.BAD_FORMAT, 0, f"format {fmt}, expected {IMAGE_FORMAT}")
    if length != len(data):
        raise _fail(Code.BAD_LENGTH, 0, f"header says {length} bytes, got {len(data)}")
    if length > board.max_image:
        raise _fail(Code.TOO_LARGE, 0, f"{length} bytes is above {board.name}'s {board.max_image}")
    if crc != crc32(data):
        raise _fail(Code.BAD_CRC, 0, "CRC-32 does not match")
    if bclass != board.board_class:
        raise _fail(Code.BAD_BOARD, 0, f"image is for board class {bclass}, {board.name} is {int(board.board_class)}")
    for index, (count, limit) in enumerate(
        ((nc, board.max_channels), (na, board.max_actuators), (nr, board.max_rules), (np_, board.max_params))
    ):
        if count > limit:
            raise _fail(Code.TOO_MANY, index, f"{count} is above {board.name}'s limit of {limit}")
    ns = sensor_count(length, np_, nc, na, nr)
    if ns is None:
        raise _fail(Code.BAD_LENGTH, 0, "length does not match the record counts and whole sensor records")
    if ns > board.max_channels:
        raise _fail(Code.TOO_MANY, 4, f"{ns} sensors is above {board.name}'s limit of {board.max_channels}")
    text = name.rstrip(b"\0")
    if any(b < 0x20 or b > 0x7E for b in text):
        raise _fail(Code.BAD_NAME, 0, "name must be printable ASCII, NUL-padded")
    if not dur16_valid(tele):
        raise _fail(Code.BAD_DURATION, 0, "telemetry period uses the reserved unit")
    tele_ms = dur16_to_ms(tele)
    if tele_ms and tele_ms < board.min_telemetry_ms:
        raise _fail(Code.BAD_TELEMETRY, 0, f"telemetry every {tele_ms} ms is faster than {board.min_telemetry_ms} ms")

    off = IMAGE_HEADER_SIZE
    params = []
    for i in range(np_):
        default, lo, hi = PARAM.unpack_from(data, off)
        off += PARAM_SIZE
        if not (-VALUE_LIMIT <= lo <= default <= hi <= VALUE_LIMIT):
            raise _fail(Code.BAD_PARAM, i, "needs min <= default <= max, within +-1e9")
        params.append((lo, hi))

    used_pins: set[int] = set()
    sens_at = length - SENSOR_SIZE * ns
    for i in range(nc):
        pin, mode, _unit, period, _gain, offset = CHANNEL.unpack_from(data, off)
        off += CHANNEL_SIZE
        kind = mode & CHANNEL_KIND_MASK
        extra = mode & 0x0C  # a sensor channel's quantity; reserved for a pin's channel
        from_sensor = kind == CHANNEL_FROM_SENSOR
        spec = channel_kind(kind)
        if from_sensor:  # the pin byte is a sensor's index
            if pin >= ns:
                raise _fail(Code.BAD_REF, i, f"sensor {pin} does not exist (the image has {ns})")
            sensor = sensor_kind(data[sens_at + SENSOR_SIZE * pin])
            if sensor is not None and extra >> SENSOR_QUANTITY_SHIFT >= len(sensor.quantities):
                raise _fail(Code.BAD_CHANNEL, i, f"a {sensor.name} gives {len(sensor.quantities)} quantities, "
                                                 f"not quantity {extra >> SENSOR_QUANTITY_SHIFT}")
            extra = 0
        else:
            caps = _pin_caps(board, pin)
            need = UNKNOWN_KIND_PIN_CAP if spec is None else spec.pin_cap
            if caps & PinCap.RESERVED or not caps & need:
                raise _fail(Code.BAD_PIN, i, f"pin {pin} cannot be read as this kind of channel on {board.name}")
        if (spec is None and not from_sensor) or extra or (mode >> SMOOTHING_SHIFT) > MAX_SMOOTHING:
            raise _fail(Code.BAD_CHANNEL, i, "unknown kind, reserved mode bits, or smoothing above 8")
        if not dur16_valid(period):
            raise _fail(Code.BAD_DURATION, i, "sample period uses the reserved unit")
        period_ms = dur16_to_ms(period)
        if period_ms < board.min_sample_ms or period_ms > MAX_SAMPLE_MS:
            raise _fail(Code.BAD_CHANNEL, i, f"sample period {period_ms} ms is outside {board.min_sample_ms} ms .. 60 s")
        if abs(offset) > VALUE_LIMIT:
            raise _fail(Code.BAD_CHANNEL, i, "calibration offset beyond +-1e9")
        if from_sensor:
            continue
        if pin in used_pins:
            raise _fail(Code.PIN_CONFLICT, i, f"pin {pin} is used twice")
        used_pins.add(pin)

    for i in range(na):
        pin, flags, max_on, min_off, cap, s_min, s_max, s_safe = ACTUATOR.unpack_from(data, off)
        off += ACTUATOR_SIZE
        caps = _pin_caps(board, pin)
        if (
            caps & (PinCap.RESERVED | PinCap.NO_ACTUATOR)
            or not caps & PinCap.DIGITAL_OUT
            or (flags & ActuatorFlag.PWM and not caps & PinCap.PWM)
            or (flags & ActuatorFlag.SERVO and not caps & PinCap.SERVO)
        ):
            what = "a servo (it needs the servo timer)" if flags & ActuatorFlag.SERVO else "this actuator"
            raise _fail(Code.BAD_PIN, i, f"pin {pin} cannot drive {what} on {board.name}")
        if flags & ~int(ActuatorFlag.PWM | ActuatorFlag.ACTIVE_LOW | ActuatorFlag.SERVO):
            raise _fail(Code.BAD_ACTUATOR, i, "unknown flag bits")
        if not flags & ActuatorFlag.SERVO:
            if s_min or s_max or s_safe:
                raise _fail(Code.BAD_ACTUATOR, i, "servo limits on an actuator that is not a servo")
        elif flags & (ActuatorFlag.PWM | ActuatorFlag.ACTIVE_LOW):
            raise _fail(Code.BAD_ACTUATOR, i, "a servo is neither PWM nor active-low")
        elif not (s_min <= s_safe <= s_max <= SERVO_MAX_DEG and s_min < s_max):
            raise _fail(Code.BAD_ACTUATOR, i, f"servo limits must be min <= safe <= max <= {SERVO_MAX_DEG} degrees, min below max")
        if pin in used_pins:
            raise _fail(Code.PIN_CONFLICT, i, f"pin {pin} is already in use")
        used_pins.add(pin)
        if not (dur16_valid(max_on) and dur16_valid(min_off) and dur16_valid(cap)):
            raise _fail(Code.BAD_DURATION, i, "a limit uses the reserved unit")
        max_on_ms, min_off_ms, cap_ms = dur16_to_ms(max_on), dur16_to_ms(min_off), dur16_to_ms(cap)
        if min_off_ms > DAY_MS:
            raise _fail(Code.BAD_ACTUATOR, i, "min_off must be at most 1 day")
        if max_on_ms > board.ceiling_max_on_ms or cap_ms > board.ceiling_daily_cap_ms:
            raise _fail(Code.ABOVE_CEILING, i, f"a limit is above {board.name}'s ceiling")
        if not flags & ActuatorFlag.SERVO and (max_on_ms == 0 or cap_ms == 0):  # a servo's 0: no limit
            raise _fail(Code.BAD_ACTUATOR, i, "max_on and daily_cap must be above 0 (but a servo's: 0 is no limit)")

    for i in range(nr):
        (kind, act, action, level, chan, flags, il, ops, thr, hyst, hold, dur, period, ilt) = RULE.unpack_from(data, off)
        off += RULE_SIZE
        _check_rule(i, kind, act, action, level, chan, flags, il, ops, thr, hyst, hold, dur, period, ilt, nc, na, params)

    for i in range(ns):
        _check_sensor(data, sens_at, i, board, used_pins)


def _check_sensor(data: bytes, sens_at: int, i: int, board: Board, used_pins: set[int]) -> None:
    """Check 16 for sensor ``i``: its kind, pins, options, period, ROM code, and who else is on its pin."""
    kind, pin, pin2, options, period, rom = SENSOR.unpack_from(data, sens_at + SENSOR_SIZE * i)
    spec = sensor_kind(kind)
    if spec is None:
        raise _fail(Code.BAD_SENSOR, i, f"sensor kind {kind} is not one this tendril can run")
    caps = _pin_caps(board, pin)
    if caps & PinCap.RESERVED or caps & spec.pin_cap != spec.pin_cap:
        raise _fail(Code.BAD_PIN, i, f"pin {pin} cannot carry a {spec.name} on {board.name}")
    if spec.pins == 1:
        if pin2 != NO_INDEX:
            raise _fail(Code.BAD_SENSOR, i, f"a {spec.name} has one pin: its second pin must be {NO_INDEX}")
    else:  # a two-pin kind's second pin (an HC-SR04's echo) is a pin like the first
        caps = _pin_caps(board, pin2)
        if caps & PinCap.RESERVED or caps & spec.pin_cap != spec.pin_cap:
            raise _fail(Code.BAD_PIN, i, f"pin {pin2} cannot be a {spec.name}'s {spec.pin2_name} pin on {board.name}")
    for k, (value, (lo, hi)) in enumerate(zip(options, spec.options)):
        if not lo <= value <= hi:
            raise _fail(Code.BAD_SENSOR, i, f"option {k} is {value}, outside {lo} .. {hi}")
    if not dur16_valid(period):
        raise _fail(Code.BAD_DURATION, i, "read period uses the reserved unit")
    period_ms = dur16_to_ms(period)
    if not spec.min_period_ms <= period_ms <= MAX_SAMPLE_MS:
        raise _fail(Code.BAD_SENSOR, i, f"read period {period_ms} ms is outside {spec.min_period_ms} ms .. 60 s")
    zero = not any(rom)
    if not zero and (spec.family == 0 or rom[0] != spec.family or onewire_crc8(rom) != 0):
        raise _fail(Code.BAD_SENSOR, i, f"ROM code {rom.hex()} is not a {spec.name}'s (family or CRC-8 wrong)")
    i2c = spec.bus == I2C_BUS
    if i2c:
        _check_i2c(data, sens_at, i, board, spec, pin, pin2, options)
    if pin in used_pins:
        raise _fail(Code.PIN_CONFLICT, i, f"pin {pin} is already used by a channel or actuator")
    if pin2 != NO_INDEX and (pin2 == pin or pin2 in used_pins):
        raise _fail(Code.PIN_CONFLICT, i, f"pin {pin2} is already used by this sensor, a channel or an actuator")
    for j in range(i):
        other_kind, other_pin, other_pin2, _o, _per, other_rom = SENSOR.unpack_from(data, sens_at + SENSOR_SIZE * j)
        if i2c and sensor_kind(other_kind).bus == I2C_BUS:
            continue  # both on the board's bus: they share its two pins
        if (other_pin2 != NO_INDEX and other_pin2 in (pin, pin2)) or (pin2 != NO_INDEX and other_pin == pin2):
            raise _fail(Code.PIN_CONFLICT, i, f"sensor {j} and this one share a pin, and a second pin is never shared")
        if other_pin == pin and (other_kind != kind or spec.family == 0 or zero or other_rom == rom
                                 or not any(other_rom)):
            raise _fail(Code.PIN_CONFLICT, i, f"pin {pin} is sensor {j}'s too, and they cannot share it")


def _check_i2c(data: bytes, sens_at: int, i: int, board: Board, spec, pin: int, pin2: int, options) -> None:
    """Check 16's I2C part: the board's bus pins, an address no earlier I2C sensor has, and the bus
    speed (option byte 1) every earlier one has."""
    address = options[0]
    if board.i2c_sda is None or (pin, pin2) != (board.i2c_sda, board.i2c_scl):
        bus = "no I2C bus" if board.i2c_sda is None else f"its I2C bus on pins {board.i2c_sda} and {board.i2c_scl}"
        raise _fail(Code.BAD_PIN, i, f"a {spec.name} is on pins {pin} and {pin2}, but {board.name} has {bus}")
    for j in range(i):
        other_kind, _p, _p2, other_options, _per, _rom = SENSOR.unpack_from(data, sens_at + SENSOR_SIZE * j)
        if sensor_kind(other_kind).bus == I2C_BUS and other_options[0] == address:
            raise _fail(Code.BAD_SENSOR, i, f"sensor {j} is at I2C address 0x{address:02X} too")
        if sensor_kind(other_kind).bus == I2C_BUS and other_options[1] != options[1]:
            raise _fail(Code.BAD_SENSOR, i, f"sensor {j} runs the I2C bus at another speed")


def _check_rule(i, kind, act, action, level, chan, flags, il, ops, thr, hyst, hold, dur, period, ilt, nc, na, params):
    known_flags = int(RuleFlag.ABOVE | RuleFlag.INTERLOCK_ABOVE)
    known_ops = int(Operand.THRESHOLD | Operand.HYSTERESIS | Operand.HOLD | Operand.DURATION | Operand.PERIOD | Operand.INTERLOCK)
    if kind == RuleKind.GUARD:
        # A guard drives nothing and has no interlock: those fields, and the operands of a
        # threshold rule it has no use for, are zero (docs/config-image.md, check 15).
        if (
            action or level or hyst or dur or ilt or il != NO_INDEX
            or flags & ~int(RuleFlag.ABOVE)
            or ops & ~int(Operand.THRESHOLD | Operand.HOLD | Operand.PERIOD)
        ):
            raise _fail(Code.BAD_RULE, i, "a guard with an action, level, interlock, hysteresis or duration")
    elif (
        kind not in (RuleKind.THRESHOLD, RuleKind.INTERVAL)
        or action not in (RuleAction.PULSE, RuleAction.FOLLOW)
        or (kind == RuleKind.INTERVAL and action == RuleAction.FOLLOW)
        or level == 0
        or flags & ~known_flags
        or ops & ~known_ops
    ):
        raise _fail(Code.BAD_RULE, i, "unknown kind, action, flag or operand bits, or level 0")
    fields = {
        Operand.THRESHOLD: thr,
        Operand.HYSTERESIS: hyst,
        Operand.HOLD: hold,
        Operand.DURATION: dur,
        Operand.PERIOD: period,
        Operand.INTERLOCK: ilt,
    }
    if (
        act >= na
        or (kind != RuleKind.INTERVAL and chan >= nc)
        or (kind == RuleKind.INTERVAL and chan != NO_INDEX)
        or (il != NO_INDEX and il >= nc)
        or any(ops & bit and not (0 <= value < len(params)) for bit, value in fields.items())
    ):
        raise _fail(Code.BAD_REF, i, "actuator, channel, interlock or parameter index out of range")
    for bit, code in ((Operand.HOLD, hold), (Operand.DURATION, dur), (Operand.PERIOD, period)):
        if not ops & bit and not dur16_valid(code):
            raise _fail(Code.BAD_DURATION, i, "a duration uses the reserved unit")
    pulse = action == RuleAction.PULSE
    interval = kind == RuleKind.INTERVAL
    # (field, operand bit, lowest allowed, highest allowed)
    bounds = (
        (thr, Operand.THRESHOLD, -VALUE_LIMIT, VALUE_LIMIT),
        (ilt, Operand.INTERLOCK, -VALUE_LIMIT, VALUE_LIMIT),
        (hyst, Operand.HYSTERESIS, 0, VALUE_LIMIT),
        (hold, Operand.HOLD, 0, DUR_MAX_MS),
        (dur, Operand.DURATION, 1 if pulse else 0, DUR_MAX_MS),
        (period, Operand.PERIOD, MIN_INTERVAL_MS if interval else 0, DUR_MAX_MS),
    )
    for value, bit, lo, hi in bounds:
        if ops & bit:
            continue
        literal = dur16_to_ms(value) if bit in (Operand.HOLD, Operand.DURATION, Operand.PERIOD) else value
        if not lo <= literal <= hi:
            raise _fail(Code.BAD_RULE, i, f"a literal is outside {lo} .. {hi}")
    for value, bit, lo, hi in bounds:
        if ops & bit:
            pmin, pmax = params[value]
            if pmin < lo or pmax > hi:
                raise _fail(Code.BAD_PARAM, i, f"parameter {value} may leave {lo} .. {hi}")
