/* Inside the rule engine: the state bits and record views engine.c (start, tick) and engine_cmd.c
 * (commands, status) share. Not an API for anyone else. */
#ifndef TD_ENGINE_INT_H
#define TD_ENGINE_INT_H

#include "engine.h"

enum { A_ON = 0x01, A_RESTING = 0x02, A_LEASE = 0x04 };                       /* eng_act_t.bits */
enum { R_ACTIVE = 0x01, R_HELD = 0x02, R_RUNNING = 0x04, R_COOLING = 0x08, R_FIRED = 0x10 };
#define PEND(a) ((uint8_t)((a)->bits >> 4))
#define SKIP(r) ((uint8_t)((r)->bits >> 5))
#define HALF 0x80000000UL

/* One rule's fields with the operands resolved (parameter values read now: rules.md says values
 * are re-read every tick). */
typedef struct {
    int32_t thr, hyst, il_thr;
    uint32_t hold, duration, period;
    uint8_t threshold, pulse, act, level, chan, flags, il;
} rdef_t;

typedef struct {
    uint32_t max_on, min_off, cap;
} adef_t;

void eng_set_pend(eng_act_t *a, uint8_t reason, uint8_t rule);
void eng_emit(engine_t *e, uint32_t now, uint8_t kind, uint8_t a, uint8_t b, uint8_t c, int32_t value);
uint16_t eng_rule_off(const engine_t *e, uint8_t i);
/* Rule `i`'s fields with its operands resolved (parameters read now), actuator `i`'s limits in ms. */
void eng_rule_def(const engine_t *e, uint8_t i, rdef_t *d);
void eng_act_def(const engine_t *e, uint8_t i, adef_t *d);
uint8_t eng_rule_act(const engine_t *e, uint8_t i);
/* The owner (lowest running rule, or TD_NO_INDEX) and the highest level of the running rules. */
uint8_t eng_rule_claim(const engine_t *e, uint8_t a, uint8_t *level);
/* Every rule run on actuator `a` ends (they start cooling, no event). */
void eng_end_runs_on(engine_t *e, uint8_t a, uint32_t now);
void eng_turn_off(engine_t *e, uint8_t i, uint8_t reason, uint8_t rule, uint32_t now, const adef_t *d);
/* Every interval rule's next slot is one period from now (start, RESUME). */
void eng_restart_intervals(engine_t *e, uint32_t now);

#endif /* TD_ENGINE_INT_H */
