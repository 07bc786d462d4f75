/* sim_board.c: pin tables of the simulated boards (Arduino AVR core variants standard and mega). */
#define _POSIX_C_SOURCE 200809L /* strcasecmp */
#include "sim_board.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define P(port, bit) { port, bit, SIM_NO_ADC }
#define A(port, bit, ch) { port, bit, ch }

/* Uno and Nano: D0-D7 PORTD, D8-D13 PORTB, A0-A5 (14-19) PORTC = ADC0-5; Nano adds A6/A7 (ADC only). */
static const sim_pin_t pins_328[] = {
    P('D', 0), P('D', 1), P('D', 2), P('D', 3), P('D', 4), P('D', 5), P('D', 6), P('D', 7),
    P('B', 0), P('B', 1), P('B', 2), P('B', 3), P('B', 4), P('B', 5),
    A('C', 0, 0), A('C', 1, 1), A('C', 2, 2), A('C', 3, 3), A('C', 4, 4), A('C', 5, 5),
    A(SIM_NO_PORT, 0, 6), A(SIM_NO_PORT, 0, 7),
};

/* Mega 2560: variants/mega/pins_arduino.h, digital_pin_to_port_PGM / digital_pin_to_bit_mask_PGM. */
static const sim_pin_t pins_2560[] = {
    P('E', 0), P('E', 1), P('E', 4), P('E', 5), P('G', 5), P('E', 3), P('H', 3), P('H', 4),     /* 0-7 */
    P('H', 5), P('H', 6), P('B', 4), P('B', 5), P('B', 6), P('B', 7), P('J', 1), P('J', 0),     /* 8-15 */
    P('H', 1), P('H', 0), P('D', 3), P('D', 2), P('D', 1), P('D', 0),                           /* 16-21 */
    P('A', 0), P('A', 1), P('A', 2), P('A', 3), P('A', 4), P('A', 5), P('A', 6), P('A', 7),     /* 22-29 */
    P('C', 7), P('C', 6), P('C', 5), P('C', 4), P('C', 3), P('C', 2), P('C', 1), P('C', 0),     /* 30-37 */
    P('D', 7), P('G', 2), P('G', 1), P('G', 0),                                                 /* 38-41 */
    P('L', 7), P('L', 6), P('L', 5), P('L', 4), P('L', 3), P('L', 2), P('L', 1), P('L', 0),     /* 42-49 */
    P('B', 3), P('B', 2), P('B', 1), P('B', 0),                                                 /* 50-53 */
    A('F', 0, 0), A('F', 1, 1), A('F', 2, 2), A('F', 3, 3),                                     /* A0-A3 */
    A('F', 4, 4), A('F', 5, 5), A('F', 6, 6), A('F', 7, 7),                                     /* A4-A7 */
    A('K', 0, 8), A('K', 1, 9), A('K', 2, 10), A('K', 3, 11),                                   /* A8-A11 */
    A('K', 4, 12), A('K', 5, 13), A('K', 6, 14), A('K', 7, 15),                                 /* A12-A15 */
};

/* Output compare units: pin, TCCRnA, its COMnx1 bit, OCRnx (datasheets; the Arduino core's
 * digital_pin_to_timer_PGM says which pin each unit drives). */
#define COM_A 0x80
#define COM_B 0x20
#define COM_C 0x08
static const sim_pwm_t pwm_328[] = {
    { 6, 0x44, COM_A, 0x47 }, { 5, 0x44, COM_B, 0x48 },    /* timer 0 */
    { 9, 0x80, COM_A, 0x88 }, { 10, 0x80, COM_B, 0x8A },   /* timer 1 */
    { 11, 0xB0, COM_A, 0xB3 }, { 3, 0xB0, COM_B, 0xB4 },   /* timer 2 */
};
static const sim_pwm_t pwm_2560[] = {
    { 13, 0x44, COM_A, 0x47 }, { 4, 0x44, COM_B, 0x48 },                               /* timer 0 */
    { 11, 0x80, COM_A, 0x88 }, { 12, 0x80, COM_B, 0x8A },                              /* timer 1 */
    { 10, 0xB0, COM_A, 0xB3 }, { 9, 0xB0, COM_B, 0xB4 },                               /* timer 2 */
    { 5, 0x90, COM_A, 0x98 }, { 2, 0x90, COM_B, 0x9A }, { 3, 0x90, COM_C, 0x9C },      /* timer 3 */
    { 6, 0xA0, COM_A, 0xA8 }, { 7, 0xA0, COM_B, 0xAA }, { 8, 0xA0, COM_C, 0xAC },      /* timer 4 */
    { 46, 0x120, COM_A, 0x128 }, { 45, 0x120, COM_B, 0x12A }, { 44, 0x120, COM_C, 0x12C }, /* 5 */
};
#define N(a) (uint8_t)(sizeof a / sizeof a[0])

static const sim_board_t boards[] = {
    { "uno", "atmega328p", 1024, 20, 14, pins_328, pwm_328, N(pwm_328), NULL },
    { "nano", "atmega328p", 1024, 22, 14, pins_328, pwm_328, N(pwm_328), NULL },
    { "mega2560", "atmega2560", 4096, N(pins_2560), 54, pins_2560, pwm_2560, N(pwm_2560), NULL },
};

_Static_assert(sizeof pins_328 / sizeof pins_328[0] == 22, "Uno/Nano pin table");
_Static_assert(sizeof pins_2560 / sizeof pins_2560[0] == 70, "Mega pin table");

const sim_board_t *sim_board_find(const char *name)
{
    if (strcmp(name, "mega") == 0) name = "mega2560";
    for (size_t i = 0; i < sizeof boards / sizeof boards[0]; i++)
        if (strcmp(boards[i].name, name) == 0) return &boards[i];
    return NULL;
}

const char *sim_board_names(void) { return "uno, nano, mega2560"; }

int sim_board_parse_pin(const sim_board_t *b, const char *text)
{
    if (b->names)
        for (int i = 0; i < b->n_pins; i++)
            if (b->names[i] && strcasecmp(b->names[i], text) == 0) return i;
    int base = 0;
    if (*text == 'A' || *text == 'a') {
        base = b->first_analog;
        text++;
    } else if (*text == 'D' || *text == 'd') {
        text++;
    }
    if (!isdigit((unsigned char)*text)) return -1;
    char *end;
    long n = strtol(text, &end, 10);
    if (*end != '\0' || n < 0) return -1;
    n += base;
    return n < b->n_pins ? (int)n : -1;
}

int sim_board_pin_at(const sim_board_t *b, char port, uint8_t bit)
{
    for (int i = 0; i < b->n_pins; i++)
        if (b->pins[i].port == port && b->pins[i].bit == bit) return i;
    return -1;
}

int sim_board_digital_pin(const sim_board_t *b, const char *text)
{
    int pin = sim_board_parse_pin(b, text);
    return pin >= 0 && b->pins[pin].port != SIM_NO_PORT ? pin : -1;
}
