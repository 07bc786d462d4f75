/* sim_ow_avr.c: the scenario's DS18B20 probes on the simulated AVR's pins (see sim_ow_avr.h). */
#include "sim_ow_avr.h"

#include <inttypes.h>

#include <simavr/sim_cycle_timers.h>

#include "sim_onewire.h"

#define CYCLES_PER_US 16u

static avr_t *g;
static const sim_scenario_t *g_scn;
static ow_avr_drive_fn g_drive;
static ow_bus_t g_bus[SCN_MAX_PROBES];
static uint8_t g_n;

static ow_bus_t *bus_of(uint8_t pin)
{
    for (uint8_t i = 0; i < g_n; i++)
        if (g_bus[i].pin == pin) return &g_bus[i];
    return NULL;
}

int ow_avr_is_bus(uint8_t pin) { return bus_of(pin) != NULL; }

static uint64_t now_us(void) { return g->cycle / CYCLES_PER_US; }

/* The line changes by the probes' doing: drive the pin, and wake again at the next change. */
static avr_cycle_count_t on_change(avr_t *avr, avr_cycle_count_t when, void *param)
{
    ow_bus_t *b = param;
    uint64_t t = when / CYCLES_PER_US;
    (void)avr;
    if (!b->master_low) g_drive(b->pin, ow_level(b, t));
    uint64_t next = ow_next_change(b, t);
    return next ? (avr_cycle_count_t)next * CYCLES_PER_US : 0;
}

static void settle(ow_bus_t *b)
{
    uint64_t t = now_us();
    if (!b->master_low) g_drive(b->pin, ow_level(b, t));
    avr_cycle_timer_cancel(g, on_change, b);
    uint64_t next = ow_next_change(b, t);
    if (next) avr_cycle_timer_register(g, (avr_cycle_count_t)(next - t) * CYCLES_PER_US, on_change, b);
}

void ow_avr_init(avr_t *avr, const sim_scenario_t *s, ow_avr_drive_fn drive)
{
    g = avr;
    g_scn = s;
    g_drive = drive;
    g_n = 0;
    for (uint8_t i = 0; i < s->n_probes; i++) {
        ow_bus_t *b = bus_of(s->probe[i].temp.pin);
        if (b == NULL) ow_init(b = &g_bus[g_n++], s->probe[i].temp.pin);
        ow_add(b, s->probe[i].rom);
    }
    ow_avr_service(0);
}

void ow_avr_pin(uint8_t pin, int output, int level)
{
    ow_bus_t *b = bus_of(pin);
    if (b == NULL) return;
    if (output && !level) {
        ow_master_low(b, now_us());
    } else {
        ow_master_release(b, now_us()); /* an output driving high is no pull down either */
    }
    settle(b);
}

void ow_avr_service(uint32_t now_ms)
{
    for (uint8_t i = 0; i < g_n; i++) {
        ow_bus_t *b = &g_bus[i];
        uint8_t k = 0;
        b->fault = sim_probe_fault(g_scn, b->pin, now_ms);
        for (uint8_t p = 0; p < g_scn->n_probes; p++)
            if (g_scn->probe[p].temp.pin == b->pin) b->probe[k++].milli_c = sim_probe_milli_c(g_scn, p, now_ms);
        if (!b->master_low) g_drive(b->pin, ow_level(b, now_us())); /* a bus held low, or let go */
    }
}

void ow_avr_report(void (*say)(const char *fmt, ...))
{
    for (uint8_t i = 0; i < g_n; i++)
        say("ds18b20 pin=%u probes=%u resets=%" PRIu32 " slots=%" PRIu32 " bad_slots=%" PRIu32, g_bus[i].pin,
            g_bus[i].n, g_bus[i].resets, g_bus[i].slots, g_bus[i].bad_slots);
}
