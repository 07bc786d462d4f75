/* The core's little-endian reads, out of line (le.h says why). */
#include "le.h"

uint16_t le_u16(const uint8_t *p)
{
    return LE_U16_OF(p);
}

uint32_t le_u32(const uint8_t *p)
{
    return LE_U32_OF(p);
}
