/* sim_dht_avr.h: the scenario's DHT22 / DHT11 on the simulated AVR's pins (tendril_simavr.c), at the
 * pin level: the firmware's DDR writes say when it drives the line low and when it lets go; a start
 * signal long enough (sim_dht.h) is answered edge by edge from cycle timers (30 us high, 80 us low,
 * 80 us high, then 40 bits of 50 us low and 27 us or 70 us high, a last 50 us low), so the real
 * binary's hal_dht_read times real levels. */
#ifndef SIM_DHT_AVR_H
#define SIM_DHT_AVR_H

#include <stdint.h>

#include <simavr/sim_avr.h>

#include "sim_scenario.h"

typedef void (*dht_avr_drive_fn)(uint8_t pin, int level);

void dht_avr_init(avr_t *avr, const sim_scenario_t *s, dht_avr_drive_fn drive);
int dht_avr_is_dht(uint8_t pin);
/* The firmware set `pin` to an output driving `level`, or made it an input (output 0). */
void dht_avr_pin(uint8_t pin, int output, int level);
/* "dht pin=3 starts=... answers=... short_starts=..." for each DHT, for the runner's stop line. */
void dht_avr_report(void (*say)(const char *fmt, ...));

#endif
