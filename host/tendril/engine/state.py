"""The engine's variables, one small object per channel, actuator and rule (docs/rules.md, *State*).

Each object keeps its record's static fields from the image next to the variables rules.md names,
so a tick reads one object per item. Plain classes with ``__slots__``: the tick is the hot path.
"""

from __future__ import annotations

from typing import NamedTuple

from ..contract import NO_INDEX, Operand, RuleAction, RuleFlag, RuleKind
from ..image.model import Actuator, Channel, Rule

OWNER_LEASE = 0xFE  # STATUS's owner byte for a lease (protocol.md)
NO_LIMIT = 1 << 32  # a servo's max_on / daily_cap given as 0: longer than any u32 elapsed time


class ChannelVars:
    __slots__ = (
        "gain",
        "fault",
        "index",
        "last_sample",
        "noted",
        "offset",
        "period",
        "raw",
        "sampled",
        "smoothing",
        "valid",
        "value",
    )

    def __init__(self, index: int, channel: Channel) -> None:
        self.index = index
        self.period = channel.period_ms
        self.gain = channel.gain
        self.offset = channel.offset
        self.smoothing = channel.smoothing
        self.raw = 0
        self.value = 0
        self.sampled = False  # sampled at least once: its period runs from last_sample
        self.last_sample = 0
        self.fault = 0  # a SensorFault while the channel has no good reading, else 0
        self.valid = False  # value holds a valid reading (rules.md, "Channels without a reading")
        self.noted = False  # a SENSOR fault EVENT was sent and the channel has not recovered yet


class ActuatorVars:
    __slots__ = (
        "daily_cap",
        "index",
        "lease",
        "lease_level",
        "lease_ms",
        "lease_start",
        "level",
        "lock_rule",
        "lock_since",
        "max_on",
        "min_off",
        "off_since",
        "on",
        "on_since",
        "pend_reason",
        "pend_rule",
        "pwm",
        "lo",
        "hi",
        "resting",
        "rules",
        "today_on_ms",
    )

    def __init__(self, index: int, actuator: Actuator) -> None:
        self.index = index
        self.pwm = actuator.pwm
        # the levels it may be driven at: a servo's limits in degrees (the device clamps), else any
        self.lo, self.hi = (actuator.servo_min, actuator.servo_max) if actuator.servo else (0, 0xFF)
        # a servo's max_on or daily_cap of 0: no time limit (past any u32 elapsed time: never due)
        timeless = NO_LIMIT if actuator.servo else 0
        self.max_on = actuator.max_on_ms or timeless
        self.min_off = actuator.min_off_ms
        self.daily_cap = actuator.daily_cap_ms or timeless
        self.rules: tuple[RuleVars, ...] = ()  # the rules driving it, in index order
        self.on = False
        self.level = 0  # the level it is driven at; 0 while off
        self.on_since = 0
        self.resting = False
        self.off_since = 0
        self.lease = False
        self.lease_start = 0
        self.lease_ms = 0
        self.lease_level = 0
        self.today_on_ms = 0
        self.pend_reason = 0  # an OffReason, 0 for none; cleared at the end of every tick
        self.pend_rule = NO_INDEX
        self.lock_rule = NO_INDEX  # the guard that tripped and locks it out, or NO_INDEX
        self.lock_since = 0


class RuleVars:
    __slots__ = (
        "above",
        "active",
        "active_since",
        "actuator",
        "channel",
        "cool_since",
        "cooling",
        "due",
        "duration",
        "fields",
        "fired",
        "guard",
        "held",
        "hold",
        "hyst",
        "il_thr",
        "index",
        "interlock",
        "interval",
        "interlock_above",
        "last_fired",
        "last_skip",
        "level",
        "period",
        "pulse",
        "run_start",
        "running",
        "thr",
        "threshold_kind",
    )

    def __init__(self, index: int, rule: Rule) -> None:
        self.index = index
        self.threshold_kind = rule.kind == RuleKind.THRESHOLD
        self.interval = rule.kind == RuleKind.INTERVAL
        self.guard = rule.kind == RuleKind.GUARD  # held: its channel read good since the actuator went on
        self.pulse = rule.action == RuleAction.PULSE
        self.actuator = rule.actuator
        self.level = rule.level
        self.channel = rule.channel
        self.above = bool(rule.flags & RuleFlag.ABOVE)
        self.interlock = None if rule.interlock == NO_INDEX else rule.interlock
        self.interlock_above = bool(rule.flags & RuleFlag.INTERLOCK_ABOVE)
        # (literal, parameter index or -1) of thr, hyst, hold, duration, period, il_thr
        self.fields = tuple(
            (-1, value) if rule.operands & bit else (value, -1)
            for bit, value in (
                (Operand.THRESHOLD, rule.threshold),
                (Operand.HYSTERESIS, rule.hysteresis),
                (Operand.HOLD, rule.hold),
                (Operand.DURATION, rule.duration),
                (Operand.PERIOD, rule.period),
                (Operand.INTERLOCK, rule.il_threshold),
            )
        )
        self.thr = self.hyst = self.hold = self.duration = self.period = self.il_thr = 0
        self.active = False
        self.active_since = 0
        self.held = False
        self.running = False
        self.run_start = 0
        self.cooling = False
        self.cool_since = 0
        self.due = 0
        self.last_skip = 0  # a SkipReason, 0 for none
        self.fired = False
        self.last_fired = 0

    def resolve(self, params: list[int]) -> None:
        """Read the operand values: each field's literal, or its parameter's current value."""
        (self.thr, self.hyst, self.hold, self.duration, self.period, self.il_thr) = (
            params[p] if p >= 0 else literal for literal, p in self.fields
        )


class ActuatorStatus(NamedTuple):
    """An actuator as STATUS reports it (protocol.md), plus the lease's own time left."""

    on: bool
    level: int  # driven level, 0 when off
    owner: int  # rule index, OWNER_LEASE, or NO_INDEX
    leased: bool
    resting: bool
    capped: bool
    locked: bool  # a guard tripped it and holds it locked out
    ms_left: int  # of the lease or pulse owning it, 0 if none
    lease_left_ms: int
    today_on_ms: int

    @property
    def state_bits(self) -> int:
        """The ActuatorStateBit byte of a STATUS entry."""
        return (
            (1 if self.on else 0)
            | (2 if self.leased else 0)
            | (4 if self.capped else 0)
            | (8 if self.resting else 0)
            | (0x10 if self.locked else 0)
        )


class RuleStatus(NamedTuple):
    """A rule as STATUS shows it: RuleState, last skip reason (0 none), time since it fired."""

    state: int
    last_skip: int
    since_fired_ms: int  # 0xFFFFFFFF if it never fired
