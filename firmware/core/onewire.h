/* onewire.h: 1-Wire bytes and the bus search (ROM codes), on the HAL's reset and time slot. */
#ifndef TD_ONEWIRE_H
#define TD_ONEWIRE_H

#include "td.h"

void onewire_write(uint8_t pin, uint8_t byte);  /* least significant bit first */
uint8_t onewire_read(uint8_t pin);

/* SEARCH ROM over `pin`'s bus until every device is found (Maxim app note 187: each pass takes
 * the branch 1 at the deepest 0/1 conflict the previous pass took 0 at), at most TD_SCAN_MAX_CODES
 * passes of about 15 ms each. Codes `first`, `first + 1`, ... (at most `max`) go to out, 8 bytes
 * each, in the search's order (which is the same every time for the same devices); *n says how
 * many went there and *total how many were found. Returns a td_scan_result_t. */
uint8_t onewire_search(uint8_t pin, uint8_t first, uint8_t *out, uint8_t max, uint8_t *n, uint8_t *total);

#endif
