/* 1-Wire bytes and the bus search (onewire.h). */
#include "onewire.h"

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
    uint8_t k, bit, cmp, dir, mask;
    onewire_write(pin, SEARCH_ROM);
    *conflict = 0;
    for (k = 1; k <= 64; k++) {
        uint8_t *byte = &rom[(k - 1) >> 3];
        mask = (uint8_t)(1u << ((k - 1) & 7));
        bit = hal_ow_bit(pin, 1);
        cmp = hal_ow_bit(pin, 1);
        if (bit && cmp) return false;
        if (bit != cmp) {
            dir = bit; /* every device left has this bit */
        } else {
            dir = k < last ? (*byte & mask) != 0 : k == last;
            if (!dir) *conflict = k;
        }
        *byte = dir ? (uint8_t)(*byte | mask) : (uint8_t)(*byte & ~mask);
        (void)hal_ow_bit(pin, dir);
    }
    return true;
}

uint8_t onewire_search(uint8_t pin, uint8_t first, uint8_t *out, uint8_t max, uint8_t *n, uint8_t *total)
{
    uint8_t rom[8] = {0}, last = 0, found = 0, k;
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
            for (k = 0; k < 8; k++) out[8 * *n + k] = rom[k];
            (*n)++;
        }
        *total = ++found;
        if (last == 0) return TD_SCAN_RESULT_OK;
        /* a pass is about 15 ms: 16 of them stay well inside the watchdog's second, so the main
         * loop's feed before and after the request is enough (only the loop feeds it, hal.h) */
        if (found == TD_SCAN_MAX_CODES) return TD_SCAN_RESULT_TRUNCATED;
    }
}
