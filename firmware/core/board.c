/* Pin-table access and (host builds) lookup by name; the tables are in tendril_boards.c. */
#include "board.h"

#include <stddef.h>
#include <string.h>

uint8_t board_pin_caps(const td_board_t *board, uint8_t pin)
{
    if (board == NULL || board->pin_caps == NULL || pin >= board->n_pins) {
        return 0;
    }
    return TD_ROM_U8(&board->pin_caps[pin]);
}

#ifndef TD_BOARD_SELECTED
const td_board_t *board_find(const char *name)
{
    size_t i;
    if (name == NULL) {
        return NULL;
    }
    for (i = 0; i < TD_BOARD_COUNT; i++) {
        if (strcmp(td_boards[i].name, name) == 0) {
            return td_boards[i].board;
        }
    }
    return NULL;
}
#endif
