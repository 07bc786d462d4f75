/* The I2C chips' arithmetic (i2c_chips.h). BME280/BMP280: the datasheets' 32-bit integer routines
 * as programs (below), a step per operation of their C in its order, so a result can be checked
 * against theirs; they shift negative values right and need that shift to be arithmetic, which
 * gcc, clang and avr-gcc document (C99 leaves it to the compiler). Pressure is 32-bit, not the
 * datasheet's 64-bit routine: on an AVR every 64-bit multiply and divide is a libgcc call of its
 * own (1,356 B more on the Uno: docs/benchmarks.md); with 8 more bits kept in its divisor it stays
 * within 0.63 Pa of the double routine (docs/sensors.md). Where the datasheet shifts a value that
 * can be negative to the left (undefined in C), this multiplies: same bits. */
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

/* Three bytes, big-endian (byte shifts are moves on an AVR). Out of line: the BME280's two 20-bit
 * readings and the AHT20's two take it, and each inlined copy cost some 30 B of moves. */
static TD_NOINLINE uint32_t be24(const uint8_t *p)
{
    return ((uint32_t)p[0] << 8 | p[1]) << 8 | p[2];
}

/* Three bytes, big-endian, the top 20 bits. */
static int32_t u20(const uint8_t *p)
{
    return (int32_t)(be24(p) >> 4);
}

void i2c_bme280_raw(const uint8_t *data, int32_t *adc_p, int32_t *adc_t, int32_t *adc_h)
{
    *adc_p = u20(data);
    *adc_t = u20(data + 3);
    *adc_h = ((int32_t)data[6] << 8) | data[7];
}

/* The compensation as programs for a small accumulator machine. Inline, the routines' hundred-odd
 * 32-bit products, shifts and sums cost an AVR about 1,500 B (each step moves four registers and
 * sign-extends a 16-bit parameter); as programs (300 B) and the one loop that runs them (400 B),
 * less than half. Slower (about 0.75 ms more a reading, taken once a second at most). Each line
 * of a program is commented with the datasheet's C it stands for, in the same order, so the
 * programs still read against the datasheet.
 *
 * The accumulator and registers are uint32_t: sums and products wrap, which gives the bits the
 * datasheet's int32_t arithmetic gives wherever that is defined (the part's range, i2c_chips.h);
 * SAR is the datasheet's arithmetic shift of a signed value (its uint32_t to int32_t conversion
 * keeps the bits: gcc, clang and avr-gcc document it), SHR and DIV/MOD its unsigned ones. A step
 * is a byte, the operation in its high nibble and the operand in its low one: a register, or what
 * follows: a byte, a 16- or 32-bit constant (big-endian) or a calibration parameter (a byte:
 * its offset in i2c_bme280_calib_t, whether it is 16-bit and whether signed). */
enum { OP_END, OP_LD, OP_ADD, OP_SUB, OP_MUL, OP_AND, OP_DIV, OP_MOD, OP_SAR, OP_SHR, OP_ST };
/* A step's operand, its low nibble: a register (no more bytes), or what the next byte(s) are. */
enum { O_IMM = 8, O_K16, O_K, O_CAL };
/* A parameter's byte: its offset in i2c_bme280_calib_t, and whether it is 16-bit and signed. */
enum { CAL_OFFSET = 0x3F, CAL_WORD = 0x40, CAL_SIGNED = 0x80 };

#define LD(x) OP_LD << 4 | x
#define ADD(x) OP_ADD << 4 | x
#define SUB(x) OP_SUB << 4 | x
#define MUL(x) OP_MUL << 4 | x
#define AND(x) OP_AND << 4 | x
#define DIV(x) OP_DIV << 4 | x /* unsigned; by 0: the program's result is 0 */
#define MOD(x) OP_MOD << 4 | x
#define SAR(n) OP_SAR << 4 | I(n)
#define SHR(n) OP_SHR << 4 | I(n)
#define ST(r) OP_ST << 4 | (r)
#define END OP_END

/* Operands: registers (R0 the raw reading, R1 t_fine, R2..R5 the routines' variables), a byte,
 * a 16- or 32-bit constant (big-endian), the parameters. */
enum { R0, R1, R2, R3, R4, R5, REGS };
#define I(n) O_IMM, (n)
#define K(v) O_K, (uint8_t)((uint32_t)(v) >> 24), (uint8_t)((uint32_t)(v) >> 16), (uint8_t)((uint32_t)(v) >> 8), \
             (uint8_t)(v)
#define K16(v) O_K16, (uint8_t)((v) >> 8), (uint8_t)(v) /* 0..65535 */
#define CAL(kind, f) O_CAL, (kind) | offsetof(i2c_bme280_calib_t, f)
#define T1 CAL(CAL_WORD, t1)
#define T2 CAL(CAL_WORD | CAL_SIGNED, t2)
#define T3 CAL(CAL_WORD | CAL_SIGNED, t3)
#define P1 CAL(CAL_WORD, p1)
#define P2 CAL(CAL_WORD | CAL_SIGNED, p2)
#define P3 CAL(CAL_WORD | CAL_SIGNED, p3)
#define P4 CAL(CAL_WORD | CAL_SIGNED, p4)
#define P5 CAL(CAL_WORD | CAL_SIGNED, p5)
#define P6 CAL(CAL_WORD | CAL_SIGNED, p6)
#define P7 CAL(CAL_WORD | CAL_SIGNED, p7)
#define P8 CAL(CAL_WORD | CAL_SIGNED, p8)
#define P9 CAL(CAL_WORD | CAL_SIGNED, p9)
#define H1 CAL(0, h1)
#define H2 CAL(CAL_WORD | CAL_SIGNED, h2)
#define H3 CAL(0, h3)
#define H4 CAL(CAL_WORD | CAL_SIGNED, h4)
#define H5 CAL(CAL_WORD | CAL_SIGNED, h5)
#define H6 CAL(CAL_SIGNED, h6)

/* Runs a program over the registers r; returns the accumulator. A parameter is read from the
 * struct's bytes (little-endian, asserted above). */
static uint32_t run(const uint8_t *pc, const i2c_bme280_calib_t *c, uint32_t *r)
{
    const uint8_t *cb = (const uint8_t *)c, *p;
    uint32_t acc = 0, v;
    uint8_t op, x, i;
    for (;;) {
        op = TD_ROM_U8(pc++);
        if (op == OP_END) {
            return acc;
        }
        x = op & 0x0F;
        if (x < REGS) {
            v = r[x];
        } else {
            v = TD_ROM_U8(pc++);
            if (x == O_K || x == O_K16) {
                for (i = x == O_K ? 3 : 1; i > 0; i--) {
                    v = v << 8 | TD_ROM_U8(pc++);
                }
            } else if (x == O_CAL) {
                p = cb + (v & CAL_OFFSET);
                if (v & CAL_WORD) {
                    v = v & CAL_SIGNED ? (uint32_t)(int32_t)(int16_t)le_get_u16(p) : le_get_u16(p);
                } else {
                    v = v & CAL_SIGNED ? (uint32_t)(int32_t)(int8_t)p[0] : p[0];
                }
            }
        }
        switch (op >> 4) {
        case OP_LD: acc = v; break;
        case OP_ADD: acc += v; break;
        case OP_SUB: acc -= v; break;
        case OP_MUL: acc *= v; break;
        case OP_AND: acc &= v; break;
        case OP_DIV:
        case OP_MOD:
            if (v == 0) {
                return 0;
            }
            acc = op >> 4 == OP_DIV ? acc / v : acc % v;
            break;
        case OP_SAR: acc = (uint32_t)((int32_t)acc >> v); break;
        case OP_SHR: acc >>= v; break;
        default: r[x] = acc; break; /* OP_ST */
        }
    }
}

static const uint8_t temp_prog[] TD_ROM = {
    LD(R0), SAR(4), SUB(T1), ST(2),                       /* d = (adc_T >> 4) - T1 */
    LD(R0), SAR(3), SUB(T1), SUB(T1), MUL(T2), SAR(11), ST(3), /* var1 = (((adc_T >> 3) - (T1 << 1)) * T2) >> 11 */
    LD(R2), MUL(R2), SAR(12), MUL(T3), SAR(14), ADD(R3),  /* var2 = (((d * d) >> 12) * T3) >> 14 */
    ST(1),                                                /* t_fine = var1 + var2 */
    MUL(I(5)), ADD(I(128)), SAR(8), END,                  /* (t_fine * 5 + 128) >> 8 */
};

int32_t i2c_bme280_temp(const i2c_bme280_calib_t *c, int32_t adc_t, int32_t *t_fine)
{
    uint32_t r[REGS];
    int32_t t;
    r[0] = (uint32_t)adc_t;
    t = (int32_t)run(temp_prog, c, r);
    *t_fine = (int32_t)r[1];
    return t;
}

/* The datasheet's var1 with 8 more bits (>> 10, not >> 18), and its divisor (32768 + var1) *
 * dig_P1 >> 15 kept as 256 times it: (x * P1) >> 15 done as two products that fit 32 bits. Then
 * (1048576 - adc_P - var2 / 4096) * 3125, var2's fraction kept, * 655360 / (32768 * the divisor)
 * in three steps of a 32-bit division each: 0.1 Pa, rounded. The second-order terms (dig_P7..P9)
 * from whole Pa, in 1/256 Pa (the datasheet's in 1/16). */
static const uint8_t pressure_prog[] TD_ROM = {
    LD(R1), SAR(1), ADD(K(-64000L)), ST(2),               /* var1 = (t_fine >> 1) - 64000 */
    SAR(2), ST(3), MUL(R3), ST(3),                        /* sq = (var1 >> 2) * (var1 >> 2) */
    SAR(11), MUL(P6), ST(4),                              /* (sq >> 11) * P6 */
    LD(R2), MUL(P5), MUL(I(2)), ADD(R4), SAR(2), ST(4),   /* var2 = (that + var1 * P5 * 2) >> 2 */
    LD(P4), MUL(K(65536L)), ADD(R4), ST(4),               /* var2 += P4 * 65536 */
    LD(P2), MUL(R2), SAR(1), ST(2),                       /* (P2 * var1) >> 1 */
    LD(R3), SAR(13), MUL(P3), SAR(3), ADD(R2), SAR(10),   /* var1 = (((P3 * (sq >> 13)) >> 3) + that) >> 10 */
    ADD(K(8388608L)), ST(2),                              /* x = 8388608 + var1 */
    SHR(8), MUL(P1), ST(3),                               /* (x >> 8) * P1 */
    LD(R2), AND(I(255)), MUL(P1), SHR(8), ADD(R3), SHR(7), ST(3), /* d = (that + (((x & 255) * P1) >> 8)) >> 7 */
    LD(R4), AND(K16(4095)), MUL(K16(3125)), SHR(12), ST(5), /* ((var2 & 4095) * 3125) >> 12 */
    LD(R4), SAR(12), ST(4),                               /* var2 >> 12 */
    LD(K(1048576L)), SUB(R0), SUB(R4), MUL(K16(3125)), SUB(R5), ST(4), /* n = (1048576 - adc_P - that) * 3125 - that */
    DIV(R3), MUL(K16(5120)), ST(5),                       /* p = n / d * 5120 (d = 0: the result is 0) */
    LD(R4), MOD(R3), MUL(I(64)), ST(4),                   /* r = n % d * 64 */
    DIV(R3), MUL(I(80)), ADD(R5), ST(5),                  /* p += r / d * 80 */
    LD(R4), MOD(R3), MUL(I(80)), ST(4),                   /* (r % d) * 80 */
    LD(R3), SHR(1), ADD(R4), DIV(R3), ADD(R5), ST(5),     /* p += (that + (d >> 1)) / d */
    DIV(I(10)), ST(2),                                    /* x = p / 10 */
    SHR(1), ST(3), MUL(R3), SHR(17), MUL(P9), SAR(8), ST(3), /* var1 = (P9 * (((x >> 1) * (x >> 1)) >> 17)) >> 8 */
    LD(R2), SHR(2), MUL(P8), SAR(9), ADD(R3), ST(3),      /* var1 + (var2 = ((x >> 2) * P8) >> 9) */
    LD(P7), MUL(I(16)), ADD(R3), MUL(I(5)), ADD(I(64)), SAR(7), ADD(R5), END, /* p + (((that + P7 * 16) * 5 + 64) >> 7) */
};

int32_t i2c_bme280_millihpa(const i2c_bme280_calib_t *c, int32_t adc_p, int32_t t_fine)
{
    uint32_t r[REGS];
    r[0] = (uint32_t)adc_p;
    r[1] = (uint32_t)t_fine;
    return (int32_t)run(pressure_prog, c, r);
}

static const uint8_t humidity_prog[] TD_ROM = {
    LD(R1), SUB(K(76800L)), ST(2),                        /* v = t_fine - 76800 */
    LD(H5), MUL(R2), ST(3),                               /* H5 * v */
    LD(H4), MUL(K(1048576L)), ST(4),                      /* H4 * 1048576 */
    LD(R0), MUL(K16(16384)), SUB(R4), SUB(R3), ADD(K16(16384)), SAR(15), ST(3), /* a = ((adc_H << 14) - those + 16384) >> 15 */
    LD(R2), MUL(H3), SAR(11), ADD(K16(32768)), ST(4),     /* ((v * H3) >> 11) + 32768 */
    LD(R2), MUL(H6), SAR(10), MUL(R4), SAR(10),           /* b = (((v * H6) >> 10) * that) >> 10 */
    ADD(K(2097152L)), MUL(H2), ADD(K16(8192)), SAR(14), MUL(R3), ST(2), /* v = a * (((b + 2097152) * H2 + 8192) >> 14) */
    SAR(15), ST(3), MUL(R3), SAR(7), MUL(H1), SAR(4), ST(3), /* ((((v >> 15) * (v >> 15)) >> 7) * H1) >> 4 */
    LD(R2), SUB(R3), END,                                 /* v - that */
};

uint32_t i2c_bme280_humidity(const i2c_bme280_calib_t *c, int32_t adc_h, int32_t t_fine)
{
    uint32_t r[REGS];
    int32_t v;
    r[0] = (uint32_t)adc_h;
    r[1] = (uint32_t)t_fine;
    v = (int32_t)run(humidity_prog, c, r);
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
    *t_raw = be24(data + 2) & 0xFFFFFUL;
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
