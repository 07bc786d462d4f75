/* Pulse source model of the simulated world (sim_pulse.h). */
#include "sim_pulse.h"
#include "sim_scenario.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* `pulse PIN [bounce=N] [<time>:]<Hz> ...`: a source and its rate over time. */
static int parse_src(sim_pulse_t *s, const sim_board_t *b, char **tok, int ntok, char *err, size_t errlen)
{
    int pin = ntok >= 2 ? sim_board_digital_pin(b, tok[1]) : -1, first = 2;
    if (pin < 0) return sim_fail(err, errlen, "pulse PIN: a digital pin of %s", b->name);
    if (sim_pulse_find(s, (uint8_t)pin) >= 0) return sim_fail(err, errlen, "pin %s already has a pulse source", tok[1]);
    if (s->n >= SIM_PULSE_MAX) return sim_fail(err, errlen, "more than %d pulse sources", SIM_PULSE_MAX);
    sim_pulse_src_t *u = &s->src[s->n];
    memset(u, 0, sizeof *u);
    u->pin = (uint8_t)pin;
    if (ntok > 2 && strncmp(tok[2], "bounce=", 7) == 0) {
        char *end;
        long n = strtol(tok[2] + 7, &end, 10);
        if (end == tok[2] + 7 || *end || n < 0 || n > SIM_PULSE_MAX_BOUNCE)
            return sim_fail(err, errlen, "bad %s (bounce=0 .. %d)", tok[2], SIM_PULSE_MAX_BOUNCE);
        u->bounce = (uint8_t)n;
        first = 3;
    }
    if (ntok <= first) return sim_fail(err, errlen, "pulse needs a rate (Hz), or <time>:<Hz> points");
    if (sim_parse_points(tok + first, ntok - first, SIM_PULSE_POINTS, 0, SIM_PULSE_MAX_HZ, 1000, "rate", "Hz",
                         u->t_ms, u->mhz, &u->n, err, errlen) < 0)
        return -1;
    /* the integral at each point: a trapezoid per segment (the rate is linear between points) */
    u->phi[0] = u->mhz[0] / 1000.0 * u->t_ms[0] / 1000.0;
    for (uint8_t i = 1; i < u->n; i++)
        u->phi[i] = u->phi[i - 1] + (u->mhz[i - 1] + u->mhz[i]) / 2000.0 * (u->t_ms[i] - u->t_ms[i - 1]) / 1000.0;
    s->n++;
    return 0;
}

/* `pulse_fault PIN stuck FROM UNTIL`. */
static int parse_fault(sim_pulse_t *s, const sim_board_t *b, char **tok, int ntok, char *err, size_t errlen)
{
    if (ntok != 5 || strcmp(tok[2], "stuck") != 0) return sim_fail(err, errlen, "pulse_fault PIN stuck FROM UNTIL");
    int pin = sim_board_digital_pin(b, tok[1]);
    if (pin < 0) return sim_fail(err, errlen, "%s has no digital pin %s", b->name, tok[1]);
    if (s->n_faults >= SIM_PULSE_FAULTS) return sim_fail(err, errlen, "more than %d pulse faults", SIM_PULSE_FAULTS);
    int64_t from = sim_parse_ms(tok[3]), until = sim_parse_ms(tok[4]);
    if (from < 0 || until <= from) return sim_fail(err, errlen, "a fault holds FROM .. UNTIL, UNTIL later (%s %s)", tok[3], tok[4]);
    s->fault[s->n_faults++] = (sim_pulse_fault_t){(uint8_t)pin, (uint32_t)from, (uint32_t)until};
    return 0;
}

int sim_pulse_line(sim_pulse_t *s, const sim_board_t *b, char **tok, int ntok, char *err, size_t errlen)
{
    if (strcmp(tok[0], "pulse") == 0) return parse_src(s, b, tok, ntok, err, errlen);
    if (strcmp(tok[0], "pulse_fault") == 0) return parse_fault(s, b, tok, ntok, err, errlen);
    return sim_fail(err, errlen, "unknown line kind %s (pulse, pulse_fault)", tok[0]);
}

int sim_pulse_find(const sim_pulse_t *s, uint8_t pin)
{
    for (uint8_t i = 0; i < s->n; i++)
        if (s->src[i].pin == pin) return i;
    return -1;
}

/* When the rate's integral reaches k, in us; -1 never. */
static double fall_us(const sim_pulse_src_t *u, double k)
{
    uint8_t i = 0;
    double r0 = u->mhz[0] / 1000.0;
    if (k <= u->phi[0]) return r0 > 0 ? k / r0 * 1e6 : 0; /* the first rate holds before the first point */
    while (i + 1 < u->n && u->phi[i + 1] < k) i++;
    double ra = u->mhz[i] / 1000.0, left = k - u->phi[i];
    if (i + 1 >= u->n) return ra > 0 ? (u->t_ms[i] / 1000.0 + left / ra) * 1e6 : -1;
    double span = (u->t_ms[i + 1] - u->t_ms[i]) / 1000.0, slope = (u->mhz[i + 1] / 1000.0 - ra) / span;
    /* left = ra x + slope x^2 / 2, for x in 0 .. span */
    double x = fabs(slope) < 1e-12 ? left / ra : (-ra + sqrt(ra * ra + 2 * slope * left)) / slope;
    return (u->t_ms[i] / 1000.0 + x) * 1e6;
}

static int stuck(const sim_pulse_t *s, uint8_t pin, uint64_t us)
{
    for (uint8_t f = 0; f < s->n_faults; f++)
        if (s->fault[f].pin == pin && us >= s->fault[f].from_ms * 1000ull && us < s->fault[f].until_ms * 1000ull)
            return 1;
    return 0;
}

int sim_pulse_next(const sim_pulse_t *s, uint8_t i, sim_pulse_pos_t *pos, uint64_t *at_us, uint8_t *level)
{
    const sim_pulse_src_t *u = &s->src[i];
    uint8_t edges = (uint8_t)(2 + 2 * u->bounce);
    for (;;) {
        double t = fall_us(u, (double)pos->k);
        if (t < 0) return 0;
        uint64_t fall = (uint64_t)ceil(t);
        if (stuck(s, u->pin, fall)) { /* held high: this pulse never comes */
            pos->k++;
            pos->j = 0;
            continue;
        }
        uint8_t j = pos->j;
        if (j + 1 == edges) { /* the rise that ends the pulse */
            *at_us = fall + u->bounce * SIM_PULSE_BOUNCE_US + SIM_PULSE_LOW_US;
            *level = 1;
            pos->k++;
            pos->j = 0;
        } else { /* even: a fall (the pulse's, then each bounce's); odd: a bounce's rise */
            *at_us = fall + (j / 2) * SIM_PULSE_BOUNCE_US + (j & 1 ? SIM_PULSE_BOUNCE_US / 2 : 0);
            *level = j & 1;
            pos->j++;
        }
        return 1;
    }
}
