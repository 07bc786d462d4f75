/* Inside the rule engine: the state bits and record views engine.c (start, tick) and engine_cmd.c
 * (commands, status) share. Not an API for anyone else. */
#ifndef TD_ENGINE_INT_H
#define TD_ENGINE_INT_H

#include "engine.h"
#include "le.h"

enum { A_ON = 0x01, A_RESTING = 0x02, A_LEASE = 0x04 };                       /* eng_act_t.bits */
enum { R_ACTIVE = 0x01, R_HELD = 0x02, R_RUNNING = 0x04, R_COOLING = 0x08, R_FIRED = 0x10 };
#define PEND(a) ((uint8_t)((a)->bits >> 4))
#define SKIP(r) ((uint8_t)((r)->bits >> 5))
#define HALF 0x80000000UL

/* One rule's fields with the operands resolved (parameter values read now: rules.md says values
 * are re-read every tick). The six operand fields are an array in record order (operand bit k is
 * op[k]) so one loop decodes them: flash, on AVR. */
enum { OP_THR, OP_HYST, OP_HOLD, OP_DURATION, OP_PERIOD, OP_IL_THR, OP_N };
typedef struct {
    uint32_t op[OP_N]; /* thresholds as int32_t bits, durations in ms */
    uint8_t threshold, guard, pulse, act, level, chan, flags, il;
} rdef_t;
#define RD_THR(d) le_i32_from_u32((d)->op[OP_THR])
#define RD_HYST(d) le_i32_from_u32((d)->op[OP_HYST])
#define RD_IL_THR(d) le_i32_from_u32((d)->op[OP_IL_THR])

/* An actuator's limits in ms, in record order (max_on, min_off, daily_cap): one loop decodes them;
 * and the levels it may be driven at: a servo's limits in degrees, 0..255 for any other. */
enum { L_MAX_ON, L_MIN_OFF, L_CAP, L_N };
#define ENG_NO_LIMIT UINT32_MAX /* a servo's max_on or daily_cap given as 0 */
typedef struct {
    uint32_t ms[L_N];
    uint8_t lo, hi;
} adef_t;

/* elapsed(*since) >= dur at `now` (rules.md "Time"): out of line, the tick has a dozen of them. */
bool eng_due(uint32_t dur, const uint32_t *since, uint32_t now);
void eng_set_pend(eng_act_t *a, uint8_t reason, uint8_t rule);
/* The helpers below act at e->now, which every entry point sets first (one argument fewer at each
 * of their call sites: flash, on AVR). */
void eng_emit(engine_t *e, uint8_t kind, uint8_t a, uint8_t b, uint8_t c, int32_t value);
uint16_t eng_rule_off(const engine_t *e, uint8_t i);
/* Rule `i`'s fields with its operands resolved (parameters read now), actuator `i`'s limits in ms. */
void eng_rule_def(const engine_t *e, uint8_t i, rdef_t *d);
void eng_act_def(const engine_t *e, uint8_t i, adef_t *d);
/* level != NULL: the owner of actuator `a` (its lowest running rule, or TD_NO_INDEX) and the
 * highest level of its running rules. level == NULL: every rule run on `a` ends (they start
 * cooling, no event). */
uint8_t eng_runs_on(engine_t *e, uint8_t a, uint8_t *level);
/* Claiming only reads the engine, so a const engine may be passed. */
#define eng_rule_claim(e, a, level) eng_runs_on((engine_t *)(e), (a), (level))
#define eng_end_runs_on(e, a) ((void)eng_runs_on((e), (a), NULL))
/* Actuator `i` goes off now with ACT_OFF(reason, rule); it reads its own min_off (one argument and
 * one eng_act_def() fewer at each caller: flash). */
void eng_turn_off(engine_t *e, uint8_t i, uint8_t reason, uint8_t rule);
/* Every interval rule's next slot is one period from now (start, RESUME). */
void eng_restart_intervals(engine_t *e);

#endif /* TD_ENGINE_INT_H */
