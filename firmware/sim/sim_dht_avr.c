/* sim_dht_avr.c: the scenario's DHTs on the simulated AVR's pins (see sim_dht_avr.h). */
#include "sim_dht_avr.h"

#include <inttypes.h>

#include <simavr/sim_cycle_timers.h>

#include "sim_dht.h"

#define CYCLES_PER_US 16u
#define EDGES (3 + 2 * 40 + 1)

typedef struct {
    uint8_t pin, kind, n, k, master_low;
    uint64_t low_since_us;
    uint32_t at_us[EDGES]; /* each edge's time after the release, and the level it sets */
    uint8_t level[EDGES];
    uint32_t starts, answers, short_starts;
} dht_avr_t;

static avr_t *g;
static const sim_scenario_t *g_scn;
static dht_avr_drive_fn g_drive;
static dht_avr_t g_dht[SCN_MAX_DHTS];
static uint8_t g_n;

static dht_avr_t *dht_of(uint8_t pin)
{
    for (uint8_t i = 0; i < g_n; i++)
        if (g_dht[i].pin == pin) return &g_dht[i];
    return NULL;
}

int dht_avr_is_dht(uint8_t pin) { return dht_of(pin) != NULL; }

static avr_cycle_count_t on_edge(avr_t *avr, avr_cycle_count_t when, void *param)
{
    dht_avr_t *d = param;
    (void)avr;
    if (d->k >= d->n) return 0;
    if (!d->master_low) g_drive(d->pin, d->level[d->k]);
    d->k++;
    if (d->k >= d->n) return 0;
    return when + (avr_cycle_count_t)(d->at_us[d->k] - d->at_us[d->k - 1]) * CYCLES_PER_US;
}

/* The answer to a start signal: its edges from the release, for the scenario's values now. */
static void answer(dht_avr_t *d, const scn_dht_t *s, int fault)
{
    uint8_t data[5];
    uint32_t t = 30;
    int32_t milli_c = fault == SCN_FAULT_OUT_OF_RANGE ? 150000 : s->milli_c;
    sim_dht_frame(s->kind, milli_c, s->milli_rh, fault == SCN_FAULT_CRC, data);
    d->n = 0;
    d->at_us[d->n] = t, d->level[d->n++] = 0, t += 80;
    d->at_us[d->n] = t, d->level[d->n++] = 1, t += 80;
    for (uint8_t b = 0; b < 40; b++) {
        d->at_us[d->n] = t, d->level[d->n++] = 0, t += 50;
        d->at_us[d->n] = t, d->level[d->n++] = 1, t += ((data[b >> 3] >> (7 - (b & 7))) & 1) ? 70 : 27;
    }
    d->at_us[d->n] = t, d->level[d->n++] = 0, t += 50;
    d->at_us[d->n] = t, d->level[d->n++] = 1;
    d->k = 0;
    avr_cycle_timer_register(g, (avr_cycle_count_t)d->at_us[0] * CYCLES_PER_US, on_edge, d);
}

void dht_avr_init(avr_t *avr, const sim_scenario_t *s, dht_avr_drive_fn drive)
{
    g = avr;
    g_scn = s;
    g_drive = drive;
    g_n = 0;
    for (uint8_t i = 0; i < s->n_dhts && g_n < SCN_MAX_DHTS; i++) {
        dht_avr_t *d = &g_dht[g_n++];
        *d = (dht_avr_t){.pin = s->dht[i].pin, .kind = s->dht[i].kind};
        drive(d->pin, 1); /* the pull-up holds the idle line high */
    }
}

void dht_avr_pin(uint8_t pin, int output, int level)
{
    dht_avr_t *d = dht_of(pin);
    uint64_t now = g->cycle / CYCLES_PER_US;
    if (d == NULL) return;
    if (output && !level) {
        if (!d->master_low) d->low_since_us = now;
        d->master_low = 1;
        avr_cycle_timer_cancel(g, on_edge, d);
        g_drive(pin, 0);
        return;
    }
    if (!d->master_low) return;
    d->master_low = 0;
    g_drive(pin, 1);
    d->starts++;
    uint32_t need = d->kind == SIM_DHT11 ? SIM_DHT11_START_US : SIM_DHT22_START_US;
    const scn_dht_t *s = NULL;
    for (uint8_t i = 0; i < g_scn->n_dhts; i++)
        if (g_scn->dht[i].pin == pin) s = &g_scn->dht[i];
    int fault = sim_probe_fault(g_scn, pin, (uint32_t)(g->cycle / (CYCLES_PER_US * 1000u)));
    if (now - d->low_since_us < need) {
        d->short_starts++;
        return;
    }
    if (s == NULL || fault == SCN_FAULT_UNPLUGGED) return;
    d->answers++;
    answer(d, s, fault);
}

void dht_avr_report(void (*say)(const char *fmt, ...))
{
    for (uint8_t i = 0; i < g_n; i++)
        say("dht pin=%u starts=%" PRIu32 " answers=%" PRIu32 " short_starts=%" PRIu32, g_dht[i].pin, g_dht[i].starts,
            g_dht[i].answers, g_dht[i].short_starts);
}
