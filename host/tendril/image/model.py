"""The config image as values: what a compiled recipe says, field by field.

Durations are in milliseconds. A rule field whose bit is set in ``operands`` holds a parameter index
instead of a literal (docs/config-image.md).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..contract import (
    NO_INDEX,
    ActuatorFlag,
    BoardClass,
    ChannelKind,
    Operand,
    RuleAction,
    RuleFlag,
    RuleKind,
    Unit,
)


@dataclass(frozen=True)
class Param:
    default: int
    min: int
    max: int


@dataclass(frozen=True)
class Channel:
    pin: int
    kind: ChannelKind = ChannelKind.ANALOG
    smoothing: int = 0
    unit: Unit = Unit.NONE
    period_ms: int = 1000
    gain: int = 1 << 16  # Q16.16
    offset: int = 0  # thousandths of the unit
    # A sensor's channel (kind CHANNEL_FROM_SENSOR, pin = the sensor's index): which of its quantities
    # (mode bits 3..2). 0 for a pin's channel.
    quantity: int = 0


@dataclass(frozen=True)
class Sensor:
    """A device on one or two pins that channels take quantities from (docs/config-image.md)."""

    kind: int  # a SENSOR_KINDS code
    pin: int
    pin2: int = NO_INDEX
    options: bytes = bytes(3)
    period_ms: int = 2000
    rom: bytes = bytes(8)  # a 1-Wire ROM code, or all zero: the only one on the bus


@dataclass(frozen=True)
class Actuator:
    pin: int
    flags: ActuatorFlag = ActuatorFlag(0)
    max_on_ms: int = 60_000
    min_off_ms: int = 0
    daily_cap_ms: int = 3_600_000
    # A servo (flag SERVO): its limits and safe position in degrees; all 0 for any other actuator.
    servo_min: int = 0
    servo_max: int = 0
    servo_safe: int = 0

    @property
    def pwm(self) -> bool:
        return bool(self.flags & ActuatorFlag.PWM)

    @property
    def servo(self) -> bool:
        return bool(self.flags & ActuatorFlag.SERVO)

    def position(self, level: int) -> int:
        """A servo's position in degrees when driven at ``level`` (0: off, its safe position):
        the level clamped to its limits, as every device does."""
        return self.servo_safe if level == 0 else min(max(level, self.servo_min), self.servo_max)

    @property
    def active_low(self) -> bool:
        return bool(self.flags & ActuatorFlag.ACTIVE_LOW)


@dataclass(frozen=True)
class Rule:
    kind: RuleKind
    actuator: int
    action: RuleAction = RuleAction.PULSE
    level: int = 255
    channel: int = NO_INDEX
    flags: RuleFlag = RuleFlag(0)
    interlock: int = NO_INDEX
    operands: Operand = Operand(0)
    threshold: int = 0
    hysteresis: int = 0
    hold: int = 0
    duration: int = 0
    period: int = 0
    il_threshold: int = 0

    @property
    def above(self) -> bool:
        return bool(self.flags & RuleFlag.ABOVE)

    @property
    def interlock_above(self) -> bool:
        return bool(self.flags & RuleFlag.INTERLOCK_ABOVE)


@dataclass(frozen=True)
class Image:
    name: str
    board_class: BoardClass
    telemetry_ms: int = 1000
    params: tuple[Param, ...] = ()
    channels: tuple[Channel, ...] = ()
    actuators: tuple[Actuator, ...] = ()
    rules: tuple[Rule, ...] = ()
    generation: int = 0
    sensors: tuple[Sensor, ...] = ()
    # Filled in by decode(); encode() computes them.
    recipe_hash: bytes = field(default=b"", compare=False)
