/* Register-level models of the I2C chips (sim_i2c.h), written from their datasheets: Bosch BME280
 * and BMP280, Sensirion SHT3x-DIS and SHT4x, Aosong AHT20 / AHT10, Rohm BH1750FVI. Each turns the
 * scenario's values into the bytes the part sends, through the datasheet's own conversion (for the
 * BME280: raw ADC values found by bisection over its floating-point compensation). */
#include "sim_i2c.h"

#include <math.h>
#include <string.h>

static const struct { const char *name; uint8_t addr, alt; } chips[SIM_I2C_CHIPS] = {
    [SIM_I2C_BME280] = {"bme280", 0x76, 0x77}, [SIM_I2C_BMP280] = {"bmp280", 0x76, 0x77},
    [SIM_I2C_SHT3X] = {"sht3x", 0x44, 0x45},   [SIM_I2C_SHT4X] = {"sht4x", 0x44, 0x44},
    [SIM_I2C_AHT20] = {"aht20", 0x38, 0x38},   [SIM_I2C_AHT10] = {"aht10", 0x38, 0x39},
    [SIM_I2C_BH1750] = {"bh1750", 0x23, 0x5C},
};

const char *sim_i2c_chip_name(uint8_t chip) { return chip < SIM_I2C_CHIPS ? chips[chip].name : "?"; }
uint8_t sim_i2c_chip_addr(uint8_t chip) { return chips[chip].addr; }
int sim_i2c_chip_addr_ok(uint8_t chip, uint8_t addr) { return addr == chips[chip].addr || addr == chips[chip].alt; }

int sim_i2c_chip_find(const char *name)
{
    for (int c = 0; c < SIM_I2C_CHIPS; c++)
        if (strcmp(name, chips[c].name) == 0) return c;
    return -1;
}

static double series_at(const sim_i2c_series_t *s, uint32_t now_ms)
{
    if (s->n <= 1 || now_ms <= s->t_ms[0]) return s->v[0] / 1000.0;
    for (uint8_t k = 1; k < s->n; k++) {
        if (now_ms >= s->t_ms[k]) continue;
        double f = (double)(now_ms - s->t_ms[k - 1]) / (s->t_ms[k] - s->t_ms[k - 1]);
        return (s->v[k - 1] + (s->v[k] - s->v[k - 1]) * f) / 1000.0;
    }
    return s->v[s->n - 1] / 1000.0;
}

double sim_i2c_value(const sim_i2c_dev_t *d, uint8_t q, uint32_t now_ms) { return series_at(&d->q[q], now_ms); }

uint8_t sim_i2c_crc8(const uint8_t *p, uint8_t n)
{
    uint8_t crc = 0xFF;
    for (uint8_t i = 0; i < n; i++) {
        crc ^= p[i];
        for (uint8_t b = 0; b < 8; b++) crc = (uint8_t)(crc & 0x80 ? crc << 1 ^ 0x31 : crc << 1);
    }
    return crc;
}

static uint32_t scaled(double x, double lo, double span, uint32_t full)
{
    double r = floor((x - lo) / span * full + 0.5);
    return r < 0 ? 0 : r > full ? full : (uint32_t)r;
}

/* ---- BME280 / BMP280 ------------------------------------------------------------------------
 * Calibration: the datasheet's compensation example (BMP280 datasheet 3.12, the same registers in
 * the BME280): dig_T1..3 = 27504, 26435, -1000; dig_P1..9 = 36477, -10685, 3024, 2855, 140, -7,
 * 15500, -14600, 6000 (adc_T 519888 reads 25.08 °C, adc_P 415148 100653.27 Pa). The datasheets
 * give no humidity example: dig_H1..6 = 75, 370, 0, 301, 50, 30 are a model choice in a real
 * part's range. */
static const int32_t cal_tp[12] = {27504, 26435, -1000, 36477, -10685, 3024, 2855, 140, -7, 15500, -14600, 6000};
enum { H1 = 75, H2 = 370, H3 = 0, H4 = 301, H5 = 50, H6 = 30 };

static int32_t le16(const uint8_t *reg, uint8_t a, int is_signed)
{
    uint16_t u = (uint16_t)(reg[a] | reg[a + 1] << 8);
    return is_signed ? (int16_t)u : u;
}

static void bme_reset(sim_i2c_dev_t *d)
{
    memset(d->reg, 0, sizeof d->reg);
    for (int i = 0; i < 12; i++) d->reg[0x88 + 2 * i] = (uint8_t)cal_tp[i], d->reg[0x89 + 2 * i] = (uint8_t)(cal_tp[i] >> 8);
    d->reg[0xD0] = d->chip == SIM_I2C_BME280 ? 0x60 : 0x58;
    if (d->chip == SIM_I2C_BME280) {
        d->reg[0xA1] = H1;
        d->reg[0xE1] = (uint8_t)H2, d->reg[0xE2] = (uint8_t)(H2 >> 8), d->reg[0xE3] = H3;
        d->reg[0xE4] = (uint8_t)(H4 >> 4), d->reg[0xE5] = (uint8_t)((H4 & 0x0F) | (H5 & 0x0F) << 4);
        d->reg[0xE6] = (uint8_t)(H5 >> 4), d->reg[0xE7] = (uint8_t)H6;
    }
    d->reg[0xF7] = d->reg[0xFA] = 0x80, d->reg[0xFD] = 0x80; /* the "skipped" values until a measurement */
}

void sim_bme280_compensate(const uint8_t *reg, int32_t adc_t, int32_t adc_p, int32_t adc_h, double *t, double *p,
                           double *h)
{
    double T1 = le16(reg, 0x88, 0), T2 = le16(reg, 0x8A, 1), T3 = le16(reg, 0x8C, 1);
    double v1 = (adc_t / 16384.0 - T1 / 1024.0) * T2;
    double v2 = (adc_t / 131072.0 - T1 / 8192.0) * (adc_t / 131072.0 - T1 / 8192.0) * T3;
    double t_fine = v1 + v2;
    *t = t_fine / 5120.0;
    double P[10];
    P[1] = le16(reg, 0x8E, 0);
    for (int i = 2; i <= 9; i++) P[i] = le16(reg, (uint8_t)(0x8E + 2 * (i - 1)), 1);
    v1 = t_fine / 2.0 - 64000.0;
    v2 = v1 * v1 * P[6] / 32768.0;
    v2 = v2 + v1 * P[5] * 2.0;
    v2 = v2 / 4.0 + P[4] * 65536.0;
    v1 = (P[3] * v1 * v1 / 524288.0 + P[2] * v1) / 524288.0;
    v1 = (1.0 + v1 / 32768.0) * P[1];
    if (v1 == 0.0) {
        *p = 0;
    } else {
        double pr = 1048576.0 - adc_p;
        pr = (pr - v2 / 4096.0) * 6250.0 / v1;
        v1 = P[9] * pr * pr / 2147483648.0;
        v2 = pr * P[8] / 32768.0;
        *p = pr + (v1 + v2 + P[7]) / 16.0;
    }
    double h1 = reg[0xA1], h2 = le16(reg, 0xE1, 1), h3 = reg[0xE3];
    double h4 = (int16_t)((int8_t)reg[0xE4] * 16 | (reg[0xE5] & 0x0F)), h5 = (int16_t)((int8_t)reg[0xE6] * 16 | reg[0xE5] >> 4);
    double h6 = (int8_t)reg[0xE7];
    double vh = t_fine - 76800.0;
    vh = (adc_h - (h4 * 64.0 + h5 / 16384.0 * vh)) * (h2 / 65536.0 * (1.0 + h6 / 67108864.0 * vh * (1.0 + h3 / 67108864.0 * vh)));
    vh = vh * (1.0 - h1 * vh / 524288.0);
    *h = vh > 100.0 ? 100.0 : vh < 0.0 ? 0.0 : vh;
}

/* the raw value in 0..hi whose compensation (which = 0 T, 1 P, 2 H) is nearest `want` */
static int32_t bisect(const uint8_t *reg, int which, double want, int32_t adc_t, int32_t hi)
{
    int32_t lo = 0, a = hi;
    double t, p, h, f_lo, f_hi;
    int32_t r[3] = {adc_t, 0, 0};
    r[which] = lo;
    sim_bme280_compensate(reg, r[0], r[1], r[2], &t, &p, &h);
    f_lo = which == 0 ? t : which == 1 ? p : h;
    r[which] = hi;
    sim_bme280_compensate(reg, r[0], r[1], r[2], &t, &p, &h);
    f_hi = which == 0 ? t : which == 1 ? p : h;
    int up = f_hi > f_lo;
    while (a - lo > 1) {
        int32_t mid = lo + (a - lo) / 2;
        r[which] = mid;
        sim_bme280_compensate(reg, r[0], r[1], r[2], &t, &p, &h);
        double f = which == 0 ? t : which == 1 ? p : h;
        if ((f < want) == up) lo = mid;
        else a = mid;
    }
    r[which] = lo;
    sim_bme280_compensate(reg, r[0], r[1], r[2], &t, &p, &h);
    double f = which == 0 ? t : which == 1 ? p : h;
    r[which] = a;
    sim_bme280_compensate(reg, r[0], r[1], r[2], &t, &p, &h);
    double g = which == 0 ? t : which == 1 ? p : h;
    return fabs(f - want) <= fabs(g - want) ? lo : a;
}

void sim_bme280_raw(const uint8_t *reg, double t, double p, double h, int32_t *adc_t, int32_t *adc_p, int32_t *adc_h)
{
    *adc_t = bisect(reg, 0, t, 0, 0xFFFFF);
    *adc_p = bisect(reg, 1, p, *adc_t, 0xFFFFF);
    *adc_h = bisect(reg, 2, h, *adc_t, 0xFFFF);
}

static uint8_t osrs(uint8_t code) { return code == 0 ? 0 : code >= 5 ? 16 : (uint8_t)(1u << (code - 1)); }

/* a forced measurement: its end (datasheet 9.1, maximum times) and its results */
static void bme_measure(sim_i2c_dev_t *d, uint32_t now_ms)
{
    uint8_t ot = osrs(d->reg[0xF4] >> 5), op = osrs(d->reg[0xF4] >> 2 & 7);
    uint8_t oh = d->chip == SIM_I2C_BME280 ? osrs(d->reg[0xF2] & 7) : 0;
    double ms = 1.25 + 2.3 * ot + (op ? 2.3 * op + 0.575 : 0) + (oh ? 2.3 * oh + 0.575 : 0);
    d->busy_until_ms = now_ms + (uint32_t)ceil(ms);
    int32_t at, ap, ah;
    uint32_t t_ms = d->busy_until_ms;
    sim_bme280_raw(d->reg, sim_i2c_value(d, SIM_I2C_TEMP, t_ms), sim_i2c_value(d, SIM_I2C_PRESS, t_ms) * 100.0,
                   sim_i2c_value(d, SIM_I2C_HUM, t_ms), &at, &ap, &ah);
    if (!ot) at = 0x80000;
    if (!op) ap = 0x80000;
    if (!oh) ah = 0x8000;
    uint8_t *n = d->next;
    n[0] = (uint8_t)(ap >> 12), n[1] = (uint8_t)(ap >> 4), n[2] = (uint8_t)(ap << 4);
    n[3] = (uint8_t)(at >> 12), n[4] = (uint8_t)(at >> 4), n[5] = (uint8_t)(at << 4);
    n[6] = (uint8_t)(ah >> 8), n[7] = (uint8_t)ah;
    d->n_next = 8;
    d->pending = 1;
}

/* ---- every chip ---- */

static void settle(sim_i2c_dev_t *d, uint32_t now_ms)
{
    if (!d->pending || now_ms < d->busy_until_ms) return;
    d->pending = 0;
    if (d->chip <= SIM_I2C_BMP280) {
        memcpy(&d->reg[0xF7], d->next, 8);
        d->reg[0xF4] &= 0xFC; /* forced mode ends in sleep */
        return;
    }
    memcpy(d->out, d->next, sizeof d->out);
    d->n_out = d->n_next;
}

void sim_i2c_chip_reset(sim_i2c_dev_t *d)
{
    d->ptr = 0, d->n_out = 0, d->pending = 0, d->powered = 0, d->calibrated = 0, d->mode = 0;
    if (d->chip <= SIM_I2C_BMP280) bme_reset(d);
}

static void sht_frame(sim_i2c_dev_t *d, uint32_t st, uint32_t srh, int crc_fault)
{
    uint8_t *n = d->next;
    n[0] = (uint8_t)(st >> 8), n[1] = (uint8_t)st, n[2] = (uint8_t)(sim_i2c_crc8(n, 2) + crc_fault);
    n[3] = (uint8_t)(srh >> 8), n[4] = (uint8_t)srh, n[5] = (uint8_t)(sim_i2c_crc8(n + 3, 2) + crc_fault);
    d->n_next = 6;
    d->pending = 1;
}

void sim_i2c_chip_command(sim_i2c_dev_t *d, const uint8_t *rx, uint8_t n, uint32_t now_ms, int fault)
{
    int crc = fault == SIM_I2C_F_CRC;
    settle(d, now_ms);
    double t, h;
    switch (d->chip) {
    case SIM_I2C_BME280:
    case SIM_I2C_BMP280:
        d->ptr = rx[0];
        for (uint8_t i = 0; i + 1 < n; i += 2) { /* register, value, register, value ... */
            uint8_t r = rx[i], v = rx[i + 1];
            if (r == 0xE0 && v == 0xB6) bme_reset(d);
            else if (r == 0xF2 || r == 0xF4 || r == 0xF5) d->reg[r] = v;
            if (r == 0xF4 && (v & 3) && !(d->pending && now_ms < d->busy_until_ms)) bme_measure(d, now_ms);
        }
        return;
    case SIM_I2C_SHT3X: /* single shot without clock stretching, high/medium/low repeatability */
        if (n >= 2 && rx[0] == 0xF3 && rx[1] == 0x2D && !d->pending) { /* read status: its power-on value */
            uint8_t *x = d->next;
            x[0] = 0x80, x[1] = 0x10, x[2] = (uint8_t)(sim_i2c_crc8(x, 2) + crc); /* alert pending, reset seen */
            d->n_next = 3;
            d->pending = 1;
            d->busy_until_ms = now_ms; /* no wait: readable at once */
            return;
        }
        if (n < 2 || (rx[0] != 0x24 && rx[0] != 0x2C) || d->pending) return;
        t = sim_i2c_value(d, SIM_I2C_TEMP, now_ms), h = sim_i2c_value(d, SIM_I2C_HUM, now_ms);
        sht_frame(d, scaled(t, -45, 175, 65535), scaled(h, 0, 100, 65535), crc);
        d->busy_until_ms = now_ms + (rx[1] == 0x16 || rx[1] == 0x10 ? 4 : rx[1] == 0x0B || rx[1] == 0x0D ? 6 : 15);
        return;
    case SIM_I2C_SHT4X:
        if (d->pending) return;
        if (rx[0] == 0x89) { /* serial number, two words (wrong_id: another part's) */
            uint16_t x = fault == SIM_I2C_F_WRONG_ID ? 0xFFFFu : 0;
            sht_frame(d, 0x1D2Cu ^ x, 0x3A47u ^ x, crc);
            d->busy_until_ms = now_ms + 1;
            return;
        }
        if (rx[0] != 0xFD && rx[0] != 0xF6 && rx[0] != 0xE0) return;
        t = sim_i2c_value(d, SIM_I2C_TEMP, now_ms), h = sim_i2c_value(d, SIM_I2C_HUM, now_ms);
        sht_frame(d, scaled(t, -45, 175, 65535), scaled(h, -6, 125, 65535), crc);
        d->busy_until_ms = now_ms + (rx[0] == 0xFD ? 9 : rx[0] == 0xF6 ? 5 : 2);
        return;
    case SIM_I2C_AHT20:
    case SIM_I2C_AHT10:
        if (rx[0] == (d->chip == SIM_I2C_AHT20 ? 0xBE : 0xE1)) d->calibrated = 1;
        if (rx[0] == 0xBA) d->calibrated = 0, d->n_out = 0;
        if (rx[0] != 0xAC || n < 3 || rx[1] != 0x33 || d->pending) return;
        t = sim_i2c_value(d, SIM_I2C_TEMP, now_ms), h = sim_i2c_value(d, SIM_I2C_HUM, now_ms);
        {
            uint32_t srh = scaled(h, 0, 100, 0xFFFFF), st = scaled(t, -50, 200, 0xFFFFF);
            uint8_t *x = d->next;
            x[1] = (uint8_t)(srh >> 12), x[2] = (uint8_t)(srh >> 4);
            x[3] = (uint8_t)((srh & 0x0F) << 4 | st >> 16), x[4] = (uint8_t)(st >> 8), x[5] = (uint8_t)st;
            d->n_next = d->chip == SIM_I2C_AHT20 ? 7 : 6;
        }
        d->pending = 1;
        d->busy_until_ms = now_ms + 80;
        return;
    case SIM_I2C_BH1750:
        if (rx[0] == 0x01) d->powered = 1;
        else if (rx[0] == 0x00) d->powered = 0;
        else if (rx[0] == 0x07 && d->powered) d->n_out = 0;
        else if (d->powered && !d->pending && (rx[0] == 0x20 || rx[0] == 0x21 || rx[0] == 0x10 || rx[0] == 0x11)) {
            double lux = sim_i2c_value(d, SIM_I2C_LUX, now_ms);
            uint32_t raw = scaled(lux * ((rx[0] & 1) ? 2.4 : 1.2), 0, 65535, 65535); /* H2 mode: half-lux steps */
            d->next[0] = (uint8_t)(raw >> 8), d->next[1] = (uint8_t)raw, d->n_next = 2;
            d->pending = 1;
            d->busy_until_ms = now_ms + 180; /* the datasheet's maximum for H-resolution */
            if (rx[0] & 0x20) d->powered = 0; /* one-time modes power down after measuring */
        }
        return;
    default:
        return;
    }
}

int sim_i2c_chip_readable(sim_i2c_dev_t *d, uint32_t now_ms)
{
    settle(d, now_ms);
    if (d->chip == SIM_I2C_SHT3X || d->chip == SIM_I2C_SHT4X) return !d->pending && d->n_out > 0;
    return 1;
}

uint8_t sim_i2c_chip_read(sim_i2c_dev_t *d, uint8_t k, uint32_t now_ms, int fault)
{
    settle(d, now_ms);
    switch (d->chip) {
    case SIM_I2C_BME280:
    case SIM_I2C_BMP280: {
        uint8_t r = (uint8_t)(d->ptr + k);
        if (r == 0xD0 && fault == SIM_I2C_F_WRONG_ID) return 0x55; /* a BMP180's ID */
        if (r == 0xF3) return d->pending ? 0x08 : 0x00;
        return d->reg[r];
    }
    case SIM_I2C_SHT3X:
    case SIM_I2C_SHT4X: {
        uint8_t b = k < d->n_out ? d->out[k] : 0xFF;
        if (k + 1 >= d->n_out) d->n_out = 0; /* read out: the next read NACKs until a new command */
        return b;
    }
    case SIM_I2C_AHT20:
    case SIM_I2C_AHT10:
        if (k == 0) return (uint8_t)((d->pending ? 0x80 : 0) | (d->calibrated ? 0x08 : 0) | 0x10);
        if (k < 6) return d->n_out ? d->out[k] : 0;
        if (k == 6 && d->chip == SIM_I2C_AHT20) {
            uint8_t f[6] = {(uint8_t)((d->pending ? 0x80 : 0) | (d->calibrated ? 0x08 : 0) | 0x10)};
            for (int i = 1; i < 6; i++) f[i] = d->n_out ? d->out[i] : 0;
            return (uint8_t)(sim_i2c_crc8(f, 6) + (fault == SIM_I2C_F_CRC));
        }
        return 0xFF;
    case SIM_I2C_BH1750:
        return k < 2 ? (d->n_out ? d->out[k] : 0) : 0xFF;
    default:
        return 0xFF;
    }
}
