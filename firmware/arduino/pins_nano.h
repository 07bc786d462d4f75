/* Arduino Nano (ATmega328P): the Uno's pins (pins_uno.h: D0-D13, A0-A5 and the same PWM units)
 * and A6, A7 (pins 20, 21), ADC-only inputs with no port and no digital I/O. Board data, not code:
 * the pin numbers, PWM and analog pins must agree with boards/nano.toml, and port/bit/PWM with the
 * Arduino core's variants/eightanaloginputs pins_arduino.h; tests/firmware_avr/test_pin_tables.py
 * checks both (it follows the include). */
#ifndef TD_PINS_NANO_H
#define TD_PINS_NANO_H

#include "pins_uno.h"

#undef TD_PIN_ROWS
#define TD_PIN_ROWS(X) \
    TD_PINS_328P(X) \
    X(20, NONE, 0, NONE) \
    X(21, NONE, 0, NONE) \
    /* end */

#endif
