/* Calibration with 64-bit intermediates (the product needs 49 bits for any ADC reading). */
#include "calib.h"

int32_t calib_apply(int32_t raw, int32_t gain, int32_t offset)
{
    int64_t product = (int64_t)raw * (int64_t)gain; /* |product| <= 2^62: no overflow */
    int64_t scaled;
    int64_t value;
    /* Right-shifting a negative value is implementation-defined in C99; floor it by hand. */
    if (product >= 0) {
        scaled = product >> 16;
    } else {
        scaled = -((-product + 0xFFFF) >> 16);
    }
    value = (int64_t)offset + scaled;
    if (value > TD_VALUE_LIMIT) {
        return (int32_t)TD_VALUE_LIMIT;
    }
    if (value < -TD_VALUE_LIMIT) {
        return (int32_t)-TD_VALUE_LIMIT;
    }
    return (int32_t)value;
}

/* Adds x to q, saturating at 0xFFFFFFFF (which is beyond every clamp below). */
static uint32_t add_sat(uint32_t q, uint32_t x)
{
    q += x;
    return q < x ? 0xFFFFFFFFUL : q;
}

/* |raw * gain| = (ah 2^16 + al)(bh 2^16 + bl) = ah bh 2^32 + (ah bl + al bh) 2^16 + al bl, each
 * product 16 x 16 -> 32 bits (cheap on AVR, where a 64-bit multiply costs about a kilobyte of
 * flash). Its floor shift by 16 is ah bh 2^16 + ah bl + al bh + (al bl >> 16), exactly; a negative
 * product's floor is minus the ceiling of the magnitude's, one more when al bl has low bits. The sum
 * saturates: anything at 2^32 - 1 or more is clamped whatever the offset. Worked on the side of the
 * product's sign (o = offset or -offset), the result is o + q clamped to the limit, sign put back. */
int32_t calib_apply_i32(int32_t raw, int32_t gain, int32_t offset)
{
    bool neg = (raw < 0) != (gain < 0);
    uint32_t a = raw < 0 ? 0UL - (uint32_t)raw : (uint32_t)raw;
    uint32_t b = gain < 0 ? 0UL - (uint32_t)gain : (uint32_t)gain;
    uint16_t ah = (uint16_t)(a >> 16), al = (uint16_t)a, bh = (uint16_t)(b >> 16), bl = (uint16_t)b;
    uint32_t hi = (uint32_t)ah * bh;
    uint32_t lo = (uint32_t)al * bl;
    uint32_t q = hi >= 0x10000UL ? 0xFFFFFFFFUL : hi << 16;
    int32_t o = neg ? -offset : offset; /* |offset| <= the limit: no overflow */
    q = add_sat(q, (uint32_t)ah * bl);
    q = add_sat(q, (uint32_t)al * bh);
    q = add_sat(q, (lo >> 16) + (neg && (lo & 0xFFFFU) != 0));
    o = q >= (uint32_t)(TD_VALUE_LIMIT - o) ? (int32_t)TD_VALUE_LIMIT : o + (int32_t)q;
    return neg ? -o : o;
}
