"""A recipe as typed values: what parse() makes and compile_recipe() reads.

Quantities are integer thousandths of their unit, durations integer milliseconds, exactly as the
config image holds them. A rule field may instead hold a ``ParamRef``. Pins stay as written (a pin
name or number per board) until a board is chosen.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from ..contract import DUR_MAX_MS, ChannelKind, RuleAction, RuleKind, SensorKind, Unit


@dataclass(frozen=True)
class ParamRef:
    name: str

    def __str__(self) -> str:
        return f"${self.name}"


Operand = int | ParamRef
PinSpec = tuple[tuple[str, str | int], ...]  # (board name or "*", pin name or number)


@dataclass(frozen=True)
class Origin:
    """One step of a recipe's history: the version it was forked from and where that came from."""
    name: str
    version: str
    author: str = ""  # who made that version
    source: str = ""  # the catalog, URL or file it was taken from
    sha256: str = ""  # of that version's bytes


@dataclass(frozen=True)
class Meta:
    name: str
    version: str
    summary: str
    boards: tuple[str, ...]
    description: str = ""
    author: str = ""
    license: str = ""
    tags: tuple[str, ...] = ()
    derived_from: str = ""  # "name@version" of the nearest origin ("" if none)
    image_name: str = ""  # the 12-character name in the image; "" derives it from name
    telemetry_ms: int = 1000
    authors: tuple[str, ...] = ()  # oldest first; ``author`` is them joined with ", "
    lineage: tuple[Origin, ...] = ()  # oldest first; the last is what this was forked from


@dataclass(frozen=True)
class Parameter:
    name: str
    default: int
    min: int
    max: int
    unit: Unit | None = None  # quantities: their unit; None: a bare number
    duration: bool = False  # a duration in ms
    description: str = ""


@dataclass(frozen=True)
class Point:
    reading: Decimal  # ADC counts, or volts when ``volts``; a sensor's channel: in its quantity's unit
    value: int  # thousandths of the channel's unit
    volts: bool = False


@dataclass(frozen=True)
class Linear:
    gain: Decimal  # units per ADC count (a sensor's channel: per unit of its reading)
    offset: int  # thousandths of the unit


@dataclass(frozen=True)
class Sensor:
    """A device on a pin of its own (docs/recipes.md, "Sensors"): channels take its quantities."""
    name: str
    kind: SensorKind
    pins: PinSpec
    options: tuple[int, int, int] = (0, 0, 0)  # the kind's option bytes (a DS18B20's resolution first)
    period_ms: int = 2000
    rom: bytes = bytes(8)  # a 1-Wire ROM code; all zero: the only one on its pin
    description: str = ""
    pins2: PinSpec = ()  # a two-pin kind's second pin (an HC-SR04's echo); () for a one-pin kind


@dataclass(frozen=True)
class Channel:
    name: str
    pins: PinSpec  # () for a sensor's channel
    kind: ChannelKind | int  # CHANNEL_FROM_SENSOR for a sensor's channel
    unit: Unit
    # (board name or "*", two points or a linear map); empty: value = reading
    calibration: tuple[tuple[str, tuple[Point, Point] | Linear], ...] = ()
    invert: bool = False
    smoothing: int = 0
    period_ms: int = 1000
    description: str = ""
    sensor: str | None = None  # the sensor it takes a quantity from (kind CHANNEL_FROM_SENSOR)
    quantity: int = 0  # which of the sensor's quantities, by index
    reading_unit: Unit | None = None  # a sensor's channel: its quantity's unit (``unit`` once calibrated)


@dataclass(frozen=True)
class Actuator:
    name: str
    pins: PinSpec
    pwm: bool
    max_on_ms: int
    daily_cap_ms: int
    min_off_ms: int = 0
    active_low: bool = False
    description: str = ""
    servo: tuple[int, int, int] | None = None  # kind "servo": (min, max, safe) in degrees

    @property
    def kind(self) -> str:
        return "servo" if self.servo else "pwm" if self.pwm else "relay"

    @property
    def run_limit_ms(self) -> int:
        """The longest run the board accepts: max_on, or for a servo without one (0: no time limit)
        the longest lease a command carries."""
        return self.max_on_ms or DUR_MAX_MS


@dataclass(frozen=True)
class Rule:
    name: str
    kind: RuleKind
    actuator: str
    action: RuleAction = RuleAction.PULSE
    level: int = 255
    level_text: str = ""  # the level as written ("50 %"), for show/diff
    channel: str | None = None
    above: bool = False
    threshold: Operand = 0
    hysteresis: Operand = 0
    hold: Operand = 0
    duration: Operand = 0
    period: Operand = 0  # cooldown (threshold rules) or interval (interval rules)
    interlock: str | None = None
    interlock_above: bool = True
    il_threshold: Operand = 500
    interlock_short: bool = False  # written as `unless = "name"`
    description: str = ""


@dataclass(frozen=True)
class Recipe:
    meta: Meta
    params: tuple[Parameter, ...] = ()
    channels: tuple[Channel, ...] = ()
    actuators: tuple[Actuator, ...] = ()
    rules: tuple[Rule, ...] = ()
    sensors: tuple[Sensor, ...] = ()
    # Where it came from, for error lines: the file name and key path -> line.
    file: str = field(default="recipe.toml", compare=False)
    locate: object = field(default=None, compare=False, repr=False)
    text: str = field(default="", compare=False, repr=False)

    def param(self, name: str) -> tuple[int, Parameter] | None:
        return next(((i, p) for i, p in enumerate(self.params) if p.name == name), None)

    def channel(self, name: str) -> tuple[int, Channel] | None:
        return next(((i, c) for i, c in enumerate(self.channels) if c.name == name), None)

    def sensor(self, name: str) -> tuple[int, Sensor] | None:
        return next(((i, s) for i, s in enumerate(self.sensors) if s.name == name), None)

    def actuator(self, name: str) -> tuple[int, Actuator] | None:
        return next(((i, a) for i, a in enumerate(self.actuators) if a.name == name), None)
