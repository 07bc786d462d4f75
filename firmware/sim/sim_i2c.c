/* The simulated I2C bus: scenario lines, faults, START/ADDR/data/STOP (sim_i2c.h). */
#include "sim_i2c.h"
#include "../core/hal.h" /* the HAL_I2C_* statuses of a whole transfer */
#include "sim_scenario.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BUS 0xFFu

/* "why" into err, and -1 */
#define FAIL(...) (snprintf(err, errlen, __VA_ARGS__), -1)

static int parse_addr(const char *text, uint8_t *out)
{
    char *end;
    long v = strtol(text, &end, 0);
    if (end == text || *end || v < 0x08 || v > 0x77) return -1;
    *out = (uint8_t)v;
    return 0;
}

static const struct { const char *key, *unit; double lo, hi, dflt; } qty[SIM_I2C_QTYS] = {
    {"temp", "°C", -40, 85, 20}, {"hum", "%RH", 0, 100, 50}, {"press", "hPa", 300, 1100, 1013.25},
    {"lux", "lx", 0, 54612, 100},
};

/* `key=POINTS`: comma-separated `[<time>:]<value>`s */
static int parse_series(sim_i2c_series_t *s, int q, char *val, char *err, size_t errlen)
{
    char *tok[SIM_I2C_POINTS + 1];
    int n = 0;
    if (!*val) return FAIL("%s= needs a value", qty[q].key);
    for (char *t = val; t && n <= SIM_I2C_POINTS; n++) { /* not strtok: the line's own tokenizer uses it */
        tok[n] = t;
        t = strchr(t, ',');
        if (t) *t++ = '\0';
    }
    return sim_parse_points(tok, n, SIM_I2C_POINTS, qty[q].lo, qty[q].hi, 1000, qty[q].key, qty[q].unit, s->t_ms,
                            s->v, &s->n, err, errlen);
}

static int parse_dev(sim_i2c_t *b, char **tok, int ntok, char *err, size_t errlen)
{
    int chip = ntok >= 2 ? sim_i2c_chip_find(tok[1]) : -1;
    if (chip < 0) return FAIL("i2c CHIP (bme280, bmp280, sht3x, sht4x, aht20, aht10, bh1750) [addr=0xNN] [temp=..] [hum=..] [press=..] [lux=..]");
    if (b->n >= SIM_I2C_MAX) return FAIL("more than %d I2C devices", SIM_I2C_MAX);
    sim_i2c_dev_t *d = &b->dev[b->n];
    memset(d, 0, sizeof *d);
    d->chip = (uint8_t)chip;
    d->addr = sim_i2c_chip_addr((uint8_t)chip);
    for (int q = 0; q < SIM_I2C_QTYS; q++) d->q[q].n = 1, d->q[q].v[0] = (int32_t)(qty[q].dflt * 1000);
    for (int i = 2; i < ntok; i++) {
        char *eq = strchr(tok[i], '=');
        if (!eq) return FAIL("i2c takes key=value, not %s", tok[i]);
        *eq = '\0';
        if (strcmp(tok[i], "addr") == 0) {
            if (parse_addr(eq + 1, &d->addr) < 0 || !sim_i2c_chip_addr_ok((uint8_t)chip, d->addr))
                return FAIL("a %s cannot answer at addr=%s", tok[1], eq + 1);
            continue;
        }
        int q = 0;
        while (q < SIM_I2C_QTYS && strcmp(tok[i], qty[q].key) != 0) q++;
        if (q == SIM_I2C_QTYS) return FAIL("i2c: unknown key %s (addr, temp, hum, press, lux)", tok[i]);
        if (parse_series(&d->q[q], q, eq + 1, err, errlen) < 0) return -1;
    }
    for (uint8_t k = 0; k < b->n; k++)
        if (b->dev[k].addr == d->addr) return FAIL("two I2C devices at 0x%02x", d->addr);
    sim_i2c_chip_reset(d);
    b->n++;
    return 0;
}

static int parse_fault(sim_i2c_t *b, char **tok, int ntok, char *err, size_t errlen)
{
    static const char *const names[] = {"missing", "wrong_id", "crc", "stretch", "held_low", "stuck"};
    if (ntok != 5) return FAIL("i2c_fault ADDR|bus missing|wrong_id|crc|stretch|held_low|stuck FROM UNTIL");
    if (b->n_faults >= SIM_I2C_FAULTS) return FAIL("more than %d I2C faults", SIM_I2C_FAULTS);
    sim_i2c_fault_t *f = &b->fault[b->n_faults];
    f->kind = 0;
    for (int k = 0; k < 6; k++)
        if (strcmp(tok[2], names[k]) == 0) f->kind = (uint8_t)(SIM_I2C_F_MISSING + k);
    if (!f->kind) return FAIL("unknown I2C fault %s (missing, wrong_id, crc, stretch, held_low, stuck)", tok[2]);
    int on_bus = f->kind == SIM_I2C_F_HELD_LOW || f->kind == SIM_I2C_F_STUCK;
    if (on_bus != (strcmp(tok[1], "bus") == 0))
        return FAIL("%s is a fault of %s", tok[2], on_bus ? "the bus (i2c_fault bus ...)" : "a device (its ADDR)");
    if (on_bus) f->addr = BUS;
    else if (parse_addr(tok[1], &f->addr) < 0) return FAIL("bad I2C address %s (0x08 .. 0x77)", tok[1]);
    int64_t from = sim_parse_ms(tok[3]), until = sim_parse_ms(tok[4]);
    if (from < 0 || until <= from) return FAIL("a fault holds FROM .. UNTIL, UNTIL later (%s %s)", tok[3], tok[4]);
    f->from_ms = (uint32_t)from;
    f->until_ms = (uint32_t)until;
    b->n_faults++;
    return 0;
}

int sim_i2c_line(sim_i2c_t *b, char **tok, int ntok, char *err, size_t errlen)
{
    if (strcmp(tok[0], "i2c") == 0) return parse_dev(b, tok, ntok, err, errlen);
    if (strcmp(tok[0], "i2c_fault") == 0) return parse_fault(b, tok, ntok, err, errlen);
    return FAIL("unknown line kind %s (i2c, i2c_fault)", tok[0]);
}

int sim_i2c_fault(const sim_i2c_t *b, uint8_t addr, uint32_t now_ms)
{
    for (uint8_t i = 0; i < b->n_faults; i++) {
        const sim_i2c_fault_t *f = &b->fault[i];
        if (f->addr == addr && now_ms >= f->from_ms && now_ms < f->until_ms) return f->kind;
    }
    return 0;
}

int sim_i2c_sda(sim_i2c_t *b, uint32_t now_ms)
{
    int f = sim_i2c_fault(b, BUS, now_ms);
    if (f == SIM_I2C_F_HELD_LOW) return 0;
    if (f != SIM_I2C_F_STUCK) {
        b->stuck_clocks = 0, b->stuck_done = 0; /* the next stuck window starts afresh */
        return 1;
    }
    return b->stuck_done;
}

void sim_i2c_scl_pulse(sim_i2c_t *b, uint32_t now_ms)
{
    if (sim_i2c_fault(b, BUS, now_ms) == SIM_I2C_F_STUCK && ++b->stuck_clocks >= SIM_I2C_STUCK_CLOCKS) b->stuck_done = 1;
}

/* the end of a write phase: the chip acts on what it was sent */
static void end_write(sim_i2c_t *b, uint32_t now_ms)
{
    if (b->cur && !b->reading && b->n_rx) {
        sim_i2c_dev_t *d = &b->dev[b->cur - 1];
        sim_i2c_chip_command(d, b->rx, b->n_rx, now_ms, sim_i2c_fault(b, d->addr, now_ms));
    }
    b->n_rx = 0;
}

int sim_i2c_start(sim_i2c_t *b, uint8_t addr7, uint8_t read, uint32_t now_ms)
{
    end_write(b, now_ms);
    b->starts++;
    b->cur = 0;
    b->reading = read;
    b->k_out = 0;
    if (!sim_i2c_sda(b, now_ms)) return SIM_I2C_NACK; /* nobody can pull a held line */
    for (uint8_t i = 0; i < b->n; i++) {
        sim_i2c_dev_t *d = &b->dev[i];
        if (d->addr != addr7) continue;
        int f = sim_i2c_fault(b, addr7, now_ms);
        if (f == SIM_I2C_F_MISSING) break;
        if (f == SIM_I2C_F_STRETCH) {
            b->hangs++;
            return SIM_I2C_HANG;
        }
        if (read && !sim_i2c_chip_readable(d, now_ms)) break;
        b->cur = (uint8_t)(i + 1);
        return SIM_I2C_ACK;
    }
    b->nacks++;
    return SIM_I2C_NACK;
}

int sim_i2c_write(sim_i2c_t *b, uint8_t byte, uint32_t now_ms)
{
    (void)now_ms;
    if (!b->cur || b->reading) return 0;
    if (b->n_rx < SIM_I2C_RX) b->rx[b->n_rx++] = byte;
    return 1;
}

uint8_t sim_i2c_read(sim_i2c_t *b, uint32_t now_ms)
{
    if (!b->cur || !b->reading) return 0xFF; /* nobody drives SDA: it reads high */
    sim_i2c_dev_t *d = &b->dev[b->cur - 1];
    return sim_i2c_chip_read(d, b->k_out++, now_ms, sim_i2c_fault(b, d->addr, now_ms));
}

void sim_i2c_stop(sim_i2c_t *b, uint32_t now_ms)
{
    end_write(b, now_ms);
    b->cur = 0;
}

int sim_i2c_recover(sim_i2c_t *b, uint32_t now_ms)
{
    for (uint8_t k = 0; k < 9 && !sim_i2c_sda(b, now_ms); k++) sim_i2c_scl_pulse(b, now_ms);
    return sim_i2c_sda(b, now_ms) ? HAL_I2C_OK : HAL_I2C_BUS_STUCK;
}

static int xfer_start(sim_i2c_t *b, uint8_t addr7, uint8_t read, uint32_t now_ms)
{
    if (addr7 > 0x7F) return HAL_I2C_NACK_ADDR;
    if (!sim_i2c_sda(b, now_ms)) return HAL_I2C_BUS_STUCK; /* no START while SDA is low */
    int got = sim_i2c_start(b, addr7, read, now_ms);
    if (got == SIM_I2C_HANG) return HAL_I2C_TIMEOUT;
    if (got == SIM_I2C_NACK) {
        sim_i2c_stop(b, now_ms);
        return HAL_I2C_NACK_ADDR;
    }
    return HAL_I2C_OK;
}

int sim_i2c_xfer_write(sim_i2c_t *b, uint8_t addr7, const uint8_t *data, int len, int stop,
                       uint32_t t_addr, uint32_t t_data, int *acks)
{
    int rc = xfer_start(b, addr7, 0, t_addr);
    *acks = 0;
    if (rc) return rc;
    for (int k = 0; k < len; k++, ++*acks)
        if (!sim_i2c_write(b, data[k], t_data)) {
            sim_i2c_stop(b, t_data);
            return HAL_I2C_NACK_DATA;
        }
    if (stop) sim_i2c_stop(b, t_data);
    return HAL_I2C_OK;
}

int sim_i2c_xfer_read(sim_i2c_t *b, uint8_t addr7, uint8_t *data, int len, uint32_t t_addr,
                      uint32_t t_data)
{
    int rc = xfer_start(b, addr7, 1, t_addr);
    if (rc) return rc;
    for (int k = 0; k < len; k++) data[k] = sim_i2c_read(b, t_data);
    sim_i2c_stop(b, t_data);
    return HAL_I2C_OK;
}
