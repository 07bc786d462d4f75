"""The rule engine (docs/rules.md), step by step. Portable: MicroPython and CPython.

Same semantics as the reference engine (host/tendril/engine), written for small RAM: the state is
kept as flat lists indexed by record (no object per channel, actuator or rule), events go to a
callback ``emit(t, kind, a, b, c, value)`` instead of a list, and times stay small ints where they
can (``_el`` avoids the u32 mask, which is a heap-allocated long int on 32-bit MicroPython).
Commands return a NACK code, 0 for ACK; ``detail`` holds the NACK detail or the ACK value.
"""

import struct

from .const import (
    ACTUATOR_FLAG_SERVO,
    ACTUATOR_FMT,
    ACTUATOR_SIZE,
    CHANNEL_FMT,
    CHANNEL_KIND_MASK,
    CHANNEL_SIZE,
    DAY_MS,
    EVENT_KIND_ACT_OFF,
    EVENT_KIND_ACT_ON,
    EVENT_KIND_GUARD,
    EVENT_KIND_MODE,
    EVENT_KIND_PARAM,
    EVENT_KIND_RULE_SKIP,
    EVENT_KIND_SENSOR,
    MODE_CHANGE_PAUSED,
    MODE_CHANGE_RESUMED,
    NACK_BAD_INDEX,
    NACK_BAD_VALUE,
    NACK_LIMIT_DAILY_CAP,
    NACK_LIMIT_MAX_ON,
    NACK_LIMIT_MIN_OFF,
    NACK_OUT_OF_RANGE,
    NO_INDEX,
    NO_READING,
    OFF_REASON_CONDITION_CLEARED,
    OFF_REASON_DAILY_CAP,
    OFF_REASON_GUARD,
    OFF_REASON_INTERLOCK,
    OFF_REASON_LEASE_END,
    OFF_REASON_MANUAL_OFF,
    OFF_REASON_MAX_ON,
    OFF_REASON_NO_READING,
    OFF_REASON_PAUSED,
    OFF_REASON_RULE_DONE,
    PARAM_FMT,
    PARAM_SIZE,
    RULE_ACTION_PULSE,
    RULE_FLAG_ABOVE,
    RULE_FLAG_INTERLOCK_ABOVE,
    RULE_FMT,
    RULE_KIND_GUARD,
    RULE_KIND_INTERVAL,
    RULE_KIND_THRESHOLD,
    RULE_SIZE,
    SKIP_REASON_DAILY_CAP,
    SKIP_REASON_GUARD,
    SKIP_REASON_INTERLOCK,
    SKIP_REASON_LEASED,
    SKIP_REASON_MIN_OFF,
    SKIP_REASON_NO_READING,
    SENSOR_FAULT_RECOVERED,
    SENSOR_FAULT_WAITING,
    SMOOTHING_SHIFT,
    SOURCE_LEASE,
    SOURCE_RULE,
    VALUE_LIMIT,
)
from .image import counts, dur_ms, offsets

WRAP = 0x100000000
HALF = 0x80000000
U32 = 0xFFFFFFFF
NO_LIMIT = WRAP  # a servo's max_on / daily_cap given as 0: longer than any u32 elapsed time
NONE = NO_INDEX


def _el(now, t):
    """(now - t) mod 2^32 for u32 times, without a long-int mask in the common case."""
    d = now - t
    return d if d >= 0 else d + WRAP


def _add(t, d):
    t += d
    return t - WRAP if t >= WRAP else t


def _z(n):
    return [0] * n


class Engine:
    """Runs one valid config image. Build a new Engine to apply a new config."""

    def __init__(self, img, emit):
        self.emit = emit
        nc, na, nr, np_ = counts(img)
        self.nc, self.na, self.nr = nc, na, nr
        po, co, ao, ro = offsets(img)
        self.p_min, self.p_max, self.params = _z(np_), _z(np_), _z(np_)
        for i in range(np_):
            self.params[i], self.p_min[i], self.p_max[i] = struct.unpack_from(PARAM_FMT, img, po + PARAM_SIZE * i)
        self.c_pin, self.c_kind, self.c_period, self.c_gain = _z(nc), _z(nc), _z(nc), _z(nc)
        self.c_offset, self.c_smooth = _z(nc), _z(nc)
        for i in range(nc):
            pin, mode, _u, period, gain, off = struct.unpack_from(CHANNEL_FMT, img, co + CHANNEL_SIZE * i)
            self.c_pin[i], self.c_kind[i], self.c_smooth[i] = pin, mode & CHANNEL_KIND_MASK, mode >> SMOOTHING_SHIFT
            self.c_period[i], self.c_gain[i], self.c_offset[i] = dur_ms(period), gain, off
        self.raw, self.value, self.sampled, self.last_sample = _z(nc), _z(nc), bytearray(nc), _z(nc)
        # fault: a SensorFault while the channel has no good reading (set by the sensor seam, cleared
        # with a good one); valid: value holds a valid reading; noted: its fault EVENT was sent
        self.fault, self.valid, self.noted = bytearray(nc), bytearray(nc), bytearray(nc)
        self.a_pin, self.a_flags, self.max_on, self.min_off, self.cap = _z(na), _z(na), _z(na), _z(na), _z(na)
        # the levels each may be driven at (a servo's limits in degrees), and a servo's safe position
        self.a_lo, self.a_hi, self.a_safe = bytearray(na), bytearray(b"\xff" * na), bytearray(na)
        for i in range(na):
            pin, flags, mo, mf, cap, lo, hi, safe = struct.unpack_from(ACTUATOR_FMT, img, ao + ACTUATOR_SIZE * i)
            self.a_pin[i], self.a_flags[i] = pin, flags
            self.max_on[i], self.min_off[i], self.cap[i] = dur_ms(mo), dur_ms(mf), dur_ms(cap)
            if flags & ACTUATOR_FLAG_SERVO:
                self.a_lo[i], self.a_hi[i], self.a_safe[i] = lo, hi, safe
                # a servo's max_on or daily_cap of 0: no time limit (past any u32 elapsed: never due)
                self.max_on[i] = self.max_on[i] or NO_LIMIT
                self.cap[i] = self.cap[i] or NO_LIMIT
        self.on, self.level, self.on_since = bytearray(na), bytearray(na), _z(na)
        self.resting, self.off_since = bytearray(na), _z(na)
        self.lease, self.lease_start, self.lease_ms, self.lease_level = bytearray(na), _z(na), _z(na), bytearray(na)
        self.today, self.pend_reason, self.pend_rule = _z(na), bytearray(na), bytearray(b"\xff" * na)
        # the guard that tripped an actuator and locks it out (since lock_since), or NONE
        self.lock_rule, self.lock_since = bytearray(b"\xff" * na), _z(na)
        # rules: static fields, then operand sources (literal or parameter index), then state
        self.r_thresh, self.r_act, self.r_pulse, self.r_level = bytearray(nr), bytearray(nr), bytearray(nr), bytearray(nr)
        self.r_guard, self.r_interval = bytearray(nr), bytearray(nr)
        self.r_chan, self.r_above, self.r_il, self.r_il_above = bytearray(nr), bytearray(nr), bytearray(nr), bytearray(nr)
        self.r_src = []  # per rule: 6 (literal, param index or -1) pairs flattened to 12 ints
        for i in range(nr):
            kind, act, action, level, chan, flags, il, ops, thr, hyst, hold, dur, per, ilt = struct.unpack_from(RULE_FMT, img, ro + RULE_SIZE * i)
            self.r_thresh[i], self.r_act[i] = kind == RULE_KIND_THRESHOLD, act
            self.r_guard[i], self.r_interval[i] = kind == RULE_KIND_GUARD, kind == RULE_KIND_INTERVAL
            self.r_pulse[i], self.r_level[i] = action == RULE_ACTION_PULSE, level
            self.r_chan[i], self.r_il[i] = chan, il
            self.r_above[i] = 1 if flags & RULE_FLAG_ABOVE else 0
            self.r_il_above[i] = 1 if flags & RULE_FLAG_INTERLOCK_ABOVE else 0
            src = []
            for k, v in enumerate((thr, hyst, hold, dur, per, ilt)):
                if ops & (1 << k):
                    src += (0, v)
                else:
                    src += (dur_ms(v) if 2 <= k <= 4 else v, -1)
            self.r_src.append(src)
        self.thr, self.hyst, self.hold, self.dur, self.period, self.il_thr = _z(nr), _z(nr), _z(nr), _z(nr), _z(nr), _z(nr)
        self.resolve()
        self.active, self.active_since, self.held = bytearray(nr), _z(nr), bytearray(nr)
        self.running, self.run_start, self.cooling, self.cool_since = bytearray(nr), _z(nr), bytearray(nr), _z(nr)
        self.due, self.last_skip, self.fired, self.last_fired = _z(nr), bytearray(nr), bytearray(nr), _z(nr)
        self.automation = True
        self.started = False
        self.day_start = self.last_tick = 0
        self.detail = 0

    def resolve(self):
        """Operand values: each field's literal, or its parameter's current value."""
        fields = (self.thr, self.hyst, self.hold, self.dur, self.period, self.il_thr)
        p = self.params
        for i in range(self.nr):
            src = self.r_src[i]
            for k in range(6):
                idx = src[2 * k + 1]
                fields[k][i] = p[idx] if idx >= 0 else src[2 * k]

    # --- one tick -------------------------------------------------------------------------------

    def tick(self, now):
        emit, na, nr = self.emit, self.na, self.nr
        on, today = self.on, self.today
        if not self.started:
            self.started = True
            self.day_start = self.last_tick = now
            for i in range(nr):
                if self.r_interval[i]:
                    self.due[i] = _add(now, self.period[i])
        # 1. On-time.  2. Day.
        dt = _el(now, self.last_tick)
        for a in range(na):
            if on[a]:
                today[a] += dt
        if _el(now, self.day_start) >= DAY_MS:
            self.day_start = now
            for a in range(na):
                today[a] = 0
        # 3. Sampling.
        value, sampled, last, valid, fault, noted = self.value, self.sampled, self.last_sample, self.valid, self.fault, self.noted
        for c in range(self.nc):
            if not sampled[c] or _el(now, last[c]) >= self.c_period[c]:
                sampled[c] = 1
                last[c] = now
                f = fault[c]
                if f:
                    valid[c] = 0
                    if f != SENSOR_FAULT_WAITING and not noted[c]:
                        noted[c] = 1
                        emit(now, EVENT_KIND_SENSOR, c, f, 0, 0)
                    continue
                v = self.c_offset[c] + ((self.raw[c] * self.c_gain[c]) >> 16)
                if v > VALUE_LIMIT:
                    v = VALUE_LIMIT
                elif v < -VALUE_LIMIT:
                    v = -VALUE_LIMIT
                if valid[c]:
                    value[c] += (v - value[c]) >> self.c_smooth[c]
                else:
                    value[c] = v
                    valid[c] = 1
                if noted[c]:
                    noted[c] = 0
                    emit(now, EVENT_KIND_SENSOR, c, SENSOR_FAULT_RECOVERED, 0, value[c])
        # 4. Timers.
        for a in range(na):
            if self.resting[a] and _el(now, self.off_since[a]) >= self.min_off[a]:
                self.resting[a] = 0
            if self.lease[a] and _el(now, self.lease_start[a]) >= self.lease_ms[a]:
                self.lease[a] = 0
                self.pend_reason[a], self.pend_rule[a] = OFF_REASON_LEASE_END, NONE
            g = self.lock_rule[a]  # a guard's lockout: its period from the trip, 0 = until a lease
            if g != NONE and self.period[g] and _el(now, self.lock_since[a]) >= self.period[g]:
                self.lock_rule[a] = NONE
        # 5. Rules.
        auto = self.automation
        running = self.running
        for r in range(nr):
            a = self.r_act[r]
            if self.r_guard[r]:
                self._guard(r, a, now)
                continue
            thresh = self.r_thresh[r]
            dead = False  # its condition's channel has no valid reading: the condition is false
            if thresh:
                ch = self.r_chan[r]
                if valid[ch]:
                    self._condition(r, value[ch], now)
                else:
                    dead = True
                    self.active[r] = self.held[r] = 0
                if self.cooling[r] and _el(now, self.cool_since[r]) >= self.period[r]:
                    self.cooling[r] = 0
            il = self.r_il[r]
            no_reading = il != NONE and not valid[il]  # fail safe: blocks
            if il == NONE or no_reading:
                blocked = no_reading
            elif self.r_il_above[r]:
                blocked = value[il] > self.il_thr[r]
            else:
                blocked = value[il] < self.il_thr[r]
            if running[r]:
                reason = 0
                if not auto:
                    reason = OFF_REASON_PAUSED
                elif blocked:
                    reason = OFF_REASON_NO_READING if no_reading else OFF_REASON_INTERLOCK
                elif self.r_pulse[r]:
                    if _el(now, self.run_start[r]) >= self.dur[r]:
                        reason = OFF_REASON_RULE_DONE
                elif not self.active[r]:
                    reason = OFF_REASON_NO_READING if dead else OFF_REASON_CONDITION_CLEARED
                if reason:
                    self._end_run(r, now)
                    self.pend_reason[a], self.pend_rule[a] = reason, r
            if thresh:
                wants = auto and self.held[r] and not running[r] and not self.cooling[r]
            else:
                slot = _el(now, self.due[r]) < HALF
                if slot:
                    self.due[r] = _add(self.due[r], self.period[r])
                    if _el(now, self.due[r]) < HALF:
                        self.due[r] = _add(now, self.period[r])
                wants = slot and auto and not running[r]
            if not wants:
                self.last_skip[r] = 0
                continue
            if blocked:
                skip = SKIP_REASON_NO_READING if no_reading else SKIP_REASON_INTERLOCK
            elif self.lease[a]:
                skip = SKIP_REASON_LEASED
            elif today[a] >= self.cap[a]:
                skip = SKIP_REASON_DAILY_CAP
            elif self.lock_rule[a] != NONE:
                skip = SKIP_REASON_GUARD
            elif (self.resting[a] and not on[a]) or (on[a] and self.pend_reason[a]):
                skip = SKIP_REASON_MIN_OFF
            else:
                running[r] = self.fired[r] = 1
                self.run_start[r] = self.last_fired[r] = now
                self.last_skip[r] = 0
                continue
            if skip != self.last_skip[r]:
                emit(now, EVENT_KIND_RULE_SKIP, r, skip, a, 0)
                self.last_skip[r] = skip
        # 6. Actuators.
        for a in range(na):
            owner, level = self.claim(a)
            if level:  # the device keeps a servo inside its limits
                level = min(max(level, self.a_lo[a]), self.a_hi[a])
            if on[a]:
                if owner == NONE and not self.lease[a]:
                    self._turn_off(a, self.pend_reason[a], self.pend_rule[a], now)
                elif _el(now, self.on_since[a]) >= self.max_on[a]:
                    self._turn_off(a, OFF_REASON_MAX_ON, owner, now)
                elif today[a] >= self.cap[a]:
                    self._turn_off(a, OFF_REASON_DAILY_CAP, owner, now)
                else:
                    self.level[a] = level
            elif level:
                on[a] = 1
                self.on_since[a] = now
                self.level[a] = level
                emit(now, EVENT_KIND_ACT_ON, a, SOURCE_LEASE if self.lease[a] else SOURCE_RULE, owner, level)
            self.pend_reason[a], self.pend_rule[a] = 0, NONE
        # 7.
        self.last_tick = now

    def claim(self, a):
        """(owner, level) claiming actuator a: the lease (owner 0xFF), else the lowest running rule
        with the highest level among them; level 0 when nothing claims it."""
        if self.lease[a]:
            return NONE, self.lease_level[a]
        owner, level = NONE, 0
        for r in range(self.nr):
            if self.running[r] and self.r_act[r] == a:
                if owner == NONE:
                    owner = r
                level = max(level, self.r_level[r])
        return owner, level

    def _condition(self, r, v, now):
        thr = self.thr[r]
        if self.active[r]:
            if (v <= thr - self.hyst[r]) if self.r_above[r] else (v >= thr + self.hyst[r]):
                self.active[r] = self.held[r] = 0
        elif (v > thr) if self.r_above[r] else (v < thr):
            self.active[r] = 1
            self.active_since[r] = now
            self.held[r] = 0
        if self.active[r] and not self.held[r] and _el(now, self.active_since[r]) >= self.hold[r]:
            self.held[r] = 1

    def _guard(self, r, a, now):
        """Step 5 for a guard (rules.md "Guards"); held: its channel read good since the actuator went on."""
        ch = self.r_chan[r]
        ok = self.valid[ch]
        if not self.on[a] or self.lock_rule[a] != NONE:
            self.active[r] = self.held[r] = 0
            return
        v = self.value[ch]
        if ok and not ((v > self.thr[r]) if self.r_above[r] else (v < self.thr[r])):
            self.active[r], self.held[r] = 0, 1
            return
        if not self.active[r]:
            self.active[r] = 1
            self.active_since[r] = now if self.held[r] else self.on_since[a]
        if _el(now, self.active_since[r]) < self.hold[r]:
            return
        self.active[r] = self.held[r] = 0
        self.fired[r], self.last_fired[r] = 1, now
        self.emit(now, EVENT_KIND_GUARD, r, ch, a, v if ok else NO_READING)
        self.lease[a] = 0
        self._end_runs(a, now)
        self.pend_reason[a], self.pend_rule[a] = OFF_REASON_GUARD, r
        self.lock_rule[a], self.lock_since[a] = r, now

    def _end_run(self, r, now):
        self.running[r] = 0
        if self.r_thresh[r] and self.period[r]:
            self.cooling[r] = 1
            self.cool_since[r] = now

    def _end_runs(self, a, now):
        for r in range(self.nr):
            if self.running[r] and self.r_act[r] == a:
                self._end_run(r, now)

    def _turn_off(self, a, reason, rule, now):
        self.on[a] = 0
        self.level[a] = 0
        self.emit(now, EVENT_KIND_ACT_OFF, a, reason, rule, _el(now, self.on_since[a]))
        self.lease[a] = 0
        self._end_runs(a, now)
        if self.min_off[a]:
            self.resting[a] = 1
            self.off_since[a] = now

    # --- commands, between ticks --------------------------------------------------------------

    def cmd_lease(self, a, ms, level, now):
        if not 0 <= a < self.na:
            self.detail = a
            return NACK_BAD_INDEX
        self.detail = 0
        if ms <= 0 or ms > U32 or not 0 < level <= 255:
            return NACK_BAD_VALUE
        if ms > self.max_on[a]:
            self.detail = min(self.max_on[a] // 1000, 0xFFFF)
            return NACK_LIMIT_MAX_ON
        if self.today[a] >= self.cap[a]:
            return NACK_LIMIT_DAILY_CAP
        if not self.on[a] and self.resting[a] and _el(now, self.off_since[a]) < self.min_off[a]:
            left = self.min_off[a] - _el(now, self.off_since[a])
            self.detail = min((left + 999) // 1000, 0xFFFF)
            return NACK_LIMIT_MIN_OFF
        self.lease[a] = 1
        self.lease_start[a], self.lease_ms[a], self.lease_level[a] = now, ms, level
        self.lock_rule[a] = NONE  # a person running it by hand ends a guard's lockout
        self._end_runs(a, now)
        self.detail = ms
        return 0

    def cmd_off(self, a, now):
        if not 0 <= a < self.na:
            self.detail = a
            return NACK_BAD_INDEX
        self.lease[a] = 0
        self._end_runs(a, now)
        self.pend_reason[a], self.pend_rule[a] = OFF_REASON_MANUAL_OFF, NONE
        self.detail = 0
        return 0

    def cmd_pause(self, now):
        self.detail = 0
        if self.automation:
            self.automation = False
            self.emit(now, EVENT_KIND_MODE, NONE, MODE_CHANGE_PAUSED, NONE, 0)
        return 0

    def cmd_resume(self, now):
        self.detail = 0
        if not self.automation:
            self.automation = True
            for r in range(self.nr):
                if self.r_interval[r]:
                    self.due[r] = _add(now, self.period[r])
            self.emit(now, EVENT_KIND_MODE, NONE, MODE_CHANGE_RESUMED, NONE, 0)
        return 0

    def cmd_set_param(self, i, v, now):
        if not 0 <= i < len(self.params):
            self.detail = i
            return NACK_BAD_INDEX
        if not self.p_min[i] <= v <= self.p_max[i]:
            self.detail = i
            return NACK_OUT_OF_RANGE
        self.params[i] = v
        self.resolve()
        self.detail = v
        self.emit(now, EVENT_KIND_PARAM, i, 0, NONE, v)
        return 0
