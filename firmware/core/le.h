/* Little-endian field access: the only place the core assembles or splits multi-byte integers. */
#ifndef TD_LE_H
#define TD_LE_H

#include "td.h"

/* The bytes put together once, for the inline reads here and the out-of-line ones in le.c (a macro:
 * with -fno-early-inlining a function call would stay in le.c's copies). */
#define LE_U16_OF(p) ((uint16_t)((uint16_t)(p)[0] | ((uint16_t)(p)[1] << 8)))
#define LE_U32_OF(p) \
    ((uint32_t)(p)[0] | ((uint32_t)(p)[1] << 8) | ((uint32_t)(p)[2] << 16) | ((uint32_t)(p)[3] << 24))

static inline uint16_t le_get_u16(const uint8_t *p)
{
    return LE_U16_OF(p);
}

static inline uint32_t le_get_u32(const uint8_t *p)
{
    return LE_U32_OF(p);
}

/* Two's complement without relying on implementation-defined unsigned-to-signed conversion. */
static inline int32_t le_i32_from_u32(uint32_t v)
{
    if (v <= 0x7FFFFFFFUL) {
        return (int32_t)v;
    }
    return (int32_t)(v - 0x80000000UL) - (int32_t)0x7FFFFFFFL - 1;
}

static inline int32_t le_get_i32(const uint8_t *p)
{
    return le_i32_from_u32(le_get_u32(p));
}

/* The core's reads, out of line (le.c): inlined like the le_get_* above, the shifts at each of
 * their dozens of callers cost the Uno 76 B of flash in all. The le_get_* stay for code that is
 * built on its own, without le.c (i2c_chips.c and its tests). */
uint16_t le_u16(const uint8_t *p);
uint32_t le_u32(const uint8_t *p);

static inline int32_t le_i32(const uint8_t *p)
{
    return le_i32_from_u32(le_u32(p));
}

static inline void le_put_u16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v & 0xFFu);
    p[1] = (uint8_t)(v >> 8);
}

static inline void le_put_u32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v & 0xFFu);
    p[1] = (uint8_t)((v >> 8) & 0xFFu);
    p[2] = (uint8_t)((v >> 16) & 0xFFu);
    p[3] = (uint8_t)(v >> 24);
}

static inline void le_put_i32(uint8_t *p, int32_t v)
{
    le_put_u32(p, (uint32_t)v); /* conversion to unsigned is defined: modulo 2^32 */
}

#endif /* TD_LE_H */
