/* The rule engine: docs/rules.md step by step, event for event the same as host/tendril/engine.
 *
 * Shared timestamps (RAM on an Uno is the budget): an actuator's on_since and off_since share
 * t_edge, because it is never on and resting at once (turning on needs min_off over, and step 4
 * clears `resting` before step 6 can turn it on); a rule's run_start is its last_fired. */
#include "engine_int.h"

#include <string.h>

#include "calib.h"
#include "dur16.h"
#include "image_layout.h"

TD_STATIC_ASSERT(TD_LIMIT_CHANNELS <= 255 && TD_LIMIT_RULES <= 254, counts_fit_u8);
/* eng_rule_def() walks the operand fields in record order, operand bit k being field k. */
TD_STATIC_ASSERT(TD_RULE_HYSTERESIS == TD_RULE_THRESHOLD + 4 && TD_RULE_HOLD == TD_RULE_HYSTERESIS + 4 &&
                         TD_RULE_DURATION == TD_RULE_HOLD + 2 && TD_RULE_PERIOD == TD_RULE_DURATION + 2 &&
                         TD_RULE_IL_THRESHOLD == TD_RULE_PERIOD + 2,
                 operand_fields_in_order);
TD_STATIC_ASSERT(TD_OPERAND_THRESHOLD == 1 << OP_THR && TD_OPERAND_HYSTERESIS == 1 << OP_HYST &&
                         TD_OPERAND_HOLD == 1 << OP_HOLD && TD_OPERAND_DURATION == 1 << OP_DURATION &&
                         TD_OPERAND_PERIOD == 1 << OP_PERIOD && TD_OPERAND_INTERLOCK == 1 << OP_IL_THR,
                 operand_bits_in_order);
TD_STATIC_ASSERT(TD_ACTUATOR_MAX_ON == TD_ACTUATOR_FLAGS + 1 && TD_ACTUATOR_MIN_OFF == TD_ACTUATOR_MAX_ON + 2 &&
                         TD_ACTUATOR_DAILY_CAP == TD_ACTUATOR_MIN_OFF + 2 &&
                         TD_ACTUATOR_SERVO_MIN == TD_ACTUATOR_DAILY_CAP + 2 &&
                         TD_ACTUATOR_SERVO_MAX == TD_ACTUATOR_SERVO_MIN + 1 && TD_ACTUATOR_SIZE == TD_ACTUATOR_SERVO_SAFE + 1,
                 limits_in_order);

TD_NOINLINE bool eng_due(uint32_t dur, const uint32_t *since, uint32_t now)
{
    return dur != ENG_NO_LIMIT && now - *since >= dur;
}

/* The same at e->now, for the tick's dozen tests (the engine pointer is at hand there, the time
 * is not: one argument loaded fewer at each). */
static TD_NOINLINE bool eng_due_at(const engine_t *e, uint32_t dur, const uint32_t *since)
{
    return eng_due(dur, since, e->now);
}

void eng_set_pend(eng_act_t *a, uint8_t reason, uint8_t rule)
{
    a->bits = (uint8_t)((a->bits & 0x0F) | (reason << 4));
    a->pend_rule = rule;
}

void eng_emit(engine_t *e, uint8_t kind, uint8_t a, uint8_t b, uint8_t c, int32_t value)
{
    td_event_t ev;
    ev.time_ms = e->now;
    ev.kind = kind;
    ev.a = a;
    ev.b = b;
    ev.c = c;
    ev.value = value;
    if (e->emit != NULL) {
        e->emit(e->emit_ctx, &ev);
    }
}

TD_NOINLINE uint16_t eng_rule_off(const engine_t *e, uint8_t i)
{
    return (uint16_t)(e->rule_at + (uint16_t)TD_RULE_SIZE * i);
}

/* The record is read in one go: one call instead of one per field (flash, on AVR). */
void eng_rule_def(const engine_t *e, uint8_t i, rdef_t *d)
{
    uint8_t rec[TD_RULE_SIZE];
    uint8_t ops, bit, k;
    const uint8_t *p;
    image_rd_bytes(e->src, eng_rule_off(e, i), rec, TD_RULE_SIZE);
    ops = rec[TD_RULE_OPERANDS];
    d->threshold = rec[TD_RULE_KIND] == TD_RULE_KIND_THRESHOLD;
    d->guard = rec[TD_RULE_KIND] == TD_RULE_KIND_GUARD;
    d->pulse = rec[TD_RULE_ACTION] == TD_RULE_ACTION_PULSE;
    d->act = rec[TD_RULE_ACTUATOR];
    d->level = rec[TD_RULE_LEVEL];
    d->chan = rec[TD_RULE_CHANNEL];
    d->flags = rec[TD_RULE_FLAGS];
    d->il = rec[TD_RULE_INTERLOCK];
    p = &rec[TD_RULE_THRESHOLD];
    for (bit = 1, k = 0; k < OP_N; bit <<= 1, k++) {
        /* A field that may hold a parameter index: that parameter's current value, else the
         * literal (an i32, or a dur16 in ms). */
        bool wide = (bit & (TD_OPERAND_THRESHOLD | TD_OPERAND_HYSTERESIS | TD_OPERAND_INTERLOCK)) != 0;
        if (ops & bit) {
            d->op[k] = (uint32_t)e->params[p[0] % TD_LIMIT_PARAMS];
        } else {
            d->op[k] = wide ? le_u32(p) : dur16_ms(le_u16(p));
        }
        p += wide ? 4 : 2;
    }
}

void eng_act_def(const engine_t *e, uint8_t i, adef_t *d)
{
    uint8_t rec[TD_ACTUATOR_SIZE - TD_ACTUATOR_FLAGS];
    uint8_t k;
    uint16_t off = (uint16_t)(e->act_at + (uint16_t)TD_ACTUATOR_SIZE * i + TD_ACTUATOR_FLAGS);
    image_rd_bytes(e->src, off, rec, sizeof rec);
    for (k = 0; k < L_N; k++) {
        uint32_t ms = dur16_ms(le_u16(&rec[1 + 2 * k]));
        /* a servo's max_on or daily_cap of 0: no limit (never due, never reached: rules.md) */
        if (!ms && k != L_MIN_OFF && (rec[0] & TD_ACTUATOR_FLAG_SERVO)) ms = ENG_NO_LIMIT;
        d->ms[k] = ms;
    }
    d->lo = 0;
    d->hi = 255;
    if (rec[0] & TD_ACTUATOR_FLAG_SERVO) { /* the device keeps a servo inside its limits */
        d->lo = rec[TD_ACTUATOR_SERVO_MIN - TD_ACTUATOR_FLAGS];
        d->hi = rec[TD_ACTUATOR_SERVO_MAX - TD_ACTUATOR_FLAGS];
    }
}

bool engine_start(engine_t *e, const td_src_t *src, engine_emit_fn emit_fn, void *emit_ctx)
{
    image_counts_t n;
    uint8_t i;
    memset(e, 0, sizeof *e);
    image_counts(src, &n);
    if (n.nc > TD_LIMIT_CHANNELS || n.na > TD_LIMIT_ACTUATORS || n.nr > TD_LIMIT_RULES || n.np > TD_LIMIT_PARAMS) {
        return false;
    }
    e->src = src;
    e->emit = emit_fn;
    e->emit_ctx = emit_ctx;
    e->nc = n.nc;
    e->na = n.na;
    e->nr = n.nr;
    e->np = n.np;
    e->chan_at = image_channels_at(&n);
    e->act_at = image_actuators_at(&n);
    e->rule_at = image_rules_at(&n);
    e->automation = 1;
    for (i = 0; i < n.np; i++) {
        e->params[i] = image_rd_i32(src, (uint16_t)(TD_IMAGE_HEADER_SIZE + TD_PARAM_SIZE * i + TD_PARAM_DEFAULT));
    }
    for (i = 0; i < n.na; i++) {
        e->act[i].pend_rule = TD_NO_INDEX;
        e->act[i].lock_rule = TD_NO_INDEX;
    }
    return true;
}

TD_NOINLINE void engine_set_raw(engine_t *e, uint8_t channel, int32_t raw)
{
    if (channel < e->nc) {
        e->ch[channel].raw = raw;
        e->ch[channel].fault = 0;
    }
}

TD_NOINLINE void engine_set_fault(engine_t *e, uint8_t channel, uint8_t fault)
{
    if (channel < e->nc) {
        e->ch[channel].fault = fault;
    }
}

static TD_NOINLINE uint32_t chan_period(const engine_t *e, uint8_t i)
{
    return dur16_ms(image_rd_u16(e->src, (uint16_t)(e->chan_at + TD_CHANNEL_SIZE * i + TD_CHANNEL_PERIOD)));
}

TD_NOINLINE bool engine_sample_due(const engine_t *e, uint8_t i, uint32_t now)
{
    return i < e->nc && (!(e->ch[i].bits & CH_SAMPLED) || eng_due(chan_period(e, i), &e->ch[i].last_sample, now));
}

/* x >> s rounding toward minus infinity (>> of a negative number is implementation-defined):
 * shifts ~x for negative x, so one shift serves both signs. */
static int32_t floor_shift(int32_t x, uint8_t s)
{
    int32_t m = x < 0 ? -1 : 0;
    return m ^ ((x ^ m) >> s);
}

/* Out of line (two callers): 44 B less on the Uno. */
static TD_NOINLINE void end_run(const engine_t *e, eng_rule_t *r, const rdef_t *d)
{
    r->bits &= (uint8_t)~R_RUNNING;
    if (d->threshold && d->op[OP_PERIOD] != 0) {
        r->bits |= R_COOLING;
        r->cool_since = e->now;
    }
}

void eng_turn_off(engine_t *e, uint8_t i, uint8_t reason, uint8_t rule)
{
    uint32_t now = e->now;
    eng_act_t *a = &e->act[i];
    adef_t d;
    a->bits &= (uint8_t)~(A_ON | A_LEASE);
    a->level = 0;
    eng_emit(e, TD_EVENT_KIND_ACT_OFF, i, reason, rule, (int32_t)(now - a->t_edge));
    eng_end_runs_on(e, i);
    eng_act_def(e, i, &d);
    if (d.ms[L_MIN_OFF] != 0) a->bits |= A_RESTING;
    a->t_edge = now; /* off_since: min_off's and a guard's lockout both run from it */
}

static TD_NOINLINE void sample(engine_t *e, uint32_t now)
{
    uint8_t i;
    uint8_t rec[TD_CHANNEL_SIZE];
    eng_chan_t *c = e->ch;
    for (i = 0; i < e->nc; i++, c++) {
        int32_t v = 0;
        uint8_t ev = 0; /* the SENSOR EVENT's b, if one is due */
        if (!engine_sample_due(e, i, now)) {
            continue;
        }
        c->last_sample = now;
        if (c->fault) {
            /* No good reading: no value, and one EVENT for the episode (none while WAITING). */
            c->bits = (uint8_t)((c->bits | CH_SAMPLED) & ~CH_VALID);
            if (c->fault != TD_SENSOR_FAULT_WAITING && !(c->bits & CH_NOTED)) {
                c->bits |= CH_NOTED;
                ev = c->fault;
            }
        } else {
            image_rd_bytes(e->src, (uint16_t)(e->chan_at + TD_CHANNEL_SIZE * i), rec, TD_CHANNEL_SIZE);
            v = calib_apply_i32(c->raw, le_i32(&rec[TD_CHANNEL_GAIN]), le_i32(&rec[TD_CHANNEL_OFFSET]));
            if (c->bits & CH_VALID) {
                v = c->value + floor_shift(v - c->value, (uint8_t)(rec[TD_CHANNEL_MODE] >> TD_SMOOTHING_SHIFT));
            }
            c->value = v;
            if (c->bits & CH_NOTED) ev = TD_SENSOR_FAULT_RECOVERED;
            c->bits = CH_SAMPLED | CH_VALID;
        }
        if (ev) eng_emit(e, TD_EVENT_KIND_SENSOR, i, ev, 0, v); /* one call: flash, on AVR */
    }
}

/* v strictly above t, or strictly below it: out of line, the condition and the interlock both
 * test it (flash, on AVR). */
static TD_NOINLINE bool beyond(int32_t v, int32_t t, bool above)
{
    return above ? v > t : v < t;
}

/* Step 5.1: the threshold condition with hysteresis, and the hold. A below rule turns inactive at
 * v >= T + H, that is when v is no longer below T + H (an above rule: no longer above T - H). */
static void condition(const engine_t *e, eng_rule_t *r, const rdef_t *d, int32_t v, uint32_t now)
{
    bool above = (d->flags & TD_RULE_FLAG_ABOVE) != 0;
    if (r->bits & R_ACTIVE) {
        if (!beyond(v, above ? RD_THR(d) - RD_HYST(d) : RD_THR(d) + RD_HYST(d), above)) {
            r->bits &= (uint8_t)~(R_ACTIVE | R_HELD);
        }
    } else if (beyond(v, RD_THR(d), above)) {
        r->bits = (uint8_t)((r->bits | R_ACTIVE) & ~R_HELD);
        r->t_cond = now;
    }
    if ((r->bits & (R_ACTIVE | R_HELD)) == R_ACTIVE && eng_due_at(e, d->op[OP_HOLD], &r->t_cond)) {
        r->bits |= R_HELD;
    }
}

/* Step 5 for a guard (rules.md "Guards"): while its actuator is on, its channel past the threshold
 * (or without a reading) for `hold` trips it: EVENT GUARD, the actuator off with reason GUARD, and
 * locked out. R_HELD: the channel read good since the actuator went on (a stretch counts from on
 * until then). */
static void guard(engine_t *e, uint8_t i, eng_rule_t *r, eng_act_t *a, const rdef_t *d, uint32_t now)
{
    const eng_chan_t *c = &e->ch[d->chan];
    bool valid = (c->bits & CH_VALID) != 0;
    if (!(a->bits & A_ON) || a->lock_rule != TD_NO_INDEX) {
        r->bits &= (uint8_t)~(R_ACTIVE | R_HELD);
        return;
    }
    if (valid && !beyond(c->value, RD_THR(d), (d->flags & TD_RULE_FLAG_ABOVE) != 0)) {
        r->bits = (uint8_t)((r->bits & ~R_ACTIVE) | R_HELD);
        return;
    }
    if (!(r->bits & R_ACTIVE)) {
        r->t_cond = (r->bits & R_HELD) ? now : a->t_edge;
        r->bits |= R_ACTIVE;
    }
    if (!eng_due_at(e, d->op[OP_HOLD], &r->t_cond)) return;
    r->bits = (uint8_t)((r->bits & ~(R_ACTIVE | R_HELD)) | R_FIRED);
    r->last_fired = now;
    eng_emit(e, TD_EVENT_KIND_GUARD, i, d->chan, d->act, valid ? c->value : TD_NO_READING);
    a->bits &= (uint8_t)~A_LEASE;
    eng_end_runs_on(e, d->act);
    eng_set_pend(a, TD_OFF_REASON_GUARD, i);
    a->lock_rule = i;
}

static void rules(engine_t *e, uint32_t now)
{
    uint8_t i;
    rdef_t d;
    adef_t ad;
    for (i = 0; i < e->nr; i++) {
        eng_rule_t *r = &e->rule[i];
        eng_act_t *a;
        bool blocked = false;
        bool wants;
        bool no_reading = false; /* the interlock's channel has no valid reading */
        bool dead = false;       /* the condition's channel has no valid reading */
        uint8_t skip = 0;
        eng_rule_def(e, i, &d);
        a = &e->act[d.act];
        if (d.guard) {
            guard(e, i, r, a, &d, now);
            continue;
        }
        if (d.threshold) {
            if (e->ch[d.chan].bits & CH_VALID) {
                condition(e, r, &d, e->ch[d.chan].value, now);
            } else { /* a condition on a channel with no reading is false */
                dead = true;
                r->bits &= (uint8_t)~(R_ACTIVE | R_HELD);
            }
            if ((r->bits & R_COOLING) && eng_due_at(e, d.op[OP_PERIOD], &r->cool_since)) {
                r->bits &= (uint8_t)~R_COOLING;
            }
        }
        if (d.il != TD_NO_INDEX) {
            /* fail safe: an interlock on a channel with no reading blocks */
            no_reading = !(e->ch[d.il].bits & CH_VALID);
            blocked = no_reading ||
                      beyond(e->ch[d.il].value, RD_IL_THR(&d), (d.flags & TD_RULE_FLAG_INTERLOCK_ABOVE) != 0);
        }
        if (r->bits & R_RUNNING) {
            uint8_t reason = 0;
            if (!e->automation) reason = TD_OFF_REASON_PAUSED;
            else if (blocked) reason = no_reading ? TD_OFF_REASON_NO_READING : TD_OFF_REASON_INTERLOCK;
            else if (d.pulse && eng_due_at(e, d.op[OP_DURATION], &r->last_fired)) reason = TD_OFF_REASON_RULE_DONE;
            else if (!d.pulse && !(r->bits & R_ACTIVE))
                reason = dead ? TD_OFF_REASON_NO_READING : TD_OFF_REASON_CONDITION_CLEARED;
            if (reason) {
                end_run(e, r, &d);
                eng_set_pend(a, reason, i);
            }
        }
        if (d.threshold) {
            wants = e->automation && (r->bits & (R_HELD | R_RUNNING | R_COOLING)) == R_HELD;
        } else {
            /* A slot is used up whenever it comes due, even while the rule runs or automation is
             * off; it fires only if it is free to (rules.md 5.5). */
            wants = now - r->t_cond < HALF;
            if (wants) {
                r->t_cond += d.op[OP_PERIOD];
                if (now - r->t_cond < HALF) {
                    r->t_cond = now + d.op[OP_PERIOD];
                }
            }
            wants = wants && e->automation && !(r->bits & R_RUNNING);
        }
        if (!wants) {
            r->bits &= 0x1F;
            continue;
        }
        eng_act_def(e, d.act, &ad);
        if (blocked) skip = no_reading ? TD_SKIP_REASON_NO_READING : TD_SKIP_REASON_INTERLOCK;
        else if (a->bits & A_LEASE) skip = TD_SKIP_REASON_LEASED;
        else if (a->today_on_ms >= ad.ms[L_CAP]) skip = TD_SKIP_REASON_DAILY_CAP;
        else if (a->lock_rule != TD_NO_INDEX) skip = TD_SKIP_REASON_GUARD;
        else if ((a->bits & (A_RESTING | A_ON)) == A_RESTING || ((a->bits & A_ON) && PEND(a))) {
            /* On with a pending off reason counts as resting: it goes off before anything turns
             * it on again. */
            skip = TD_SKIP_REASON_MIN_OFF;
        }
        if (!skip) {
            r->bits = (uint8_t)((r->bits & 0x1F) | R_RUNNING | R_FIRED);
            r->last_fired = now;
        } else if (skip != SKIP(r)) {
            eng_emit(e, TD_EVENT_KIND_RULE_SKIP, i, skip, d.act, 0);
            r->bits = (uint8_t)((r->bits & 0x1F) | (skip << 5));
        }
    }
}

/* One loop for both: the walk over the running rules on an actuator (flash, on AVR). */
uint8_t eng_runs_on(engine_t *e, uint8_t a, uint8_t *level)
{
    uint8_t owner = TD_NO_INDEX;
    uint8_t j;
    rdef_t d;
    if (level != NULL) *level = 0;
    for (j = 0; j < e->nr; j++) {
        if (!(e->rule[j].bits & R_RUNNING)) continue;
        eng_rule_def(e, j, &d); /* one decode for the actuator and the level or period */
        if (d.act == a) {
            if (level == NULL) {
                end_run(e, &e->rule[j], &d);
            } else {
                if (owner == TD_NO_INDEX) owner = j;
                if (d.level > *level) *level = d.level;
            }
        }
    }
    return owner;
}

static void actuators(engine_t *e, uint32_t now)
{
    uint8_t i;
    adef_t d;
    for (i = 0; i < e->na; i++) {
        eng_act_t *a = &e->act[i];
        uint8_t owner = TD_NO_INDEX;
        uint8_t level;
        bool claimed;
        eng_act_def(e, i, &d);
        if (a->bits & A_LEASE) {
            level = a->lease_level;
            claimed = true;
        } else {
            owner = eng_rule_claim(e, i, &level);
            claimed = owner != TD_NO_INDEX;
        }
        if (level < d.lo) level = d.lo; /* only used when claimed: level >= 1 */
        if (level > d.hi) level = d.hi;
        if (a->bits & A_ON) {
            if (!claimed) eng_turn_off(e, i, PEND(a), a->pend_rule);
            else if (eng_due_at(e, d.ms[L_MAX_ON], &a->t_edge)) eng_turn_off(e, i, TD_OFF_REASON_MAX_ON, owner);
            else if (a->today_on_ms >= d.ms[L_CAP]) eng_turn_off(e, i, TD_OFF_REASON_DAILY_CAP, owner);
            else a->level = level;
        } else if (claimed) {
            a->bits |= A_ON;
            a->t_edge = now;
            a->level = level;
            eng_emit(e, TD_EVENT_KIND_ACT_ON, i, (a->bits & A_LEASE) ? TD_SOURCE_LEASE : TD_SOURCE_RULE, owner,
                 level);
        }
        eng_set_pend(a, 0, TD_NO_INDEX);
    }
}

void eng_restart_intervals(engine_t *e)
{
    uint32_t now = e->now;
    uint8_t i;
    rdef_t d;
    for (i = 0; i < e->nr; i++) {
        eng_rule_def(e, i, &d);
        if (!d.threshold && !d.guard) {
            e->rule[i].t_cond = now + d.op[OP_PERIOD];
        }
    }
}

/* Out of line: 76 B less on the Uno than inlined into the main loop. */
TD_NOINLINE void engine_tick(engine_t *e, uint32_t now)
{
    uint8_t i;
    uint32_t dt;
    bool roll;
    adef_t d;
    e->now = now;
    if (!e->started) {
        e->started = 1;
        e->day_start = e->last_tick = now;
        eng_restart_intervals(e);
    }
    dt = now - e->last_tick;
    roll = eng_due_at(e, (uint32_t)TD_DAY_MS, &e->day_start);
    if (roll) e->day_start = now;
    /* Steps 1, 2 and 4 in one loop over the actuators: sampling (step 3) touches none of them. */
    for (i = 0; i < e->na; i++) {
        eng_act_t *a = &e->act[i];
        if (a->bits & A_ON) a->today_on_ms += dt;
        if (roll) a->today_on_ms = 0;
        eng_act_def(e, i, &d);
        if ((a->bits & A_RESTING) && eng_due_at(e, d.ms[L_MIN_OFF], &a->t_edge)) a->bits &= (uint8_t)~A_RESTING;
        if ((a->bits & A_LEASE) && eng_due_at(e, a->lease_ms, &a->lease_start)) {
            a->bits &= (uint8_t)~A_LEASE;
            eng_set_pend(a, TD_OFF_REASON_LEASE_END, TD_NO_INDEX);
        }
        if (a->lock_rule != TD_NO_INDEX) {
            /* a guard's lockout: its period from the trip (t_edge: it went off then), 0 = until a lease */
            rdef_t g;
            eng_rule_def(e, a->lock_rule, &g);
            if (g.op[OP_PERIOD] != 0 && eng_due_at(e, g.op[OP_PERIOD], &a->t_edge)) a->lock_rule = TD_NO_INDEX;
        }
    }
    sample(e, now);
    rules(e, now);
    actuators(e, now);
    e->last_tick = now;
}
