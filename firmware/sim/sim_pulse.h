/* sim_pulse.h: pulse sources in the simulated world (a flow meter, a rain gauge's reed switch):
 * scenario lines `pulse` and `pulse_fault` (README.md "Scenario files"). Each source is on one pin,
 * idle high (an open collector or a switch with a pull-up); its rate in Hz follows a series over
 * board time (linear between points, the last held). Pulse k (k = 1, 2, ...) falls when the rate's
 * integral from time 0 reaches k, stays low SIM_PULSE_LOW_US and rises again; with bounce=N the
 * line also bounces N times just after each fall (high 50 us, low again, every 100 us), the extra
 * falls a debounce must ignore. A `stuck` fault holds the line high from .. until (a cut wire, a
 * jammed rotor): the pulses due then never come. Pure: no I/O; the native HAL counts the falls from
 * it, the simavr glue drives the pin from it. */
#ifndef SIM_PULSE_H
#define SIM_PULSE_H

#include <stddef.h>
#include <stdint.h>

#include "sim_board.h"

#define SIM_PULSE_MAX 4
#define SIM_PULSE_POINTS 16
#define SIM_PULSE_FAULTS 8
#define SIM_PULSE_MAX_BOUNCE 5
#define SIM_PULSE_MAX_HZ 2000
#define SIM_PULSE_LOW_US 200u    /* a pulse's low time after its bounces (a model choice) */
#define SIM_PULSE_BOUNCE_US 100u /* one bounce: high 50 us, then low again */

typedef struct {
    uint8_t pin, n, bounce;
    uint32_t t_ms[SIM_PULSE_POINTS];
    int32_t mhz[SIM_PULSE_POINTS]; /* the rate in thousandths of a Hz */
    double phi[SIM_PULSE_POINTS];  /* pulses due by t_ms[i] (the rate's integral) */
} sim_pulse_src_t;

typedef struct {
    uint8_t pin;
    uint32_t from_ms, until_ms;
} sim_pulse_fault_t;

typedef struct {
    sim_pulse_src_t src[SIM_PULSE_MAX];
    uint8_t n;
    sim_pulse_fault_t fault[SIM_PULSE_FAULTS];
    uint8_t n_faults;
} sim_pulse_t;

/* Where a walk over a source's edges is: the next edge is edge j of pulse k. Start at {1, 0}. */
typedef struct {
    uint64_t k;
    uint8_t j;
} sim_pulse_pos_t;

/* A scenario line whose first token starts with "pulse": 0, or -1 with the reason in err. */
int sim_pulse_line(sim_pulse_t *s, const sim_board_t *b, char **tok, int ntok, char *err, size_t errlen);

/* The source on `pin`, or -1. */
int sim_pulse_find(const sim_pulse_t *s, uint8_t pin);

/* The next edge of source i from pos on: 1 with its time (us since power-on) and the level after
 * it (0 a fall, 1 a rise), pos moved past it; 0 when no edge ever comes (the rate stays 0). */
int sim_pulse_next(const sim_pulse_t *s, uint8_t i, sim_pulse_pos_t *pos, uint64_t *at_us, uint8_t *level);

#endif /* SIM_PULSE_H */
