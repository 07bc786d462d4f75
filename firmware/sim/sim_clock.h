/* sim_clock.h: who moves a simulated board's clock (firmware/sim/README.md, "Holding the clock").
 *
 * Free running is the default: the clock goes as fast as the board runs (--fast) or paced to the
 * wall clock. With --hold the board starts held and takes one command a line on stdin, answering
 * each on stdout, so a test (or `tendril sim`) decides how much board time passes between the
 * things it does, whatever the speed of the machine:
 *
 *   go        run freely from now on                      -> `running t=<ms>`
 *   hold      stand still from now on                     -> `held t=<ms>`
 *   run MS    run MS board ms (flat out), then hold       -> `held t=<ms>` once they have passed
 *   time      say where the clock is                      -> `held t=<ms>` or `running t=<ms>`
 *
 * A held board still answers its host: what a request costs in board time is the runtime's
 * business (none on the native board; on simavr the CPU runs while bytes come in and a moment
 * after, so the firmware can answer). Pure: the runtimes feed it lines and times. */
#ifndef SIM_CLOCK_H
#define SIM_CLOCK_H

#include <stddef.h>
#include <stdint.h>

#define SIM_CLOCK_LINE_MAX 64
#define SIM_CLOCK_FOREVER UINT64_MAX

typedef struct {
    int held;           /* the clock stands still */
    uint64_t until_ms;  /* running: hold again at this board ms (SIM_CLOCK_FOREVER: never) */
    int fd;             /* where commands come from (-1: no control channel) */
    char line[SIM_CLOCK_LINE_MAX];
    size_t len;
} sim_clock_t;

/* held: start held and read commands from fd; else free running, and fd is not read. */
void sim_clock_init(sim_clock_t *c, int held, int fd);
/* Reads whatever commands have arrived (never blocks), acts on them at board time now_ms. */
void sim_clock_poll(sim_clock_t *c, uint64_t now_ms);
/* How far the clock may move from now_ms (0: held; SIM_CLOCK_FOREVER: as far as it likes). On
 * reaching a `run` target it holds and answers. */
uint64_t sim_clock_allowance(sim_clock_t *c, uint64_t now_ms);
/* One command line, as sim_clock_poll would act on it (for tests and the state a reset carries). */
void sim_clock_command(sim_clock_t *c, const char *line, uint64_t now_ms);
/* The state as a command that restores it after a reset (`go`, `hold` or `run MS`). */
void sim_clock_state(const sim_clock_t *c, uint64_t now_ms, char *out, size_t size);

#endif /* SIM_CLOCK_H */
