"""The world a simulated board starts in by default: the plant model wired to the recipe's own pins.

Pure: a config image and a board in, a wiring and words out. `tendril sim CONFIG` without a
scenario wires the plant model (firmware/sim/sim_scenario.c, which every simulated board shares)
this way, so a recipe with its pump on D8 gets the pump on D8 and its soil channel reads the
simulated soil in its own calibration, instead of reading 0 on every pin.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction

from ..boards import Board
from ..contract import NO_INDEX, ChannelKind, Operand, RuleKind, Unit
from ..image.model import Channel, Image, Rule
from ..recipes.compiler import for_board
from ..recipes.model import Recipe

PLANT_BITS = 10  # a scenario's ADC counts are 10-bit on every board (the boards shift them)
# A world where something happens within minutes, as in firmware/sim/scenarios/plant-waterer.scn:
# the soil dries 60 points an hour and each ml of water raises it 1/20 of a point.
WORLD = {"moisture": 37, "tank_ml": 400, "dry_per_hour": 60, "ml_per_point": 20}


@dataclass(frozen=True)
class PlantWiring:
    """Which of the board's pins the plant model drives and watches (board pin numbers)."""

    soil_channel: int  # index of the recipe's channel that reads the soil
    soil: int
    pump_actuator: int  # index of the actuator that waters
    pump: int
    pump_active_low: bool
    float_pin: int | None  # the tank's float switch (LOW when empty), when the recipe has one
    dry_raw: int  # what the simulated sensor reads in dry soil (10-bit counts): the recipe's 0 %
    wet_raw: int  # and in soaked soil: the recipe's 100 %

    def fields(self) -> dict[str, object]:
        out: dict[str, object] = {"soil": self.soil}
        if self.float_pin is not None:
            out["float"] = self.float_pin
        out |= {"pump": self.pump, "pump_active": "low" if self.pump_active_low else "high",
                **WORLD, "dry_raw": self.dry_raw, "wet_raw": self.wet_raw}
        return out

    def scenario_line(self) -> str:
        """The `plant` line of a scenario file (firmware/sim/README.md), which every runtime reads."""
        return "plant " + " ".join(f"{k}={v}" for k, v in self.fields().items())

    def words(self, board: Board) -> str:
        """Where the plant is wired, for people: "soil on A0, pump on D8 (active low), float on D2"."""
        pin = {p.number: p.name for p in board.pins}
        text = (f"soil sensor on {pin.get(self.soil, self.soil)} (dry {self.dry_raw}, wet {self.wet_raw}),"
                f" pump on {pin.get(self.pump, self.pump)}")
        if self.float_pin is not None:
            text += f", tank float switch on {pin.get(self.float_pin, self.float_pin)}"
        return text


def _value(c: Channel, raw: int) -> int:
    """What the board computes from ``raw`` (thousandths of the channel's unit)."""
    return c.offset + ((raw * c.gain) >> 16)


def _raw_for(c: Channel, value: int, board: Board) -> int | None:
    """The 10-bit count the plant's sensor must read for the channel to show ``value``."""
    if c.gain == 0:
        return None
    raw = Fraction(value - c.offset) * 65536 / c.gain
    raw10 = round(raw / (1 << max(0, board.adc_bits - PLANT_BITS)))
    return raw10 if 0 <= raw10 < 1 << PLANT_BITS else None


def _threshold(image: Image, rule: Rule, field: Operand, literal: int) -> int:
    return image.params[literal].default if rule.operands & field else literal


def _float_fits(image: Image, rule: Rule) -> bool:
    """The interlock blocks with the plant's float switch closed (pin LOW, tank empty) and lets
    the rule run with it open (HIGH)."""
    ch = image.channels[rule.interlock]
    if ch.kind == ChannelKind.ANALOG:
        return False
    threshold = _threshold(image, rule, Operand.INTERLOCK, rule.il_threshold)

    def blocked(raw: int) -> bool:
        v = _value(ch, raw)
        return v > threshold if rule.interlock_above else v < threshold
    return blocked(0) and not blocked(1)


def plant_wiring(image: Image, board: Board) -> PlantWiring | None:
    """The plant model wired to ``image``'s watering rule: a threshold rule that runs a relay when
    an analog channel in % falls below its threshold. None when the recipe has no such rule."""
    for rule in image.rules:
        if rule.kind != RuleKind.THRESHOLD or rule.above or rule.channel >= len(image.channels):
            continue
        soil, pump = image.channels[rule.channel], image.actuators[rule.actuator]
        if soil.kind != ChannelKind.ANALOG or soil.unit != Unit.PERCENT or pump.pwm:
            continue
        dry, wet = _raw_for(soil, 0, board), _raw_for(soil, 100_000, board)
        if dry is None or wet is None or dry == wet:
            continue
        has_float = rule.interlock != NO_INDEX and _float_fits(image, rule)
        return PlantWiring(rule.channel, soil.pin, rule.actuator, pump.pin, pump.active_low,
                           image.channels[rule.interlock].pin if has_float else None, dry, wet)
    return None


def _scenario_pins(text: str) -> set[str]:
    """Pins a scenario file drives (names or numbers, as written)."""
    pins: set[str] = set()
    for line in text.splitlines():
        words = line.split("#", 1)[0].split()
        if len(words) >= 2 and words[0] in ("adc", "digital"):
            pins.add(words[1].upper())
        elif words and words[0] == "plant":
            pins |= {m.group(1).upper() for m in re.finditer(r"\bsoil=(\S+)", line)}
    return pins


def calibration_spans(recipe: Recipe, board: Board) -> dict[int, tuple[Fraction, Fraction]]:
    """For each analog channel calibrated by two points: the ADC counts of those points on
    ``board``, lowest first (the readings its calibration was written for)."""
    full = (1 << board.adc_bits) - 1
    out = {}
    for i, ch in enumerate(recipe.channels):
        cal = for_board(ch.calibration, board)
        if ch.kind != ChannelKind.ANALOG or not isinstance(cal, tuple):
            continue
        raws = [Fraction(p.reading) * full * 1000 / board.adc_vref_mv if p.volts else Fraction(p.reading)
                for p in cal]
        out[i] = (min(raws), max(raws))
    return out


def unwired_warnings(image: Image, board: Board, spans: dict[int, tuple[Fraction, Fraction]],
                     names: list[str], wiring: PlantWiring | None, scenario: str | None = None) -> list[str]:
    """One line for each calibrated analog channel that nothing in the simulated world drives, so
    it reads 0, when 0 is outside the readings its calibration was written for (``spans``; for a
    channel in % with no spans given, the readings of 0 % and 100 %): a value like 177.8 % that no
    sensor would give."""
    driven = _scenario_pins(scenario) if scenario else set()
    pin_names = {p.number: p.name for p in board.pins}
    out = []
    for i, ch in enumerate(image.channels):
        name = pin_names.get(ch.pin, str(ch.pin))
        if ch.kind != ChannelKind.ANALOG or (wiring is not None and i == wiring.soil_channel) \
                or {name.upper(), str(ch.pin)} & driven:
            continue
        span = spans.get(i)
        if span is None and ch.unit == Unit.PERCENT and ch.gain:
            span = tuple(sorted(Fraction(v - ch.offset) * 65536 / ch.gain for v in (0, 100_000)))
        if span is None or span[0] <= 0 <= span[1]:
            continue
        label = names[i] if i < len(names) else f"channel {i}"
        out.append(f"{label} on {name} reads 0 with nothing simulated wired to it: "
                   f"{_fmt(_value(ch, 0))}{_unit(ch.unit)}, outside its calibration "
                   f"(readings {round(span[0])} .. {round(span[1])})")
    return out


def _fmt(thousandths) -> str:
    return f"{float(thousandths) / 1000:.1f}".removesuffix(".0")


def _unit(unit: Unit) -> str:
    text = {Unit.PERCENT: "%", Unit.CELSIUS: "°C", Unit.VOLT: "V", Unit.MILLIVOLT: "mV",
            Unit.LUX: "lx", Unit.CM: "cm", Unit.PPM: "ppm"}.get(unit, "")
    return f" {text}" if text else ""
