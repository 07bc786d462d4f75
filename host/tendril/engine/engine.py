"""The reference rule engine: docs/rules.md, step by step.

Pure: no I/O, no clock, no threads. The caller owns time and the pins: it sets each channel's raw
reading with ``set_raw``, calls ``tick(now)`` every loop, applies commands between ticks, and drives
the outputs from ``output(i)``. Every time is a u32 millisecond count; every wait is measured as
``(now - t) & 0xFFFFFFFF`` so the clock may wrap.

Where rules.md leaves a choice open, the engine makes the one named in a comment marked
"Resolution" (and reported to the docs' owner).
"""

from __future__ import annotations

from ..contract import (
    DAY_MS,
    NO_INDEX,
    NO_READING,
    VALUE_LIMIT,
    EventKind,
    ModeChange,
    Nack,
    OffReason,
    RuleState,
    SensorFault,
    SkipReason,
    Source,
)
from ..image.model import Image
from .events import Event, Reply, ack, mode_event, nack, param_event
from .state import OWNER_LEASE, ActuatorStatus, ActuatorVars, ChannelVars, RuleStatus, RuleVars

U32 = 0xFFFFFFFF
HALF = 0x80000000  # (int32)(x) >= 0  <=>  (x & U32) < HALF

ACT_ON, ACT_OFF, RULE_SKIP = EventKind.ACT_ON, EventKind.ACT_OFF, EventKind.RULE_SKIP
SENSOR, RECOVERED, WAITING = EventKind.SENSOR, SensorFault.RECOVERED, SensorFault.WAITING
SKIP_INTERLOCK, SKIP_LEASED = SkipReason.INTERLOCK, SkipReason.LEASED
SKIP_DAILY_CAP, SKIP_MIN_OFF = SkipReason.DAILY_CAP, SkipReason.MIN_OFF


class Engine:
    """Runs one decoded config image. Build a new Engine to apply a new config."""

    def __init__(self, image: Image) -> None:
        self.image = image
        self.params = [p.default for p in image.params]
        self.channels = [ChannelVars(i, c) for i, c in enumerate(image.channels)]
        self.actuators = [ActuatorVars(i, a) for i, a in enumerate(image.actuators)]
        self.rules = [RuleVars(i, r) for i, r in enumerate(image.rules)]
        for act in self.actuators:
            act.rules = tuple(r for r in self.rules if r.actuator == act.index)
        for rule in self.rules:
            rule.resolve(self.params)
        self._intervals = tuple(r for r in self.rules if r.interval)
        self.automation = True
        self.started = False
        self.day_start = 0
        self.last_tick = 0

    # --- inputs -----------------------------------------------------------------------------------

    def set_raw(self, channel: int, raw: int) -> None:
        """The reading channel ``channel`` gives from now on (ADC count, or 0/1 for a pin)."""
        ch = self.channels[channel]
        ch.raw = raw
        ch.fault = 0

    def set_fault(self, channel: int, fault: int) -> None:
        """Channel ``channel`` has no good reading from now on, for this SensorFault (not RECOVERED)."""
        self.channels[channel].fault = fault

    # --- one tick ---------------------------------------------------------------------------------

    def tick(self, now: int) -> list[Event]:
        """Run one tick at u32 time ``now``; return its events in order."""
        now &= U32
        events: list[Event] = []
        acts, chans, rules = self.actuators, self.channels, self.rules
        if not self.started:
            self.started = True
            self.day_start = self.last_tick = now
            for rule in self._intervals:
                rule.due = (now + rule.period) & U32

        # 1. On-time.  2. Day.
        dt = (now - self.last_tick) & U32
        for act in acts:
            if act.on:
                act.today_on_ms += dt
        if (now - self.day_start) & U32 >= DAY_MS:
            self.day_start = now
            for act in acts:
                act.today_on_ms = 0

        # 3. Sampling.
        for ch in chans:
            if not ch.sampled or (now - ch.last_sample) & U32 >= ch.period:
                ch.sampled = True
                ch.last_sample = now
                if ch.fault:
                    ch.valid = False
                    if ch.fault != WAITING and not ch.noted:
                        ch.noted = True
                        events.append(Event(now, SENSOR, ch.index, ch.fault, 0, 0))
                    continue
                v = ch.offset + ((ch.raw * ch.gain) >> 16)
                v = max(-VALUE_LIMIT, min(VALUE_LIMIT, v))
                if ch.valid:
                    ch.value += (v - ch.value) >> ch.smoothing
                else:
                    ch.value = v
                    ch.valid = True
                if ch.noted:
                    ch.noted = False
                    events.append(Event(now, SENSOR, ch.index, RECOVERED, 0, ch.value))

        # 4. Timers.
        for act in acts:
            if act.resting and (now - act.off_since) & U32 >= act.min_off:
                act.resting = False
            if act.lease and (now - act.lease_start) & U32 >= act.lease_ms:
                act.lease = False
                act.pend_reason, act.pend_rule = OffReason.LEASE_END, NO_INDEX
            if act.lock_rule != NO_INDEX:
                lockout = rules[act.lock_rule].period  # 0: until a lease (a person) clears it
                if lockout and (now - act.lock_since) & U32 >= lockout:
                    act.lock_rule = NO_INDEX

        # 5. Rules.
        auto = self.automation
        for rule in rules:
            act = acts[rule.actuator]
            if rule.guard:
                self._guard(rule, act, chans[rule.channel], now, events)
                continue
            dead = False  # its condition's channel has no valid reading
            if rule.threshold_kind:
                ch = chans[rule.channel]
                if ch.valid:
                    self._condition(rule, ch.value, now)
                else:  # a condition on a channel with no reading is false
                    dead = True
                    rule.active = rule.held = False
                if rule.cooling and (now - rule.cool_since) & U32 >= rule.period:
                    rule.cooling = False
            il = rule.interlock
            no_reading = il is not None and not chans[il].valid  # fail safe: blocks
            if il is None or no_reading:
                blocked = no_reading
            elif rule.interlock_above:
                blocked = chans[il].value > rule.il_thr
            else:
                blocked = chans[il].value < rule.il_thr

            if rule.running:
                reason = 0
                if not auto:
                    reason = OffReason.PAUSED
                elif blocked:
                    reason = OffReason.NO_READING if no_reading else OffReason.INTERLOCK
                elif rule.pulse and (now - rule.run_start) & U32 >= rule.duration:
                    reason = OffReason.RULE_DONE
                elif not rule.pulse and not rule.active:
                    reason = OffReason.NO_READING if dead else OffReason.CONDITION_CLEARED
                if reason:
                    self._end_run(rule, now)
                    act.pend_reason, act.pend_rule = reason, rule.index

            if rule.threshold_kind:
                wants = auto and rule.held and not rule.running and not rule.cooling
            else:
                # Resolution: a slot is used up whenever it comes due, even while the rule still
                # runs (or automation is off); it fires only if it is free to.
                slot = (now - rule.due) & U32 < HALF
                if slot:
                    rule.due = (rule.due + rule.period) & U32
                    if (now - rule.due) & U32 < HALF:
                        rule.due = (now + rule.period) & U32
                wants = slot and auto and not rule.running
            if not wants:
                rule.last_skip = 0
                continue
            if blocked:
                skip = SkipReason.NO_READING if no_reading else SKIP_INTERLOCK
            elif act.lease:
                skip = SKIP_LEASED
            elif act.today_on_ms >= act.daily_cap:
                skip = SKIP_DAILY_CAP
            elif act.lock_rule != NO_INDEX:
                skip = SkipReason.GUARD
            elif (act.resting and not act.on) or (act.on and act.pend_reason):
                # Resolution: an actuator that is being turned off this tick (on, with a pending off
                # reason) counts as resting: it goes off before anything turns it on again.
                skip = SKIP_MIN_OFF
            else:
                rule.running = rule.fired = True
                rule.run_start = rule.last_fired = now
                rule.last_skip = 0
                continue
            if skip != rule.last_skip:
                events.append(Event(now, RULE_SKIP, rule.index, skip, rule.actuator, 0))
                rule.last_skip = skip

        # 6. Actuators.
        for act in acts:
            if act.lease:
                claimed, owner, level = True, NO_INDEX, act.lease_level
            else:
                owner, level = NO_INDEX, 0
                for rule in act.rules:
                    if rule.running:
                        if owner == NO_INDEX:
                            owner = rule.index
                        level = max(level, rule.level)
                claimed = owner != NO_INDEX
            level = min(max(level, act.lo), act.hi)  # a servo stays inside its limits
            if act.on:
                if not claimed:
                    # A claim only ever disappears with a pending reason (steps 4, 5.4, OFF).
                    assert act.pend_reason, "actuator lost its claim without an off reason"
                    self._turn_off(act, act.pend_reason, act.pend_rule, now, events)
                elif (now - act.on_since) & U32 >= act.max_on:
                    self._turn_off(act, OffReason.MAX_ON, owner, now, events)
                elif act.today_on_ms >= act.daily_cap:
                    self._turn_off(act, OffReason.DAILY_CAP, owner, now, events)
                else:
                    act.level = level
            elif claimed:
                act.on = True
                act.on_since = now
                act.level = level
                source = Source.LEASE if act.lease else Source.RULE
                events.append(Event(now, ACT_ON, act.index, source, owner, level))
            act.pend_reason, act.pend_rule = 0, NO_INDEX

        # 7.
        self.last_tick = now
        return events

    @staticmethod
    def _condition(rule: RuleVars, v: int, now: int) -> None:
        """Step 5.1: the threshold condition with hysteresis, and the hold."""
        if rule.active:
            if (v <= rule.thr - rule.hyst) if rule.above else (v >= rule.thr + rule.hyst):
                rule.active = rule.held = False
        elif (v > rule.thr) if rule.above else (v < rule.thr):
            rule.active = True
            rule.active_since = now
            rule.held = False
        if rule.active and not rule.held and (now - rule.active_since) & U32 >= rule.hold:
            rule.held = True

    def _guard(self, rule: RuleVars, act: ActuatorVars, ch: ChannelVars, now: int, events: list[Event]) -> None:
        """Step 5 for a guard: while its actuator is on, its channel past the threshold (or with no
        reading) for ``hold`` trips it: the actuator goes off (GUARD) and stays locked out."""
        if not act.on or act.lock_rule != NO_INDEX:
            rule.active = rule.held = False
            return
        if ch.valid and not ((ch.value > rule.thr) if rule.above else (ch.value < rule.thr)):
            rule.active, rule.held = False, True  # read good while on: a later stretch counts from then
            return
        if not rule.active:
            rule.active = True
            rule.active_since = now if rule.held else act.on_since
        if (now - rule.active_since) & U32 < rule.hold:
            return
        rule.active = rule.held = False
        rule.fired, rule.last_fired = True, now
        value = ch.value if ch.valid else NO_READING
        events.append(Event(now, EventKind.GUARD, rule.index, ch.index, act.index, value))
        act.lease = False
        for r in act.rules:
            if r.running:
                self._end_run(r, now)
        act.pend_reason, act.pend_rule = OffReason.GUARD, rule.index
        act.lock_rule, act.lock_since = rule.index, now

    @staticmethod
    def _end_run(rule: RuleVars, now: int) -> None:
        rule.running = False
        if rule.threshold_kind and rule.period:
            rule.cooling = True
            rule.cool_since = now

    def _turn_off(
        self, act: ActuatorVars, reason: int, rule: int, now: int, events: list[Event]
    ) -> None:
        act.on = False
        act.level = 0
        events.append(Event(now, ACT_OFF, act.index, reason, rule, (now - act.on_since) & U32))
        act.lease = False
        for r in act.rules:
            if r.running:
                self._end_run(r, now)
        if act.min_off:
            act.resting = True
            act.off_since = now

    # --- commands (between ticks, at their own time) ----------------------------------------------

    def lease(self, actuator: int, ms: int, level: int, now: int) -> Reply:
        """LEASE: turn ``actuator`` on at ``level`` for ``ms`` from the next tick, over any rule."""
        now &= U32
        if not 0 <= actuator < len(self.actuators):
            return nack(Nack.BAD_INDEX, actuator)
        act = self.actuators[actuator]
        if not 0 < ms <= U32 or not 0 < level <= 0xFF:
            return nack(Nack.BAD_VALUE)
        if ms > act.max_on:
            return nack(Nack.LIMIT_MAX_ON, min(act.max_on // 1000, 0xFFFF))
        if act.today_on_ms >= act.daily_cap:
            return nack(Nack.LIMIT_DAILY_CAP)
        if not act.on and act.resting and (now - act.off_since) & U32 < act.min_off:
            left = act.min_off - ((now - act.off_since) & U32)
            return nack(Nack.LIMIT_MIN_OFF, min(-(-left // 1000), 0xFFFF))
        act.lease = True
        act.lease_start, act.lease_ms, act.lease_level = now, ms, level
        act.lock_rule = NO_INDEX  # a person running it by hand ends a guard's lockout
        for rule in act.rules:
            if rule.running:
                self._end_run(rule, now)
        return ack(ms)

    def off(self, actuator: int, now: int) -> Reply:
        """OFF: end the lease and rule runs on ``actuator``; it goes off at the next tick."""
        now &= U32
        if not 0 <= actuator < len(self.actuators):
            return nack(Nack.BAD_INDEX, actuator)
        act = self.actuators[actuator]
        act.lease = False
        for rule in act.rules:
            if rule.running:
                self._end_run(rule, now)
        act.pend_reason, act.pend_rule = OffReason.MANUAL_OFF, NO_INDEX
        return ack()

    def pause(self, now: int) -> Reply:
        """PAUSE: rules stop firing and their runs end at the next tick; leases go on.

        Pausing a paused engine changes nothing (a retried request must be safe)."""
        if not self.automation:
            return ack()
        self.automation = False
        return ack(events=(mode_event(now & U32, ModeChange.PAUSED),))

    def resume(self, now: int) -> Reply:
        """RESUME: rules fire again; interval timers restart their period from now."""
        now &= U32
        if self.automation:
            return ack()
        self.automation = True
        for rule in self._intervals:
            rule.due = (now + rule.period) & U32
        return ack(events=(mode_event(now, ModeChange.RESUMED),))

    def set_param(self, index: int, value: int, now: int) -> Reply:
        """SET_PARAM: rules read the new value from the next tick on."""
        if not 0 <= index < len(self.params):
            return nack(Nack.BAD_INDEX, index)
        spec = self.image.params[index]
        if not spec.min <= value <= spec.max:
            return nack(Nack.OUT_OF_RANGE, index)
        self.params[index] = value
        for rule in self.rules:
            rule.resolve(self.params)
        return ack(value, (param_event(now & U32, index, value),))

    # --- what a status page or a replay reads -----------------------------------------------------

    def value(self, channel: int) -> int | None:
        """Calibrated, smoothed value (thousandths of its unit); None while it has no valid reading."""
        ch = self.channels[channel]
        return ch.value if ch.valid else None

    def output(self, actuator: int) -> int:
        """The level step 7 drives it at: 0 off, else 1..255 (a relay is on at any level)."""
        return self.actuators[actuator].level

    def actuator_status(self, actuator: int, now: int | None = None) -> ActuatorStatus:
        """STATUS of one actuator at ``now`` (default: the last tick)."""
        now = self.last_tick if now is None else now & U32
        act = self.actuators[actuator]
        lease_left = max(0, act.lease_ms - ((now - act.lease_start) & U32)) if act.lease else 0
        owner, ms_left = NO_INDEX, 0
        if act.lease:
            owner, ms_left = OWNER_LEASE, lease_left
        else:
            for rule in act.rules:
                if rule.running:
                    owner = rule.index
                    if rule.pulse:
                        ms_left = max(0, rule.duration - ((now - rule.run_start) & U32))
                    break
        return ActuatorStatus(
            on=act.on,
            level=act.level,
            owner=owner if act.on or act.lease else NO_INDEX,
            leased=act.lease,
            resting=act.resting and (now - act.off_since) & U32 < act.min_off,
            capped=act.today_on_ms >= act.daily_cap,
            locked=act.lock_rule != NO_INDEX,
            ms_left=ms_left,
            lease_left_ms=lease_left,
            today_on_ms=act.today_on_ms,
        )

    def rule_state(self, rule: int) -> RuleState:
        """What a rule is doing, for STATUS. Running wins, then paused, cooling, held, holding."""
        r = self.rules[rule]
        if r.guard:  # a guard watches whatever automation does
            if self.actuators[r.actuator].lock_rule == rule:
                return RuleState.LOCKED
            return RuleState.HOLDING if r.active else RuleState.IDLE
        if r.running:
            return RuleState.RUNNING
        if not self.automation:
            return RuleState.PAUSED
        if r.cooling:
            return RuleState.COOLING
        if r.threshold_kind and r.held:
            return RuleState.READY
        if r.threshold_kind and r.active:
            return RuleState.HOLDING
        return RuleState.IDLE

    def rule_status(self, rule: int, now: int | None = None) -> RuleStatus:
        now = self.last_tick if now is None else now & U32
        r = self.rules[rule]
        since = (now - r.last_fired) & U32 if r.fired else U32
        return RuleStatus(self.rule_state(rule), r.last_skip, since)
