/* sim_scenario.h: what the simulated board's inputs read over time (README.md, "Scenario files").
 *
 * Pure: parsing and evaluation only; tendril_simavr.c feeds the values to the simulated chip.
 */
#ifndef SIM_SCENARIO_H
#define SIM_SCENARIO_H

#include <stddef.h>
#include <stdint.h>

#include "sim_board.h"

#define SCN_MAX_INPUTS 24
#define SCN_MAX_POINTS 64
#define SCN_LINE_MAX 1024

enum { SCN_SERIES = 0, SCN_PLANT_SOIL = 1, SCN_PLANT_FLOAT = 2 };

typedef struct {
    uint8_t pin;     /* Arduino pin number */
    uint8_t digital; /* 0: ADC count 0..1023; 1: level 0/1 */
    uint8_t steps;   /* hold each value until the next point (digital: always; adc: `steps`) */
    uint8_t source;  /* SCN_SERIES or a plant output */
    uint8_t n;       /* points in the series (1 = constant) */
    uint32_t t_ms[SCN_MAX_POINTS];
    int32_t v[SCN_MAX_POINTS];
} scn_input_t;

/* A pot of soil, a tank and a pump: host/tendril/sim/plant.py in C (same parameters and defaults). */
typedef struct {
    int enabled;
    double moisture, tank_ml, dry_per_hour, pump_ml_per_s, ml_per_point, empty_below_ml;
    int dry_raw, wet_raw, noise_raw;
    uint32_t rng;
    int pump_pin;         /* Arduino pin driving the pump, -1 if none */
    int pump_active_high; /* 0: the pump runs while the pin is LOW (active-low relay board) */
    uint32_t log_ms;      /* a "plant" status line every log_ms of simulated time; 0: none */
    uint32_t refill_at_ms;
    double refill_ml;     /* 0: no refill */
    int refilled;
} scn_plant_t;

typedef struct {
    scn_input_t in[SCN_MAX_INPUTS];
    uint8_t n_inputs;
    scn_plant_t plant;
} sim_scenario_t;

/* Parse a scenario file; 0 on success, else -1 with "file:line: why" in err. */
int sim_scenario_load(sim_scenario_t *s, const sim_board_t *b, const char *path, char *err, size_t errlen);

/* Parse one line (no newline); 0 on success, else -1 with why in err. Empty/comment lines are fine. */
int sim_scenario_line(sim_scenario_t *s, const sim_board_t *b, char *line, char *err, size_t errlen);

/* The value input i reads at now_ms (plant inputs: the plant's current reading). */
int32_t sim_scenario_value(sim_scenario_t *s, uint8_t i, uint32_t now_ms);

/* Let the plant live ms milliseconds with the pump on or off. */
void sim_plant_advance(scn_plant_t *p, double ms, int pump_on);
int sim_plant_soil_raw(scn_plant_t *p);
int sim_plant_float_raw(const scn_plant_t *p);

/* "90", "90ms", "5s", "2min", "3h" -> ms; -1 if not a duration. */
int64_t sim_parse_ms(const char *text);

#endif
