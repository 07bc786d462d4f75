"""The vent story every board tells (the real AVR binary in simavr, the native board, the
MicroPython virtual board): a servo on D9 with limits 10 .. 120 degrees, safe (closed) at 10, that
a rule opens to 90 degrees while the air is above 28 °C, and a lease that asks for 200 degrees and
gets 120 (the device clamps). The air is an analog channel on A0 (a count of 400 is 20 °C, 600 is
30 °C) stepped by the scenario."""

from __future__ import annotations

from tendril.contract import (
    SERVO_MAX_DEG,
    SERVO_PULSE_MAX_US,
    SERVO_PULSE_MIN_US,
    ActuatorFlag,
    BoardClass,
    ChannelKind,
    RuleAction,
    RuleFlag,
    RuleKind,
    Unit,
)
from tendril.image import Actuator, Channel, Image, Rule, encode, with_generation

PIN, LO, HI, SAFE, OPEN = 9, 10, 120, 10, 90
WARM_MS, COOL_MS = 3_000, 8_000  # the air steps to 30 °C, then back to 20 °C
SCENARIO = f"adc A0 steps 0:400 {WARM_MS // 1000}s:600 {COOL_MS // 1000}s:400\n"
PICO_SCENARIO = SCENARIO.replace("adc A0", "adc 26")  # GP26, the Pico's first ADC pin


def image(board_class: BoardClass = BoardClass.AVR328, air_pin: int = 14, adc_bits: int = 10) -> bytes:
    """The vent recipe's image; the scenario's counts are 10-bit ones, scaled to the board's ADC."""
    vent = Actuator(PIN, ActuatorFlag.SERVO, 600_000, 0, 21_600_000, servo_min=LO, servo_max=HI, servo_safe=SAFE)
    # 50 thousandths of a °C a 10-bit count
    air = Channel(air_pin, ChannelKind.ANALOG, 0, Unit.CELSIUS, 100, (50 << 16) >> (adc_bits - 10), 0)
    rule = Rule(RuleKind.THRESHOLD, 0, RuleAction.FOLLOW, OPEN, 0, RuleFlag.ABOVE, threshold=28_000,
                hysteresis=1_000)
    return with_generation(encode(Image("vent", board_class, 1000, (), (air,), (vent,), (rule,))), 1)


def pulse_us(deg: int) -> int:
    """The pulse a device gives a servo at ``deg`` degrees (docs/config-image.md, "Actuator")."""
    return SERVO_PULSE_MIN_US + deg * (SERVO_PULSE_MAX_US - SERVO_PULSE_MIN_US) // SERVO_MAX_DEG


def degrees(width_us: int) -> float:
    return (width_us - SERVO_PULSE_MIN_US) * SERVO_MAX_DEG / (SERVO_PULSE_MAX_US - SERVO_PULSE_MIN_US)


def check_rule(moves: list[tuple[int, int]]) -> None:
    """``moves``: (board ms, pulse us) of each change of the vent's pulse, from boot through the
    warm spell: safe at boot, open while warm, closed again after, never outside the limits."""
    assert moves and moves[0][1] == pulse_us(SAFE), moves
    widths = [w for _t, w in moves]
    assert pulse_us(OPEN) in widths, moves
    opened = next(t for t, w in moves if w == pulse_us(OPEN))
    assert WARM_MS <= opened <= WARM_MS + 1_500, moves  # a sample period and a tick after the step
    closed = next(t for t, w in moves if t > opened and w == pulse_us(SAFE))
    assert COOL_MS <= closed <= COOL_MS + 1_500, moves
    assert all(pulse_us(LO) <= w <= pulse_us(HI) for w in widths), moves
