/* HC-SR04 / JSN-SR04T model of the simulated world (sim_sonar.h). */
#include "sim_sonar.h"
#include "sim_scenario.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* `hcsr04 TRIG ECHO [<time>:]<cm> ...`: a unit and its distance over time. */
static int parse_unit(sim_sonar_t *s, const sim_board_t *b, char **tok, int ntok, char *err, size_t errlen)
{
    int trig = ntok >= 3 ? sim_board_digital_pin(b, tok[1]) : -1, echo = ntok >= 3 ? sim_board_digital_pin(b, tok[2]) : -1;
    if (trig < 0 || echo < 0 || trig == echo) return sim_fail(err, errlen, "hcsr04 TRIG ECHO: two digital pins of %s", b->name);
    if (s->n >= SIM_SONAR_MAX) return sim_fail(err, errlen, "more than %d hcsr04", SIM_SONAR_MAX);
    if (ntok < 4) return sim_fail(err, errlen, "hcsr04 needs a distance (cm), or <time>:<cm> points");
    sim_sonar_unit_t *u = &s->unit[s->n];
    memset(u, 0, sizeof *u);
    u->trig = (uint8_t)trig;
    u->echo = (uint8_t)echo;
    if (sim_parse_points(tok + 3, ntok - 3, SIM_SONAR_POINTS, 0, 1000, 100, "distance", "cm", u->t_ms, u->mm10,
                         &u->n, err, errlen) < 0)
        return -1;
    s->n++;
    return 0;
}

/* `hcsr04_fault TRIG no_echo|stuck_high|long_echo FROM UNTIL`. */
static int parse_fault(sim_sonar_t *s, const sim_board_t *b, char **tok, int ntok, char *err, size_t errlen)
{
    static const char *const kinds[] = {"no_echo", "stuck_high", "long_echo"};
    if (ntok != 5) return sim_fail(err, errlen, "hcsr04_fault TRIG no_echo|stuck_high|long_echo FROM UNTIL");
    int trig = sim_board_digital_pin(b, tok[1]);
    if (trig < 0) return sim_fail(err, errlen, "%s has no digital pin %s", b->name, tok[1]);
    if (s->n_faults >= SIM_SONAR_FAULTS) return sim_fail(err, errlen, "more than %d hcsr04 faults", SIM_SONAR_FAULTS);
    sim_sonar_fault_t *f = &s->fault[s->n_faults];
    f->kind = 0;
    for (int k = 0; k < 3; k++)
        if (strcmp(tok[2], kinds[k]) == 0) f->kind = (uint8_t)(SIM_SONAR_NONE + k);
    if (!f->kind) return sim_fail(err, errlen, "unknown fault %s (no_echo, stuck_high, long_echo)", tok[2]);
    int64_t from = sim_parse_ms(tok[3]), until = sim_parse_ms(tok[4]);
    if (from < 0 || until <= from) return sim_fail(err, errlen, "a fault holds FROM .. UNTIL, UNTIL later (%s %s)", tok[3], tok[4]);
    f->trig = (uint8_t)trig;
    f->from_ms = (uint32_t)from;
    f->until_ms = (uint32_t)until;
    s->n_faults++;
    return 0;
}

int sim_sonar_line(sim_sonar_t *s, const sim_board_t *b, char **tok, int ntok, char *err, size_t errlen)
{
    if (strcmp(tok[0], "hcsr04") == 0) return parse_unit(s, b, tok, ntok, err, errlen);
    if (strcmp(tok[0], "hcsr04_fault") == 0) return parse_fault(s, b, tok, ntok, err, errlen);
    return sim_fail(err, errlen, "unknown line kind %s (hcsr04, hcsr04_fault)", tok[0]);
}

int sim_sonar_find(const sim_sonar_t *s, uint8_t trig)
{
    for (uint8_t i = 0; i < s->n; i++)
        if (s->unit[i].trig == trig) return i;
    return -1;
}

int32_t sim_sonar_mm10(const sim_sonar_t *s, uint8_t i, uint32_t now_ms)
{
    const sim_sonar_unit_t *u = &s->unit[i];
    uint8_t k = 0;
    if (now_ms <= u->t_ms[0]) return u->mm10[0];
    while (k + 1 < u->n && u->t_ms[k + 1] <= now_ms) k++;
    if (k + 1 >= u->n) return u->mm10[k];
    double f = (double)(now_ms - u->t_ms[k]) / (double)(u->t_ms[k + 1] - u->t_ms[k]);
    return u->mm10[k] + (int32_t)((u->mm10[k + 1] - u->mm10[k]) * f + 0.5);
}

int sim_sonar_ping(const sim_sonar_t *s, uint8_t trig, uint8_t echo, uint32_t now_ms, uint32_t *rise_us,
                   uint32_t *width_us)
{
    int i = sim_sonar_find(s, trig);
    *rise_us = SIM_SONAR_RISE_US;
    *width_us = 0;
    if (i < 0 || s->unit[i].echo != echo) return SIM_SONAR_NONE;
    for (uint8_t k = 0; k < s->n_faults; k++) {
        const sim_sonar_fault_t *f = &s->fault[k];
        if (f->trig != trig || now_ms < f->from_ms || now_ms >= f->until_ms) continue;
        if (f->kind == SIM_SONAR_LONG) *width_us = SIM_SONAR_LONG_US;
        return f->kind;
    }
    /* 58 us per cm: 5.8 us per mm, 0.58 us per tenth */
    *width_us = (uint32_t)((sim_sonar_mm10(s, (uint8_t)i, now_ms) * 58 + 50) / 100);
    return SIM_SONAR_OK;
}
