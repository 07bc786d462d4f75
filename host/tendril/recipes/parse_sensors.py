"""The recipe's `[sensors.name]` tables and the channels that take a sensor's quantity. Pure.

A sensor is a device on a pin of its own (a DS18B20 probe on a 1-Wire bus) with its own read period
and options; a channel names it with `sensor = "name"` (and `quantity`, when the kind gives more than
one) instead of `pin` and `kind` (docs/recipes.md, "Sensors").
"""

from __future__ import annotations

from ..contract import (BH1750_ADDRESSES, CHANNEL_FROM_SENSOR, I2C_BUS, Unit, MAX_SAMPLE_MS, MAX_SMOOTHING,
                        SENSOR_KINDS_BY_NAME, SensorKind, onewire_crc8, sensor_kind)
from .model import Channel, Sensor
from .parse_calib import parse_calibration
from .reader import Reader, type_name
from .schema import LIMITS
from .units import UnitError, fmt_ms, fmt_quantity, split, unit_of

DEFAULT_PERIOD_MS = 2000
ONLY = "only"  # `rom = "only"`: the only device on its pin (an all-zero ROM code in the image)


def parse_rom(text: str, family: int) -> bytes | str:
    """The 8 bytes of ROM code ``text`` (16 hex digits, family byte first), or why it is not one."""
    if text == ONLY:
        return bytes(8)
    try:
        rom = bytes.fromhex(text) if len(text) == 16 else b""
    except ValueError:
        rom = b""
    if len(rom) != 8:
        return "a ROM code is 64 bits: 16 hex digits, family byte first, like \"28ff641e8316034c\", or \"only\""
    if onewire_crc8(rom) != 0:
        return f"{text} fails its CRC-8 (its last byte should be {onewire_crc8(rom[:7]):02x}): a digit is wrong"
    if rom[0] != family:
        return f"{text} is not this kind's: its family byte is {rom[0]:02x}, a DS18B20's is {family:02x}"
    return rom


def fmt_rom(rom: bytes) -> str:
    return rom.hex() if any(rom) else ONLY


def parse_sensor(r: Reader, path, name: str, raw, known, pins_of) -> Sensor | None:
    s = r.table(path, raw, "sensor")
    if s is None:
        return None
    spec = SENSOR_KINDS_BY_NAME.get(s["kind"]) if isinstance(s["kind"], str) else None
    if spec is None:
        r.err(path + ("kind",), f"expected one of {', '.join(SENSOR_KINDS_BY_NAME)}")
        return None
    pins, pins2 = _pins(r, path, s, spec, known, pins_of)
    for key in ("pin", "echo", "sda", "scl"):  # every kind's pin key the schema knows
        if key in s and key not in (spec.pin_name, spec.pin2_name):
            r.err(path + (key,), f"a {spec.name} has no `{key}`: it is on the board's I2C bus (`sda` and `scl`, "
                                 "both optional)" if spec.bus == I2C_BUS else f"a {spec.name} has no {key} pin")
    options = list(spec.option_defaults)
    for k, (lo, hi) in enumerate(spec.options):
        key = spec.option_names[k] if k < len(spec.option_names) else None
        if key and key in s:
            options[k] = _address(r, path, s[key], spec) if key == "address" else r.integer(path + (key,), s[key], lo, hi)
    for key in ("resolution", "debounce_ms", "per_minute", "address"):  # every kind's option keys the schema knows
        if key in s and key not in spec.option_names:
            r.err(path + (key,), f"a {spec.name} has no {key}")
    period = DEFAULT_PERIOD_MS
    if "read_every" in s:
        period = r.duration(path + ("read_every",), s["read_every"])
        if period is not None and not spec.min_period_ms <= period <= MAX_SAMPLE_MS:
            r.err(path + ("read_every",), f"a {spec.name} is read every {fmt_ms(spec.min_period_ms)} .. 60 s")
            period = None
    rom = bytes(8)
    if "rom" in s and not spec.family:
        r.err(path + ("rom",), f"a {spec.name} has no ROM code (only 1-Wire devices do)")
        rom = None
    elif "rom" in s:
        text = r.text(path + ("rom",), s["rom"], 40)  # longer: the words below say why
        got = parse_rom(text.lower(), spec.family) if text is not None else None
        if isinstance(got, str):
            r.err(path + ("rom",), got)
        rom = got if isinstance(got, bytes) else None
    desc = r.text(path + ("description",), s["description"], LIMITS["description"]) if "description" in s else ""
    if None in (pins, pins2, period, rom, desc) or None in options:
        return None
    return Sensor(name, spec.code, pins, tuple(options), period, rom, desc, pins2)


def _pins(r: Reader, path, s: dict, spec, known, pins_of) -> tuple:
    """The sensor's pins: `pin` (and its second pin's key); an I2C kind's `sda` and `scl`, both
    optional (() : the board's bus, which the compiler looks up)."""
    if spec.bus == I2C_BUS:
        return tuple(pins_of(r, path + (key,), s[key], known) if key in s else () for key in ("sda", "scl"))
    if "pin" not in s:
        r.err(path, f"missing key 'pin' (a {spec.name}'s pin, or a table of them by board)")
        return None, None
    pins = pins_of(r, path + ("pin",), s["pin"], known)
    pins2 = ()
    if spec.pin2_name and spec.pin2_name not in s:
        r.err(path, f"a {spec.name} needs {spec.pin2_name} = \"...\" too: its second pin")
        pins2 = None
    elif spec.pin2_name:
        pins2 = pins_of(r, path + (spec.pin2_name,), s[spec.pin2_name], known)
    return pins, pins2


def _address(r: Reader, path, value, spec) -> int | None:
    """An I2C part's address: in its kind's range (a BH1750 has only its two)."""
    (lo, hi) = spec.options[0]
    got = r.integer(path + ("address",), value, 0, 127)
    allowed = BH1750_ADDRESSES if spec.code == SensorKind.BH1750 else range(lo, hi + 1)
    if got is not None and got not in allowed:
        words = " or ".join(f"0x{a:02X}" for a in allowed) if len(allowed) <= 2 else f"0x{lo:02X} .. 0x{hi:02X}"
        r.err(path + ("address",), f"a {spec.name} answers at {words}, not 0x{got:02X}")
        return None
    return got


def parse_sensor_channel(r: Reader, path, name: str, c: dict, sensors: list[Sensor], written: set,
                          known) -> Channel | None:
    """A channel written with `sensor = "name"`: its reading is the sensor's, in its quantity's unit,
    or what a calibration makes of it. ``written``: every sensor name in the recipe, even of sensors
    that had errors (reported there); ``known``: the board names (a calibration by board)."""
    for key in ("kind", "invert"):
        if key in c:
            why = {"kind": "the sensor's kind says how it is read",
                   "invert": "only a pin that reads 0 or 1 inverts"}[key]
            r.err(path + (key,), f"not for a sensor's channel: {why}")
    target = c["sensor"]
    sensor = next((s for s in sensors if s.name == target), None) if isinstance(target, str) else None
    if sensor is None and target in written:
        return None
    if sensor is None:
        known = ", ".join(s.name for s in sensors) or "none: add a [sensors.name] table"
        r.err(path + ("sensor",), f"no sensor named {str(target)[:40]!r}; sensors: {known}")
        return None
    spec = sensor_kind(sensor.kind)
    quantity = 0
    if "quantity" in c:
        q = c["quantity"]
        if q not in spec.quantities:
            r.err(path + ("quantity",), f"a {spec.name} gives {', '.join(spec.quantities)}, not {str(q)[:40]!r}")
            return None
        quantity = spec.quantities.index(q)
    reading = spec.units[quantity]
    unit = _unit(r, path, c, spec, quantity)
    calibration = ()
    if "calibration" in c and unit is not None:
        calibration = parse_calibration(r, path + ("calibration",), c["calibration"], unit, known, reading)
    if unit is None or calibration is None:
        return None
    smoothing = r.integer(path + ("smoothing",), c["smoothing"], 0, MAX_SMOOTHING) if "smoothing" in c else 0
    period = sensor.period_ms
    if "sample_every" in c:
        period = r.duration(path + ("sample_every",), c["sample_every"])
        if period is not None and period < sensor.period_ms:
            r.err(path + ("sample_every",), f"{name} would sample faster than {sensor.name} is read "
                                            f"({fmt_ms(sensor.period_ms)}) and go stale; leave it out")
            return None
        if period is not None and period > MAX_SAMPLE_MS:
            r.err(path + ("sample_every",), "sample period must be 1 ms .. 60 s")
            return None
    desc = r.text(path + ("description",), c["description"], LIMITS["description"]) if "description" in c else ""
    if None in (smoothing, period, desc):
        return None
    return Channel(name, (), CHANNEL_FROM_SENSOR, unit, calibration, False, smoothing, period, desc,
                   sensor=sensor.name, quantity=quantity, reading_unit=reading)


def _unit(r: Reader, path, c: dict, spec, quantity: int) -> Unit | None:
    """The channel's unit: the quantity's; with a calibration, the `unit` key's or its values'."""
    unit = spec.units[quantity]
    calibrated = "calibration" in c
    text = c["unit"] if "unit" in c else _values_unit(c["calibration"]) if calibrated else None
    if text is None:
        return unit
    try:
        if not isinstance(text, str):
            raise UnitError(f"expected a unit like \"°C\", not {type_name(text)}")
        if calibrated:
            return unit_of(text)
        if unit_of(text) != unit:
            raise UnitError(f"a {spec.name}'s {spec.quantities[quantity]} is in {unit_words(unit)}; "
                            "a calibration makes it something else")
    except UnitError as exc:
        r.err(path + ("unit",) if "unit" in c else path + ("calibration",), str(exc))
        return None
    return unit


def _values_unit(cal) -> str | None:
    """The unit the first calibration point's value is written in ("100 %" -> "%"), if any."""
    while isinstance(cal, dict) and cal and not {"gain", "offset"} & set(cal):  # by board: the first
        cal = next(iter(cal.values()))
    first = cal[0] if isinstance(cal, list) and cal else cal
    value = first.get("value", first.get("offset")) if isinstance(first, dict) else None
    try:
        return split(value)[1] or "none"
    except UnitError:
        return None


def unit_words(unit) -> str:
    return fmt_quantity(0, unit).partition(" ")[2]
