/* Calibration with 64-bit intermediates (the product needs 63 bits for any int32 reading and gain).
 *
 * On AVR this is also the smallest form: libgcc's widening multiply (__mulsidi3) and 64-bit shift
 * and add cost less flash than 32-bit partial products with saturating sums did (measured on the
 * Uno build, docs/benchmarks.md "Making room for I2C"). */
#include "calib.h"

/* >> of a negative value is implementation-defined in C99: the formula needs it arithmetic (floor
 * toward minus infinity), which gcc, clang and avr-gcc all give; any other compiler stops here. */
TD_STATIC_ASSERT(((int64_t)-3 >> 1) == -2, right_shift_is_arithmetic);

int32_t calib_apply(int32_t raw, int32_t gain, int32_t offset)
{
    int64_t value = (int64_t)offset + (((int64_t)raw * gain) >> 16); /* |product| <= 2^62: no overflow */
    if (value > TD_VALUE_LIMIT) {
        return (int32_t)TD_VALUE_LIMIT;
    }
    if (value < -TD_VALUE_LIMIT) {
        return (int32_t)-TD_VALUE_LIMIT;
    }
    return (int32_t)value;
}

int32_t calib_apply_i32(int32_t raw, int32_t gain, int32_t offset)
{
    return calib_apply(raw, gain, offset);
}
