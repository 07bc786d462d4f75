/* The rule engine (docs/rules.md), in C for the firmware. Pure: no I/O, no clock.
 *
 * The caller owns time and pins: engine_set_raw() gives a channel's reading, engine_tick(now) runs
 * one tick, commands are applied between ticks, engine_output() is what step 7 drives. Events are
 * handed to the caller's emit function, in order, as they happen (a tick emits at most one event
 * per rule and one per actuator); the firmware turns each into an EVENT frame at once, so no event
 * queue costs RAM and none can overflow.
 *
 * The image is never copied: records are read through the td_src_t on demand (on an Uno that is
 * EEPROM). RAM is the variables rules.md names, packed: timers that can never run at the same time
 * share a timestamp (see engine.c). Arrays are sized by the board's TD_LIMIT_*. */
#ifndef TD_ENGINE_H
#define TD_ENGINE_H

#include "image.h"
#include "msg.h"
#include "td.h"

typedef void (*engine_emit_fn)(void *ctx, const td_event_t *event);

/* eng_chan_t.bits: sampled once (its period runs), holds a valid value, its fault EVENT was sent */
enum { CH_SAMPLED = 0x01, CH_VALID = 0x02, CH_NOTED = 0x04 };

typedef struct {
    int32_t value;        /* calibrated and smoothed, thousandths of the unit */
    uint32_t last_sample;
    int32_t raw;          /* the last good reading its driver delivered */
    uint8_t bits;         /* CH_* flags (engine_int.h) */
    uint8_t fault;        /* a td_sensor_fault_t while it has no good reading, else 0 */
} eng_chan_t;

typedef struct {
    uint32_t t_edge;      /* on_since while on, off_since while off */
    uint32_t lease_start;
    uint32_t lease_ms;
    uint32_t today_on_ms;
    uint8_t level;        /* driven level, 0 while off */
    uint8_t lease_level;
    uint8_t bits;         /* ENG_A_* flags | pending off reason << 4 */
    uint8_t pend_rule;
    uint8_t lock_rule;    /* the guard that tripped it and locks it out (since t_edge), or TD_NO_INDEX */
} eng_act_t;

typedef struct {
    uint32_t t_cond;      /* active_since (threshold rules) or due (interval rules) */
    uint32_t cool_since;
    uint32_t last_fired;  /* also run_start: a run starts exactly when the rule fires */
    uint8_t bits;         /* ENG_R_* flags | last_skip << 5 */
} eng_rule_t;

typedef struct {
    const td_src_t *src;
    engine_emit_fn emit;
    void *emit_ctx;
    uint32_t day_start;
    uint32_t last_tick;
    uint32_t now;     /* the time of the tick or command under way: read by the helpers that emit */
    uint16_t chan_at, act_at, rule_at; /* section offsets in the image */
    uint8_t nc, na, nr, np;
    uint8_t automation;
    uint8_t started;
    int32_t params[TD_LIMIT_PARAMS];
    eng_chan_t ch[TD_LIMIT_CHANNELS];
    eng_act_t act[TD_LIMIT_ACTUATORS];
    eng_rule_t rule[TD_LIMIT_RULES];
} engine_t;

/* A fresh engine over an image that image_validate() passed for this board (`src` must outlive
 * the engine). False if the counts exceed the compiled-in limits. */
bool engine_start(engine_t *e, const td_src_t *src, engine_emit_fn emit, void *emit_ctx);

void engine_set_raw(engine_t *e, uint8_t channel, int32_t raw);
/* Channel `channel` has no good reading from now on, for this td_sensor_fault_t (rules.md,
 * "Channels without a reading"); the next engine_set_raw() ends it. */
void engine_set_fault(engine_t *e, uint8_t channel, uint8_t fault);
/* Whether step 3 will sample `channel` at `now`: the firmware reads the pin only then. */
bool engine_sample_due(const engine_t *e, uint8_t channel, uint32_t now);
void engine_tick(engine_t *e, uint32_t now);

/* Commands: 0 for ACK, else a td_nack_t with its detail in *detail. */
uint8_t engine_lease(engine_t *e, uint8_t actuator, uint32_t ms, uint8_t level, uint32_t now, uint16_t *detail);
uint8_t engine_off(engine_t *e, uint8_t actuator, uint32_t now, uint16_t *detail);
void engine_pause(engine_t *e, uint32_t now);
void engine_resume(engine_t *e, uint32_t now);
uint8_t engine_set_param(engine_t *e, uint8_t index, int32_t value, uint32_t now, uint16_t *detail);

/* Turns every actuator that is on off now, with ACT_OFF(reason): before a new config replaces
 * this one (RECONFIG) or automation stops for safe mode (SAFE_MODE). */
void engine_stop(engine_t *e, uint8_t reason, uint32_t now);

/* What STATUS, TELEMETRY and step 7 read. */
bool engine_value(const engine_t *e, uint8_t channel, int32_t *value); /* false: no valid reading */
uint8_t engine_output(const engine_t *e, uint8_t actuator);            /* 0 off, else 1..255 */
void engine_act_status(const engine_t *e, uint8_t actuator, uint32_t now, td_act_status_t *out);
void engine_rule_status(const engine_t *e, uint8_t rule, uint32_t now, td_rule_status_t *out);

size_t engine_sizeof(void);

#endif /* TD_ENGINE_H */
