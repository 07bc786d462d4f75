/* Channel calibration (docs/config-image.md, "Channel"). */
#ifndef TD_CALIB_H
#define TD_CALIB_H

#include "td.h"

/* clamp(offset + ((raw * gain) >> 16), -1e9, +1e9), computed exactly: gain is Q16.16 and the
 * shift rounds toward minus infinity, as an arithmetic shift does. */
int32_t calib_apply(int32_t raw, int32_t gain, int32_t offset);

/* The same for an ADC count or pin level (0..65535), which is all a device ever reads, in 32-bit
 * arithmetic only: 64-bit multiplication costs an AVR about a kilobyte of flash. */
int32_t calib_apply_u16(uint16_t raw, int32_t gain, int32_t offset);

#endif /* TD_CALIB_H */
