/* Servos on the simulated AVR: each 16-bit timer output's pulse, read off the timer's registers
 * (sim_servo_avr.h). Register offsets from TCCRnA are the same on every 16-bit timer of the
 * ATmega328P and ATmega2560 (datasheets): TCCRnB +1, ICRn +6. */
#include "sim_servo_avr.h"

#include <inttypes.h>

#include "tendril_contract.h"

#define TCCRB 1
#define ICR 6
#define WGM3 0x10 /* TCCRnB: with WGMn2 and WGMn1, mode 14 (fast PWM, TOP = ICRn) */
#define WGM2 0x08
#define WGM1 0x02 /* TCCRnA */
#define MAX_UNITS 16

static const uint16_t prescale[8] = {0, 1, 8, 64, 256, 1024, 0, 0};
static avr_t *g_avr;
static const sim_board_t *g_board;
static servo_avr_say_fn g_say;
static uint32_t g_width[MAX_UNITS]; /* the width last reported, 0 for none */

static uint16_t rd16(uint16_t addr) { return (uint16_t)(g_avr->data[addr] | g_avr->data[addr + 1] << 8); }

/* The unit's high time in us (0: it does not drive a servo train now), and its period. */
static uint32_t width_us(const sim_pwm_t *u, uint32_t *period_us)
{
    uint8_t a = g_avr->data[u->tccr], b = g_avr->data[u->tccr + TCCRB];
    if (u->ocr < 0x80 || !(a & u->com) || (a & 0x03) != WGM1 || (b & (WGM3 | WGM2)) != (WGM3 | WGM2)) return 0;
    uint32_t div = prescale[b & 7];
    uint32_t mhz = (uint32_t)(g_avr->frequency / 1000000u);
    if (!div || !mhz) return 0;
    *period_us = ((uint32_t)rd16(u->tccr + ICR) + 1) * div / mhz;
    return ((uint32_t)rd16(u->ocr) + 1) * div / mhz;
}

void servo_avr_init(avr_t *avr, const sim_board_t *board, servo_avr_say_fn say)
{
    g_avr = avr;
    g_board = board;
    g_say = say;
    for (uint8_t i = 0; i < MAX_UNITS; i++) g_width[i] = 0;
}

void servo_avr_service(void)
{
    for (uint8_t i = 0; i < g_board->n_pwm && i < MAX_UNITS; i++) {
        const sim_pwm_t *u = &g_board->pwm[i];
        uint32_t period = 0, w = width_us(u, &period);
        if (w == g_width[i]) continue;
        g_width[i] = w;
        if (!w) continue;
        int32_t span = TD_SERVO_PULSE_MAX_US - TD_SERVO_PULSE_MIN_US;
        int32_t deg = (((int32_t)w - TD_SERVO_PULSE_MIN_US) * TD_SERVO_MAX_DEG * 2 + span) / (2 * span);
        g_say("servo %u %" PRId32 " us=%" PRIu32 " period=%" PRIu32 " t=%" PRIu64 "ms", u->pin, deg, w, period,
              g_avr->cycle / (g_avr->frequency / 1000u));
    }
}

int servo_avr_active(uint8_t pin)
{
    uint32_t period;
    for (uint8_t i = 0; i < g_board->n_pwm; i++)
        if (g_board->pwm[i].pin == pin) return width_us(&g_board->pwm[i], &period) != 0;
    return 0;
}
