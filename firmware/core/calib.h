/* Channel calibration (docs/config-image.md, "Channel"). */
#ifndef TD_CALIB_H
#define TD_CALIB_H

#include "td.h"

/* clamp(offset + ((raw * gain) >> 16), -1e9, +1e9), computed exactly: gain is Q16.16 and the
 * shift rounds toward minus infinity, as an arithmetic shift does. */
int32_t calib_apply(int32_t raw, int32_t gain, int32_t offset);

/* The engine's name for the same formula: any int32 reading (a driver's reading may be signed and
 * wider than 16 bits). It once had its own 32-bit partial-product form for AVR; the 64-bit one
 * proved smaller there (calib.c). */
int32_t calib_apply_i32(int32_t raw, int32_t gain, int32_t offset);

#endif /* TD_CALIB_H */
