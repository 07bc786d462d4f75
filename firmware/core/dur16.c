/* dur16 -> milliseconds. */
#include "dur16.h"

TD_STATIC_ASSERT(TD_DUR_COUNT_MAX == 0x3FFF, count_is_14_bits);
TD_STATIC_ASSERT(TD_DUR_MAX_MS == 16383L * 60000L, max_is_16383_min);

TD_NOINLINE bool dur16_valid(uint16_t code)
{
    return (code >> 14) != 3u;
}

uint32_t dur16_ms(uint16_t code)
{
    uint32_t count = (uint32_t)(code & TD_DUR_COUNT_MAX);
    switch (code >> 14) {
    case TD_DUR_UNIT_MS: return count;
    case TD_DUR_UNIT_S: return count * 1000UL;
    case TD_DUR_UNIT_MIN: return count * 60000UL;
    default: return 0;
    }
}
