"""Config images the tests push: plant-waterer-like variants with two pumps, PWM, an interval rule,
follow rules and parameters in most operand fields."""

from __future__ import annotations

from tendril.contract import (
    ActuatorFlag,
    BoardClass,
    ChannelKind,
    Operand,
    RuleAction,
    RuleFlag,
    RuleKind,
    Unit,
)
from tendril.image import Actuator, Channel, Image, Param, Rule, encode
from tendril.sim.story import plant_waterer_image


def _gain(raw_a, value_a, raw_b, value_b):
    gain = round((value_b - value_a) * 65536 / (raw_b - raw_a))
    return gain, value_a - ((raw_a * gain) >> 16)


def waterer_image(variant: int) -> bytes:
    """Plant-waterer-like images: the demo recipe, and variants with two pumps, PWM, an interval
    rule, follow rules and parameters in most operand fields; 5 and 6 add two guards."""
    if variant == 0:
        return plant_waterer_image()
    gain, offset = _gain(800, 0, 350, 100_000)
    soil = Channel(14, ChannelKind.ANALOG, variant % 3, Unit.PERCENT, 300, gain, offset)
    tank = Channel(2, ChannelKind.DIGITAL_PULLUP, 0, Unit.BOOL, 200, -1000 << 16, 1000)
    temp = Channel(15, ChannelKind.ANALOG, 1, Unit.RAW, 100, 1 << 16, 0)
    pump = Actuator(7, ActuatorFlag.ACTIVE_LOW, max_on_ms=8_000, min_off_ms=3_000,
                    daily_cap_ms=40_000)  # fmt: skip
    fan = Actuator(9, ActuatorFlag.PWM, max_on_ms=20_000, min_off_ms=variant * 500,
                   daily_cap_ms=60_000)  # fmt: skip
    params = (
        Param(default=35_000, min=10_000, max=80_000),
        Param(default=2_000, min=1, max=10_000),
        Param(default=600, min=0, max=1000),
        Param(default=5_000, min=1_000, max=30_000),
    )
    il = dict(interlock=1, flags=RuleFlag.INTERLOCK_ABOVE, il_threshold=500)
    rules = [
        Rule(kind=RuleKind.THRESHOLD, actuator=0, action=RuleAction.PULSE, channel=0,
             operands=Operand.THRESHOLD | Operand.DURATION, threshold=0, duration=1,
             hysteresis=5_000, hold=1_000, period=4_000, **il),
        Rule(kind=RuleKind.THRESHOLD, actuator=1, action=RuleAction.FOLLOW, channel=2, level=90,
             flags=RuleFlag.ABOVE, operands=Operand.THRESHOLD, threshold=2, hysteresis=50,
             hold=300 * (variant % 2)),
        Rule(kind=RuleKind.INTERVAL, actuator=1 if variant % 2 else 0, action=RuleAction.PULSE,
             level=200, operands=Operand.PERIOD, period=3, duration=1_500),
        Rule(kind=RuleKind.THRESHOLD, actuator=0, action=RuleAction.FOLLOW, channel=0, level=10,
             threshold=20_000, hysteresis=0, hold=0, period=variant * 700),
    ]  # fmt: skip
    rules = rules[: 2 + variant % 3]
    if variant >= 5:
        # Guards (rules.md "Guards"): the pump stops when temp stays below 300 for 1 s while on,
        # locked until a lease (variant 5) or for 2 s; the fan when the soil stays above the
        # threshold parameter for the hold parameter, placed first so it runs before the rules.
        rules.append(Rule(kind=RuleKind.GUARD, actuator=0, action=0, level=0, channel=2, threshold=300,
                          hold=1_000, period=0 if variant == 5 else 2_000))
        rules.insert(0, Rule(kind=RuleKind.GUARD, actuator=1, action=0, level=0, channel=0, flags=RuleFlag.ABOVE,
                             operands=Operand.THRESHOLD | Operand.HOLD | Operand.PERIOD, threshold=0, hold=1,
                             period=3))
    image = Image(name=f"water-{variant}", board_class=BoardClass.AVR328, telemetry_ms=1000,
                  params=params, channels=(soil, tank, temp), actuators=(pump, fan),
                  rules=tuple(rules))  # fmt: skip
    return encode(image)
