"""Recipe text -> Recipe: strict, every problem reported with file, line and key path. Pure."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable
from dataclasses import replace
from decimal import Decimal

from ..contract import DAY_MS, I2C_BUS, KINDS_BY_NAME, MAX_SAMPLE_MS, MAX_SMOOTHING, SERVO_MAX_DEG, Unit, sensor_kind
from .issues import RecipeError, Reporter
from .locate import Locator, TooDeep
from .model import Actuator, Channel, Meta, Parameter, Recipe, Sensor
from .parse_calib import parse_calibration
from .parse_rules import degrees as _degrees, parse_rules
from .parse_sensors import parse_sensor, parse_sensor_channel
from .provenance import read_authors, read_lineage
from .reader import Reader, type_name
from .schema import (
    BOARD_PATTERN,
    I2C_SPEEDS,
    IMAGE_NAME_PATTERN,
    LIMITS,
    NAME_PATTERN,
    RECIPE_NAME_PATTERN,
    SEMVER_PATTERN,
    TAG_PATTERN,
)
from .units import TIME_UNITS, UnitError, duration_ms, split, thousandths, unit_of

_LINE = re.compile(r"at line (\d+)")


def image_name_for(name: str) -> str:
    """The short name stored in the image: the recipe name cut to 12 characters."""
    return name[:12].rstrip("-")


def parse(text: str | bytes, file: str = "recipe.toml", known_boards: Iterable[str] | None = None) -> Recipe:
    """Read recipe ``text``. Raises RecipeError listing every problem found."""
    if known_boards is None:
        from ..boards import board_names
        known_boards = board_names()
    known = tuple(known_boards)
    size = len(text)
    if size > LIMITS["file_bytes"]:
        raise RecipeError([Reporter(file).issue_at((), f"{size} bytes is above the recipe size limit of {LIMITS['file_bytes']}", 1)])
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise RecipeError([Reporter(file).issue_at((), f"not UTF-8 text (byte {exc.start})", 1)]) from None
    try:
        locate = Locator(text, LIMITS["depth"])
    except TooDeep as exc:
        raise RecipeError([Reporter(file).issue_at((), f"nested deeper than {LIMITS['depth']} levels", exc.line)]) from None
    try:
        data = tomllib.loads(text, parse_float=Decimal)
    except tomllib.TOMLDecodeError as exc:
        match = _LINE.search(str(exc))
        line = int(match.group(1)) if match else 1
        raise RecipeError([Reporter(file).issue_at((), f"not valid TOML: {exc}", line)]) from None
    except RecursionError:
        raise RecipeError([Reporter(file).issue_at((), "nested too deeply", 1)]) from None
    r = Reader(file, locate)
    top = r.table((), data, "top") or {}
    meta = _meta(r, top.get("recipe"), known)
    params = _section(r, top, "parameters", _param)
    sensors = _i2c_bus(r, top.get("i2c"), _section(r, top, "sensors", parse_sensor, known, _pins))
    written = set(top["sensors"]) if isinstance(top.get("sensors"), dict) else set()
    channels = _section(r, top, "channels", _channel, known, (sensors, written))
    actuators = _section(r, top, "actuators", _actuator, known)
    seen: dict[str, str] = {}
    for section, items in (("parameters", params), ("sensors", sensors), ("channels", channels),
                           ("actuators", actuators)):
        for item in items:
            if item.name in seen:
                r.err((section, item.name), f"the name {item.name!r} is already used by {seen[item.name]}; names must be unique")
            seen.setdefault(item.name, f"{section}.{item.name}")
    declared = {name for key in ("parameters", "sensors", "channels", "actuators")
                if isinstance(top.get(key), dict) for name in top[key]}
    rules = parse_rules(r, top.get("rules"), params, channels, actuators, seen, declared)
    r.raise_if_any()
    return Recipe(meta=meta, params=tuple(params), channels=tuple(channels), actuators=tuple(actuators),
                  rules=tuple(rules), sensors=tuple(sensors), file=file, locate=locate, text=text)


def _i2c_bus(r: Reader, raw, sensors: list[Sensor]) -> list[Sensor]:
    """``[i2c] speed``: every I2C sensor's option byte 1 (the bus runs at one speed)."""
    if raw is None or (t := r.table(("i2c",), raw, "i2c")) is None or "speed" not in t:
        return sensors
    speed = t["speed"]
    if speed not in I2C_SPEEDS:
        r.err(("i2c", "speed"), f"{str(speed)[:40]!r} is not a bus speed: {' or '.join(map(repr, I2C_SPEEDS))}")
        return sensors
    if not any(sensor_kind(sn.kind).bus == I2C_BUS for sn in sensors):
        r.err(("i2c",), "[i2c] sets the speed of the I2C sensors' bus, and this recipe has no I2C sensor")
        return sensors
    code = I2C_SPEEDS.index(speed)
    return [replace(sn, options=(sn.options[0], code, sn.options[2])) if sensor_kind(sn.kind).bus == I2C_BUS else sn
            for sn in sensors]


def _section(r: Reader, top: dict, key: str, parse_item, *extra) -> list:
    raw = top.get(key, {})
    if not isinstance(raw, dict):
        r.err((key,), f"expected a table of named {key}, like [{key}.name], not {type_name(raw)}")
        return []
    if len(raw) > LIMITS["items"]:
        r.err((key,), f"{len(raw)} {key} is above the limit of {LIMITS['items']}")
        return []
    out = []
    for name, value in raw.items():
        path = (key, name)
        if not re.fullmatch(NAME_PATTERN, name):
            r.err(path, f"{name[:40]!r} is not a valid name: a lowercase letter, then up to 31 of a-z 0-9 _")
            continue
        item = parse_item(r, path, name, value, *extra)
        if item is not None:
            out.append(item)
    return out


def _meta(r: Reader, raw, known: tuple[str, ...]) -> Meta | None:
    path = ("recipe",)
    m = r.table(path, raw, "recipe") if raw is not None else None
    if raw is None:
        r.err(path, "missing the [recipe] table (name, version, summary, boards)")
    if m is None:
        return None
    name = r.text(path + ("name",), m["name"], 40, RECIPE_NAME_PATTERN, "use 1-40 of a-z 0-9 -, like \"plant-waterer\"")
    version = r.text(path + ("version",), m["version"], 64, SEMVER_PATTERN, "use a semantic version like \"1.0.0\"")
    summary = r.text(path + ("summary",), m["summary"], LIMITS["summary"])
    texts = {k: r.text(path + (k,), m[k], LIMITS["description" if k == "description" else "short_text"]) if k in m else ""
             for k in ("description", "license")}
    authors = read_authors(r, path + ("author",), m["author"]) if "author" in m else ()
    boards = _names_list(r, path + ("boards",), m["boards"], LIMITS["boards"], BOARD_PATTERN)
    for i, board in enumerate(boards or ()):
        if board not in known:
            r.err(path + ("boards", i), f"unknown board {board!r}; known boards: {', '.join(known)}")
    if boards == ():
        r.err(path + ("boards",), f"name at least one board: {', '.join(known)}")
    tags = _names_list(r, path + ("tags",), m.get("tags", []), LIMITS["tags"], TAG_PATTERN) or ()
    lineage = read_lineage(r, path + ("derived_from",), m["derived_from"]) if "derived_from" in m else ()
    image_name = r.text(path + ("image_name",), m["image_name"], 12, IMAGE_NAME_PATTERN,
                        "up to 12 printable ASCII characters") if "image_name" in m else None
    telemetry = 1000
    if m.get("telemetry") == "off":
        telemetry = 0
    elif "telemetry" in m:
        telemetry = r.duration(path + ("telemetry",), m["telemetry"])
    if None in (name, version, summary, boards, authors, lineage, telemetry) or None in texts.values():
        return None
    derived = f"{lineage[-1].name}@{lineage[-1].version}" if lineage else ""
    return Meta(name=name, version=version, summary=summary, boards=boards, tags=tags, derived_from=derived,
                image_name=image_name_for(name) if image_name is None else image_name,
                telemetry_ms=telemetry, author=", ".join(authors), authors=authors, lineage=lineage, **texts)


def _names_list(r: Reader, path, value, limit: int, pattern: str) -> tuple[str, ...] | None:
    if not isinstance(value, list):
        r.err(path, f"expected a list of strings, not {type_name(value)}")
        return None
    if len(value) > limit:
        r.err(path, f"{len(value)} entries is above the limit of {limit}")
        return None
    items = [r.text(path + (i,), v, 40, pattern, "lowercase letters, digits and -") for i, v in enumerate(value)]
    if None in items:
        return None
    if len(set(items)) != len(items):
        r.err(path, "an entry is listed twice")
        return None
    return tuple(items)


def _param(r: Reader, path, name: str, raw) -> Parameter | None:
    p = r.table(path, raw, "parameter")
    if p is None:
        return None
    unit_text = r.text(path + ("unit",), p["unit"], 12) if "unit" in p else None
    values, kinds = {}, set()
    for key in ("default", "min", "max"):
        try:
            number, text = split(p[key])
            text = text or unit_text
            if text is None:
                values[key], kind = thousandths(number), None
            elif text.lower() in TIME_UNITS:
                values[key], kind = duration_ms(f"{number} {text}", exact=False), "duration"
            else:
                unit = unit_of(text)
                values[key], kind = thousandths(number), unit
            kinds.add(kind)
        except UnitError as exc:
            r.err(path + (key,), str(exc))
    if len(values) < 3:
        return None
    if len(kinds) > 1:
        r.err(path, "default, min and max must share one unit, like \"35 %\", \"10 %\", \"80 %\"")
        return None
    if not values["min"] <= values["default"] <= values["max"]:
        r.err(path + ("default",), "needs min <= default <= max")
        return None
    kind = kinds.pop()
    desc = r.text(path + ("description",), p["description"], LIMITS["description"]) if "description" in p else ""
    return Parameter(name, values["default"], values["min"], values["max"],
                     unit=None if kind in (None, "duration") else kind, duration=kind == "duration",
                     description=desc or "")


def _pins(r: Reader, path, raw, known: tuple[str, ...]):
    def one(p, value):
        if isinstance(value, str) and re.fullmatch(r"[A-Za-z0-9_]{1,12}", value):
            return value
        if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 254:
            return value
        r.err(p, f"expected a pin name like \"A0\" or \"D7\", or a pin number, not {str(value)[:40]!r}")
        return None

    if isinstance(raw, dict):
        if not 1 <= len(raw) <= 16:
            r.err(path, "give 1 to 16 boards' pins, like { uno = \"A0\", pico = \"GP26\" }")
            return None
        out = []
        for board, value in raw.items():
            if board not in known:
                r.err(path + (board,), f"unknown board {board[:40]!r}; known boards: {', '.join(known)}")
                return None
            pin = one(path + (board,), value)
            if pin is None:
                return None
            out.append((board, pin))
        return tuple(out)
    pin = one(path, raw)
    return None if pin is None else (("*", pin),)


def _channel(r: Reader, path, name: str, raw, known, sensors) -> Channel | None:
    c = r.table(path, raw, "channel")
    if c is None:
        return None
    if "sensor" in c:
        return parse_sensor_channel(r, path, name, c, *sensors, known)
    if "quantity" in c:
        r.err(path + ("quantity",), "only a sensor's channel (sensor = \"name\") takes a quantity")
    if "kind" not in c:
        r.err(path, "missing key 'kind' (how the pin is read)")
        return None
    pins = _pins(r, path + ("pin",), c["pin"], known)
    spec = KINDS_BY_NAME.get(c["kind"]) if isinstance(c["kind"], str) else None
    if spec is None:
        r.err(path + ("kind",), f"expected one of {', '.join(KINDS_BY_NAME)}")
        return None
    kind = spec.kind
    # The kind's unit; a calibration makes raw counts into something the recipe names, or no unit.
    unit = Unit.NONE if spec.unit == Unit.RAW and "calibration" in c else spec.unit
    if "unit" in c:
        try:
            if not isinstance(c["unit"], str):
                raise UnitError(f"expected a unit like \"%\" or \"°C\", not {type_name(c['unit'])}")
            unit = unit_of(c["unit"])
        except UnitError as exc:
            r.err(path + ("unit",), str(exc))
            return None
    invert = r.boolean(path + ("invert",), c["invert"]) if "invert" in c else False
    if invert and not spec.binary:
        r.err(path + ("invert",), f"only channels that read 0 or 1 invert; calibrate this {spec.name} one instead")
    if invert and "calibration" in c:
        r.err(path + ("invert",), "give invert or calibration, not both")
    calibration = ()
    if "calibration" in c:
        calibration = parse_calibration(r, path + ("calibration",), c["calibration"], unit, known)
        if calibration is None:
            return None
    smoothing = r.integer(path + ("smoothing",), c["smoothing"], 0, MAX_SMOOTHING) if "smoothing" in c else 0
    period = r.duration(path + ("sample_every",), c["sample_every"]) if "sample_every" in c else 1000
    if period is not None and not 1 <= period <= MAX_SAMPLE_MS:
        r.err(path + ("sample_every",), "sample period must be 1 ms .. 60 s")
        return None
    desc = r.text(path + ("description",), c["description"], LIMITS["description"]) if "description" in c else ""
    if None in (pins, invert, smoothing, period, desc):
        return None
    return Channel(name, pins, kind, unit, calibration, invert, smoothing, period, desc)


def _actuator(r: Reader, path, name: str, raw, known) -> Actuator | None:
    a = r.table(path, raw, "actuator")
    if a is None:
        return None
    pins = _pins(r, path + ("pin",), a["pin"], known)
    if a["kind"] not in ("relay", "pwm", "servo"):
        r.err(path + ("kind",), "expected relay, pwm or servo")
        return None
    servo = _servo(r, path, a) if a["kind"] == "servo" else None
    if a["kind"] == "servo" and servo is None:
        return None
    for key in ("min", "max", "safe"):
        if a["kind"] != "servo" and key in a:
            r.err(path + (key,), f"{key} is a servo's, in degrees; this actuator is a {a['kind']}")
    if servo and "active_low" in a:
        r.err(path + ("active_low",), "a servo takes pulses: it is never active-low")
    if "safe_state" in a and a["safe_state"] != "off":
        r.err(path + ("safe_state",), "the safe state is always \"off\" (pin LOW, or HIGH when active_low)")
    low = r.boolean(path + ("active_low",), a["active_low"]) if "active_low" in a else False
    # A servo holds a position (a vent open while it is hot): without max_on / daily_cap it has no
    # time limit (0 in the image). A relay or PWM output drives a load: both are required, above 0.
    timeless = a["kind"] == "servo"
    for key in ("max_on", "daily_cap"):
        if key not in a and not timeless and key not in r.meant(path):  # a typo: said already
            r.err(path, f"missing key {key!r} (a {a['kind']} needs it: every run needs a deadline)")
    max_on = r.duration(path + ("max_on",), a["max_on"]) if "max_on" in a else 0
    cap = r.duration(path + ("daily_cap",), a["daily_cap"]) if "daily_cap" in a else 0
    min_off = r.duration(path + ("min_off",), a["min_off"]) if "min_off" in a else 0
    if max_on == 0 and "max_on" in a:
        r.err(path + ("max_on",), "must be above 0: every run needs a deadline"
              + (" (leave it out for no limit)" if timeless else ""))
    if cap == 0 and "daily_cap" in a:
        r.err(path + ("daily_cap",), "must be above 0" + (" (leave it out for no limit)" if timeless else ""))
    if min_off is not None and min_off > DAY_MS:
        r.err(path + ("min_off",), "must be at most 1 d")
    desc = r.text(path + ("description",), a["description"], LIMITS["description"]) if "description" in a else ""
    if None in (pins, low, max_on, cap, min_off, desc) or min_off > DAY_MS:
        return None
    if not timeless and (not max_on or not cap):
        return None
    if timeless and ((max_on == 0 and "max_on" in a) or (cap == 0 and "daily_cap" in a)):
        return None
    return Actuator(name, pins, a["kind"] == "pwm", max_on, cap, min_off, low, desc, servo)


def _servo(r: Reader, path, a) -> tuple[int, int, int] | None:
    """A servo's (min, max, safe): min below max, safe between them."""
    got = []
    for key in ("min", "max", "safe"):
        if key not in a:
            r.err(path, f"a servo needs {key} (degrees, 0 .. {SERVO_MAX_DEG}): min and max limit it, safe is "
                        "where it goes at boot, on off and when a lease ends")
            return None
        got.append(_degrees(r, path + (key,), a[key]))
    if None in got:
        return None
    lo, hi, safe = got
    if not lo < hi:
        r.err(path + ("max",), f"max ({hi} °) must be above min ({lo} °)")
        return None
    if not lo <= safe <= hi:
        r.err(path + ("safe",), f"the safe position ({safe} °) must lie within min .. max ({lo} .. {hi} °)")
        return None
    return lo, hi, safe
