/* The I2C chips' arithmetic (i2c_chips.h). BME280/BMP280: the datasheets' 32-bit integer routines,
 * step for step, so a result can be checked against theirs; they shift negative values right and
 * need that shift to be arithmetic, which gcc, clang and avr-gcc document (C99 leaves it to the
 * compiler). Pressure uses the 32-bit routine, not the 64-bit one: on an AVR every 64-bit multiply
 * and divide is a libgcc call of its own (1,356 B more on the Uno: docs/benchmarks.md), and the
 * 32-bit one stays within about 5 Pa of the double routine (docs/sensors.md). Where the datasheet
 * shifts a value that can be negative to the left (undefined in C), this multiplies: same bits. */
#include "i2c_chips.h"

#include "le.h"

#include <stddef.h>
#include <string.h>

TD_STATIC_ASSERT((-9 >> 1) == -5, arithmetic_right_shift);

/* dig_T1..dig_P9 are twelve little-endian words at 0x88..0x9F in the struct's order, and every
 * target tendril builds for (AVR, x86-64, ARM) is little-endian with 2-byte-aligned 16-bit fields:
 * one copy fills them, bit for bit what reading each word would give. */
TD_STATIC_ASSERT(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, calib_little_endian);
TD_STATIC_ASSERT(offsetof(i2c_bme280_calib_t, t2) == 2 && offsetof(i2c_bme280_calib_t, p1) == 6 &&
                     offsetof(i2c_bme280_calib_t, p9) == 22 && offsetof(i2c_bme280_calib_t, h2) == 24,
                 calib_words_in_register_order);

void i2c_bme280_calib(i2c_bme280_calib_t *c, const uint8_t *tp, const uint8_t *h)
{
    memcpy(c, tp, 24);
    c->h1 = tp[25];
    if (h == NULL) {
        c->h1 = 0; /* a BMP280 has no humidity: 0xA1 means nothing there */
        c->h2 = c->h4 = c->h5 = 0;
        c->h3 = 0;
        c->h6 = 0;
        return;
    }
    c->h2 = (int16_t)le_get_u16(h);
    c->h3 = h[2];
    /* 0xE4 is dig_H4's top 8 bits (signed), 0xE5's low nibble its bottom 4; 0xE6 is dig_H5's top
     * 8 bits (signed), 0xE5's high nibble its bottom 4. */
    c->h4 = (int16_t)((int16_t)(int8_t)h[3] * 16 + (h[4] & 0x0F));
    c->h5 = (int16_t)((int16_t)(int8_t)h[5] * 16 + (h[4] >> 4));
    c->h6 = (int8_t)h[6];
}

/* Three bytes, big-endian, the top 20 bits (byte shifts are moves on an AVR). */
static int32_t u20(const uint8_t *p)
{
    return (int32_t)((((uint32_t)p[0] << 8 | p[1]) << 8 | p[2]) >> 4);
}

void i2c_bme280_raw(const uint8_t *data, int32_t *adc_p, int32_t *adc_t, int32_t *adc_h)
{
    *adc_p = u20(data);
    *adc_t = u20(data + 3);
    *adc_h = ((int32_t)data[6] << 8) | data[7];
}

int32_t i2c_bme280_temp(const i2c_bme280_calib_t *c, int32_t adc_t, int32_t *t_fine)
{
    int32_t d = (adc_t >> 4) - (int32_t)c->t1;
    int32_t var1 = (((adc_t >> 3) - ((int32_t)c->t1 << 1)) * (int32_t)c->t2) >> 11;
    int32_t var2 = (((d * d) >> 12) * (int32_t)c->t3) >> 14;
    *t_fine = var1 + var2;
    return (*t_fine * 5 + 128) >> 8;
}

int32_t i2c_bme280_millihpa(const i2c_bme280_calib_t *c, int32_t adc_p, int32_t t_fine)
{
    int32_t var1 = (t_fine >> 1) - 64000L;
    int32_t sq = (var1 >> 2) * (var1 >> 2);
    int32_t var2 = ((sq >> 11) * (int32_t)c->p6) + (var1 * (int32_t)c->p5 * 2);
    uint32_t x, d, n, r, p;
    var2 = (var2 >> 2) + (int32_t)c->p4 * 65536L;
    /* the datasheet's var1 with 8 more bits (>> 10, not >> 18), and its divisor (32768 + var1) *
     * dig_P1 >> 15 kept as 256 times it: (x * P1) >> 15 done as two products that fit 32 bits */
    var1 = ((((int32_t)c->p3 * (sq >> 13)) >> 3) + (((int32_t)c->p2 * var1) >> 1)) >> 10;
    x = (uint32_t)(8388608L + var1);
    d = ((x >> 8) * c->p1 + (((x & 255u) * c->p1) >> 8)) >> 7;
    if (d == 0) {
        return 0; /* no division by zero */
    }
    /* (1048576 - adc_P - var2 / 4096) * 3125, var2's fraction kept; then * 655360 / (32768 * the
     * divisor) in three steps of a 32-bit division each: 0.1 Pa, rounded */
    n = ((uint32_t)(1048576L - adc_p) - (uint32_t)(var2 >> 12)) * 3125UL - ((((uint32_t)var2 & 4095u) * 3125UL) >> 12);
    p = n / d * 5120u;
    r = n % d * 64u;
    p += r / d * 80u + ((r % d) * 80u + (d >> 1)) / d;
    /* the second-order terms (dig_P7..P9) from whole Pa, in 1/256 Pa (the datasheet's in 1/16) */
    x = p / 10u;
    var1 = ((int32_t)c->p9 * (int32_t)(((x >> 1) * (x >> 1)) >> 17)) >> 8;
    var2 = ((int32_t)(x >> 2) * (int32_t)c->p8) >> 9;
    return (int32_t)p + (((var1 + var2 + (int32_t)c->p7 * 16) * 5 + 64) >> 7);
}

uint32_t i2c_bme280_humidity(const i2c_bme280_calib_t *c, int32_t adc_h, int32_t t_fine)
{
    int32_t v = t_fine - 76800L;
    int32_t a = ((adc_h << 14) - (int32_t)c->h4 * 1048576L - ((int32_t)c->h5 * v) + 16384L) >> 15;
    int32_t b = (((v * (int32_t)c->h6) >> 10) * (((v * (int32_t)c->h3) >> 11) + 32768L)) >> 10;
    v = a * (((b + 2097152L) * (int32_t)c->h2 + 8192L) >> 14);
    v -= ((((v >> 15) * (v >> 15)) >> 7) * (int32_t)c->h1) >> 4;
    if (v < 0) {
        v = 0;
    }
    if (v > 419430400L) {
        v = 419430400L;
    }
    return (uint32_t)v >> 12;
}

/* (num * raw) / den rounded to nearest; num * raw + den / 2 must fit 32 bits unsigned. */
static int32_t scale(uint32_t num, uint32_t raw, uint32_t den)
{
    return (int32_t)((num * raw + den / 2) / den);
}

int32_t i2c_sht_temp(uint16_t raw)
{
    return scale(17500UL, raw, 65535UL) - 4500;
}

int32_t i2c_sht3x_rh(uint16_t raw)
{
    return scale(10000UL, raw, 65535UL);
}

int32_t i2c_sht4x_rh(uint16_t raw)
{
    int32_t rh = scale(12500UL, raw, 65535UL) - 600;
    return rh < 0 ? 0 : (rh > 10000 ? 10000 : rh);
}

void i2c_aht20_raw(const uint8_t *data, uint32_t *rh_raw, uint32_t *t_raw)
{
    *rh_raw = (uint32_t)u20(data);
    *t_raw = ((uint32_t)(data[2] & 0x0F) << 8 | data[3]) << 8 | data[4];
}

/* 10000 / 2^20 = 625 / 2^16 and 20000 / 2^20 = 1250 / 2^16: the products fit 32 bits. */
int32_t i2c_aht20_rh(uint32_t raw)
{
    return (int32_t)((raw * 625UL + 32768UL) >> 16);
}

int32_t i2c_aht20_temp(uint32_t raw)
{
    return (int32_t)((raw * 1250UL + 32768UL) >> 16) - 5000;
}

int32_t i2c_bh1750_millilux(uint16_t raw)
{
    return scale(2500UL, raw, 3UL); /* raw / 1.2 * 1000 = raw * 2500 / 3 */
}
