/* sim_board.h: the simulated boards and their Arduino pin numbering (pin -> port/bit, ADC channel).
 *
 * The numbers follow the Arduino AVR core's variants (standard for uno/nano, mega for mega2560), the
 * same numbering the boards/ TOML files use; tests/sim/test_pin_table.py cross-checks both.
 */
#ifndef SIM_BOARD_H
#define SIM_BOARD_H

#include <stdint.h>

#define SIM_NO_ADC (-1)
#define SIM_NO_PORT 0 /* A6/A7 on a Nano: analog inputs with no digital port */

typedef struct {
    char port;   /* 'A'..'L', or SIM_NO_PORT */
    uint8_t bit; /* 0..7 */
    int8_t adc;  /* ADC channel, or SIM_NO_ADC */
} sim_pin_t;

/* A pin a timer can drive (its output compare unit): while `com` is set in the timer's TCCRnA the
 * pin follows the timer, at a duty of OCRnx (the low byte: the Arduino core's 8-bit PWM). Data
 * space addresses. */
typedef struct {
    uint8_t pin;
    uint16_t tccr;
    uint8_t com;
    uint16_t ocr;
} sim_pwm_t;

typedef struct {
    const char *name;
    const char *mcu;          /* simavr core name */
    uint16_t eeprom_size;     /* bytes */
    uint8_t n_pins;
    uint8_t first_analog;     /* Arduino number of A0 */
    const sim_pin_t *pins;    /* indexed by Arduino pin number */
    const sim_pwm_t *pwm;     /* the pins a timer can drive */
    uint8_t n_pwm;
    const char *const *names; /* the board file's pin names by pin number ("GP26"), or NULL; a board
                                 built from boards/<board>.toml by a host (tendril.sim.scenario) has them */
} sim_board_t;

const sim_board_t *sim_board_find(const char *name); /* uno, nano, mega2560 (or mega); NULL if unknown */
const char *sim_board_names(void);                   /* "uno, nano, mega2560" for messages */

/* A pin name of the board (names), or "7", "D7", "A0" (-> first_analog), to a pin number; -1 if
 * the board has no such pin. */
int sim_board_parse_pin(const sim_board_t *b, const char *text);

/* As sim_board_parse_pin, for a pin with a digital port (not a Nano's A6/A7); -1 otherwise. */
int sim_board_digital_pin(const sim_board_t *b, const char *text);

/* The Arduino pin at port/bit, or -1. */
int sim_board_pin_at(const sim_board_t *b, char port, uint8_t bit);

#endif
