/* Board descriptors (generated into tendril_boards.c) and the one way to read their pin tables. */
#ifndef TD_BOARD_H
#define TD_BOARD_H

#include "td.h"
#include "tendril_boards.h"

/* TD_PIN_CAP_* bits of `pin` on `board`; 0 for a pin the board does not have. */
uint8_t board_pin_caps(const td_board_t *board, uint8_t pin);

#ifndef TD_BOARD_SELECTED
/* Host builds: the board named like its file in boards/ ("uno"), or NULL. */
const td_board_t *board_find(const char *name);
#endif

#endif /* TD_BOARD_H */
