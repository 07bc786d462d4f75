"""Human units: "5 s", "30 min", "35 %", "2.5 V", "25 °C". Pure.

Quantities are kept as integer thousandths of their unit (what the config image stores); durations
as integer milliseconds. Numbers come in as str, int or Decimal (recipes are read with
``parse_float=Decimal``, so nothing is lost to binary floating point).
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from ..contract import DUR_MAX_MS, UNIT_SYMBOLS, VALUE_LIMIT, Unit
from ..image.dur import ms_to_dur16

UNITS: dict[str, Unit] = {sym.lower(): unit for unit, sym in UNIT_SYMBOLS.items() if sym}
UNITS.update({
    "percent": Unit.PERCENT, "c": Unit.CELSIUS, "degc": Unit.CELSIUS,
    "f": Unit.FAHRENHEIT, "degf": Unit.FAHRENHEIT, "volt": Unit.VOLT, "volts": Unit.VOLT,
    "lux": Unit.LUX, "none": Unit.NONE,
    "litre": Unit.LITRE, "litres": Unit.LITRE, "liter": Unit.LITRE, "liters": Unit.LITRE,
    "l/m": Unit.LITRE_PER_MIN, "lpm": Unit.LITRE_PER_MIN,
    # a pulse counter's readings are plain numbers; a calibration point may say what they count
    "count": Unit.NONE, "counts": Unit.NONE, "pulse": Unit.NONE, "pulses": Unit.NONE,
})
# Units whose values may also be written as bare numbers.
BARE_OK = (Unit.NONE, Unit.BOOL)

TIME_UNITS: dict[str, int] = {
    "ms": 1, "s": 1000, "sec": 1000, "secs": 1000, "second": 1000, "seconds": 1000,
    "min": 60_000, "mins": 60_000, "minute": 60_000, "minutes": 60_000,
    "h": 3_600_000, "hr": 3_600_000, "hour": 3_600_000, "hours": 3_600_000,
    "d": 86_400_000, "day": 86_400_000, "days": 86_400_000,
}
VALUE_MAX = Decimal(VALUE_LIMIT) / 1000  # 1,000,000 units
NUMBER = r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)"
_SPLIT = re.compile(rf"^\s*({NUMBER})\s*(.*?)\s*$")
DURATION_PATTERN = rf"^\s*{NUMBER}\s*(?:{'|'.join(sorted(TIME_UNITS, key=len, reverse=True))})\s*$"


class UnitError(ValueError):
    """A value that is not what its key needs; the message says what would be."""


def split(value) -> tuple[Decimal, str | None]:
    """``"35 %"`` -> ``(Decimal(35), "%")``; a bare number -> ``(number, None)``."""
    if isinstance(value, bool):
        raise UnitError(f"expected a number with a unit, not {str(value).lower()}")
    if isinstance(value, int):
        return Decimal(value), None
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise UnitError(f"{value} is not a number tendril can use")
        return value, None
    if isinstance(value, float):  # not from tomllib (parse_float=Decimal), but callers may pass one
        return split(Decimal(repr(value)))
    if not isinstance(value, str):
        raise UnitError(f"expected a number with a unit, like \"30 %\" or \"5 s\", not a {_kind(value)}")
    match = _SPLIT.match(value)
    if not match or len(value) > 40:
        raise UnitError(f"{value!r} is not a number with a unit, like \"30 %\" or \"5 s\"")
    try:
        number = Decimal(match.group(1))
    except InvalidOperation:  # pragma: no cover - the pattern only admits valid numbers
        raise UnitError(f"{value!r} is not a number")
    return number, (match.group(2) or None)


def _kind(value) -> str:
    return {dict: "table", list: "list"}.get(type(value), type(value).__name__)


def unit_of(text: str) -> Unit:
    unit = UNITS.get(text.strip().lower())
    if unit is None:
        known = ", ".join(sorted({s for s in UNIT_SYMBOLS.values() if s}))
        raise UnitError(f"unknown unit {text!r}; known units: {known}")
    return unit


def symbol(unit: Unit) -> str:
    return UNIT_SYMBOLS[unit]


def thousandths(number: Decimal, what: str = "value") -> int:
    if abs(number) > VALUE_MAX:
        raise UnitError(f"{what} {fmt_number(number)} is outside -1000000 .. 1000000")
    scaled = number * 1000
    if scaled != scaled.to_integral_value():
        raise UnitError(f"{what} {fmt_number(number)} has more than 3 decimals")
    return int(scaled)


def quantity(value, unit: Unit) -> int:
    """A value in ``unit`` as thousandths; the unit must be written unless the unit allows bare numbers."""
    number, text = split(value)
    if text is None:
        if unit not in BARE_OK:
            raise UnitError(f"give a unit: \"{fmt_number(number)} {symbol(unit)}\"")
    elif text.lower() in TIME_UNITS:
        raise UnitError(f"{value!r} is a duration; expected a value in {_unit_name(unit)}")
    elif unit_of(text) != unit:
        raise UnitError(f"{value!r} is not in {_unit_name(unit)}; write it like \"{fmt_number(number)} {symbol(unit)}\"")
    return thousandths(number)


def _unit_name(unit: Unit) -> str:
    return symbol(unit) or "no unit (a bare number)"


def duration_ms(value, exact: bool = True) -> int:
    """A duration in ms. ``exact``: it must also fit a dur16 (every image duration does)."""
    number, text = split(value)
    if text is None:
        raise UnitError(f"give a time unit: \"{fmt_number(number)} s\" (ms, s, min, h, d)")
    size = TIME_UNITS.get(text.lower())
    if size is None:
        raise UnitError(f"{value!r} is not a duration; use ms, s, min, h or d, like \"5 s\"")
    if number < 0:
        raise UnitError(f"{value!r} is negative; durations are 0 or more")
    ms = number * size
    if ms > DUR_MAX_MS:
        raise UnitError(f"{value!r} is above the longest duration, {fmt_ms(DUR_MAX_MS)} (11.4 days)")
    if ms != ms.to_integral_value():
        raise UnitError(f"{value!r} is not a whole number of milliseconds")
    ms = int(ms)
    if exact:
        try:
            ms_to_dur16(ms)
        except ValueError as exc:
            raise UnitError(f"{value!r}: {exc}") from None
    return ms


def fmt_number(number: Decimal | int) -> str:
    text = format(Decimal(number), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def fmt_quantity(thousandths_value: int, unit: Unit | None) -> str:
    """35000, % -> "35 %"; a unit-less value is its bare number."""
    number = fmt_number(Decimal(thousandths_value).scaleb(-3))
    sym = symbol(unit) if unit is not None else ""
    return f"{number} {sym}" if sym else number


def fmt_ms(ms: int) -> str:
    """A duration in the largest unit that shows it as a whole number: 90000 -> "90 s"."""
    for size, name in ((86_400_000, "d"), (3_600_000, "h"), (60_000, "min"), (1000, "s")):
        if ms and ms % size == 0:
            return f"{ms // size} {name}"
    return f"{ms} ms"
