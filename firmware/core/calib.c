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

/* raw * gain >> 16 with gain = hi * 2^16 + lo (hi = floor(gain / 2^16), 0 <= lo < 2^16):
 * raw * hi is a multiple of 2^16 and raw * lo >= 0, so the floor shift is raw * hi + (raw * lo >> 16)
 * exactly. |raw * hi| <= 65535 * 32768 < 2^31 and raw * lo < 2^32: every step fits 32 bits. */
int32_t calib_apply_u16(uint16_t raw, int32_t gain, int32_t offset)
{
    uint32_t ug = (uint32_t)gain;
    int16_t hi = (int16_t)((int32_t)(ug >> 16) - ((ug & 0x80000000UL) ? 65536L : 0L));
    /* Two 16 x 16 -> 32-bit products (cheap on AVR), not 32 x 32. */
    int32_t scaled = (int32_t)hi * (int32_t)raw + (int32_t)(((uint32_t)raw * (uint16_t)ug) >> 16);
    /* offset + scaled can overflow: compare against the limit first, never past it. */
    if (scaled >= 0) {
        if (offset > TD_VALUE_LIMIT - scaled) return (int32_t)TD_VALUE_LIMIT;
        offset += scaled;
        return offset < -TD_VALUE_LIMIT ? (int32_t)-TD_VALUE_LIMIT : offset;
    }
    if (offset < -TD_VALUE_LIMIT - scaled) return (int32_t)-TD_VALUE_LIMIT;
    offset += scaled;
    return offset > TD_VALUE_LIMIT ? (int32_t)TD_VALUE_LIMIT : offset;
}
