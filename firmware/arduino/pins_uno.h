/* Arduino Uno (ATmega328P): Arduino pin number -> port, bit and the PWM unit that drives it.
 * Board data, not code: hal_avr.c builds its tables from these rows. The pin numbers, PWM and analog
 * pins must agree with boards/uno.toml, and port/bit/PWM with the Arduino core's variants/standard
 * pins_arduino.h; tests/firmware_avr/test_pin_tables.py checks both.
 *   TD_PIN_ROWS   X(pin, port letter, bit, PWM unit OC<timer><channel> or NONE); port NONE = no GPIO
 *   TD_PIN_A0     first analog pin: pin p >= TD_PIN_A0 reads ADC channel p - TD_PIN_A0
 *   TD_PWM_UNITS  U(unit, timer, channel) for every unit that rows use
 *   TD_TIMERS16   the 16-bit timers among them (8-bit phase-correct PWM, like the Arduino core)
 * The Nano (pins_nano.h) is this board plus two ADC-only pins: it takes TD_PINS_328P from here. */
#ifndef TD_PINS_UNO_H
#define TD_PINS_UNO_H

#define TD_PIN_A0 14

#define TD_PWM_UNITS(U) U(OC0A, 0, A) U(OC0B, 0, B) U(OC1A, 1, A) U(OC1B, 1, B) U(OC2A, 2, A) U(OC2B, 2, B)
#define TD_TIMERS16(T) T(1)
#define TD_PIN_ROWS(X) TD_PINS_328P(X)
#define TD_PINS_328P(X) \
    X( 0, D, 0, NONE) \
    X( 1, D, 1, NONE) \
    X( 2, D, 2, NONE) \
    X( 3, D, 3, OC2B) \
    X( 4, D, 4, NONE) \
    X( 5, D, 5, OC0B) \
    X( 6, D, 6, OC0A) \
    X( 7, D, 7, NONE) \
    X( 8, B, 0, NONE) \
    X( 9, B, 1, OC1A) \
    X(10, B, 2, OC1B) \
    X(11, B, 3, OC2A) \
    X(12, B, 4, NONE) \
    X(13, B, 5, NONE) \
    X(14, C, 0, NONE) \
    X(15, C, 1, NONE) \
    X(16, C, 2, NONE) \
    X(17, C, 3, NONE) \
    X(18, C, 4, NONE) \
    X(19, C, 5, NONE) \
    /* end */

#endif
