"""The recipe format's keys, in one place: the parser checks keys against these tables and
``json_schema()`` exports them for editors (`tendril recipe schema`).

Each table lists its keys with (required, JSON Schema of the value, description). ``ONE_OF`` lists
keys of which exactly one must be present. The parser does the deeper checks (units, references,
ranges) and reports them with lines; the schema gives editors the shape and the patterns.
"""

from __future__ import annotations

from typing import NamedTuple

from ..contract import CHANNEL_KINDS, I2C_SPEEDS_KHZ, SENSOR_KINDS
from .units import DURATION_PATTERN


class Key(NamedTuple):
    required: bool
    schema: dict
    doc: str


NAME_PATTERN = r"^[a-z][a-z0-9_]{0,31}$"  # channels, actuators, rules, parameters
RECIPE_NAME_PATTERN = r"^[a-z0-9][a-z0-9-]{0,39}$"  # also a file name: no separators, no dots
SEMVER_PATTERN = (r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)"
                  r"(?:-[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?(?:\+[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?$")
BOARD_PATTERN = r"^[a-z0-9][a-z0-9-]{0,31}$"
TAG_PATTERN = r"^[a-z0-9][a-z0-9-]{0,31}$"
DERIVED_PATTERN = r"^[a-z0-9][a-z0-9-]{0,39}@" + SEMVER_PATTERN[1:]
PARAM_REF_PATTERN = r"^\$[a-z][a-z0-9_]{0,31}$"
IMAGE_NAME_PATTERN = r"^[ -~]{0,12}$"
SHA256_PATTERN = r"^[0-9a-f]{64}$"
SOURCE_PATTERN = r"^[^\x00-\x1f\x7f]{1,300}$"  # a catalog, URL or file: one printable line
LINE_PATTERN = r"^[^\x00-\x1f\x7f]*$"  # names shown to people: no control characters
I2C_SPEEDS = tuple(f"{khz} kHz" for khz in I2C_SPEEDS_KHZ)  # `[i2c] speed`, by an I2C sensor's option byte 1

LIMITS = {  # hostile-input caps, far above what any board holds
    "file_bytes": 65_536, "depth": 8, "items": 64, "tags": 16, "boards": 16,
    "summary": 120, "description": 4000, "short_text": 100, "authors": 16, "lineage": 32,
}


def _text(limit: int, pattern: str | None = None) -> dict:
    out: dict = {"type": "string", "maxLength": limit}
    if pattern:
        out["pattern"] = pattern
    return out


DURATION = {"type": "string", "pattern": DURATION_PATTERN}
PARAM_REF = {"type": "string", "pattern": PARAM_REF_PATTERN}
QUANTITY = {"anyOf": [{"type": "string", "maxLength": 40}, {"type": "number"}]}
DURATION_OR_PARAM = {"anyOf": [DURATION, PARAM_REF]}
_PIN_ONE = {"anyOf": [{"type": "string", "pattern": r"^[A-Za-z0-9_]{1,12}$"},
                      {"type": "integer", "minimum": 0, "maximum": 254}]}
DEGREES = {"anyOf": [{"type": "integer", "minimum": 0, "maximum": 180}, {"type": "string", "maxLength": 12}]}
PIN = {"anyOf": [_PIN_ONE, {"type": "object", "minProperties": 1, "maxProperties": 16,
                            "propertyNames": {"pattern": BOARD_PATTERN},
                            "additionalProperties": _PIN_ONE}]}
NAME = {"type": "string", "pattern": NAME_PATTERN}
_CAL = {"anyOf": [{"type": "array", "minItems": 2, "maxItems": 2, "items": {"$ref": "#/$defs/point"}},
                  {"$ref": "#/$defs/linear"}]}

TABLES: dict[str, dict[str, Key]] = {
    "top": {
        "recipe": Key(True, {"$ref": "#/$defs/recipe"}, "what the recipe is: name, version, boards"),
        "parameters": Key(False, {"type": "object", "maxProperties": 64, "propertyNames": {"pattern": NAME_PATTERN},
                                  "additionalProperties": {"$ref": "#/$defs/parameter"}}, "named tunables"),
        "channels": Key(False, {"type": "object", "maxProperties": 64, "propertyNames": {"pattern": NAME_PATTERN},
                                "additionalProperties": {"$ref": "#/$defs/channel"}}, "inputs"),
        "sensors": Key(False, {"type": "object", "maxProperties": 64, "propertyNames": {"pattern": NAME_PATTERN},
                               "additionalProperties": {"$ref": "#/$defs/sensor"}},
                       "devices on pins of their own (a DS18B20 probe), that channels take quantities from"),
        "i2c": Key(False, {"$ref": "#/$defs/i2c"}, "the board's I2C bus, for the I2C sensors on it: its speed"),
        "actuators": Key(False, {"type": "object", "maxProperties": 64, "propertyNames": {"pattern": NAME_PATTERN},
                                 "additionalProperties": {"$ref": "#/$defs/actuator"}}, "outputs"),
        "rules": Key(False, {"type": "object", "maxProperties": 64, "propertyNames": {"pattern": NAME_PATTERN},
                             "additionalProperties": {"$ref": "#/$defs/rule"}}, "what drives what"),
    },
    "recipe": {
        "name": Key(True, _text(40, RECIPE_NAME_PATTERN), "lowercase letters, digits and -"),
        "version": Key(True, _text(64, SEMVER_PATTERN), "semantic version, e.g. 1.0.0"),
        "summary": Key(True, _text(120), "one line: what it does"),
        "description": Key(False, _text(4000), "longer text: wiring, parts, how to tune it"),
        "author": Key(False, {"anyOf": [_text(100, LINE_PATTERN), {"type": "array", "minItems": 1, "maxItems": 16,
                                                                    "items": _text(100, LINE_PATTERN)}]},
                      "who wrote it; a fork lists the original author(s) first, then who forked it"),
        "license": Key(False, _text(100), "SPDX license expression, e.g. MIT"),
        "boards": Key(True, {"type": "array", "minItems": 1, "maxItems": 16, "uniqueItems": True,
                             "items": {"type": "string", "pattern": BOARD_PATTERN}}, "boards it was checked on"),
        "tags": Key(False, {"type": "array", "maxItems": 16, "items": _text(32, TAG_PATTERN)}, "search words"),
        "derived_from": Key(False, {"anyOf": [_text(100, DERIVED_PATTERN), {
            "type": "array", "maxItems": 32, "items": {"$ref": "#/$defs/origin"}}]},
            "what it was forked from, oldest first (set by `tendril recipe fork`); or name@version"),
        "image_name": Key(False, _text(12, IMAGE_NAME_PATTERN), "name stored on the device (12 ASCII)"),
        "telemetry": Key(False, {"anyOf": [DURATION, {"const": "off"}]}, "how often the board reports values"),
    },
    "i2c": {
        "speed": Key(True, {"enum": list(I2C_SPEEDS)}, "the bus's clock: \"100 kHz\" (every part, long wires; "
                                                       "the default) or \"400 kHz\" (fast mode: every part on it must have it)"),
    },
    "origin": {
        "name": Key(True, _text(40, RECIPE_NAME_PATTERN), "the recipe it was forked from"),
        "version": Key(True, _text(64, SEMVER_PATTERN), "that recipe's version"),
        "author": Key(False, _text(100, LINE_PATTERN), "who made that version"),
        "source": Key(False, _text(300, SOURCE_PATTERN), "the catalog, URL or file it came from"),
        "sha256": Key(False, _text(64, SHA256_PATTERN), "SHA-256 of that version's file"),
    },
    "parameter": {
        "default": Key(True, QUANTITY, "value at boot, e.g. \"35 %\" or \"4 s\""),
        "min": Key(True, QUANTITY, "lowest value a user may set"),
        "max": Key(True, QUANTITY, "highest value a user may set"),
        "unit": Key(False, {"type": "string", "maxLength": 12}, "unit of bare numbers in default/min/max"),
        "description": Key(False, _text(4000), "what it tunes"),
    },
    "sensor": {
        "kind": Key(True, {"enum": [k.name for k in SENSOR_KINDS]}, "what the sensor is"),
        "pin": Key(False, PIN, "its pin (a 1-Wire bus: several DS18B20 may share one; an HC-SR04's trigger), "
                               "or a table of them by board; every kind but an I2C one needs it"),
        "echo": Key(False, PIN, "HC-SR04: its echo pin (pin is the trigger), or a table of them by board"),
        "sda": Key(False, PIN, "I2C: the board's SDA pin (the default; no other pin will do), or a table by board"),
        "scl": Key(False, PIN, "I2C: the board's SCL pin (the default; no other pin will do), or a table by board"),
        "address": Key(False, {"type": "integer", "minimum": 0, "maximum": 127},
                       "I2C: the part's 7-bit address (0x76 or 0x77 for a BME280, ...); the kind's usual one "
                       "when left out"),
        "read_every": Key(False, DURATION, "how often it is read, at least what the part allows (1 s for a "
                                           "DS18B20, 2 s for a DHT22 or DHT11), at most 60 s; 2 s when left out"),
        "rom": Key(False, {"type": "string", "pattern": "^(only|[0-9A-Fa-f]{16})$"},
                   "DS18B20: a 1-Wire ROM code, 16 hex digits as the bus search gives them (family byte first), "
                   "or \"only\": the only one on its pin (the default)"),
        "resolution": Key(False, {"type": "integer", "minimum": 9, "maximum": 12},
                          "DS18B20: 9..12 bits (0.5 .. 0.0625 °C; 94 .. 750 ms a conversion); 12 when left out"),
        "debounce_ms": Key(False, {"type": "integer", "minimum": 0, "maximum": 255},
                           "pulse: edges closer than this many ms after a counted one are ignored; 0 when left out"),
        "per_minute": Key(False, {"type": "integer", "minimum": 0, "maximum": 1},
                          "pulse: 1 gives the rate in pulses a minute, 0 (the default) a second"),
        "description": Key(False, _text(4000), "what it is and where"),
    },
    "channel": {
        "pin": Key(False, PIN, "pin name (\"A0\") or number, or a table of them by board"),
        "kind": Key(False, {"enum": [k.name for k in CHANNEL_KINDS]}, "how the pin is read"),
        "sensor": Key(False, NAME, "instead of pin and kind: the sensor (in [sensors]) it takes a quantity from"),
        "quantity": Key(False, {"type": "string", "maxLength": 40},
                        "which of the sensor's quantities (\"temperature\"); its first when left out"),
        "unit": Key(False, {"type": "string", "maxLength": 12}, "unit of its values (%, °C, V, ...)"),
        "calibration": Key(False, {"anyOf": [
            _CAL, {"type": "object", "minProperties": 1, "maxProperties": 16, "propertyNames": {"pattern": BOARD_PATTERN},
                   "additionalProperties": _CAL}]},
            "two points {reading, value}, or {gain, offset}; or a table of those by board"),
        "invert": Key(False, {"type": "boolean"}, "digital: value 1 when the pin reads LOW"),
        "smoothing": Key(False, {"type": "integer", "minimum": 0, "maximum": 8}, "0..8: each sample moves 1/2^n"),
        "sample_every": Key(False, DURATION, "sample period, 2 ms .. 60 s"),
        "description": Key(False, _text(4000), "what is wired there"),
    },
    "point": {
        "reading": Key(True, {"anyOf": [{"type": "integer", "minimum": 0}, {"type": "string", "maxLength": 40}]},
                       "ADC count, or volts at the pin (\"0.5 V\"); a sensor's channel: its reading in the "
                       "quantity's unit (\"20 cm\")"),
        "value": Key(True, QUANTITY, "what that reading means, in the channel's unit"),
    },
    "linear": {
        "gain": Key(True, {"anyOf": [{"type": "number"}, {"type": "string", "maxLength": 40}]},
                    "units per ADC count (a sensor's channel: per unit of its reading)"),
        "offset": Key(True, QUANTITY, "value at reading 0"),
    },
    "actuator": {
        "pin": Key(True, PIN, "pin name or number, or a table of them by board"),
        "kind": Key(True, {"enum": ["relay", "pwm", "servo"]},
                    "relay: on/off; pwm: a duty level; servo: a position in degrees"),
        "active_low": Key(False, {"type": "boolean"}, "driven LOW for on (most relay boards)"),
        "safe_state": Key(False, {"const": "off"}, "always off: at boot, in safe mode, without a config"),
        "max_on": Key(False, DURATION, "longest continuous on time (a relay's and a PWM output's are required; "
                      "a servo without one holds any position as long as asked)"),
        "min_off": Key(False, DURATION, "shortest rest between two runs"),
        "daily_cap": Key(False, DURATION, "most on time per 24 h (required but for a servo)"),
        "min": Key(False, DEGREES, "servo: its lowest position (\"20 °\")"),
        "max": Key(False, DEGREES, "servo: its highest position"),
        "safe": Key(False, DEGREES, "servo: where it goes at boot, on off, when a lease ends"),
        "description": Key(False, _text(4000), "what is wired there"),
    },
    "rule": {
        "when": Key(False, {"$ref": "#/$defs/when"}, "threshold condition on a channel"),
        "every": Key(False, DURATION_OR_PARAM, "interval timer, at least 1 s"),
        "unless": Key(False, {"anyOf": [NAME, {"$ref": "#/$defs/unless"}]}, "interlock: a digital channel's name, or a condition"),
        "guard": Key(False, {"$ref": "#/$defs/guard"}, "turn an actuator off and lock it out when a channel stays past a "
                                                     "value while it is on (a pump running dry)"),
        "do": Key(False, {"$ref": "#/$defs/do"}, "the action (every rule but a guard)"),
        "cooldown": Key(False, DURATION_OR_PARAM, "threshold rules: wait after a run"),
        "lockout": Key(False, DURATION_OR_PARAM, "guards: how long the actuator stays locked out after a trip; "
                                                 "until someone runs it by hand when left out"),
        "description": Key(False, _text(4000), "why"),
    },
    "when": {
        "channel": Key(True, NAME, "the channel compared"),
        "below": Key(False, QUANTITY, "active while the value is below this (or \"$param\")"),
        "above": Key(False, QUANTITY, "active while the value is above this (or \"$param\")"),
        "for": Key(False, DURATION_OR_PARAM, "how long it must hold first"),
        "hysteresis": Key(False, QUANTITY, "how far back past the threshold it must go to clear"),
    },
    "guard": {
        "actuator": Key(True, NAME, "the actuator it stops"),
        "channel": Key(True, NAME, "the channel it watches while the actuator is on"),
        "below": Key(False, QUANTITY, "trips while the value stays below this (or \"$param\")"),
        "above": Key(False, QUANTITY, "trips while the value stays above this (or \"$param\")"),
        "for": Key(True, DURATION_OR_PARAM, "how long it may stay so (or without a reading), counted from on"),
    },
    "unless": {
        "channel": Key(True, NAME, "the interlock channel"),
        "below": Key(False, QUANTITY, "blocked while its value is below this"),
        "above": Key(False, QUANTITY, "blocked while its value is above this"),
    },
    "do": {
        "actuator": Key(True, NAME, "the actuator driven"),
        "for": Key(False, DURATION_OR_PARAM, "a pulse: on for this long"),
        "while": Key(False, {"const": True}, "on while the condition holds (threshold rules)"),
        "level": Key(False, {"anyOf": [{"type": "integer", "minimum": 1, "maximum": 255},
                                       {"type": "string", "maxLength": 12}]}, "PWM duty: 1..255 or \"50 %\""),
    },
}
ONE_OF = {"channel": ("pin", "sensor"), "when": ("below", "above"), "unless": ("below", "above"), "do": ("for", "while"), "rule": ("when", "every", "guard"),
          "guard": ("below", "above")}


def _object(table: str) -> dict:
    keys = TABLES[table]
    out: dict = {
        "type": "object",
        "additionalProperties": False,
        "properties": {k: {**spec.schema, "description": spec.doc} for k, spec in keys.items()},
    }
    required = [k for k, spec in keys.items() if spec.required]
    if required:
        out["required"] = required
    if table in ONE_OF:
        out["oneOf"] = [{"required": [k]} for k in ONE_OF[table]]
    return out


def json_schema() -> dict:
    """JSON Schema (2020-12) of a recipe, for editors (e.g. Taplo or VS Code's Even Better TOML)."""
    top = _object("top")
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://tendril.invalid/schema/recipe-1.json",
        "title": "tendril recipe",
        "description": "A tendril recipe (docs/recipes.md): what a board does, as data.",
        **{k: v for k, v in top.items()},
        "$defs": {name: _object(name) for name in TABLES if name != "top"},
    }
