"""A channel's `calibration`: two points, `{ gain, offset }`, or a table of those by board. Pure.

An analog channel's readings are ADC counts or volts at the pin; a sensor's channel's readings are
in its quantity's unit (`{ reading = "20 cm", value = "100 %" }`, docs/recipes.md, "Calibration").
"""

from __future__ import annotations

from decimal import Decimal

from ..contract import Unit
from .model import Linear, Point
from .reader import Reader
from .units import UnitError, fmt_number, quantity, split, symbol

MAX_GAIN = Decimal(2**31) / 65_536_000  # Q16.16 thousandths per count in an i32
MAX_SENSOR_GAIN = Decimal(2**31) / 65_536  # Q16.16 thousandths per thousandth in an i32


def parse_calibration(r: Reader, path, cal, unit: Unit, known, reading: Unit | None = None):
    """((board or "*", points or Linear), ...) or None. ``reading``: a sensor quantity's unit, which
    its readings are written in; None: an analog reading (ADC counts or volts)."""
    if isinstance(cal, dict) and cal and not {"gain", "offset"} & set(cal):  # by board
        entries = [(board, path + (board,), value) for board, value in cal.items()]
        for board, bpath, _ in entries:
            if board not in known:
                r.err(bpath, f"unknown board {board[:40]!r}; known boards: {', '.join(known)}")
                return None
    else:
        entries = [("*", path, cal)]
    out = []
    for board, bpath, value in entries:
        one = _calibration(r, bpath, value, unit, reading)
        if one is None:
            return None
        out.append((board, one))
    return tuple(out)


def _calibration(r: Reader, path, cal, unit: Unit, reading: Unit | None):
    if isinstance(cal, list):
        return _points(r, path, cal, unit, reading)
    if isinstance(cal, dict):
        return _linear(r, path, cal, unit, reading)
    example = "800" if reading is None else f"\"20 {symbol(reading)}\""
    r.err(path, f"expected two points [{{ reading = {example}, value = \"0 %\" }}, ...], {{ gain, offset }}, "
                "or a table of those by board")
    return None


def _points(r: Reader, path, cal: list, unit: Unit, reading: Unit | None):
    if len(cal) != 2:
        r.err(path, f"give exactly two points, not {len(cal)}: [{{ reading = 800, value = \"0 %\" }}, {{ reading = 350, value = \"100 %\" }}]")
        return None
    points = []
    for i, raw in enumerate(cal):
        p = r.table(path + (i,), raw, "point")
        if p is None:
            return None
        value = r.quantity(path + (i, "value"), p["value"], unit)
        number = (_analog_reading if reading is None else _sensor_reading)(r, path + (i, "reading"), p["reading"], reading)
        if value is None or number is None:
            return None
        points.append(Point(number[0], value, number[1]) if reading is None else Point(number, value))
    if points[0].reading == points[1].reading and points[0].volts == points[1].volts:
        r.err(path + (1, "reading"), "the two readings must differ")
        return None
    return tuple(points)


def _analog_reading(r: Reader, path, raw, _unit) -> tuple[Decimal, bool] | None:
    try:
        number, text = split(raw)
    except UnitError as exc:
        r.err(path, str(exc))
        return None
    volts = text is not None
    if volts:
        scale = {"v": 1, "mv": Decimal("0.001")}.get(text.lower())
        if scale is None:
            r.err(path, "a reading is an ADC count (800) or volts at the pin (\"2.5 V\")")
            return None
        number *= scale
    if not (0 <= number <= (10 if volts else 65535)) or (not volts and number != int(number)):
        r.err(path, "an ADC count is a whole number 0 .. 65535; volts 0 .. 10 V")
        return None
    return number, volts


def _sensor_reading(r: Reader, path, raw, unit: Unit) -> Decimal | None:
    """A sensor's reading, in its quantity's unit (thousandths kept exactly)."""
    try:
        return Decimal(quantity(raw, unit)).scaleb(-3)
    except UnitError as exc:
        r.err(path, f"{exc} (a reading is what the sensor gives, in {symbol(unit) or 'no unit'})")
        return None


def _linear(r: Reader, path, cal: dict, unit: Unit, reading: Unit | None):
    lin = r.table(path, cal, "linear")
    if lin is None:
        return None
    per = "count" if reading is None else (symbol(reading) or "unit of the reading")
    limit = MAX_GAIN if reading is None else MAX_SENSOR_GAIN
    try:
        gain, text = split(lin["gain"])
        if text is not None:
            raise UnitError(f"gain is a bare number: units per {per}")
    except UnitError as exc:
        r.err(path + ("gain",), str(exc))
        return None
    if abs(gain) > limit:
        r.err(path + ("gain",), f"gain must be within +-{fmt_number(round(limit, 3))} units per {per}")
        return None
    offset = r.quantity(path + ("offset",), lin["offset"], unit)
    return None if offset is None else Linear(gain, offset)
