/* sim_pulse_avr.h: the scenario's pulse sources on the simulated AVR's pins (tendril_simavr.c).
 *
 * Each source's pin is driven from outside, high while idle; a cycle timer drives every edge the
 * model (sim_pulse.c) gives at its microsecond (16 cycles a us), then sets itself for the next
 * one. So the real firmware's pin-change interrupt sees each fall and each bounce as a real part
 * would make them. */
#ifndef SIM_PULSE_AVR_H
#define SIM_PULSE_AVR_H

#include <stdint.h>

#include <simavr/sim_avr.h>

#include "sim_scenario.h"

typedef void (*pulse_avr_drive_fn)(uint8_t pin, int level);

/* The sources of scenario `s`; `drive` sets what a pin reads from outside. */
void pulse_avr_init(avr_t *avr, const sim_scenario_t *s, pulse_avr_drive_fn drive);
/* "pulse pin=2 falls=F" for each source (every fall driven, bounces included), for the stop line. */
void pulse_avr_report(void (*say)(const char *fmt, ...));

#endif
