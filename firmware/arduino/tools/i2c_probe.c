/* i2c_probe.c: a test firmware for hal_avr.c's I2C master (tests/sim/test_simavr_i2c.py), built by
 * `make -C firmware BOARD=uno i2c-probe`. It waits for a byte on the UART (the test has the port
 * open; the runner's clock is held until then), then from 1000 ms on talks to the chips the test's scenario puts on the simulated bus and prints one line
 * per step, `<step> <status> [<bytes in hex>]`, at board times the scenario's faults are set for:
 * the bus held low from 1400 ms to 2500 ms, a chip stuck mid-byte from 2700 ms to 3500 ms. It ends
 * with `end` and halts (the native board: stops doing anything). One step a main-loop pass, so
 * the same file runs on the native board (firmware/native, `make i2c-probe` there). The watchdog (~1 s) runs throughout: a hang would show as a second `boot`. */
#ifdef __AVR__
#include <avr/interrupt.h>
#include <avr/sleep.h>
#endif
#include <stdint.h>

#include "app.h"
#include "hal.h"

static void put(const char *s)
{
    uint8_t n = 0;
    while (s[n]) n++;
    hal_uart_write((const uint8_t *)s, n);
}

static void hex(uint8_t b)
{
    static const char digits[] = "0123456789abcdef";
    uint8_t t[3] = {' ', (uint8_t)digits[b >> 4], (uint8_t)digits[b & 15]};
    hal_uart_write(t, 3);
}

static void say(const char *step, uint8_t rc, const uint8_t *data, uint8_t n)
{
    uint8_t d = (uint8_t)('0' + rc);
    put(step);
    hal_uart_write((const uint8_t *)" ", 1);
    hal_uart_write(&d, 1);
    for (uint8_t k = 0; k < n && rc == HAL_I2C_OK; k++) hex(data[k]);
    put("\n");
    hal_watchdog_feed();
}

static uint8_t buf[32];

/* write `reg` without a STOP, then read n bytes after a repeated START */
static void reg_read(const char *step, uint8_t addr, uint8_t reg, uint8_t n)
{
    uint8_t rc = hal_i2c_write(addr, &reg, 1, 0);
    if (!rc) rc = hal_i2c_read(addr, buf, n);
    say(step, rc, buf, n);
}

static void cmd(const char *step, uint8_t addr, const uint8_t *bytes, uint8_t n)
{
    say(step, hal_i2c_write(addr, bytes, n, 1), 0, 0);
}

static void read_to(const char *step, uint8_t addr, uint8_t n) { say(step, hal_i2c_read(addr, buf, n), buf, n); }

static uint8_t step, polls, started;
static uint32_t due;

static void after(uint32_t ms) { due = hal_millis() + ms; }

/* BME280 / BMP280 at addr, step `at` of 6: ID, calibration, a forced measurement, the status
 * register polled each ms while it says "measuring", then the data (steps 0..5). */
static void bosch(uint8_t at, const char *name, uint8_t addr)
{
    static const uint8_t force[] = {0xF2, 0x01, 0xF4, 0x25}; /* humidity x1; T x1, P x1, forced */
    uint8_t reg = 0xF3, rc;
    switch (at) {
    case 0: put(name), put("\n"), reg_read("id", addr, 0xD0, 1); return;
    case 1: reg_read("cal", addr, 0x88, 26); return;
    case 2: reg_read("calh", addr, 0xE1, 7); return;
    case 3: cmd("force", addr, force, 4), polls = 0; return;
    case 4: /* the status register's bit 3: measuring */
        rc = hal_i2c_write(addr, &reg, 1, 0);
        if (!rc) rc = hal_i2c_read(addr, buf, 1);
        polls++;
        if (!rc && (buf[0] & 0x08) && polls < 50) {
            step--; /* again in 1 ms */
            after(1);
            return;
        }
        buf[0] = polls;
        say("polls", rc, buf, 1);
        return;
    default: reg_read("data", addr, 0xF7, 8); return;
    }
}

void app_boot(void)
{
    hal_init(115200);
    hal_watchdog_start();
    put("boot\n");
}

/* One step a pass, when its time has come: the loop never waits inside a pass (the native board's
 * clock only moves between passes). */
void app_poll(void)
{
    static const uint8_t sht3x_single[] = {0x24, 0x00}, sht4x_high = 0xFD, aht_init[] = {0xBE, 0x08, 0x00},
                         aht_trigger[] = {0xAC, 0x33, 0x00}, bh_on = 0x01, bh_once = 0x20;
    hal_watchdog_feed();
    if (!started) {
        if (hal_uart_read() < 0) return;
        started = 1;
        put("ready\n");
        due = 1000; /* the same board time however late the byte came (the runner's clock is held) */
    }
    if ((int32_t)(hal_millis() - due) < 0) return;
    uint8_t at = step++;
    if (at < 7) { /* 0 begin, 1..6 the BME280, 7..12 the BMP280 */
        if (at == 0) say("begin", hal_i2c_begin(0), 0, 0);
        else bosch((uint8_t)(at - 1), "bme280", 0x76);
        return;
    }
    if (at < 13) {
        bosch((uint8_t)(at - 7), "bmp280", 0x77);
        return;
    }
    switch (at) {
    case 13: cmd("sht3x_cmd", 0x45, sht3x_single, 2); break;
    case 14: read_to("sht3x_early", 0x45, 6), after(20); break; /* measuring: it does not answer */
    case 15: read_to("sht3x", 0x45, 6); break;
    case 16: cmd("sht4x_cmd", 0x44, &sht4x_high, 1), after(10); break;
    case 17: read_to("sht4x", 0x44, 6); break;
    case 18: read_to("aht_status", 0x38, 1); break;
    case 19: cmd("aht_init", 0x38, aht_init, 3); break;
    case 20: read_to("aht_status", 0x38, 1); break;
    case 21: cmd("aht_trigger", 0x38, aht_trigger, 3); break;
    case 22: read_to("aht_busy", 0x38, 7), after(85); break;
    case 23: read_to("aht", 0x38, 7); break;
    case 24: say("begin400", hal_i2c_begin(1), 0, 0); break;
    case 25: cmd("bh_on", 0x23, &bh_on, 1); break;
    case 26: cmd("bh_once", 0x23, &bh_once, 1), after(190); break;
    case 27: read_to("bh1750", 0x23, 2); break;
    case 28: cmd("missing", 0x50, &bh_on, 1); break;
    case 29: cmd("stretch", 0x5C, &bh_on, 1); break; /* the chip holds SCL: the wait gives up */
    case 30: cmd("after_stretch", 0x23, &bh_on, 1), due = 1500; break;
    case 31: say("held_low", hal_i2c_begin(0), 0, 0); break;
    case 32: cmd("while_held", 0x23, &bh_on, 1), due = 2600; break;
    case 33: say("released", hal_i2c_begin(0), 0, 0); break;
    case 34: cmd("after_held", 0x23, &bh_on, 1), due = 2800; break;
    case 35: say("stuck", hal_i2c_begin(0), 0, 0); break;
    case 36: cmd("after_stuck", 0x23, &bh_on, 1); break;
    case 37: put("end\n"), after(20); break;
    default:
        step = 38;
#ifdef __AVR__
        cli();
        sleep_enable();
        sleep_cpu(); /* interrupts off: simavr stops here ("halted") */
#endif
        break;
    }
}
