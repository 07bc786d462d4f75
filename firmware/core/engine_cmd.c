/* The rule engine's commands (docs/rules.md "Commands") and what STATUS, TELEMETRY and step 7
 * read; the tick is engine.c. */
#include "engine_int.h"

#include "image_layout.h"

/* Whole seconds in `ms`, saturated, for a NACK detail (16 bits); out of line: one copy for both
 * NACKs. A plain division: the pulse counter's driver links libgcc's 32-bit one anyway, so a
 * hand-written long division here (once smaller) only added its own bytes. */
static TD_NOINLINE uint16_t secs16(uint32_t ms)
{
    return ms >= 0xFFFFUL * 1000UL ? 0xFFFFu : (uint16_t)(ms / 1000u);
}

uint8_t engine_lease(engine_t *e, uint8_t i, uint32_t ms, uint8_t level, uint32_t now, uint16_t *detail)
{
    eng_act_t *a;
    adef_t d;
    e->now = now;
    *detail = i;
    if (i >= e->na) return TD_NACK_BAD_INDEX;
    *detail = 0;
    if (ms == 0 || level == 0) return TD_NACK_BAD_VALUE;
    a = &e->act[i];
    eng_act_def(e, i, &d);
    if (ms > d.ms[L_MAX_ON]) {
        *detail = secs16(d.ms[L_MAX_ON]);
        return TD_NACK_LIMIT_MAX_ON;
    }
    if (a->today_on_ms >= d.ms[L_CAP]) return TD_NACK_LIMIT_DAILY_CAP;
    if ((a->bits & (A_ON | A_RESTING)) == A_RESTING && !eng_due(d.ms[L_MIN_OFF], &a->t_edge, now)) {
        *detail = secs16(d.ms[L_MIN_OFF] - (now - a->t_edge) + 999u);
        return TD_NACK_LIMIT_MIN_OFF;
    }
    a->bits |= A_LEASE;
    a->lease_start = now;
    a->lease_ms = ms;
    a->lease_level = level;
    a->lock_rule = TD_NO_INDEX; /* a person running it by hand ends a guard's lockout */
    eng_end_runs_on(e, i);
    return 0;
}

uint8_t engine_off(engine_t *e, uint8_t i, uint32_t now, uint16_t *detail)
{
    e->now = now;
    *detail = i;
    if (i >= e->na) return TD_NACK_BAD_INDEX;
    *detail = 0;
    e->act[i].bits &= (uint8_t)~A_LEASE;
    eng_end_runs_on(e, i);
    eng_set_pend(&e->act[i], TD_OFF_REASON_MANUAL_OFF, TD_NO_INDEX);
    return 0;
}

/* Repeating PAUSE or RESUME changes nothing and says nothing: a host may retry either. */
void engine_pause(engine_t *e, uint32_t now)
{
    e->now = now;
    if (e->automation) {
        e->automation = 0;
        eng_emit(e, TD_EVENT_KIND_MODE, TD_NO_INDEX, TD_MODE_CHANGE_PAUSED, TD_NO_INDEX, 0);
    }
}

void engine_resume(engine_t *e, uint32_t now)
{
    e->now = now;
    if (!e->automation) {
        e->automation = 1;
        eng_restart_intervals(e);
        eng_emit(e, TD_EVENT_KIND_MODE, TD_NO_INDEX, TD_MODE_CHANGE_RESUMED, TD_NO_INDEX, 0);
    }
}

uint8_t engine_set_param(engine_t *e, uint8_t i, int32_t value, uint32_t now, uint16_t *detail)
{
    uint16_t off = (uint16_t)(TD_IMAGE_HEADER_SIZE + TD_PARAM_SIZE * i);
    e->now = now;
    *detail = i;
    if (i >= e->np) return TD_NACK_BAD_INDEX;
    if (value < image_rd_i32(e->src, off + TD_PARAM_MIN) || value > image_rd_i32(e->src, off + TD_PARAM_MAX)) {
        return TD_NACK_OUT_OF_RANGE;
    }
    *detail = 0;
    e->params[i] = value;
    eng_emit(e, TD_EVENT_KIND_PARAM, i, 0, TD_NO_INDEX, value);
    return 0;
}

void engine_stop(engine_t *e, uint8_t reason, uint32_t now)
{
    uint8_t i;
    uint8_t level;
    e->now = now;
    for (i = 0; i < e->na; i++) {
        if (e->act[i].bits & A_ON) {
            uint8_t owner = (e->act[i].bits & A_LEASE) ? TD_NO_INDEX : eng_rule_claim(e, i, &level);
            eng_turn_off(e, i, reason, owner);
        }
    }
}

/* --- what STATUS, TELEMETRY and step 7 read ------------------------------------------------------ */

bool engine_value(const engine_t *e, uint8_t i, int32_t *value)
{
    if (i >= e->nc || !(e->ch[i].bits & CH_VALID)) return false;
    *value = e->ch[i].value;
    return true;
}

uint8_t engine_output(const engine_t *e, uint8_t i)
{
    return i < e->na ? e->act[i].level : 0;
}

void engine_act_status(const engine_t *e, uint8_t i, uint32_t now, td_act_status_t *out)
{
    const eng_act_t *a = &e->act[i];
    adef_t d;
    uint8_t level;
    uint8_t st = 0;
    rdef_t r;
    /* What ms_left counts down: the lease, or the owner's pulse; one subtraction for both. */
    const uint32_t *since = NULL;
    uint32_t total = 0;
    eng_act_def(e, i, &d);
    out->owner = TD_NO_INDEX;
    if (a->bits & A_LEASE) {
        out->owner = TD_OWNER_LEASE;
        since = &a->lease_start;
        total = a->lease_ms;
        st = TD_ACTUATOR_STATE_BIT_LEASED;
    } else {
        uint8_t owner = eng_rule_claim(e, i, &level);
        if (owner != TD_NO_INDEX) {
            if (a->bits & A_ON) out->owner = owner;
            eng_rule_def(e, owner, &r);
            if (r.pulse) {
                since = &e->rule[owner].last_fired;
                total = r.op[OP_DURATION];
            }
        }
    }
    out->ms_left = 0;
    if (since != NULL && !eng_due(total, since, now)) out->ms_left = total - (now - *since);
    if (a->bits & A_ON) st |= TD_ACTUATOR_STATE_BIT_ON;
    if (a->today_on_ms >= d.ms[L_CAP]) st |= TD_ACTUATOR_STATE_BIT_CAPPED;
    if ((a->bits & A_RESTING) && !eng_due(d.ms[L_MIN_OFF], &a->t_edge, now)) st |= TD_ACTUATOR_STATE_BIT_RESTING;
    if (a->lock_rule != TD_NO_INDEX) st |= TD_ACTUATOR_STATE_BIT_LOCKED;
    out->state = st;
    out->level = a->level;
    out->today_on_ms = a->today_on_ms;
}

void engine_rule_status(const engine_t *e, uint8_t i, uint32_t now, td_rule_status_t *out)
{
    const eng_rule_t *r = &e->rule[i];
    uint16_t at = eng_rule_off(e, i);
    uint8_t kind = image_rd_u8(e->src, at + TD_RULE_KIND);
    bool threshold = kind == TD_RULE_KIND_THRESHOLD;
    uint8_t st = TD_RULE_STATE_IDLE;
    if (kind == TD_RULE_KIND_GUARD) { /* a guard watches whatever automation does */
        if (e->act[image_rd_u8(e->src, at + TD_RULE_ACTUATOR)].lock_rule == i) st = TD_RULE_STATE_LOCKED;
        else if (r->bits & R_ACTIVE) st = TD_RULE_STATE_HOLDING;
    } else if (r->bits & R_RUNNING) st = TD_RULE_STATE_RUNNING;
    else if (!e->automation) st = TD_RULE_STATE_PAUSED;
    else if (r->bits & R_COOLING) st = TD_RULE_STATE_COOLING;
    else if (threshold && (r->bits & R_HELD)) st = TD_RULE_STATE_READY;
    else if (threshold && (r->bits & R_ACTIVE)) st = TD_RULE_STATE_HOLDING;
    out->state = st;
    out->last_skip = SKIP(r);
    out->since_fired_ms = (r->bits & R_FIRED) ? now - r->last_fired : TD_NEVER_MS;
}

/* For hosts that hold an engine in memory they allocate themselves (the ctypes tests). */
size_t engine_sizeof(void)
{
    return sizeof(engine_t);
}
