/* 1-Wire bytes and the bus search (onewire.h). */
#include "onewire.h"

#include <string.h>

#include "crc.h"
#include "hal.h"
#include "tendril_contract.h"

#define SEARCH_ROM 0xF0

void onewire_write(uint8_t pin, uint8_t byte)
{
    uint8_t k;
    for (k = 0; k < 8; k++, byte >>= 1) {
        (void)hal_ow_bit(pin, byte & 1u);
    }
}

uint8_t onewire_read(uint8_t pin)
{
    uint8_t k, byte = 0;
    for (k = 0; k < 8; k++) {
        byte = (uint8_t)((byte >> 1) | (hal_ow_bit(pin, 1) ? 0x80u : 0));
    }
    return byte;
}

/* One pass: the code whose bits take the branch 1 at conflict `last` and the previous pass's
 * branches before it, 0 after; *conflict the deepest bit (1..64) where this pass took 0 at a
 * conflict, 0 for none. False when no device answered a bit (both the bit and its complement 1). */
static bool search_pass(uint8_t pin, uint8_t *rom, uint8_t last, uint8_t *conflict)
{
    uint8_t k = 0, i, j, old, code, bit, cmp, dir;
    onewire_write(pin, SEARCH_ROM);
    *conflict = 0;
    /* byte by byte, least significant bit first: the previous pass's bits shift out of `old` as
     * this pass's shift into `code` (no variable shifts, which AVR does in a loop) */
    for (i = 0; i < 8; i++) {
        old = rom[i];
        code = 0;
        for (j = 0; j < 8; j++) {
            k++; /* the bit's number, 1..64 */
            bit = hal_ow_bit(pin, 1);
            cmp = hal_ow_bit(pin, 1);
            if (bit && cmp) return false;
            if (bit != cmp) {
                dir = bit; /* every device left has this bit */
            } else {
                dir = k < last ? (old & 1u) : k == last;
                if (!dir) *conflict = k;
            }
            old >>= 1;
            code = (uint8_t)((code >> 1) | (dir ? 0x80u : 0));
            (void)hal_ow_bit(pin, dir);
        }
        rom[i] = code;
    }
    return true;
}

uint8_t onewire_search(uint8_t pin, uint8_t first, uint8_t *out, uint8_t max, uint8_t *n, uint8_t *total)
{
    uint8_t rom[8] = {0}, last = 0, found = 0;
    *n = 0;
    for (;;) {
        if (!hal_ow_reset(pin)) {
            *total = found;
            /* a read slot on a line nobody answers reads the pull-up's 1; on a line held low, 0 */
            if (found) return TD_SCAN_RESULT_CRC; /* the devices went away mid-search */
            return hal_ow_bit(pin, 1) ? TD_SCAN_RESULT_NO_DEVICE : TD_SCAN_RESULT_HELD_LOW;
        }
        /* family 0 is no device: all zero is a line read low, whose CRC-8 is 0 too */
        if (!search_pass(pin, rom, last, &last) || rom[0] == 0 || crc8_maxim(rom, 8) != 0) {
            *total = found;
            return TD_SCAN_RESULT_CRC;
        }
        if (found >= first && *n < max) {
            memcpy(&out[8 * *n], rom, 8);
            (*n)++;
        }
        *total = ++found;
        if (last == 0) return TD_SCAN_RESULT_OK;
        /* a pass is about 15 ms: 16 of them stay well inside the watchdog's second, so the main
         * loop's feed before and after the request is enough (only the loop feeds it, hal.h) */
        if (found == TD_SCAN_MAX_CODES) return TD_SCAN_RESULT_TRUNCATED;
    }
}
