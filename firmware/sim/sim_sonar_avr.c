/* sim_sonar_avr.c: the scenario's HC-SR04 units on the simulated AVR's pins (see sim_sonar_avr.h). */
#include "sim_sonar_avr.h"

#include <inttypes.h>

#include <simavr/sim_cycle_timers.h>

#define CYCLES_PER_US 16u

static avr_t *g;
static const sim_scenario_t *g_scn;
static sonar_avr_drive_fn g_drive;
static struct {
    uint8_t trig_high, busy; /* the trigger's last level; an echo under way (its timers set) */
    uint32_t pings;
    uint32_t width_us;
} g_unit[SIM_SONAR_MAX];

static uint32_t now_ms(void) { return (uint32_t)(g->cycle / (CYCLES_PER_US * 1000u)); }

static avr_cycle_count_t echo_fall(avr_t *avr, avr_cycle_count_t when, void *param)
{
    uintptr_t i = (uintptr_t)param;
    (void)avr, (void)when;
    g_drive(g_scn->sonar.unit[i].echo, 0);
    g_unit[i].busy = 0;
    return 0;
}

static avr_cycle_count_t echo_rise(avr_t *avr, avr_cycle_count_t when, void *param)
{
    uintptr_t i = (uintptr_t)param;
    (void)when;
    g_drive(g_scn->sonar.unit[i].echo, 1);
    avr_cycle_timer_register(avr, (avr_cycle_count_t)g_unit[i].width_us * CYCLES_PER_US, echo_fall, param);
    return 0;
}

void sonar_avr_init(avr_t *avr, const sim_scenario_t *s, sonar_avr_drive_fn drive)
{
    g = avr;
    g_scn = s;
    g_drive = drive;
    for (uint8_t i = 0; i < s->sonar.n; i++) {
        g_unit[i].trig_high = g_unit[i].busy = 0;
        g_unit[i].pings = 0;
        drive(s->sonar.unit[i].echo, 0);
    }
    sonar_avr_service(0);
}

void sonar_avr_pin(uint8_t pin, int level)
{
    int found = sim_sonar_find(&g_scn->sonar, pin);
    if (found < 0) return;
    uintptr_t i = (uintptr_t)found;
    int falling = g_unit[i].trig_high && !level;
    g_unit[i].trig_high = level > 0;
    if (!falling || g_unit[i].busy) return;
    uint32_t rise, width;
    int got = sim_sonar_ping(&g_scn->sonar, pin, g_scn->sonar.unit[i].echo, now_ms(), &rise, &width);
    g_unit[i].pings++;
    if (got != SIM_SONAR_OK && got != SIM_SONAR_LONG) return; /* no rise: nothing to drive */
    g_unit[i].busy = 1;
    g_unit[i].width_us = width;
    avr_cycle_timer_register(g, (avr_cycle_count_t)rise * CYCLES_PER_US, echo_rise, (void *)i);
}

void sonar_avr_service(uint32_t ms)
{
    for (uint8_t i = 0; i < g_scn->sonar.n; i++) {
        uint32_t rise, width;
        const sim_sonar_unit_t *u = &g_scn->sonar.unit[i];
        if (g_unit[i].busy) continue;
        g_drive(u->echo, sim_sonar_ping(&g_scn->sonar, u->trig, u->echo, ms, &rise, &width) == SIM_SONAR_STUCK_HIGH);
    }
}

void sonar_avr_report(void (*say)(const char *fmt, ...))
{
    for (uint8_t i = 0; i < g_scn->sonar.n; i++)
        say("hcsr04 trig=%u echo=%u pings=%" PRIu32, g_scn->sonar.unit[i].trig, g_scn->sonar.unit[i].echo,
            g_unit[i].pings);
}
