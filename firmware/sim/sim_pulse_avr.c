/* sim_pulse_avr.c: the scenario's pulse sources on the simulated AVR's pins (see sim_pulse_avr.h). */
#include "sim_pulse_avr.h"

#include <inttypes.h>

#include <simavr/sim_cycle_timers.h>

#define CYCLES_PER_US 16u

static const sim_scenario_t *g_scn;
static pulse_avr_drive_fn g_drive;
static struct {
    sim_pulse_pos_t pos;
    uint64_t at_us;
    uint8_t level;
    uint64_t falls;
} g_src[SIM_PULSE_MAX];

/* Set source i's timer for its next edge (none when the rate stays 0 for good). */
static avr_cycle_count_t edge(avr_t *avr, avr_cycle_count_t when, void *param);

static void next(avr_t *avr, uintptr_t i)
{
    if (!sim_pulse_next(&g_scn->pulse, (uint8_t)i, &g_src[i].pos, &g_src[i].at_us, &g_src[i].level)) return;
    avr_cycle_count_t at = (avr_cycle_count_t)g_src[i].at_us * CYCLES_PER_US;
    avr_cycle_timer_register(avr, at > avr->cycle ? at - avr->cycle : 1, edge, (void *)i);
}

static avr_cycle_count_t edge(avr_t *avr, avr_cycle_count_t when, void *param)
{
    uintptr_t i = (uintptr_t)param;
    (void)when;
    g_drive(g_scn->pulse.src[i].pin, g_src[i].level);
    if (!g_src[i].level) g_src[i].falls++;
    next(avr, i);
    return 0;
}

void pulse_avr_init(avr_t *avr, const sim_scenario_t *s, pulse_avr_drive_fn drive)
{
    g_scn = s;
    g_drive = drive;
    for (uintptr_t i = 0; i < s->pulse.n; i++) {
        g_src[i].pos = (sim_pulse_pos_t){1, 0};
        g_src[i].falls = 0;
        drive(s->pulse.src[i].pin, 1);
        next(avr, i);
    }
}

void pulse_avr_report(void (*say)(const char *fmt, ...))
{
    for (uint8_t i = 0; i < g_scn->pulse.n; i++)
        say("pulse pin=%u falls=%" PRIu64, g_scn->pulse.src[i].pin, g_src[i].falls);
}
