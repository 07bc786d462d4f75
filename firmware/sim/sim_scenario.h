/* sim_scenario.h: what the simulated board's inputs read over time (README.md, "Scenario files").
 *
 * Pure: parsing and evaluation only; tendril_simavr.c feeds the values to the simulated chip.
 */
#ifndef SIM_SCENARIO_H
#define SIM_SCENARIO_H

#include <stddef.h>
#include <stdint.h>

#include "sim_board.h"
#include "sim_i2c.h"
#include "sim_pulse.h"
#include "sim_sonar.h"

#define SCN_MAX_INPUTS 24
#define SCN_MAX_POINTS 64
#define SCN_LINE_MAX 1024
/* A scenario's ADC values (and the plant's dry_raw, wet_raw, noise_raw) are 10-bit counts of the
 * board's reference, whatever the board: 0 reads 0 V, 1023 full scale. A board with an n-bit ADC
 * reads them shifted to its width (sim_scenario_counts), so one file means the same on all boards. */
#define SCN_ADC_BITS 10

enum { SCN_SERIES = 0, SCN_PLANT_SOIL = 1, SCN_PLANT_FLOAT = 2 };

typedef struct {
    uint8_t pin;     /* Arduino pin number */
    uint8_t digital; /* 0: ADC reading in 10-bit counts of the reference (SCN_ADC_BITS); 1: level 0/1 */
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
    uint32_t seed;        /* the noise's: a reading is a function of it and the board ms */
    int pump_pin;         /* Arduino pin driving the pump, -1 if none */
    int pump_active_high; /* 0: the pump runs while the pin is LOW (active-low relay board) */
    uint32_t log_ms;      /* a "plant" status line every log_ms of simulated time; 0: none */
    uint32_t refill_at_ms;
    double refill_ml;     /* 0: no refill */
    int refilled;
} scn_plant_t;

/* DS18B20 probes on 1-Wire buses (README.md, "Scenario files": `ds18b20` and `ds18b20_fault`
 * lines): each probe's ROM code and its temperature over time, in thousandths of a °C; faults by
 * pin (every probe on the bus) over a span of board time. The bus itself, at the pin level, is
 * sim_onewire.c's. */
#define SCN_MAX_PROBES 8
#define SCN_MAX_FAULTS 16
enum { SCN_FAULT_NONE = 0, SCN_FAULT_UNPLUGGED, SCN_FAULT_CRC, SCN_FAULT_HELD_LOW, SCN_FAULT_POWER_ON,
       SCN_FAULT_OUT_OF_RANGE /* a DHT's (dht_fault) */ };

typedef struct {
    uint8_t rom[8];
    scn_input_t temp; /* pin and the series; v in thousandths of a °C, linear between points */
} scn_probe_t;

typedef struct {
    uint8_t pin, kind;
    uint32_t from_ms, until_ms; /* the fault holds for from_ms <= t < until_ms */
} scn_fault_t;

/* DHT22 / DHT11 (`dht22` and `dht11` lines: PIN <°C> <%RH>, or PIN <°C points> / <%RH points>;
 * `dht_fault PIN no_answer|crc|out_of_range FROM UNTIL`, in the fault list with the probes'). */
#define SCN_MAX_DHTS 4
typedef struct {
    uint8_t pin, kind; /* SIM_DHT22 or SIM_DHT11 (sim_dht.h) */
    scn_input_t temp, rh; /* thousandths of a °C and of a % RH over time, linear between points */
} scn_dht_t;

typedef struct {
    scn_input_t in[SCN_MAX_INPUTS];
    uint8_t n_inputs;
    scn_plant_t plant;
    scn_probe_t probe[SCN_MAX_PROBES];
    uint8_t n_probes;
    scn_fault_t fault[SCN_MAX_FAULTS];
    sim_sonar_t sonar; /* HC-SR04 units (sim_sonar.h) */
    sim_pulse_t pulse; /* pulse sources (sim_pulse.h) */
    uint8_t n_faults;
    scn_dht_t dht[SCN_MAX_DHTS];
    uint8_t n_dhts;
    sim_i2c_t i2c; /* the I2C bus and its chips (sim_i2c.h) */
} sim_scenario_t;

/* Parse a scenario file; 0 on success, else -1 with "file:line: why" in err. */
int sim_scenario_load(sim_scenario_t *s, const sim_board_t *b, const char *path, char *err, size_t errlen);

/* Parse one line (no newline); 0 on success, else -1 with why in err. Empty/comment lines are fine. */
int sim_scenario_line(sim_scenario_t *s, const sim_board_t *b, char *line, char *err, size_t errlen);

/* The value input i reads at now_ms (plant inputs: the plant's current reading). */
int32_t sim_scenario_value(sim_scenario_t *s, uint8_t i, uint32_t now_ms);

/* What input i reads at now_ms on a board whose ADC has adc_bits bits: an ADC value shifted from
 * SCN_ADC_BITS to that width, a level as it is. */
int32_t sim_scenario_counts(sim_scenario_t *s, uint8_t i, uint32_t now_ms, uint8_t adc_bits);

/* The world lives ms milliseconds up to now_ms (simulated ms since power-on) with the pump on or
 * off: the plant dries and drinks, and the refill comes when due. 1 when the refill came now. */
int sim_scenario_advance(sim_scenario_t *s, uint64_t now_ms, double ms, int pump_on);

/* Let the plant live ms milliseconds with the pump on or off. */
void sim_plant_advance(scn_plant_t *p, double ms, int pump_on);
int sim_plant_soil_raw(const scn_plant_t *p, uint32_t now_ms); /* noise: a function of seed and ms */
int sim_plant_float_raw(const scn_plant_t *p);

/* Probe i's temperature at now_ms, thousandths of a °C. */
int32_t sim_probe_milli_c(const sim_scenario_t *s, uint8_t i, uint32_t now_ms);

/* DHT i's temperature (rh 0) or humidity (rh 1) at now_ms, thousandths of a °C or of a % RH. */
int32_t sim_dht_milli(const sim_scenario_t *s, uint8_t i, int rh, uint32_t now_ms);

/* The fault on the 1-Wire bus of `pin` at now_ms (SCN_FAULT_*; the first listed wins), or 0. */
int sim_probe_fault(const sim_scenario_t *s, uint8_t pin, uint32_t now_ms);

/* Writes a message into err (a scenario line's error) and returns -1: `return sim_fail(...)`. */
int sim_fail(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* "90", "90ms", "5s", "2min", "3h" -> ms; -1 if not a duration. */
int64_t sim_parse_ms(const char *text);
/* `[<time>:]<value>` tokens (times increasing, a bare value at time 0) into t_ms/v, each value
 * within lo..hi and stored as value * scale rounded; at most max points. -1 and err on a bad one. */
int sim_parse_points(char **tok, int ntok, int max, double lo, double hi, double scale,
                     const char *what, const char *unit, uint32_t *t_ms, int32_t *v, uint8_t *n,
                     char *err, size_t errlen);

#endif
