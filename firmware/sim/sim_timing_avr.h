/* sim_timing_avr.h: --loop-mark, the main loop's timing measured in simulated cycles (README.md).
 *
 * Each time the CPU reaches the mark (a symbol's address, a byte address, or every `wdr`
 * instruction: a loop that feeds the watchdog once a pass) with interrupts on, the cycles since the
 * last time are one pass (a mark reached with interrupts off is setup code: the watchdog's timed
 * sequence, the boot before sei). Resets are counted from power-on: the PC back at the reset vector. Each window with the SREG I bit clear (cli .. sei, and every interrupt handler) is timed
 * too, and resets are counted. Nothing in the program changes: the runner only looks. */
#ifndef SIM_TIMING_AVR_H
#define SIM_TIMING_AVR_H

#include <stddef.h>

#include <simavr/sim_avr.h>
#include <simavr/sim_elf.h>

/* Resolve the mark against the loaded program; -1 (with a line in err) when it names nothing.
 * Passes and windows count from board ms from_ms on (resets from power-on). */
int timing_avr_init(avr_t *avr, const elf_firmware_t *fw, const char *mark, uint64_t from_ms, char *err,
                    size_t err_len);

/* After every instruction (only while --loop-mark is on). */
void timing_avr_step(avr_t *avr);

/* The summary lines (`timing ...`, `timing_hist ...`). */
void timing_avr_report(avr_t *avr, void (*say)(const char *fmt, ...));

#endif
