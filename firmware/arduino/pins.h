/* The pin table of the board this firmware is built for (-DTD_BOARD_<NAME>, the same define that
 * selects the board in firmware/core/tendril_boards.h). Only the choice of file lives here; the
 * pin data is in pins_<board>.h. */
#ifndef TD_PINS_H
#define TD_PINS_H

#if defined(TD_BOARD_UNO)
#include "pins_uno.h"
#elif defined(TD_BOARD_NANO)
#include "pins_nano.h"
#elif defined(TD_BOARD_MEGA2560)
#include "pins_mega2560.h"
#else
#error "build with -DTD_BOARD_UNO, -DTD_BOARD_NANO or -DTD_BOARD_MEGA2560"
#endif

#endif
