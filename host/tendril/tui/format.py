"""Words and numbers for the screens: pure functions, no Textual, no I/O."""

from __future__ import annotations

import math
import time
from decimal import Decimal

from ..live import ActuatorView, BoardView, LinkState, ParamView
from ..recipes.units import UnitError, duration_ms, fmt_number, split, thousandths
from ..words import actuator_state_text, duration_text, owner_text, param_unit_text
from ..words import level_text  # noqa: F401 - the screens take it from here


def number(value: float | None, digits: int = 3) -> str:
    """A reading with up to ``digits`` decimals, trailing zeros cut: 35.5, 1, -0.25."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "–"
    text = f"{value:.{digits}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


NO_READING_TEXT = "no reading"  # a channel whose sensor gives no valid reading (TELEMETRY's marker)


def with_unit(value: float | None, unit: str) -> str:
    text = number(value)
    return f"{text} {unit}" if unit and value is not None else text


def ms_text(ms: int | None) -> str:
    """A duration for people: 950 ms, 4.2 s, 3 min 20 s, 2 h 05 min."""
    return "–" if ms is None else duration_text(ms)


def limit_text(ms: int) -> str:
    """max_on or daily_cap: a servo's 0 is no limit (rules.md, "Safety")."""
    return ms_text(ms) if ms else "none"


def param_value(p: ParamView, value: int | None = None) -> str:
    """A parameter's wire value (thousandths, or ms for a duration) in its unit."""
    v = p.value if value is None else value
    if p.duration:
        return f"{fmt_number(Decimal(v).scaleb(-3))} s"
    text = fmt_number(Decimal(v).scaleb(-3))
    unit = param_unit_text(p)
    return f"{text} {unit}" if unit else text


def parse_param(text: str, p: ParamView) -> int:
    """What the user typed for ``p`` as the wire value; a bare number is in the unit shown
    (seconds for a duration). Raises UnitError with a sentence when it is not valid."""
    text = text.strip()
    if not text:
        raise UnitError("type a value")
    if p.duration:
        number_, unit = split(text)
        if unit is None:
            ms = number_ * 1000
            if ms != ms.to_integral_value():
                raise UnitError(f"{text!r} is not a whole number of milliseconds")
            value = int(ms)
        else:
            value = duration_ms(text, exact=False)
    else:
        number_, unit = split(text)
        shown = param_unit_text(p)
        if unit is not None and unit.strip().lower() != shown.lower():
            raise UnitError(f"{text!r} is not in {shown or 'a bare number'}")
        value = thousandths(number_)
    if not p.min <= value <= p.max:
        raise UnitError(f"{param_value(p, value)} is outside {param_value(p, p.min)}"
                        f" .. {param_value(p, p.max)}")
    return value


def parse_seconds(text: str) -> int:
    """A run time typed as seconds ("5", "2.5") or a duration ("90 s", "2 min") -> ms."""
    if not text.strip():
        raise UnitError("enter how long to run, like 5 s")
    number_, unit = split(text.strip())
    if unit is None:
        ms = number_ * 1000
        if ms <= 0 or ms != int(ms):
            raise UnitError(f"{text!r}: give a positive number of seconds")
        return int(ms)
    ms = duration_ms(text, exact=False)
    if ms <= 0:
        raise UnitError(f"{text!r}: give a positive duration")
    return ms


def actuator_state(a: ActuatorView) -> str:
    return actuator_state_text(a.on, owner=owner_text(a.owner), ms_left=a.ms_left, level=a.level,
                               resting=a.resting, capped=a.capped, servo_safe=a.servo_safe,
                               locked=a.locked)


def board_line(view: BoardView) -> str:
    """A board in one line for the board list: where, what it runs, its link, what is on, and
    what needs a look (safe mode, paused, a channel with no reading)."""
    where = view.port.removeprefix("/dev/")
    parts = [f"{where} · {view.recipe or 'no recipe'}"]
    parts.append(view.state.value if view.state != LinkState.ONLINE else "online")
    if view.safe_mode:
        parts.append("SAFE MODE")
    if view.paused:
        parts.append("PAUSED")
    on = [a.name for a in view.actuators if a.on]
    parts.append(f"on: {', '.join(on)}" if on else "all off")
    dead = [c.name for c in view.channels if c.no_reading]
    if dead:
        parts.append(f"{NO_READING_TEXT}: {', '.join(dead)}")
    return "  ·  ".join(parts)


def parse_level(text: str) -> int:
    """A PWM level typed in percent ("40", "40 %", "100") -> the lease level 1..255."""
    digits = text.strip().removesuffix("%").strip()
    try:
        pct = float(digits)
    except ValueError:
        raise UnitError(f"{text!r}: give a level in percent, 1 to 100") from None
    if not 0 < pct <= 100:
        raise UnitError(f"{text!r}: give a level in percent, 1 to 100")
    return max(1, round(pct * 255 / 100))


def limits_text(a: ActuatorView) -> str:
    """The safety limits the board enforces for ``a``, and today's use."""
    left = f" (left {ms_text(max(0, a.daily_cap_ms - a.today_on_ms))})" if a.daily_cap_ms else ""
    return (f"max on {limit_text(a.max_on_ms)} · rest {ms_text(a.min_off_ms)} between runs"
            f" · daily cap {limit_text(a.daily_cap_ms)} · used today {ms_text(a.today_on_ms)}{left}")


def since_text(ms: int | None) -> str:
    return "never" if ms is None else f"{ms_text(ms)} ago"


def clock(t: float) -> str:
    """Host time of day, local: 14:03:07.250."""
    lt = time.localtime(t)
    return time.strftime("%H:%M:%S", lt) + f".{int((t % 1) * 1000):03d}"


def hex_dump(data: bytes, width: int = 16) -> list[str]:
    """Lines of 'xx xx ..  |text|' for the raw console."""
    out = []
    for i in range(0, len(data), width):
        chunk = data[i:i + width]
        hexes = " ".join(f"{b:02x}" for b in chunk)
        text = "".join(chr(b) if 32 <= b < 127 else "." for b in chunk)
        out.append(f"{hexes:<{width * 3 - 1}}  |{text}|")
    return out


SPANS = {"1 min": 60.0, "10 min": 600.0, "1 h": 3600.0, "24 h": 86400.0}
