"""The [rules.*] tables: conditions, timers, interlocks and actions, checked against the recipe's
channels, actuators and parameters."""

from __future__ import annotations

import re

from ..contract import DUR_MAX_MS, MIN_INTERVAL_MS, SERVO_MAX_DEG, VALUE_LIMIT, RuleAction, RuleKind, Unit, channel_kind
from .model import Actuator, Channel, Parameter, ParamRef, Rule
from .reader import Reader, type_name
from .schema import LIMITS, NAME_PATTERN
from .units import BARE_OK, UnitError, fmt_ms, fmt_quantity, split, symbol

INTERLOCK_TRUE = 500  # `unless = "name"`: blocked while the digital channel's value is above 0.5


class _Ctx:
    def __init__(self, r: Reader, params, channels, actuators, declared: set[str]) -> None:
        self.r = r
        self.declared = declared  # every name written, even of items that had errors
        self.params = {p.name: p for p in params}
        self.channels = {c.name: c for c in channels}
        self.actuators = {a.name: a for a in actuators}

    def ref(self, path, value, what: str, table: dict):
        if not isinstance(value, str) or not re.fullmatch(NAME_PATTERN, value):
            self.r.err(path, f"expected the name of one of the recipe's {what}, not {str(value)[:40]!r}")
            return None
        if value not in table:
            if value in self.declared:  # its own error is already reported
                return None
            known = ", ".join(table) or "none defined"
            self.r.err(path, f"no {what[:-1]} named {value!r}; {what}: {known}")
            return None
        return value

    def duration(self, path, value, lo: int, why: str):
        """A duration literal or a duration parameter, at least ``lo`` ms."""
        ref = self.r.param_ref(path, value)
        if ref is not None:
            p = self._param(path, ref)
            if p is None:
                return None
            if not p.duration:
                self.r.err(path, f"parameter {ref} is not a duration; {why} needs one, like \"4 s\"")
                return None
            if p.min < lo or p.max > DUR_MAX_MS:
                self.r.err(path, f"parameter {ref} ranges {fmt_ms(p.min)} .. {fmt_ms(p.max)}; {why} needs "
                                 f"{fmt_ms(lo)} .. {fmt_ms(DUR_MAX_MS)}: change its min or max")
                return None
            return ref
        ms = self.r.duration(path, value)
        if ms is not None and ms < lo:
            self.r.err(path, f"{why} must be at least {fmt_ms(lo)}")
            return None
        return ms

    def quantity(self, path, value, unit: Unit, lo: int = -VALUE_LIMIT):
        """A value in ``unit`` or a parameter in that unit, at least ``lo`` (thousandths)."""
        ref = self.r.param_ref(path, value)
        if ref is not None:
            p = self._param(path, ref)
            if p is None:
                return None
            if p.duration or not (p.unit == unit or (p.unit is None and unit in BARE_OK)):
                have = "a duration" if p.duration else f"in {symbol(p.unit) if p.unit is not None else 'no unit'}"
                self.r.err(path, f"parameter {ref} is {have}; this needs a value in {symbol(unit) or 'no unit'}")
                return None
            if p.min < lo:
                self.r.err(path, f"parameter {ref} may go down to {fmt_quantity(p.min, p.unit)}; "
                                 f"this must stay at least {fmt_quantity(lo, unit)}: raise its min")
                return None
            return ref
        v = self.r.quantity(path, value, unit)
        if v is not None and v < lo:
            self.r.err(path, f"must be at least {fmt_quantity(lo, unit)}")
            return None
        return v

    def _param(self, path, ref: ParamRef) -> Parameter | None:
        if not ref.name:
            return None
        p = self.params.get(ref.name)
        if p is None and ref.name not in self.declared:
            known = ", ".join("$" + n for n in self.params) or "none defined"
            self.r.err(path, f"no parameter named {ref.name!r}; parameters: {known}")
        return p


def parse_rules(r: Reader, raw, params: list[Parameter], channels: list[Channel],
                actuators: list[Actuator], seen: dict[str, str], declared: set[str] = frozenset()) -> list[Rule]:
    if raw is None:
        return []
    if not isinstance(raw, dict):
        r.err(("rules",), f"expected a table of named rules, like [rules.water], not {type_name(raw)}")
        return []
    if len(raw) > LIMITS["items"]:
        r.err(("rules",), f"{len(raw)} rules is above the limit of {LIMITS['items']}")
        return []
    ctx = _Ctx(r, params, channels, actuators, set(declared))
    out = []
    for name, value in raw.items():
        path = ("rules", name)
        if not re.fullmatch(NAME_PATTERN, name):
            r.err(path, f"{name[:40]!r} is not a valid name: a lowercase letter, then up to 31 of a-z 0-9 _")
            continue
        if name in seen:
            r.err(path, f"the name {name!r} is already used by {seen[name]}; names must be unique")
            continue
        seen[name] = f"rules.{name}"
        rule = _rule(ctx, path, name, value)
        if rule is not None:
            out.append(rule)
    return out


def _rule(ctx: _Ctx, path, name: str, raw) -> Rule | None:
    r = ctx.r
    t = r.table(path, raw, "rule")
    if t is None:
        return None
    fields: dict = {"name": name}
    if "guard" in t:
        return _guard(ctx, path, name, t)
    for key in ("lockout",):
        if key in t:
            r.err(path + (key,), "only a guard has a lockout")
    if "do" not in t:
        r.err(path, "missing key 'do' (the action)")
        return None
    if "when" in t:
        fields["kind"] = RuleKind.THRESHOLD
        when = r.table(path + ("when",), t["when"], "when")
        if when is None:
            return None
        wp = path + ("when",)
        channel = ctx.ref(wp + ("channel",), when["channel"], "channels", ctx.channels)
        if channel is None:
            return None
        unit = ctx.channels[channel].unit
        above = "above" in when
        fields.update(channel=channel, above=above,
                      threshold=ctx.quantity(wp + ("above" if above else "below",), when["above" if above else "below"], unit),
                      hysteresis=ctx.quantity(wp + ("hysteresis",), when["hysteresis"], unit, 0) if "hysteresis" in when else 0,
                      hold=ctx.duration(wp + ("for",), when["for"], 0, "a hold time") if "for" in when else 0,
                      period=ctx.duration(path + ("cooldown",), t["cooldown"], 0, "a cooldown") if "cooldown" in t else 0)
    else:
        fields["kind"] = RuleKind.INTERVAL
        if "cooldown" in t:
            r.err(path + ("cooldown",), "interval rules have no cooldown: the interval (every) spaces their runs")
        fields["period"] = ctx.duration(path + ("every",), t["every"], MIN_INTERVAL_MS, "an interval")
    if "unless" in t:
        fields.update(_unless(ctx, path + ("unless",), t["unless"]) or {"interlock": None, "bad": True})
    do = r.table(path + ("do",), t["do"], "do")
    if do is None:
        return None
    dp = path + ("do",)
    actuator = ctx.ref(dp + ("actuator",), do["actuator"], "actuators", ctx.actuators)
    if actuator is None:
        return None
    fields["actuator"] = actuator
    if "while" in do:
        if do["while"] is not True:
            r.err(dp + ("while",), "write while = true: on while the condition holds")
            return None
        if fields["kind"] == RuleKind.INTERVAL:
            r.err(dp + ("while",), "an interval rule has no condition to follow; give for = \"10 s\"")
            return None
        fields["action"] = RuleAction.FOLLOW
    else:
        fields["action"] = RuleAction.PULSE
        fields["duration"] = ctx.duration(dp + ("for",), do["for"], 1, "a pulse")
    if "level" in do:
        level = _level(ctx, dp + ("level",), do["level"], ctx.actuators[actuator])
        if level is None:
            return None
        fields["level"], fields["level_text"] = level
    if "description" in t:
        fields["description"] = r.text(path + ("description",), t["description"], LIMITS["description"])
    if any(v is None for k, v in fields.items() if k not in ("channel", "interlock")) or fields.pop("bad", False):
        return None
    return Rule(**fields)


def _guard(ctx: _Ctx, path, name: str, t: dict) -> Rule | None:
    """A guard (rules.md "Guards"): `guard = { actuator, channel, below/above, for }`, `lockout`."""
    r = ctx.r
    for key, why in (("do", "a guard only stops its actuator: it drives nothing"),
                     ("unless", "a guard has no interlock: it is one"),
                     ("cooldown", "a guard has no cooldown; its lockout says how long the actuator stays off")):
        if key in t:
            r.err(path + (key,), why)
    gp = path + ("guard",)
    g = r.table(gp, t["guard"], "guard")
    if g is None or any(key in t for key in ("do", "unless", "cooldown")):
        return None
    actuator = ctx.ref(gp + ("actuator",), g["actuator"], "actuators", ctx.actuators)
    channel = ctx.ref(gp + ("channel",), g["channel"], "channels", ctx.channels)
    if actuator is None or channel is None:
        return None
    above = "above" in g
    key = "above" if above else "below"
    fields = dict(name=name, kind=RuleKind.GUARD, actuator=actuator, action=0, level=0, channel=channel, above=above,
                  threshold=ctx.quantity(gp + (key,), g[key], ctx.channels[channel].unit),
                  hold=ctx.duration(gp + ("for",), g["for"], 0, "a guard's time"),
                  period=ctx.duration(path + ("lockout",), t["lockout"], 1, "a lockout") if "lockout" in t else 0)
    if "description" in t:
        fields["description"] = r.text(path + ("description",), t["description"], LIMITS["description"])
    if any(v is None for v in fields.values()):
        return None
    return Rule(**fields)


def _unless(ctx: _Ctx, path, raw) -> dict | None:
    if isinstance(raw, str):
        channel = ctx.ref(path, raw, "channels", ctx.channels)
        if channel is None:
            return None
        spec = channel_kind(ctx.channels[channel].kind)
        if spec is None or not spec.binary or ctx.channels[channel].sensor is not None:
            what = spec.name if spec is not None else "a sensor's channel"
            ctx.r.err(path, f"{channel} is {what}; say when it blocks: unless = {{ channel = \"{channel}\", below = \"...\" }}")
            return None
        return {"interlock": channel, "interlock_above": True, "il_threshold": INTERLOCK_TRUE, "interlock_short": True}
    u = ctx.r.table(path, raw, "unless")
    if u is None:
        return None
    channel = ctx.ref(path + ("channel",), u["channel"], "channels", ctx.channels)
    if channel is None:
        return None
    above = "above" in u
    key = "above" if above else "below"
    value = ctx.quantity(path + (key,), u[key], ctx.channels[channel].unit)
    if value is None:
        return None
    return {"interlock": channel, "interlock_above": above, "il_threshold": value}


def _level(ctx: _Ctx, path, raw, actuator: Actuator) -> tuple[int, str] | None:
    if actuator.servo:  # a position in degrees, inside the servo's limits
        lo, hi, _safe = actuator.servo
        deg = degrees(ctx.r, path, raw)
        if deg is None:
            return None
        if not lo <= deg <= hi or deg == 0:
            ctx.r.err(path, f"{deg} ° is outside {actuator.name}'s limits ({lo} .. {hi} °, and above 0)")
            return None
        return deg, raw if isinstance(raw, str) else str(raw)
    if not actuator.pwm:
        ctx.r.err(path, f"{actuator.name} is a relay: it is simply on; level is for pwm actuators")
        return None
    if isinstance(raw, int) and not isinstance(raw, bool):
        if 1 <= raw <= 255:
            return raw, str(raw)
        ctx.r.err(path, f"{raw} is outside 1 .. 255")
        return None
    try:
        number, text = split(raw)
        if text != "%":
            raise UnitError("give a duty 1 .. 255 or a percentage like \"50 %\"")
        if not 0 < number <= 100:
            raise UnitError("a percentage level must be above 0 % and at most 100 %")
    except UnitError as exc:
        ctx.r.err(path, str(exc))
        return None
    return max(1, int((number * 255 / 100).to_integral_value())), raw


def degrees(r: Reader, path, raw) -> int | None:
    """A servo position: 0 .. 180, a bare number or with its unit ("90 °", "90°", "90 deg")."""
    value = raw
    if isinstance(raw, str):
        text = raw.strip()
        for unit in ("°", "deg"):
            if text.endswith(unit):
                text = text[: -len(unit)].strip()
                break
        value = int(text) if text.isdigit() else None
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= SERVO_MAX_DEG:
        r.err(path, f"{raw!r} is not a position: give whole degrees 0 .. {SERVO_MAX_DEG} (\"90 °\")")
        return None
    return value

