/* sim_servo_avr.h: servos on the simulated AVR's 16-bit timers (tendril_simavr.c).
 *
 * The firmware runs a timer in fast PWM with TOP in ICRn (mode 14) for servos. simavr 1.6's timer
 * model does not give a usable waveform on the OC pin in that mode (the pin's edges came out 0..1 us
 * apart at irregular times when tried), so the runner reads the pulse off the timer as the firmware
 * set it up, at every service: TOP, the prescaler and OCRnx give the period and the high time,
 * exactly as the hardware would make them. `servo <pin> <degrees> us=<width> period=<us>
 * t=<ms>ms` is reported whenever a unit's pulse changes; degrees are the contract's
 * (TD_SERVO_PULSE_MIN_US at 0, TD_SERVO_PULSE_MAX_US at TD_SERVO_MAX_DEG), rounded to the nearest. */
#ifndef SIM_SERVO_AVR_H
#define SIM_SERVO_AVR_H

#include <stdint.h>

#include <simavr/sim_avr.h>

#include "sim_board.h"

typedef void (*servo_avr_say_fn)(const char *fmt, ...);

void servo_avr_init(avr_t *avr, const sim_board_t *board, servo_avr_say_fn say);
/* Every service: report each servo pulse that changed. */
void servo_avr_service(void);
/* A timer drives `pin` as a servo now (mode 14 and its COM bits set): no PWM duty for it. */
int servo_avr_active(uint8_t pin);

#endif
