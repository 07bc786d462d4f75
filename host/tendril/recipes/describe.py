"""Recipes in words: ``describe`` says what one does, ``diff`` what changes between two. Pure."""

from __future__ import annotations

from ..contract import ChannelKind, RuleAction, RuleKind
from . import model as m
from .provenance import lineage_words
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


def _calibration(c: m.Channel) -> str:
    if c.invert:
        return "inverted (1 when the pin is LOW)"
    parts = []
    for board, cal in c.calibration:
        where = "" if board == "*" else f" on {board}"
        if isinstance(cal, m.Linear):
            parts.append(f"value = {fmt_number(cal.gain)} x reading + {fmt_quantity(cal.offset, c.unit)}{where}")
        else:
            reads = " and ".join(f"{fmt_number(p.reading)}{' V' if p.volts else ''} reads {fmt_quantity(p.value, c.unit)}"
                                 for p in cal)
            parts.append(reads + where)
    return "; ".join(parts) or "none (the value is the reading)"


def rule_words(recipe: m.Recipe, rule: m.Rule, values: bool = True) -> str:
    """The rule in words; ``values``: show each parameter's default next to its name."""
    def _op(recipe: m.Recipe, value, unit, duration: bool = False) -> str:
        return _op_base(recipe, value, unit, duration, values)

    if rule.kind == RuleKind.THRESHOLD:
        unit = recipe.channel(rule.channel)[1].unit
        cond = f"when {rule.channel} is {'above' if rule.above else 'below'} {_op(recipe, rule.threshold, unit)}"
        if rule.hold:
            cond += f" for {_op(recipe, rule.hold, None, True)}"
    else:
        cond = f"every {_op(recipe, rule.period, None, True)}"
    level = f" at level {rule.level_text or rule.level}" if rule.level != 255 else ""
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


def _param_format(p: m.Parameter):
    return fmt_ms if p.duration else (lambda v: fmt_quantity(v, p.unit))


def describe(recipe: m.Recipe) -> str:
    """What the recipe does, in words, for `tendril recipe show`."""
    meta = recipe.meta
    lines = [f"{meta.name} {meta.version}: {meta.summary}"]
    if meta.author or meta.license or meta.lineage:
        lines.append(f"{lineage_words(meta)}; license {meta.license or 'not given'}")
    lines.append(f"boards: {', '.join(meta.boards)}" + (f"; tags: {', '.join(meta.tags)}" if meta.tags else ""))
    lines.append(f"reports values {'every ' + fmt_ms(meta.telemetry_ms) if meta.telemetry_ms else 'never'}")
    for c in recipe.channels:
        kind = {ChannelKind.ANALOG: "analog", ChannelKind.DIGITAL: "digital",
                ChannelKind.DIGITAL_PULLUP: "digital with pull-up"}[c.kind]
        lines.append(f"reads {c.name} ({kind} on {_pins(c.pins)}, in {symbol(c.unit) or 'no unit'}) every "
                     f"{fmt_ms(c.period_ms)}, smoothing {c.smoothing}; calibration: {_calibration(c)}")
    for a in recipe.actuators:
        kind = "PWM" if a.pwm else "relay"
        low = ", active-low" if a.active_low else ""
        lines.append(f"drives {a.name} ({kind} on {_pins(a.pins)}{low}): at most {fmt_ms(a.max_on_ms)} on at a time, "
                     f"{fmt_ms(a.min_off_ms)} rest between runs, {fmt_ms(a.daily_cap_ms)} a day; off at boot")
    for r in recipe.rules:
        lines.append(f"rule {r.name}: {rule_words(recipe, r)}")
    for p in recipe.params:
        fmt = _param_format(p)
        lines.append(f"parameter {p.name} = {fmt(p.default)} ({fmt(p.min)} .. {fmt(p.max)})"
                     + (f": {p.description}" if p.description else ""))
    return "\n".join(lines)


def _facts(recipe: m.Recipe) -> dict[tuple[str, str], str]:
    """(item, field) -> text, for every fact a push would change."""
    out: dict[tuple[str, str], str] = {}
    meta = recipe.meta
    for key in ("name", "version", "image_name", "summary", "author", "license", "derived_from"):
        out[("recipe", key)] = getattr(meta, key)
    out[("recipe", "boards")] = ", ".join(meta.boards)
    out[("recipe", "telemetry")] = fmt_ms(meta.telemetry_ms) if meta.telemetry_ms else "off"
    for p in recipe.params:
        fmt = _param_format(p)
        for key in ("default", "min", "max"):
            out[(f"parameter {p.name}", key)] = fmt(getattr(p, key))
    for c in recipe.channels:
        for key, text in (("pin", _pins(c.pins)), ("kind", c.kind.name.lower()), ("unit", symbol(c.unit) or "none"),
                          ("calibration", _calibration(c)), ("smoothing", str(c.smoothing)),
                          ("sample_every", fmt_ms(c.period_ms))):
            out[(c.name, key)] = text
    for a in recipe.actuators:
        for key, text in (("pin", _pins(a.pins)), ("kind", "pwm" if a.pwm else "relay"),
                          ("active_low", str(a.active_low).lower()), ("max_on", fmt_ms(a.max_on_ms)),
                          ("min_off", fmt_ms(a.min_off_ms)), ("daily_cap", fmt_ms(a.daily_cap_ms))):
            out[(a.name, key)] = text
    for r in recipe.rules:
        out[(f"rule {r.name}", "")] = rule_words(recipe, r, values=False)
    return out


def diff(a: m.Recipe, b: m.Recipe) -> list[str]:
    """What changes from ``a`` to ``b``, one line each, e.g. "pump max_on 5 s -> 8 s"."""
    fa, fb = _facts(a), _facts(b)
    lines = []
    for section, items_a, items_b in (("parameter", a.params, b.params), ("channel", a.channels, b.channels),
                                      ("actuator", a.actuators, b.actuators), ("rule", a.rules, b.rules)):
        names_a, names_b = [x.name for x in items_a], [x.name for x in items_b]
        lines += [f"removed {section} {n}" for n in names_a if n not in names_b]
        lines += [f"added {section} {n}" for n in names_b if n not in names_a]
    gone = {line.split(" ", 2)[2] for line in lines}
    for key in list(fa) + [k for k in fb if k not in fa]:
        item, field = key
        bare = item.split(" ", 1)[-1]
        if key in fa and key in fb and fa[key] != fb[key]:
            label = f"{item} {field}".strip()
            if field:
                lines.append(f"{label} {fa[key] or '(none)'} -> {fb[key] or '(none)'}")
            else:
                lines.append(f"{label}: {fa[key]} -> {fb[key]}")
        elif (key in fa) != (key in fb) and bare not in gone:
            lines.append(f"{item} {field}: {fa.get(key, '(none)')} -> {fb.get(key, '(none)')}")
    return lines
