"""Recipe + board -> config image bytes (generation 0). Pure.

Every board check a device would make is made here first, in the recipe's own words: which key,
on which line, and what would fit. The image is then validated exactly as the board will validate
it, so a recipe that compiles is one the board accepts.
"""

from __future__ import annotations

from fractions import Fraction

from ..boards import Board, Pin
from ..contract import I2C_BUS, NO_INDEX, ActuatorFlag, Operand, PinCap, RuleFlag, RuleKind, channel_kind, sensor_kind
from ..errors import ImageRefused
from ..image import Actuator, Channel, Image, Param, Rule, Sensor, encode, image_size, two_point, validate
from . import model as m
from .issues import Path, Reporter
from .units import fmt_ms

I32 = 2**31 - 1
ONE = 65_536_000  # Q16.16 gain of "one unit per count" (values are thousandths)
_CAP_WORDS = {PinCap.ANALOG_IN: "analog input", PinCap.DIGITAL_IN: "digital input",
              PinCap.DIGITAL_OUT: "digital output", PinCap.PWM: "PWM",
              PinCap.SERVO: "servo timer", PinCap.COUNTER: "pulse counting (interrupt)"}


def compile_recipe(recipe: m.Recipe, board: Board) -> bytes:
    """The config image of ``recipe`` for ``board``. Raises RecipeError saying what does not fit."""
    r = Reporter(recipe.file, recipe.locate)
    if board.name not in recipe.meta.boards:
        r.err(("recipe", "boards"), f"{recipe.meta.name} does not list {board.name}; "
              f"it lists {', '.join(recipe.meta.boards)}. Add {board.name} once its pins are checked")
        r.raise_if_any()
    _check_counts(r, recipe, board)
    used: dict[int, str] = {}
    channels = [_channel(r, c, board, used, recipe) for c in recipe.channels]
    actuators = [_actuator(r, a, board, used) for a in recipe.actuators]
    placed: list[tuple[int, m.Sensor]] = []
    sensors = [_sensor(r, sn, board, used, placed) for sn in recipe.sensors]
    tele = recipe.meta.telemetry_ms
    if tele and tele < board.min_telemetry_ms:
        r.err(("recipe", "telemetry"), f"{fmt_ms(tele)} is faster than {board.name} allows; use at least {fmt_ms(board.min_telemetry_ms)}")
    r.raise_if_any()
    image = Image(
        name=recipe.meta.image_name,
        board_class=board.board_class,
        telemetry_ms=tele,
        params=tuple(Param(p.default, p.min, p.max) for p in recipe.params),
        channels=tuple(channels),
        actuators=tuple(actuators),
        rules=tuple(_rule(recipe, rule) for rule in recipe.rules),
        sensors=tuple(sensors),
    )
    data = encode(image)
    try:
        validate(data, board)
    except ImageRefused as exc:  # every check above should have caught it first
        r.err((), f"{board.name} would refuse the image: {exc}")
        r.raise_if_any()
    return data


def _check_counts(r: Reporter, recipe: m.Recipe, board: Board) -> None:
    for key, count, limit in (("channels", len(recipe.channels), board.max_channels),
                              ("actuators", len(recipe.actuators), board.max_actuators),
                              ("rules", len(recipe.rules), board.max_rules),
                              ("parameters", len(recipe.params), board.max_params),
                              ("sensors", len(recipe.sensors), board.max_channels)):
        if count > limit:
            r.err((key,), f"{count} {key} is above the {board.name} limit of {limit}; remove {count - limit} "
                          "or use a bigger board (see `tendril boards`)")
    size = image_size(len(recipe.params), len(recipe.channels), len(recipe.actuators), len(recipe.rules),
                      len(recipe.sensors))
    if size > board.max_image:
        r.err((), f"the image would be {size} bytes, above the {board.name} limit of {board.max_image}; "
                  "remove a rule (26 B), channel (13 B) or parameter (12 B)")


def for_board(entries: tuple, board: Board):
    """The entry written for ``board``, else for the board it extends, else for every board ("*")."""
    table = dict(entries)
    name: str | None = board.name
    seen = set()
    while name and name not in seen:
        if name in table:
            return table[name]
        seen.add(name)
        name = board.extends if name == board.name else None
    return table.get("*")


def _where(path: Path, entries: tuple, board: Board) -> Path:
    """The key path of the entry ``for_board`` picks: ``...pin.uno`` or just ``...pin``."""
    return path + (() if ("*", for_board(entries, board)) in entries else (board.name,))


def _pin(r: Reporter, path: Path, pins: m.PinSpec, board: Board, need: PinCap, what: str) -> Pin | None:
    spec = for_board(pins, board)
    at = _where(path, pins, board)
    if spec is None:
        r.err(path, f"no pin for {board.name}; add {board.name} = \"...\" ({what} pins: {_pins_with(board, need)})")
        return None
    pin = board.pin_named(spec) if isinstance(spec, str) else next((p for p in board.pins if p.number == spec), None)
    if pin is None:
        r.err(at, f"{board.name} has no pin {spec!r}; {what} pins: {_pins_with(board, need)}")
        return None
    if pin.caps & PinCap.RESERVED:
        r.err(at, f"{pin.name} is reserved on {board.name} ({pin.note or 'used by the board'}); "
                  f"{what} pins: {_pins_with(board, need)}")
        return None
    if need & PinCap.DIGITAL_OUT and pin.caps & PinCap.NO_ACTUATOR:
        r.err(at, f"{pin.name} is not for actuators on {board.name} ({pin.note or 'it glitches at boot'}); "
                  f"{what} pins: {_pins_with(board, need)}")
        return None
    if (pin.caps & need) != need:
        missing = " and ".join(w for cap, w in _CAP_WORDS.items() if need & cap and not pin.caps & cap)
        r.err(at, f"{pin.name} has no {missing} on {board.name}; {what} pins: {_pins_with(board, need)}")
        return None
    return pin


def _pins_with(board: Board, need: PinCap) -> str:
    bad = PinCap.RESERVED | (PinCap.NO_ACTUATOR if need & PinCap.DIGITAL_OUT else 0)
    names = [p.name for p in board.pins if (p.caps & need) == need and not p.caps & bad]
    return ", ".join(names) or "none"


def _claim(r: Reporter, path: Path, pin: Pin, used: dict[int, str], owner: str) -> None:
    if pin.number in used:
        r.err(path, f"{pin.name} is already used by {used[pin.number]}; each pin does one job")
    used.setdefault(pin.number, owner)


def _channel(r: Reporter, c: m.Channel, board: Board, used: dict[int, str], recipe: m.Recipe) -> Channel | None:
    path = ("channels", c.name)
    if c.sensor is not None:  # the parser checked the sensor and quantity; the reading is in its unit
        index = recipe.sensor(c.sensor)[0]
        gain_offset = calibrate(r, c, board)
        return None if gain_offset is None else Channel(index, c.kind, c.smoothing, c.unit, c.period_ms,
                                                        *gain_offset, c.quantity)
    need = channel_kind(c.kind).pin_cap
    pin = _pin(r, path + ("pin",), c.pins, board, need, _CAP_WORDS[need])
    if pin is not None:
        _claim(r, _where(path + ("pin",), c.pins, board), pin, used, f"channels.{c.name}")
    if c.period_ms < board.min_sample_ms:
        r.err(path + ("sample_every",), f"{fmt_ms(c.period_ms)} is faster than {board.name} samples; "
                                        f"use at least {fmt_ms(board.min_sample_ms)}")
    gain_offset = calibrate(r, c, board)
    if pin is None or gain_offset is None:
        return None
    return Channel(pin.number, c.kind, c.smoothing, c.unit, c.period_ms, *gain_offset)


def calibrate(r: Reporter, c: m.Channel, board: Board) -> tuple[int, int] | None:
    """Q16.16 gain and offset (thousandths): value = offset + ((raw * gain) >> 16). A sensor's
    channel's raw is its reading in thousandths of its quantity's unit, not an ADC count."""
    path = ("channels", c.name, "calibration")
    cal = for_board(c.calibration, board)
    if ("*", cal) not in c.calibration:
        path += (board.name,)
    if c.invert:
        return -ONE, 1000
    per = ONE if c.sensor is None else ONE // 1000  # Q16.16 of one unit per raw step
    if isinstance(cal, m.Linear):
        gain = round(Fraction(cal.gain) * per)
        if not -I32 - 1 <= gain <= I32:
            r.err(path + ("gain",), "gain is beyond what the image holds (about +-32.768 units per count)")
            return None
        return gain, cal.offset
    if cal is None:
        if c.calibration:
            r.err(path, f"no calibration for {board.name}; add {board.name} = [{{ reading = ..., value = ... }}, ...]")
        return (per, 0) if not c.calibration else None
    if c.sensor is not None:
        raws = [Fraction(p.reading) * 1000 for p in cal]
    else:
        raws = _raws(r, path, c, board, cal)
    if raws is None:
        return None
    (a, b), (ra, rb) = cal, raws
    if ra == rb:
        r.err(path + (1, "reading"), f"both points give the same reading on {board.name}")
        return None
    gain, offset = two_point(ra, a.value, rb, b.value)
    if abs(gain) > I32 or abs(offset) > 1_000_000_000:
        r.err(path, "this calibration is too steep for the image (gain beyond Q16.16, or offset beyond 1e6 units)")
        return None
    return gain, offset


def _raws(r: Reporter, path: Path, c: m.Channel, board: Board, cal) -> list[Fraction] | None:
    """An analog channel's calibration readings as ADC counts on ``board`` (volts scaled to its ADC)."""
    spec = channel_kind(c.kind)
    full = spec.full(board.adc_bits)
    raws = []
    for i, p in enumerate(cal):
        if p.volts:
            if not spec.reads_volts:
                what = "0 or 1" if spec.binary else f"0 .. {full}"
                r.err(path + (i, "reading"), f"{c.name} is {spec.name}: it reads {what}, not volts")
                return None
            if p.reading * 1000 > board.adc_vref_mv:
                r.err(path + (i, "reading"), f"{board.name} reads at most {board.adc_vref_mv / 1000:g} V")
                return None
            raws.append(Fraction(p.reading) * full * 1000 / board.adc_vref_mv)
        else:
            if p.reading > full:
                r.err(path + (i, "reading"), f"{board.name} reads 0 .. {full} on this pin")
                return None
            raws.append(Fraction(p.reading))
    return raws


def _sensor(r: Reporter, sn: m.Sensor, board: Board, used: dict[int, str], placed: list) -> Sensor | None:
    """Sensor ``sn``'s record; its pin is its own, or a 1-Wire bus it shares with earlier sensors of
    its kind that each name their ROM code."""
    path = ("sensors", sn.name)
    spec = sensor_kind(sn.kind)
    if spec.bus == I2C_BUS:
        return _i2c_sensor(r, sn, board, used, placed)
    pin = _pin(r, path + ("pin",), sn.pins, board, spec.pin_cap, "1-Wire" if spec.family else spec.name)
    if pin is None:
        return None
    at = _where(path + ("pin",), sn.pins, board)
    if pin.number in used:
        r.err(at, f"{pin.name} is already used by {used[pin.number]}; a sensor needs a pin of its own")
        return None
    for number, other in placed:
        if number != pin.number:
            continue
        if other.kind != sn.kind or not spec.family:
            if sensor_kind(other.kind).bus == I2C_BUS:
                r.err(at, f"{pin.name} is {board.name}'s I2C bus (sensors.{other.name}); a {spec.name} needs a pin of its own")
                return None
            r.err(at, f"{pin.name} is sensors.{other.name}'s, a {sensor_kind(other.kind).name}: "
                      "only DS18B20 probes share a pin (a 1-Wire bus)")
            return None
        if not any(sn.rom) or not any(other.rom):
            r.err(at, f"sensors.{other.name} is on {pin.name} too: on a shared 1-Wire bus every probe "
                      "names its rom (its 64-bit ROM code, 16 hex digits)")
            return None
        if sn.rom == other.rom:
            r.err(path + ("rom",), f"sensors.{other.name} has the same ROM code: each probe's is its own")
            return None
    pin2 = NO_INDEX
    if spec.pins == 2:  # its second pin (an HC-SR04's echo): its own, never shared
        key = spec.pin2_name
        second = _pin(r, path + (key,), sn.pins2, board, spec.pin_cap, spec.name)
        if second is None:
            return None
        at2 = _where(path + (key,), sn.pins2, board)
        owner = used.get(second.number) or ("its own pin" if second.number == pin.number else None) or next(
            (f"sensors.{other.name}" for number, other in placed if number == second.number), None)
        if owner:
            r.err(at2, f"{second.name} is already used by {owner}; a {spec.name}'s {key} needs a pin of its own")
            return None
        placed.append((second.number, sn))
        pin2 = second.number
    placed.append((pin.number, sn))
    return Sensor(int(sn.kind), pin.number, pin2, bytes(sn.options), sn.period_ms, sn.rom)


def _i2c_sensor(r: Reporter, sn: m.Sensor, board: Board, used: dict[int, str], placed: list) -> Sensor | None:
    """An I2C sensor's record: on the board's bus (its pins, shared with the other I2C sensors only),
    at an address no other sensor on it has."""
    path = ("sensors", sn.name)
    spec = sensor_kind(sn.kind)
    if board.i2c_sda is None:
        r.err(path, f"{board.name} has no I2C bus for a {spec.name}")
        return None
    bus = [next(p for p in board.pins if p.number == n) for n in (board.i2c_sda, board.i2c_scl)]
    words = f"{board.name}'s I2C bus is SDA {bus[0].name}, SCL {bus[1].name}"
    for key, given, pin in (("sda", sn.pins, bus[0]), ("scl", sn.pins2, bus[1])):
        got = _pin(r, path + (key,), given, board, PinCap(0), "I2C") if given else pin
        if got is None:
            return None
        if got.number != pin.number:
            r.err(_where(path + (key,), given, board), f"{got.name} cannot be a {spec.name}'s {key}: {words}")
            return None
        if pin.number in used:
            r.err(path, f"{pin.name} is already used by {used[pin.number]}, and {words}: move that off the bus")
            return None
    for number, other in placed:
        other_bus = sensor_kind(other.kind).bus == I2C_BUS
        if number in (board.i2c_sda, board.i2c_scl) and not other_bus:
            name = bus[0].name if number == board.i2c_sda else bus[1].name
            r.err(path, f"{name} is already used by sensors.{other.name}, and {words}: move that off the bus")
            return None
        if other_bus and number == board.i2c_sda and other.options[0] == sn.options[0]:
            r.err(path + ("address",), f"sensors `{other.name}` and `{sn.name}` are both at I2C address "
                                       f"0x{sn.options[0]:02X}")
            return None
    placed.append((board.i2c_sda, sn))
    placed.append((board.i2c_scl, sn))
    return Sensor(int(sn.kind), board.i2c_sda, board.i2c_scl, bytes(sn.options), sn.period_ms, sn.rom)


def _actuator(r: Reporter, a: m.Actuator, board: Board, used: dict[int, str]) -> Actuator | None:
    path = ("actuators", a.name)
    need = PinCap.DIGITAL_OUT | (PinCap.PWM if a.pwm else 0) | (PinCap.SERVO if a.servo else 0)
    what = "servo" if a.servo else "PWM output" if a.pwm else "output"
    pin = _pin(r, path + ("pin",), a.pins, board, need, what)
    if pin is not None:
        _claim(r, _where(path + ("pin",), a.pins, board), pin, used, f"actuators.{a.name}")
    for key, ms, ceiling in (("max_on", a.max_on_ms, board.ceiling_max_on_ms),
                             ("daily_cap", a.daily_cap_ms, board.ceiling_daily_cap_ms)):
        if ms > ceiling:
            r.err(path + (key,), f"{fmt_ms(ms)} is above the {board.name} ceiling of {fmt_ms(ceiling)}")
    if pin is None:
        return None
    flags = (ActuatorFlag.PWM if a.pwm else ActuatorFlag(0)) | (ActuatorFlag.ACTIVE_LOW if a.active_low else 0)
    if a.servo:
        lo, hi, safe = a.servo
        return Actuator(pin.number, ActuatorFlag.SERVO, a.max_on_ms, a.min_off_ms, a.daily_cap_ms, lo, hi, safe)
    return Actuator(pin.number, ActuatorFlag(flags), a.max_on_ms, a.min_off_ms, a.daily_cap_ms)


def _rule(recipe: m.Recipe, rule: m.Rule) -> Rule:
    operands = Operand(0)
    values = {}
    for key, bit in (("threshold", Operand.THRESHOLD), ("hysteresis", Operand.HYSTERESIS), ("hold", Operand.HOLD),
                     ("duration", Operand.DURATION), ("period", Operand.PERIOD), ("il_threshold", Operand.INTERLOCK)):
        value = getattr(rule, key)
        if isinstance(value, m.ParamRef):
            operands |= bit
            value = recipe.param(value.name)[0]
        values[key] = value
    threshold_kind = rule.kind in (RuleKind.THRESHOLD, RuleKind.GUARD)  # both watch a channel
    interlock = recipe.channel(rule.interlock)[0] if rule.interlock else NO_INDEX
    if not rule.interlock:
        values["il_threshold"] = 0
        operands &= ~Operand.INTERLOCK
    flags = (RuleFlag.ABOVE if threshold_kind and rule.above else RuleFlag(0)) | \
        (RuleFlag.INTERLOCK_ABOVE if rule.interlock and rule.interlock_above else 0)
    return Rule(kind=rule.kind, actuator=recipe.actuator(rule.actuator)[0], action=rule.action, level=rule.level,
                channel=recipe.channel(rule.channel)[0] if threshold_kind else NO_INDEX,
                flags=RuleFlag(flags), interlock=interlock, operands=Operand(operands), **values)
