/* Arduino Mega 2560 (ATmega2560): Arduino pin number -> port, bit and the PWM unit that drives it.
 * Board data, not code: hal_avr.c builds its tables from these rows. The pin numbers, PWM and analog
 * pins must agree with boards/mega2560.toml, and port/bit/PWM with the Arduino core's variants/mega
 * pins_arduino.h; tests/firmware_avr/test_pin_tables.py checks both.
 *   TD_PIN_ROWS   X(pin, port letter, bit, PWM unit OC<timer><channel> or NONE); port NONE = no GPIO
 *   TD_PIN_A0     first analog pin: pin p >= TD_PIN_A0 reads ADC channel p - TD_PIN_A0
 *   TD_PWM_UNITS  U(unit, timer, channel) for every unit that rows use
 *   TD_TIMERS16   the 16-bit timers among them (8-bit phase-correct PWM, like the Arduino core) */
#ifndef TD_PINS_MEGA2560_H
#define TD_PINS_MEGA2560_H

#define TD_PIN_A0 54

#define TD_PWM_UNITS(U) \
    U(OC0A, 0, A) U(OC0B, 0, B) U(OC1A, 1, A) U(OC1B, 1, B) U(OC2A, 2, A) U(OC2B, 2, B) \
    U(OC3A, 3, A) U(OC3B, 3, B) U(OC3C, 3, C) U(OC4A, 4, A) U(OC4B, 4, B) U(OC4C, 4, C) \
    U(OC5A, 5, A) U(OC5B, 5, B) U(OC5C, 5, C)
#define TD_TIMERS16(T) T(1) T(3) T(4) T(5)
#define TD_PIN_ROWS(X) \
    X( 0, E, 0, NONE) \
    X( 1, E, 1, NONE) \
    X( 2, E, 4, OC3B) \
    X( 3, E, 5, OC3C) \
    X( 4, G, 5, OC0B) \
    X( 5, E, 3, OC3A) \
    X( 6, H, 3, OC4A) \
    X( 7, H, 4, OC4B) \
    X( 8, H, 5, OC4C) \
    X( 9, H, 6, OC2B) \
    X(10, B, 4, OC2A) \
    X(11, B, 5, OC1A) \
    X(12, B, 6, OC1B) \
    X(13, B, 7, OC0A) \
    X(14, J, 1, NONE) \
    X(15, J, 0, NONE) \
    X(16, H, 1, NONE) \
    X(17, H, 0, NONE) \
    X(18, D, 3, NONE) \
    X(19, D, 2, NONE) \
    X(20, D, 1, NONE) \
    X(21, D, 0, NONE) \
    X(22, A, 0, NONE) \
    X(23, A, 1, NONE) \
    X(24, A, 2, NONE) \
    X(25, A, 3, NONE) \
    X(26, A, 4, NONE) \
    X(27, A, 5, NONE) \
    X(28, A, 6, NONE) \
    X(29, A, 7, NONE) \
    X(30, C, 7, NONE) \
    X(31, C, 6, NONE) \
    X(32, C, 5, NONE) \
    X(33, C, 4, NONE) \
    X(34, C, 3, NONE) \
    X(35, C, 2, NONE) \
    X(36, C, 1, NONE) \
    X(37, C, 0, NONE) \
    X(38, D, 7, NONE) \
    X(39, G, 2, NONE) \
    X(40, G, 1, NONE) \
    X(41, G, 0, NONE) \
    X(42, L, 7, NONE) \
    X(43, L, 6, NONE) \
    X(44, L, 5, OC5C) \
    X(45, L, 4, OC5B) \
    X(46, L, 3, OC5A) \
    X(47, L, 2, NONE) \
    X(48, L, 1, NONE) \
    X(49, L, 0, NONE) \
    X(50, B, 3, NONE) \
    X(51, B, 2, NONE) \
    X(52, B, 1, NONE) \
    X(53, B, 0, NONE) \
    X(54, F, 0, NONE) \
    X(55, F, 1, NONE) \
    X(56, F, 2, NONE) \
    X(57, F, 3, NONE) \
    X(58, F, 4, NONE) \
    X(59, F, 5, NONE) \
    X(60, F, 6, NONE) \
    X(61, F, 7, NONE) \
    X(62, K, 0, NONE) \
    X(63, K, 1, NONE) \
    X(64, K, 2, NONE) \
    X(65, K, 3, NONE) \
    X(66, K, 4, NONE) \
    X(67, K, 5, NONE) \
    X(68, K, 6, NONE) \
    X(69, K, 7, NONE) \
    /* end */

#endif
