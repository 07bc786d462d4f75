/* sim_ow_avr.h: the scenario's DS18B20 probes on the simulated AVR's pins (tendril_simavr.c).
 *
 * The real firmware bit-bangs the bus through the pin's DDR bit (set: it pulls the line low; clear:
 * it lets go). The runner tells this module of every such write; the module plays the edges to the
 * pin-level model (sim_onewire.c) at the cycle they happen (16 cycles a microsecond) and drives the
 * pin to what the line reads: at once, and again when the probes change it by themselves (a
 * presence pulse, a 0 bit they send), from a cycle timer set for that moment. */
#ifndef SIM_OW_AVR_H
#define SIM_OW_AVR_H

#include <stdint.h>

#include <simavr/sim_avr.h>

#include "sim_scenario.h"

typedef void (*ow_avr_drive_fn)(uint8_t pin, int level);

/* The probes of scenario `s` on their buses; `drive` sets what a pin reads from outside. */
void ow_avr_init(avr_t *avr, const sim_scenario_t *s, ow_avr_drive_fn drive);
/* Whether `pin` carries a bus (the runner then reports none of its DDR writes as pin changes). */
int ow_avr_is_bus(uint8_t pin);
/* The firmware set `pin` to an output driving `level` (output 1), or made it an input (output 0). */
void ow_avr_pin(uint8_t pin, int output, int level);
/* Every service: each bus's fault and each probe's temperature at board ms `now_ms`. */
void ow_avr_service(uint32_t now_ms);
/* "ds18b20 pin=3 resets=... slots=... bad_slots=..." for each bus, for the runner's stop line. */
void ow_avr_report(void (*say)(const char *fmt, ...));

#endif
