/* sim_i2c_avr.c: the scenario's I2C bus on simavr's TWI (see sim_i2c_avr.h). */
#include "sim_i2c_avr.h"

#include <inttypes.h>
#include <string.h>

#include <simavr/avr_twi.h>
#include <simavr/sim_cycle_timers.h>
#include <simavr/sim_interrupts.h>

#define CYCLES_PER_MS 16000u
#define HOLD_CHECK_CYCLES 16u

static avr_t *g;
static sim_i2c_t *g_bus;
static avr_twi_t *g_twi;
static avr_irq_t *g_in;
static i2c_avr_drive_fn g_drive;
static uint8_t g_sda, g_scl, g_on, g_scl_out, g_hold;
static uint32_t g_clocks;
static uint32_t g_khz_lo, g_khz_hi; /* the SCL clock the TWI was set to at each START: lowest, highest */

static uint32_t now_ms(void) { return (uint32_t)(g->cycle / CYCLES_PER_MS); }

static void drive_sda(void) { g_drive(g_sda, sim_i2c_sda(g_bus, now_ms())); }

/* A stretch: TWINT stays down (the TWI's own state timer raises it; this takes it back before the
 * CPU's next instruction) until the firmware switches the TWI off. */
static avr_cycle_count_t hold(avr_t *avr, avr_cycle_count_t when, void *param)
{
    (void)param;
    if (!(g_twi->state & TWI_COND_START)) { /* switched off (and maybe on again): a new start */
        g_hold = 0;
        return 0;
    }
    avr_regbit_clear(avr, g_twi->twi.raised);
    avr_clear_interrupt(avr, &g_twi->twi);
    return when + HOLD_CHECK_CYCLES;
}

static void answer(uint8_t msg, uint8_t addr, uint8_t data) { avr_raise_irq(g_in, avr_twi_irq_msg(msg, addr, data)); }

/* simavr 1.6 reports an address sent for writing as a data byte (0x28 ACK, 0x30 NACK, at once);
 * a real TWI says 0x18 / 0x20. Put the real status in before the CPU's next instruction reads it. */
static avr_cycle_count_t fix_sla_w(avr_t *avr, avr_cycle_count_t when, void *param)
{
    uint8_t *sr = &avr->data[g_twi->r_twsr];
    (void)when, (void)param;
    if ((*sr & 0xF8) == 0x28 || (*sr & 0xF8) == 0x30) *sr = (uint8_t)((*sr & 0x07) | ((*sr & 0xF8) == 0x28 ? 0x18 : 0x20));
    return 0;
}

static void on_twi(struct avr_irq_t *irq, uint32_t value, void *param)
{
    avr_twi_msg_irq_t m;
    (void)irq, (void)param;
    m.u.v = value;
    uint32_t now = now_ms();
    if (g_hold) return; /* a held bus: nothing moves */
    if (m.u.twi.msg & TWI_COND_STOP) {
        sim_i2c_stop(g_bus, now);
        return;
    }
    /* The firmware wrote TWINT = 1 to start this step, which clears TWINT on a real TWI; simavr
     * 1.6 leaves the written 1 in TWCR, so the wait would end at once: clear it. */
    avr_regbit_clear(g, g_twi->twi.raised);
    if (m.u.twi.msg & TWI_COND_START) {
        /* SCL = F_CPU / (16 + 2 * TWBR * 4^TWPS), in kHz as the firmware set it for this transfer */
        uint32_t div = 16u + 2u * g->data[g_twi->r_twbr] * (1u << (2u * (g->data[g_twi->r_twsr] & 3u)));
        uint32_t khz = (uint32_t)(g->frequency / 1000u / div);
        if (!g_khz_lo || khz < g_khz_lo) g_khz_lo = khz;
        if (khz > g_khz_hi) g_khz_hi = khz;
        int got = sim_i2c_start(g_bus, m.u.twi.addr >> 1, m.u.twi.addr & 1, now);
        if (got == SIM_I2C_ACK) answer(TWI_COND_ACK, m.u.twi.addr, 1);
        if (!(m.u.twi.addr & 1)) avr_cycle_timer_register(g, 1, fix_sla_w, NULL);
        if (got == SIM_I2C_HANG) {
            g_hold = 1;
            avr_cycle_timer_register(g, 1, hold, NULL);
        }
        return;
    }
    if (m.u.twi.msg & TWI_COND_WRITE) {
        if (sim_i2c_write(g_bus, m.u.twi.data, now)) answer(TWI_COND_ACK, m.u.twi.addr, 1);
        return;
    }
    if (m.u.twi.msg & TWI_COND_READ) answer(TWI_COND_READ, m.u.twi.addr, sim_i2c_read(g_bus, now));
}

void i2c_avr_init(avr_t *avr, sim_i2c_t *bus, uint8_t sda_pin, uint8_t scl_pin, i2c_avr_drive_fn drive)
{
    g = avr, g_bus = bus, g_sda = sda_pin, g_scl = scl_pin, g_drive = drive;
    for (avr_io_t *io = avr->io_port; io; io = io->next)
        if (io->kind && strcmp(io->kind, "twi") == 0) g_twi = (avr_twi_t *)io;
    g_on = bus->n > 0 || bus->n_faults > 0;
    if (!g_on) return;
    g_in = avr_io_getirq(avr, AVR_IOCTL_TWI_GETIRQ(0), TWI_IRQ_INPUT);
    avr_irq_t *out = avr_io_getirq(avr, AVR_IOCTL_TWI_GETIRQ(0), TWI_IRQ_OUTPUT);
    if (!g_twi || !g_in || !out) {
        g_on = 0;
        return;
    }
    avr_irq_register_notify(out, on_twi, NULL);
    drive(scl_pin, 1); /* the pull-ups */
    drive_sda();
}

int i2c_avr_owns(uint8_t pin)
{
    return g_twi && (pin == g_sda || pin == g_scl) && avr_regbit_get(g, g_twi->twen);
}

void i2c_avr_pin(uint8_t pin, int output)
{
    if (!g_on || pin != g_scl || output == g_scl_out) return;
    g_scl_out = (uint8_t)output;
    if (output) return; /* SCL pulled low; the clock counts when it is let go */
    g_clocks++;
    sim_i2c_scl_pulse(g_bus, now_ms());
    drive_sda();
}

void i2c_avr_service(uint32_t now)
{
    (void)now;
    if (g_on) drive_sda();
}

void i2c_avr_report(void (*say)(const char *fmt, ...))
{
    if (g_on)
        say("i2c starts=%" PRIu32 " nacks=%" PRIu32 " hangs=%" PRIu32 " scl_clocks=%" PRIu32 " scl_khz=%" PRIu32
            "..%" PRIu32, g_bus->starts, g_bus->nacks, g_bus->hangs, g_clocks, g_khz_lo, g_khz_hi);
}
