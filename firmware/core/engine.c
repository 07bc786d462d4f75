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

void eng_set_pend(eng_act_t *a, uint8_t reason, uint8_t rule)
{
    a->bits = (uint8_t)((a->bits & 0x0F) | (reason << 4));
    a->pend_rule = rule;
}

void eng_emit(engine_t *e, uint32_t now, uint8_t kind, uint8_t a, uint8_t b, uint8_t c, int32_t value)
{
    td_event_t ev;
    ev.time_ms = now;
    ev.kind = kind;
    ev.a = a;
    ev.b = b;
    ev.c = c;
    ev.value = value;
    if (e->emit != NULL) {
        e->emit(e->emit_ctx, &ev);
    }
}

/* A field that may hold a parameter index: the literal, or that parameter's current value. `p`
 * points at the field in a copy of the rule record. */
static int32_t operand(const engine_t *e, uint8_t ops, uint8_t bit, const uint8_t *p, bool dur)
{
    if (ops & bit) {
        return e->params[p[0] % TD_LIMIT_PARAMS];
    }
    return dur ? (int32_t)dur16_ms(le_get_u16(p)) : le_get_i32(p);
}

TD_NOINLINE uint16_t eng_rule_off(const engine_t *e, uint8_t i)
{
    return (uint16_t)(e->rule_at + (uint16_t)TD_RULE_SIZE * i);
}

/* The record is read in one go: one call instead of one per field (flash, on AVR). */
void eng_rule_def(const engine_t *e, uint8_t i, rdef_t *d)
{
    uint8_t rec[TD_RULE_SIZE];
    uint8_t ops;
    image_rd_bytes(e->src, eng_rule_off(e, i), rec, TD_RULE_SIZE);
    ops = rec[R_OPERANDS];
    d->threshold = rec[R_KIND] == TD_RULE_KIND_THRESHOLD;
    d->pulse = rec[R_ACTION] == TD_RULE_ACTION_PULSE;
    d->act = rec[R_ACTUATOR];
    d->level = rec[R_LEVEL];
    d->chan = rec[R_CHANNEL];
    d->flags = rec[R_FLAGS];
    d->il = rec[R_INTERLOCK];
    d->thr = operand(e, ops, TD_OPERAND_THRESHOLD, &rec[R_THRESHOLD], false);
    d->hyst = operand(e, ops, TD_OPERAND_HYSTERESIS, &rec[R_HYSTERESIS], false);
    d->il_thr = operand(e, ops, TD_OPERAND_INTERLOCK, &rec[R_IL_THRESHOLD], false);
    d->hold = (uint32_t)operand(e, ops, TD_OPERAND_HOLD, &rec[R_HOLD], true);
    d->duration = (uint32_t)operand(e, ops, TD_OPERAND_DURATION, &rec[R_DURATION], true);
    d->period = (uint32_t)operand(e, ops, TD_OPERAND_PERIOD, &rec[R_PERIOD], true);
}

void eng_act_def(const engine_t *e, uint8_t i, adef_t *d)
{
    uint16_t off = (uint16_t)(e->act_at + (uint16_t)TD_ACTUATOR_SIZE * i);
    d->max_on = dur16_ms(image_rd_u16(e->src, off + A_MAX_ON));
    d->min_off = dur16_ms(image_rd_u16(e->src, off + A_MIN_OFF));
    d->cap = dur16_ms(image_rd_u16(e->src, off + A_DAILY_CAP));
}

TD_NOINLINE uint8_t eng_rule_act(const engine_t *e, uint8_t i)
{
    return image_rd_u8(e->src, eng_rule_off(e, i) + R_ACTUATOR);
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
        e->params[i] = image_rd_i32(src, (uint16_t)(TD_IMAGE_HEADER_SIZE + TD_PARAM_SIZE * i + P_DEFAULT));
    }
    for (i = 0; i < n.na; i++) {
        e->act[i].pend_rule = TD_NO_INDEX;
    }
    return true;
}

void engine_set_raw(engine_t *e, uint8_t channel, uint16_t raw)
{
    if (channel < e->nc) {
        e->ch[channel].raw = raw;
    }
}

static TD_NOINLINE uint32_t chan_period(const engine_t *e, uint8_t i)
{
    return dur16_ms(image_rd_u16(e->src, (uint16_t)(e->chan_at + TD_CHANNEL_SIZE * i + C_PERIOD)));
}

TD_NOINLINE bool engine_sample_due(const engine_t *e, uint8_t i, uint32_t now)
{
    return i < e->nc && (!e->ch[i].sampled || now - e->ch[i].last_sample >= chan_period(e, i));
}

/* x >> s rounding toward minus infinity (>> of a negative number is implementation-defined). */
static int32_t floor_shift(int32_t x, uint8_t s)
{
    return x >= 0 ? (x >> s) : ~((~x) >> s);
}

static void end_run(engine_t *e, eng_rule_t *r, const rdef_t *d, uint32_t now)
{
    r->bits &= (uint8_t)~R_RUNNING;
    if (d->threshold && d->period != 0) {
        r->bits |= R_COOLING;
        r->cool_since = now;
    }
    (void)e;
}

/* Every rule run on actuator `a` ends (they start cooling, no event). */
void eng_end_runs_on(engine_t *e, uint8_t a, uint32_t now)
{
    uint8_t j;
    rdef_t d;
    for (j = 0; j < e->nr; j++) {
        if ((e->rule[j].bits & R_RUNNING) && eng_rule_act(e, j) == a) {
            eng_rule_def(e, j, &d);
            end_run(e, &e->rule[j], &d, now);
        }
    }
}

void eng_turn_off(engine_t *e, uint8_t i, uint8_t reason, uint8_t rule, uint32_t now, const adef_t *d)
{
    eng_act_t *a = &e->act[i];
    a->bits &= (uint8_t)~(A_ON | A_LEASE);
    a->level = 0;
    eng_emit(e, now, TD_EVENT_KIND_ACT_OFF, i, reason, rule, (int32_t)(now - a->t_edge));
    eng_end_runs_on(e, i, now);
    if (d->min_off != 0) {
        a->bits |= A_RESTING;
        a->t_edge = now;
    }
}

static TD_NOINLINE void sample(engine_t *e, uint32_t now)
{
    uint8_t i;
    for (i = 0; i < e->nc; i++) {
        eng_chan_t *c = &e->ch[i];
        uint8_t rec[TD_CHANNEL_SIZE];
        int32_t v;
        if (!engine_sample_due(e, i, now)) {
            continue;
        }
        image_rd_bytes(e->src, (uint16_t)(e->chan_at + TD_CHANNEL_SIZE * i), rec, TD_CHANNEL_SIZE);
        v = calib_apply_u16(c->raw, le_get_i32(&rec[C_GAIN]), le_get_i32(&rec[C_OFFSET]));
        if (c->sampled) {
            c->value += floor_shift(v - c->value, (uint8_t)(rec[C_MODE] >> TD_SMOOTHING_SHIFT));
        } else {
            c->value = v;
            c->sampled = 1;
        }
        c->last_sample = now;
    }
}

/* Step 5.1: the threshold condition with hysteresis, and the hold. */
static void condition(eng_rule_t *r, const rdef_t *d, int32_t v, uint32_t now)
{
    bool above = (d->flags & TD_RULE_FLAG_ABOVE) != 0;
    if (r->bits & R_ACTIVE) {
        if (above ? (v <= d->thr - d->hyst) : (v >= d->thr + d->hyst)) {
            r->bits &= (uint8_t)~(R_ACTIVE | R_HELD);
        }
    } else if (above ? (v > d->thr) : (v < d->thr)) {
        r->bits = (uint8_t)((r->bits | R_ACTIVE) & ~R_HELD);
        r->t_cond = now;
    }
    if ((r->bits & (R_ACTIVE | R_HELD)) == R_ACTIVE && now - r->t_cond >= d->hold) {
        r->bits |= R_HELD;
    }
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
        uint8_t skip = 0;
        eng_rule_def(e, i, &d);
        a = &e->act[d.act];
        if (d.threshold) {
            condition(r, &d, e->ch[d.chan].value, now);
            if ((r->bits & R_COOLING) && now - r->cool_since >= d.period) {
                r->bits &= (uint8_t)~R_COOLING;
            }
        }
        if (d.il != TD_NO_INDEX) {
            int32_t v = e->ch[d.il].value;
            blocked = (d.flags & TD_RULE_FLAG_INTERLOCK_ABOVE) ? v > d.il_thr : v < d.il_thr;
        }
        if (r->bits & R_RUNNING) {
            uint8_t reason = 0;
            if (!e->automation) reason = TD_OFF_REASON_PAUSED;
            else if (blocked) reason = TD_OFF_REASON_INTERLOCK;
            else if (d.pulse && now - r->last_fired >= d.duration) reason = TD_OFF_REASON_RULE_DONE;
            else if (!d.pulse && !(r->bits & R_ACTIVE)) reason = TD_OFF_REASON_CONDITION_CLEARED;
            if (reason) {
                end_run(e, r, &d, now);
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
                r->t_cond += d.period;
                if (now - r->t_cond < HALF) {
                    r->t_cond = now + d.period;
                }
            }
            wants = wants && e->automation && !(r->bits & R_RUNNING);
        }
        if (!wants) {
            r->bits &= 0x1F;
            continue;
        }
        eng_act_def(e, d.act, &ad);
        if (blocked) skip = TD_SKIP_REASON_INTERLOCK;
        else if (a->bits & A_LEASE) skip = TD_SKIP_REASON_LEASED;
        else if (a->today_on_ms >= ad.cap) skip = TD_SKIP_REASON_DAILY_CAP;
        else if ((a->bits & (A_RESTING | A_ON)) == A_RESTING || ((a->bits & A_ON) && PEND(a))) {
            /* On with a pending off reason counts as resting: it goes off before anything turns
             * it on again. */
            skip = TD_SKIP_REASON_MIN_OFF;
        }
        if (!skip) {
            r->bits = (uint8_t)((r->bits & 0x1F) | R_RUNNING | R_FIRED);
            r->last_fired = now;
        } else if (skip != SKIP(r)) {
            eng_emit(e, now, TD_EVENT_KIND_RULE_SKIP, i, skip, d.act, 0);
            r->bits = (uint8_t)((r->bits & 0x1F) | (skip << 5));
        }
    }
}

/* The owner (lowest running rule, or TD_NO_INDEX) and the highest level of the running rules. */
uint8_t eng_rule_claim(const engine_t *e, uint8_t a, uint8_t *level)
{
    uint8_t owner = TD_NO_INDEX;
    uint8_t j;
    *level = 0;
    for (j = 0; j < e->nr; j++) {
        if ((e->rule[j].bits & R_RUNNING) && eng_rule_act(e, j) == a) {
            uint8_t lv = image_rd_u8(e->src, eng_rule_off(e, j) + R_LEVEL);
            if (owner == TD_NO_INDEX) owner = j;
            if (lv > *level) *level = lv;
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
        if (a->bits & A_ON) {
            if (!claimed) eng_turn_off(e, i, PEND(a), a->pend_rule, now, &d);
            else if (now - a->t_edge >= d.max_on) eng_turn_off(e, i, TD_OFF_REASON_MAX_ON, owner, now, &d);
            else if (a->today_on_ms >= d.cap) eng_turn_off(e, i, TD_OFF_REASON_DAILY_CAP, owner, now, &d);
            else a->level = level;
        } else if (claimed) {
            a->bits |= A_ON;
            a->t_edge = now;
            a->level = level;
            eng_emit(e, now, TD_EVENT_KIND_ACT_ON, i, (a->bits & A_LEASE) ? TD_SOURCE_LEASE : TD_SOURCE_RULE, owner,
                 level);
        }
        eng_set_pend(a, 0, TD_NO_INDEX);
    }
}

void eng_restart_intervals(engine_t *e, uint32_t now)
{
    uint8_t i;
    rdef_t d;
    for (i = 0; i < e->nr; i++) {
        eng_rule_def(e, i, &d);
        if (!d.threshold) {
            e->rule[i].t_cond = now + d.period;
        }
    }
}

void engine_tick(engine_t *e, uint32_t now)
{
    uint8_t i;
    uint32_t dt;
    adef_t d;
    if (!e->started) {
        e->started = 1;
        e->day_start = e->last_tick = now;
        eng_restart_intervals(e, now);
    }
    dt = now - e->last_tick;
    for (i = 0; i < e->na; i++) {
        if (e->act[i].bits & A_ON) e->act[i].today_on_ms += dt;
    }
    if (now - e->day_start >= (uint32_t)TD_DAY_MS) {
        e->day_start = now;
        for (i = 0; i < e->na; i++) e->act[i].today_on_ms = 0;
    }
    sample(e, now);
    for (i = 0; i < e->na; i++) {
        eng_act_t *a = &e->act[i];
        eng_act_def(e, i, &d);
        if ((a->bits & A_RESTING) && now - a->t_edge >= d.min_off) a->bits &= (uint8_t)~A_RESTING;
        if ((a->bits & A_LEASE) && now - a->lease_start >= a->lease_ms) {
            a->bits &= (uint8_t)~A_LEASE;
            eng_set_pend(a, TD_OFF_REASON_LEASE_END, TD_NO_INDEX);
        }
    }
    rules(e, now);
    actuators(e, now);
    e->last_tick = now;
}
