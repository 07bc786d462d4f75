/* sim_sonar_avr.h: the scenario's HC-SR04 units on the simulated AVR's pins (tendril_simavr.c).
 *
 * The real firmware raises its trigger pin, waits 10 us and lowers it, then times the echo pin.
 * The runner tells this module of every level the firmware gives a pin; on a trigger's falling edge
 * the module asks the model (sim_sonar.c) what the ping gets and drives the echo pin high and low
 * again from cycle timers at those moments (16 cycles a microsecond). An echo held high (a
 * stuck_high fault) is driven at every service. */
#ifndef SIM_SONAR_AVR_H
#define SIM_SONAR_AVR_H

#include <stdint.h>

#include <simavr/sim_avr.h>

#include "sim_scenario.h"

typedef void (*sonar_avr_drive_fn)(uint8_t pin, int level);

/* The units of scenario `s`; `drive` sets what a pin reads from outside (their echoes start low). */
void sonar_avr_init(avr_t *avr, const sim_scenario_t *s, sonar_avr_drive_fn drive);
/* The firmware drives `pin` (an output) at `level` now. */
void sonar_avr_pin(uint8_t pin, int level);
/* Every service: each echo held high while a stuck_high fault holds, else low between pings. */
void sonar_avr_service(uint32_t now_ms);
/* "hcsr04 trig=7 echo=8 pings=P" for each unit, for the runner's stop line. */
void sonar_avr_report(void (*say)(const char *fmt, ...));

#endif
