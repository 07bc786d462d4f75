/* hal_demo.c: the AVR HAL under a tiny test app (app_boot/app_poll), for bring-up on a real board
 * and for the simavr runner before, or besides, the real firmware. Not part of the product build:
 * `make -C firmware BOARD=uno hal-demo` -> firmware/build/uno/hal_demo.elf.
 *
 * At boot: LED pin 13 low and an output, then the line "hal_demo reset=<cause>\n" (cause = the
 * ResetCause bits). The LED toggles every 500 ms. Every received byte is echoed, except '!' which
 * starts a command; each command answers one text line:
 *   !a  "A v v ..."   hal_analog_read() of every analog pin, A0 first
 *   !d  "D 0101..."   hal_digital_read() of every pin, pin 0 first
 *   !pN "P N"         hal_pwm_write(DEMO_PWM_PIN, N) where N is the next byte (raw)
 *   !oN "O N"         pin DEMO_OUT_PIN an output at level N & 1 (the next byte, raw)
 *   !e  "E n"         EEPROM byte 0 incremented and read back (survives a power cycle)
 *   !m  "M ms"        hal_millis()
 *   !x  "X n"         hal_entropy()
 *   !r  "R c s"       reset cause and EEPROM size
 *   !h                hang with interrupts on: the watchdog resets the board ~1 s later
 */
#include <stdint.h>

#include "app.h"
#include "hal.h"
#include "pins.h"
#include "tendril_boards.h"

#define DEMO_LED_PIN 13
#define DEMO_PWM_PIN 9 /* a PWM pin on every supported board */
#define DEMO_OUT_PIN 8

static uint8_t cmd_state; /* 0: echo, '!': command letter next, else: that command's argument */
static uint32_t blink_at;

static void put(const char *s)
{
    while (*s) {
        hal_uart_write((const uint8_t *)s++, 1);
    }
}

static void put_u32(uint32_t v)
{
    char buf[11];
    uint8_t i = sizeof buf;
    buf[--i] = 0;
    do {
        buf[--i] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    put(&buf[i]);
}

static void reply(char letter, uint32_t v)
{
    char head[3] = {letter, ' ', 0};
    put(head);
    put_u32(v);
    put("\n");
}

void app_boot(void)
{
    hal_digital_write(DEMO_LED_PIN, 0);
    hal_pin_mode(DEMO_LED_PIN, HAL_OUTPUT);
    hal_init(TD_BAUD);
    put("hal_demo reset=");
    put_u32(hal_reset_cause());
    put("\n");
    hal_watchdog_start();
}

static void command(uint8_t c, uint8_t arg)
{
    switch (c) {
    case 'a':
        put("A");
        for (uint8_t p = TD_PIN_A0; p < TD_LIMIT_PINS; p++) {
            put(" ");
            put_u32(hal_analog_read(p));
        }
        put("\n");
        break;
    case 'd':
        put("D ");
        for (uint8_t p = 0; p < TD_LIMIT_PINS; p++) {
            uint8_t ch = (uint8_t)('0' + hal_digital_read(p));
            hal_uart_write(&ch, 1);
        }
        put("\n");
        break;
    case 'p':
        hal_pwm_write(DEMO_PWM_PIN, arg);
        reply('P', arg);
        break;
    case 'o':
        hal_digital_write(DEMO_OUT_PIN, arg & 1);
        hal_pin_mode(DEMO_OUT_PIN, HAL_OUTPUT);
        reply('O', arg & 1);
        break;
    case 'e':
        hal_eeprom_write(0, (uint8_t)(hal_eeprom_read(0) + 1));
        reply('E', hal_eeprom_read(0));
        break;
    case 'm':
        reply('M', hal_millis());
        break;
    case 'x':
        reply('X', hal_entropy());
        break;
    case 'r':
        put("R ");
        put_u32(hal_reset_cause());
        put(" ");
        put_u32(hal_eeprom_size());
        put("\n");
        break;
    case 'h':
        for (;;) {
        }
    default:
        break;
    }
}

void app_poll(void)
{
    hal_watchdog_feed();
    uint32_t now = hal_millis();
    if ((int32_t)(now - blink_at) >= 0) {
        blink_at = now + 500;
        hal_digital_write(DEMO_LED_PIN, !hal_digital_read(DEMO_LED_PIN));
    }
    int16_t r = hal_uart_read();
    if (r < 0) {
        return;
    }
    uint8_t b = (uint8_t)r;
    if (cmd_state == 0) {
        if (b == '!') {
            cmd_state = '!';
        } else {
            hal_uart_write(&b, 1);
        }
    } else if (cmd_state == '!' && (b == 'p' || b == 'o')) {
        cmd_state = b; /* wait for the argument byte */
    } else if (cmd_state == '!') {
        cmd_state = 0;
        command(b, 0);
    } else {
        uint8_t c = cmd_state;
        cmd_state = 0;
        command(c, b);
    }
}
