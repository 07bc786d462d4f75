/* sim_sonar.h: HC-SR04 / JSN-SR04T distance sensors in the simulated world (scenario lines
 * `hcsr04` and `hcsr04_fault`, README.md "Scenario files"). Each unit has a trigger pin, an echo pin
 * and a distance over board time; a ping's echo rises SIM_SONAR_RISE_US after the trigger and stays
 * high 58 us per cm. Faults by trigger pin over a span of board time: no echo at all (unplugged), an
 * echo held high (a shorted or dead module), or an echo longer than any in range (nothing came back).
 * Pure: no I/O; the native HAL asks it what a ping gets, the simavr glue drives the echo pin from it. */
#ifndef SIM_SONAR_H
#define SIM_SONAR_H

#include <stddef.h>
#include <stdint.h>

#include "sim_board.h"

#define SIM_SONAR_MAX 4
#define SIM_SONAR_POINTS 16
#define SIM_SONAR_FAULTS 8
/* The model's delay from the trigger's falling edge to the echo's rise: the module sends its burst
 * of 8 cycles at 40 kHz (200 us) first. A model choice, not a measured figure. */
#define SIM_SONAR_RISE_US 500u
/* What a module does when nothing comes back: an echo this long (longer than the driver's timeout). */
#define SIM_SONAR_LONG_US 38000u

enum { SIM_SONAR_OK = 0, SIM_SONAR_NONE, SIM_SONAR_STUCK_HIGH, SIM_SONAR_LONG };

typedef struct {
    uint8_t trig, echo, n;
    uint32_t t_ms[SIM_SONAR_POINTS];
    int32_t mm10[SIM_SONAR_POINTS]; /* tenths of a mm, linear between points */
} sim_sonar_unit_t;

typedef struct {
    uint8_t trig, kind; /* SIM_SONAR_NONE, _STUCK_HIGH or _LONG */
    uint32_t from_ms, until_ms;
} sim_sonar_fault_t;

typedef struct {
    sim_sonar_unit_t unit[SIM_SONAR_MAX];
    uint8_t n;
    sim_sonar_fault_t fault[SIM_SONAR_FAULTS];
    uint8_t n_faults;
} sim_sonar_t;

/* A scenario line whose first token starts with "hcsr04": 0, or -1 with the reason in err. */
int sim_sonar_line(sim_sonar_t *s, const sim_board_t *b, char **tok, int ntok, char *err, size_t errlen);

/* The unit whose trigger is `trig`, or -1. */
int sim_sonar_find(const sim_sonar_t *s, uint8_t trig);

/* Distance of unit i at now_ms, in tenths of a mm. */
int32_t sim_sonar_mm10(const sim_sonar_t *s, uint8_t i, uint32_t now_ms);

/* What a ping on trig/echo at now_ms gets: SIM_SONAR_OK with the echo's rise (us after the
 * trigger's fall) and width; SIM_SONAR_NONE (no rising edge: nothing wired, or unplugged);
 * SIM_SONAR_STUCK_HIGH (the echo is high before the trigger and stays so); SIM_SONAR_LONG (a rise,
 * then high for SIM_SONAR_LONG_US). */
int sim_sonar_ping(const sim_sonar_t *s, uint8_t trig, uint8_t echo, uint32_t now_ms, uint32_t *rise_us,
                   uint32_t *width_us);

#endif /* SIM_SONAR_H */
