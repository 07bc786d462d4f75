/* dur16: the two-byte durations of config images (docs/config-image.md). Bits 15..14 pick the unit
 * (0 ms, 1 s, 2 min, 3 reserved), bits 13..0 count it. */
#ifndef TD_DUR16_H
#define TD_DUR16_H

#include "td.h"

bool dur16_valid(uint16_t code);
/* Milliseconds of a valid code (at most TD_DUR_MAX_MS); 0 for the reserved unit, which
 * image_validate() never lets through. */
uint32_t dur16_ms(uint16_t code);

#endif /* TD_DUR16_H */
