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
