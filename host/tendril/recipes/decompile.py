"""Config image bytes -> recipe TOML text, such that compiling the text gives the same bytes.

An image holds no names, descriptions or metadata: without the original recipe, things are named
channel0, actuator0, rule0, param0 and the recipe is named after the image's 12-character name.
Given the recipe the image came from (``tendril pull`` passes the one in the device's history),
its names, metadata and calibration points are kept wherever they still compile to the same bytes.
"""

from __future__ import annotations

import re
from decimal import Decimal, localcontext

from ..boards import Board
from ..contract import DUR_MAX_MS, I2C_BUS, NO_INDEX, Operand, RuleAction, RuleKind, Unit, channel_kind, sensor_kind
from ..image import decode, validate
from ..image.model import Image
from . import model as m
from .compiler import ONE, calibrate, for_board
from .emit import dumps
from .issues import Reporter
from .parse import image_name_for
from .parse_sensors import fmt_rom
from .provenance import origin_values
from .schema import I2C_SPEEDS
from .units import fmt_ms, fmt_number, fmt_quantity

_DURATION_FIELDS = (("hold", Operand.HOLD), ("duration", Operand.DURATION), ("period", Operand.PERIOD))


def decompile(data: bytes, board: Board, recipe: m.Recipe | None = None,
              values: list[int] | None = None) -> str:
    """TOML text of the recipe in image ``data`` for ``board``. ``values``: the parameters as the
    board runs them now (tuned by SET_PARAM), written as their defaults so nothing tuned is lost.
    Raises ImageRefused for an image the board would refuse, RecipeError for one no recipe can
    express (e.g. a unit this tendril lacks)."""
    validate(data, board)
    img = decode(data)
    r = Reporter("<image>")
    names = _names(img, recipe)
    units = _param_units(r, img, names, recipe)
    for i, c in enumerate(img.channels):
        if not isinstance(c.unit, Unit):
            r.err(("channels", names["channels"][i], "unit"), f"unit code {int(c.unit)} is unknown to this tendril")
    r.raise_if_any()
    doc = {"recipe": _meta(img, board, recipe)}
    if img.params:
        doc["parameters"] = {names["parameters"][i]: _param(p, units[i], _item(recipe, "params", i, names["parameters"][i]),
                                                             _now(values, i, p))
                             for i, p in enumerate(img.params)}
    fast = {sn.options[1] for sn in img.sensors if sensor_kind(sn.kind).bus == I2C_BUS}
    if fast - {0}:  # validated: one speed on the bus
        doc["i2c"] = {"speed": I2C_SPEEDS[fast.pop()]}
    if img.sensors:
        doc["sensors"] = {names["sensors"][i]: _sensor(sn, board, _item(recipe, "sensors", i, names["sensors"][i]))
                          for i, sn in enumerate(img.sensors)}
    if img.channels:
        doc["channels"] = {names["channels"][i]: _channel(c, board, _item(recipe, "channels", i, names["channels"][i]),
                                                          img, names)
                           for i, c in enumerate(img.channels)}
    if img.actuators:
        doc["actuators"] = {names["actuators"][i]: _actuator(a, board, _item(recipe, "actuators", i, names["actuators"][i]))
                            for i, a in enumerate(img.actuators)}
    if img.rules:
        doc["rules"] = {names["rules"][i]: _rule(rule, img, names, _item(recipe, "rules", i, names["rules"][i]))
                        for i, rule in enumerate(img.rules)}
    return dumps(doc)


def _names(img: Image, recipe: m.Recipe | None) -> dict[str, list[str]]:
    out = {}
    for section, attr, stem, count in (("parameters", "params", "param", len(img.params)),
                                       ("sensors", "sensors", "sensor", len(img.sensors)),
                                       ("channels", "channels", "channel", len(img.channels)),
                                       ("actuators", "actuators", "actuator", len(img.actuators)),
                                       ("rules", "rules", "rule", len(img.rules))):
        items = getattr(recipe, attr) if recipe else ()
        out[section] = [x.name for x in items] if len(items) == count else [f"{stem}{i}" for i in range(count)]
    return out


def _item(recipe: m.Recipe | None, attr: str, i: int, name: str):
    items = getattr(recipe, attr) if recipe else ()
    return items[i] if i < len(items) and items[i].name == name else None


def recipe_name(image_name: str) -> str:
    text = re.sub(r"[^a-z0-9]+", "-", image_name.lower()).strip("-")
    return text[:40].rstrip("-") or "decompiled"


def _meta(img: Image, board: Board, recipe: m.Recipe | None) -> dict:
    meta = recipe.meta if recipe else None
    name = meta.name if meta else recipe_name(img.name)
    out = {"name": name, "version": meta.version if meta else "0.0.0",
           "summary": meta.summary if meta else f"decompiled from a config image for {board.name}"}
    if meta:
        if meta.description:
            out["description"] = meta.description
        if meta.authors:
            out["author"] = meta.authors[0] if len(meta.authors) == 1 else list(meta.authors)
        if meta.license:
            out["license"] = meta.license
    out["boards"] = [board.name]
    if meta and meta.tags:
        out["tags"] = list(meta.tags)
    if meta and meta.lineage:
        out["derived_from"] = [origin_values(o) for o in meta.lineage]
    if image_name_for(name) != img.name:
        out["image_name"] = img.name
    out["telemetry"] = fmt_ms(img.telemetry_ms) if img.telemetry_ms else "off"
    return out


def _param_units(r: Reporter, img: Image, names, recipe) -> list:
    """What each parameter holds, from how rules use it: "duration", a channel Unit, or None."""
    uses: dict[int, set] = {i: set() for i in range(len(img.params))}
    for rule in img.rules:
        for field, bit in _DURATION_FIELDS:
            if rule.operands & bit:
                uses[getattr(rule, field)].add("duration")
        for field, bit, chan in (("threshold", Operand.THRESHOLD, rule.channel), ("hysteresis", Operand.HYSTERESIS, rule.channel),
                                 ("il_threshold", Operand.INTERLOCK, rule.interlock)):
            if rule.operands & bit:
                unit = img.channels[chan].unit
                uses[getattr(rule, field)].add(None if unit in (Unit.NONE,) else unit)
    out = []
    for i, kinds in uses.items():
        if len(kinds) > 1:
            r.err(("parameters", names["parameters"][i]), "used both as a duration and as a value, or in two units; "
                                                          "a recipe parameter has one unit")
        p = img.params[i]
        if kinds:
            out.append(next(iter(kinds)))
        elif recipe and i < len(recipe.params) and recipe.params[i].duration and 0 <= p.min and p.max <= DUR_MAX_MS:
            out.append("duration")
        elif recipe and i < len(recipe.params) and not recipe.params[i].duration:
            out.append(recipe.params[i].unit)
        else:
            out.append(None)
    return out


def _fmt(value: int, unit) -> str:
    return fmt_ms(value) if unit == "duration" else fmt_quantity(value, unit)


def _now(values: list[int] | None, i: int, p) -> int:
    """The value the board runs for parameter i: its tuned value when known and in range."""
    if values is not None and i < len(values) and p.min <= values[i] <= p.max:
        return values[i]
    return p.default


def _param(p, unit, orig: m.Parameter | None, value: int) -> dict:
    out = {"default": _fmt(value, unit), "min": _fmt(p.min, unit), "max": _fmt(p.max, unit)}
    if orig and orig.description:
        out["description"] = orig.description
    return out


def _pin(number: int, board: Board) -> str | int:
    return next((p.name for p in board.pins if p.number == number), number)


def _sensor(sn, board: Board, orig: m.Sensor | None) -> dict:
    spec = sensor_kind(sn.kind)
    out: dict = {"kind": spec.name}
    if spec.bus != I2C_BUS:  # an I2C part is on the board's bus: its pins go without saying
        out["pin"] = _pin(sn.pin, board)
    if spec.pins == 2 and spec.bus != I2C_BUS:
        out[spec.pin2_name] = _pin(sn.pin2, board)
    out.update({name: value for name, value in zip(spec.option_names, sn.options)})
    out["read_every"] = fmt_ms(sn.period_ms)
    if spec.family:  # a part without a ROM code has no `rom`
        out["rom"] = fmt_rom(sn.rom)
    if orig and orig.description:
        out["description"] = orig.description
    return out


def _sensor_channel(c, board: Board, img: Image, names, orig: m.Channel | None) -> dict:
    spec = sensor_kind(img.sensors[c.pin].kind)
    reading = spec.units[c.quantity]
    out = {"sensor": names["sensors"][c.pin], "quantity": spec.quantities[c.quantity], "unit": fmt_unit(c.unit)}
    if (c.gain, c.offset, c.unit) != (ONE // 1000, 0, reading):
        out["calibration"] = _calibration(c, board, orig, ONE // 1000, lambda p: fmt_quantity(int(p.reading * 1000), reading))
    out.update({"smoothing": c.smoothing, "sample_every": fmt_ms(c.period_ms)})
    if orig and orig.description:
        out["description"] = orig.description
    return out


def _channel(c, board: Board, orig: m.Channel | None, img: Image, names) -> dict:
    spec = channel_kind(c.kind)
    if spec is None:  # a sensor's channel (validated: its sensor and quantity exist)
        return _sensor_channel(c, board, img, names, orig)
    out = {"pin": _pin(c.pin, board), "kind": spec.name, "unit": fmt_unit(c.unit)}
    if spec.binary and (c.gain, c.offset) == (-ONE, 1000):
        out["invert"] = True
    elif (c.gain, c.offset) != (ONE, 0):
        out["calibration"] = _calibration(c, board, orig, ONE,
                                          lambda p: f"{fmt_number(p.reading)} V" if p.volts else int(p.reading))
    out["smoothing"] = c.smoothing
    out["sample_every"] = fmt_ms(c.period_ms)
    if orig and orig.description:
        out["description"] = orig.description
    return out


def _calibration(c, board: Board, orig: m.Channel | None, per: int, reading) -> list | dict:
    """Channel ``c``'s calibration: the original recipe's points where they give the same gain and
    offset, else `{ gain, offset }` (``per``: the Q16.16 gain of one unit per raw step; ``reading``
    writes a point's reading)."""
    cal = for_board(orig.calibration, board) if orig and not orig.invert else None
    if isinstance(cal, tuple) and calibrate(Reporter(""), orig, board) == (c.gain, c.offset):
        return [{"reading": reading(p), "value": fmt_quantity(p.value, c.unit)} for p in cal]
    with localcontext() as ctx:
        ctx.prec = 60  # gain / 65,536,000 (or / 65,536) is a terminating decimal: exact at this precision
        gain = Decimal(c.gain) / per
    return {"gain": gain, "offset": fmt_quantity(c.offset, c.unit)}


def fmt_unit(unit: Unit) -> str:
    return fmt_quantity(0, unit).partition(" ")[2] or "none"


def _actuator(a, board: Board, orig: m.Actuator | None) -> dict:
    out = {"pin": _pin(a.pin, board), "kind": "servo" if a.servo else "pwm" if a.pwm else "relay"}
    if a.servo:
        out.update(min=f"{a.servo_min} °", max=f"{a.servo_max} °", safe=f"{a.servo_safe} °")
    else:
        out["active_low"] = a.active_low
    # a servo's 0: no time limit, written by leaving the key out
    out.update({k: fmt_ms(ms) for k, ms in (("max_on", a.max_on_ms), ("min_off", a.min_off_ms),
                                             ("daily_cap", a.daily_cap_ms)) if ms or k == "min_off" or not a.servo})
    if orig and orig.description:
        out["description"] = orig.description
    return out


def _rule(rule, img: Image, names, orig: m.Rule | None) -> dict:
    pnames = names["parameters"]

    def op(field: str, bit: Operand, unit) -> str:
        value = getattr(rule, field)
        return f"${pnames[value]}" if rule.operands & bit else _fmt(value, unit)

    out: dict = {}
    if rule.kind == RuleKind.GUARD:
        unit = img.channels[rule.channel].unit
        out["guard"] = {"actuator": names["actuators"][rule.actuator], "channel": names["channels"][rule.channel],
                        "above" if rule.above else "below": op("threshold", Operand.THRESHOLD, unit),
                        "for": op("hold", Operand.HOLD, "duration")}
        if rule.period or rule.operands & Operand.PERIOD:
            out["lockout"] = op("period", Operand.PERIOD, "duration")
        if orig and orig.description:
            out["description"] = orig.description
        return out
    if rule.kind == RuleKind.THRESHOLD:
        unit = img.channels[rule.channel].unit
        when = {"channel": names["channels"][rule.channel], "above" if rule.above else "below": op("threshold", Operand.THRESHOLD, unit)}
        if rule.hold or rule.operands & Operand.HOLD:
            when["for"] = op("hold", Operand.HOLD, "duration")
        if rule.hysteresis or rule.operands & Operand.HYSTERESIS:
            when["hysteresis"] = op("hysteresis", Operand.HYSTERESIS, unit)
        out["when"] = when
    else:
        out["every"] = op("period", Operand.PERIOD, "duration")
    if rule.interlock != NO_INDEX:
        chan = img.channels[rule.interlock]
        name = names["channels"][rule.interlock]
        spec = channel_kind(chan.kind)
        if (spec is not None and spec.binary and rule.interlock_above and rule.il_threshold == 500
                and not rule.operands & Operand.INTERLOCK):
            out["unless"] = name
        else:
            out["unless"] = {"channel": name, "above" if rule.interlock_above else "below":
                             op("il_threshold", Operand.INTERLOCK, chan.unit)}
    do: dict = {"actuator": names["actuators"][rule.actuator]}
    if rule.action == RuleAction.FOLLOW:
        do["while"] = True
    else:
        do["for"] = op("duration", Operand.DURATION, "duration")
    if rule.level != 255:
        do["level"] = rule.level
    out["do"] = do
    if rule.kind == RuleKind.THRESHOLD and (rule.period or rule.operands & Operand.PERIOD):
        out["cooldown"] = op("period", Operand.PERIOD, "duration")
    if orig and orig.description:
        out["description"] = orig.description
    return out
