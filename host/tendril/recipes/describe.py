"""Recipes in words: ``describe`` says what one does, ``diff`` what changes between two. Pure."""

from __future__ import annotations

from dataclasses import replace

from ..contract import I2C_BUS, ActuatorStateBit, RuleAction, RuleKind, Unit, channel_kind, sensor_kind
from . import model as m
from .provenance import lineage_words
from .schema import I2C_SPEEDS
from .units import fmt_ms, fmt_number, fmt_quantity, symbol


def _pins(pins: m.PinSpec) -> str:
    return ", ".join(str(pin) if board == "*" else f"{pin} on {board}" for board, pin in pins)


def _op_base(recipe: m.Recipe, value, unit, duration: bool = False, values: bool = True) -> str:
    if isinstance(value, m.ParamRef):
        found = recipe.param(value.name)
        if found is None or not values:
            return str(value)
        p = found[1]
        return f"{p.name} ({fmt_ms(p.default) if p.duration else fmt_quantity(p.default, p.unit)})"
    return fmt_ms(value) if duration else fmt_quantity(value, unit)


def _binary(c: m.Channel) -> bool:
    spec = channel_kind(c.kind)
    return spec is not None and spec.binary and c.sensor is None


def sensor_words(recipe: m.Recipe, sn: m.Sensor) -> str:
    """ "a DS18B20 temperature probe on D3, the only one on its pin, 12-bit, read every 2 s" """
    spec = sensor_kind(sn.kind)
    if spec.family:
        rom = f", ROM {sn.rom.hex()}" if any(sn.rom) else ", the only one on its pin"
    else:
        rom = ", alone on its pin" if spec.pins == 1 else ""  # a DHT; an HC-SR04's pins say enough
    opts = "".join(f", {v}-bit" if name == "resolution" else f", address 0x{v:02X}" if name == "address"
                   else f", {name} {v}" for name, v in zip(spec.option_names, sn.options))
    where = _pins(sn.pins) + (f" ({spec.pin2_name} on {_pins(sn.pins2)})" if spec.pins == 2 else "")
    if spec.bus == I2C_BUS:
        where = "the I2C bus" + (f" (sda {_pins(sn.pins)}, scl {_pins(sn.pins2)})" if sn.pins or sn.pins2 else "")
        where += " at 400 kHz" if sn.options[1] else ""
    return f"a {spec.words} on {where}{rom}{opts}, read every {fmt_ms(sn.period_ms)}"


def _source(recipe: m.Recipe, c: m.Channel) -> str:
    """Where a channel's reading comes from: "analog on A0", "temperature from sensor probe"."""
    if c.sensor is not None:
        found = recipe.sensor(c.sensor)
        quantity = sensor_kind(found[1].kind).quantities[c.quantity] if found else str(c.quantity)
        return f"{quantity} from sensor {c.sensor}"
    return f"{channel_kind(c.kind).words} on {_pins(c.pins)}"


def _calibration(c: m.Channel) -> str:
    if c.invert:
        return "inverted (1 when the pin is LOW)"
    parts = []
    for board, cal in c.calibration:
        where = "" if board == "*" else f" on {board}"
        if isinstance(cal, m.Linear):
            parts.append(f"value = {fmt_number(cal.gain)} x reading + {fmt_quantity(cal.offset, c.unit)}{where}")
        else:
            reads = " and ".join(f"{_reading(c, p)} reads {fmt_quantity(p.value, c.unit)}" for p in cal)
            parts.append(reads + where)
    return "; ".join(parts) or "none (the value is the reading)"


def _reading(c: m.Channel, p: m.Point) -> str:
    """A calibration point's reading: ADC counts, volts, or a sensor's reading in its unit."""
    if c.sensor is not None:
        return fmt_quantity(int(p.reading * 1000), c.reading_unit)
    return f"{fmt_number(p.reading)}{' V' if p.volts else ''}"


def rule_words(recipe: m.Recipe, rule: m.Rule, values: bool = True) -> str:
    """The rule in words; ``values``: show each parameter's default next to its name."""
    def _op(recipe: m.Recipe, value, unit, duration: bool = False) -> str:
        return _op_base(recipe, value, unit, duration, values)

    if rule.kind == RuleKind.GUARD:
        unit = recipe.channel(rule.channel)[1].unit
        text = (f"guard {rule.actuator}: turn it off when {rule.channel} stays {'above' if rule.above else 'below'} "
                f"{_op(recipe, rule.threshold, unit)} (or has no reading) for {_op(recipe, rule.hold, None, True)} "
                f"while it is on")
        if rule.period:
            return text + f"; then keep it off for {_op(recipe, rule.period, None, True)}"
        return text + "; then keep it off until someone runs it by hand"
    if rule.kind == RuleKind.THRESHOLD:
        unit = recipe.channel(rule.channel)[1].unit
        cond = f"when {rule.channel} is {'above' if rule.above else 'below'} {_op(recipe, rule.threshold, unit)}"
        if rule.hold:
            cond += f" for {_op(recipe, rule.hold, None, True)}"
    else:
        cond = f"every {_op(recipe, rule.period, None, True)}"
    level = f" at level {rule.level_text or rule.level}" if rule.level != 255 else ""
    if any(a.name == rule.actuator and a.servo for a in recipe.actuators):
        level = f" at {rule.level}°"  # a servo's level is its position
    if rule.action == RuleAction.FOLLOW:
        act = f"keep {rule.actuator} on{level} while it holds"
    else:
        act = f"run {rule.actuator}{level} for {_op(recipe, rule.duration, None, True)}"
    text = f"{cond}, {act}"
    if rule.kind == RuleKind.THRESHOLD and rule.hysteresis:
        unit = recipe.channel(rule.channel)[1].unit
        text += f"; it clears {_op(recipe, rule.hysteresis, unit)} past the threshold"
    if rule.kind == RuleKind.THRESHOLD and rule.period:
        text += f"; then wait {_op(recipe, rule.period, None, True)}"
    if rule.interlock:
        if rule.interlock_short:
            text += f"; never while {rule.interlock}"
        else:
            unit = recipe.channel(rule.interlock)[1].unit
            text += (f"; never while {rule.interlock} is {'above' if rule.interlock_above else 'below'} "
                     f"{_op(recipe, rule.il_threshold, unit)}")
    return text


def param_format(p: m.Parameter):
    """How a parameter's values are written: "35 %", "4 s"."""
    return fmt_ms if p.duration else (lambda v: fmt_quantity(v, p.unit))


def describe(recipe: m.Recipe) -> str:
    """What the recipe does, in words, for `tendril recipe show`."""
    meta = recipe.meta
    lines = [f"{meta.name} {meta.version}: {meta.summary}"]
    if meta.author or meta.license or meta.lineage:
        lines.append(f"{lineage_words(meta)}; license {meta.license or 'not given'}")
    lines.append(f"boards: {', '.join(meta.boards)}" + (f"; tags: {', '.join(meta.tags)}" if meta.tags else ""))
    lines.append(f"reports values {'every ' + fmt_ms(meta.telemetry_ms) if meta.telemetry_ms else 'never'}")
    for sn in recipe.sensors:
        lines.append(f"sensor {sn.name}: {sensor_words(recipe, sn)}" + (f": {sn.description}" if sn.description else ""))
    for c in recipe.channels:
        lines.append(f"reads {c.name} ({_source(recipe, c)}, in {symbol(c.unit) or 'no unit'}) every "
                     f"{fmt_ms(c.period_ms)}, smoothing {c.smoothing}; calibration: {_calibration(c)}")
    for a in recipe.actuators:
        kind = "PWM" if a.pwm else "relay"
        low = ", active-low" if a.active_low else ""
        off = "off at boot"
        if a.servo:
            lo, hi, safe = a.servo
            kind, off = f"servo, {lo} .. {hi}°", f"at {safe}° at boot, on off and when a run ends"
        limits = [f"at most {fmt_ms(a.max_on_ms)} on at a time" if a.max_on_ms else "no limit on how long it holds",
                  f"{fmt_ms(a.min_off_ms)} rest between runs",
                  f"{fmt_ms(a.daily_cap_ms)} a day" if a.daily_cap_ms else "no daily cap"]
        lines.append(f"drives {a.name} ({kind} on {_pins(a.pins)}{low}): {', '.join(limits)}; {off}")
    for r in recipe.rules:
        lines.append(f"rule {r.name}: {rule_words(recipe, r)}")
    for p in recipe.params:
        fmt = param_format(p)
        lines.append(f"parameter {p.name} = {fmt(p.default)} ({fmt(p.min)} .. {fmt(p.max)})"
                     + (f": {p.description}" if p.description else ""))
    return "\n".join(lines)


# How much a change matters, most first: where things are wired, the safety limits, the rules,
# then the rest (parameters, channels' sampling, the recipe's metadata).
_PINS, _LIMITS, _RULES, _REST = range(4)
_LIMIT_FIELDS = ("kind", "active_low", "max_on", "min_off", "daily_cap")


def _facts(recipe: m.Recipe, board=None) -> dict[tuple[str, str], tuple[int, object, str]]:
    """(item, field) -> (importance, what is compared, text), for every fact a push would change.
    With ``board``: pins and calibration as that board gets them, a calibration compared by the
    mapping the board computes (two points and a line that agree are the same)."""
    from .compiler import calibrate, for_board
    from .issues import Reporter

    out: dict[tuple[str, str], tuple[int, object, str]] = {}

    def put(key, text, importance=_REST, same=None):
        out[key] = (importance, text if same is None else same, text)

    def pins(spec: m.PinSpec) -> str:
        if board is None:
            return _pins(spec)
        pin = for_board(spec, board)
        return "(none)" if pin is None else str(pin)

    meta = recipe.meta
    for key in ("name", "version", "image_name", "summary", "author", "license", "derived_from"):
        put(("recipe", key), getattr(meta, key))
    if board is None:
        put(("recipe", "boards"), ", ".join(meta.boards))
    put(("recipe", "telemetry"), fmt_ms(meta.telemetry_ms) if meta.telemetry_ms else "off")
    for p in recipe.params:
        fmt = param_format(p)
        for key in ("default", "min", "max"):
            put((f"parameter {p.name}", key), fmt(getattr(p, key)))
    for sn in recipe.sensors:
        put((f"sensor {sn.name}", sensor_kind(sn.kind).pin_name), pins(sn.pins), _PINS)
        if sensor_kind(sn.kind).pins == 2:
            put((f"sensor {sn.name}", sensor_kind(sn.kind).pin2_name), pins(sn.pins2), _PINS)
        if sensor_kind(sn.kind).family:
            put((f"sensor {sn.name}", "rom"), sn.rom.hex() if any(sn.rom) else "only", _PINS)
        put((f"sensor {sn.name}", "kind"), sensor_kind(sn.kind).name, _PINS)
        for name, value in zip(sensor_kind(sn.kind).option_names, sn.options):
            put((f"sensor {sn.name}", name), str(value))
        put((f"sensor {sn.name}", "read_every"), fmt_ms(sn.period_ms))
        if sensor_kind(sn.kind).bus == I2C_BUS:
            put(("i2c", "speed"), I2C_SPEEDS[sn.options[1]])
    for c in recipe.channels:
        if c.sensor is not None:
            put((c.name, "sensor"), _source(recipe, c), _PINS)
        else:
            put((c.name, "pin"), pins(c.pins), _PINS)
        if board is None:
            put((c.name, "calibration"), _calibration(c))
        else:
            picked = for_board(c.calibration, board)
            one = replace(c, calibration=tuple((b, cal) for b, cal in c.calibration if cal is picked)[:1])
            put((c.name, "calibration"), _calibration(one), same=calibrate(Reporter("<diff>"), c, board))
        kind = c.kind.name.lower() if c.sensor is None else "sensor"
        for key, text in (("kind", kind), ("unit", symbol(c.unit) or "none"),
                          ("smoothing", str(c.smoothing)), ("sample_every", fmt_ms(c.period_ms))):
            put((c.name, key), text)
    for a in recipe.actuators:
        put((a.name, "pin"), pins(a.pins), _PINS)
        servo = [(k, f"{v}°") for k, v in zip(("min", "max", "safe"), a.servo)] if a.servo else []
        for key, text in (("kind", a.kind), ("active_low", str(a.active_low).lower()), *servo,
                          ("max_on", fmt_ms(a.max_on_ms) if a.max_on_ms else "none"),
                          ("min_off", fmt_ms(a.min_off_ms)),
                          ("daily_cap", fmt_ms(a.daily_cap_ms) if a.daily_cap_ms else "none")):
            put((a.name, key), text, _LIMITS)
    for r in recipe.rules:
        put((f"rule {r.name}", ""), rule_words(recipe, r, values=False), _RULES)
    return out


def diff(a: m.Recipe, b: m.Recipe, board=None) -> list[str]:
    """What changes from ``a`` to ``b``, one line each, e.g. "pump max_on 5 s -> 8 s", most
    important first (pins, safety limits, rules, then the rest). With ``board`` (a Board): only
    what differs in what that board would run, e.g. "pump pin D7 -> D8"."""
    fa, fb = _facts(a, board), _facts(b, board)
    lines: list[tuple[int, str]] = []
    for section, items_a, items_b, importance in (
            ("parameter", a.params, b.params, _REST), ("channel", a.channels, b.channels, _PINS),
            ("actuator", a.actuators, b.actuators, _PINS), ("rule", a.rules, b.rules, _RULES)):
        names_a, names_b = [x.name for x in items_a], [x.name for x in items_b]
        lines += [(importance, f"removed {section} {n}") for n in names_a if n not in names_b]
        lines += [(importance, f"added {section} {n}") for n in names_b if n not in names_a]
    gone = {line.split(" ", 2)[2] for _, line in lines}
    for key in list(fa) + [k for k in fb if k not in fa]:
        item, field = key
        bare = item.split(" ", 1)[-1]
        if key in fa and key in fb and fa[key][1] != fb[key][1]:
            label = f"{item} {field}".strip()
            old, new = fa[key][2] or "(none)", fb[key][2] or "(none)"
            lines.append((fb[key][0], f"{label} {old} -> {new}" if field else f"{label}: {old} -> {new}"))
        elif (key in fa) != (key in fb) and bare not in gone:
            importance = (fa.get(key) or fb[key])[0]
            old, new = fa.get(key, (0, 0, "(none)"))[2], fb.get(key, (0, 0, "(none)"))[2]
            lines.append((importance, f"{item} {field}: {old} -> {new}"))
    return [line for _, line in sorted(lines, key=lambda x: x[0])]


def diff_boards(a: m.Recipe, b: m.Recipe, boards) -> list[str]:
    """``diff`` for each of ``boards`` (Board objects), each line once: bare when every board sees
    it, else followed by the boards that do, e.g. "pump pin D7 -> D8 (on uno)"."""
    seen: dict[str, list[str]] = {}
    for board in boards:
        for line in diff(a, b, board):
            seen.setdefault(line, []).append(board.name)
    return [line if len(names) == len(boards) else f"{line} (on {', '.join(names)})"
            for line, names in seen.items()]


def _seconds(ms: int) -> str:
    return f"{ms / 1000:g} s" if ms < 60_000 else fmt_ms(ms - ms % 1000)


def status_words(recipe: m.Recipe, values: dict[int, int | None], actuators: list, params: list[int]) -> list[str]:
    """A board's state in words, as the demo says it: "soil 35.0 %  tank_empty no  pump off
    today 0 s of 5 min", then the parameters in their units. ``values``: channel index ->
    thousandths, None for no valid reading; ``actuators``: STATUS entries (state, ms_left,
    today_on_ms); ``params``: values.
    A value in % outside 0 .. 100 % says what it likely is: a sensor unwired or miscalibrated."""
    from ..words import actuator_state_text  # words builds on this module
    now = []
    for i, c in enumerate(recipe.channels):
        if i in values:
            v = values[i]
            if v is None:
                now.append(f"{c.name} no reading")
            elif _binary(c):
                now.append(f"{c.name} {'yes' if v else 'no'}")
            else:
                text = f"{c.name} {v / 1000:.1f} {symbol(c.unit)}".rstrip()
                if c.unit == Unit.PERCENT and not 0 <= v <= 100_000:
                    text += " (outside 0 .. 100 %: is the sensor wired, and its calibration for it?)"
                now.append(text)
    for a, e in zip(recipe.actuators, actuators):
        state = actuator_state_text(bool(e.state & ActuatorStateBit.ON), ms_left=e.ms_left,
                                    resting=bool(e.state & ActuatorStateBit.RESTING),
                                    locked=bool(e.state & ActuatorStateBit.LOCKED), style="short")
        text = f"{a.name} {state}"
        if a.daily_cap_ms:
            text += f"  today {_seconds(e.today_on_ms)} of {fmt_ms(a.daily_cap_ms)}"
        now.append(text)
    lines = ["  ".join(now)] if now else []
    tuned = [f"{p.name} {param_format(p)(v)}" for p, v in zip(recipe.params, params)]
    if tuned:
        lines.append("  ".join(tuned))
    return lines
