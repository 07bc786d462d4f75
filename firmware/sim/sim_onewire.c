/* sim_onewire.c: DS18B20 probes on a 1-Wire bus at the pin level (see sim_onewire.h). */
#include "sim_onewire.h"

#include <string.h>

#include "sim_scenario.h" /* SCN_FAULT_* */

enum { OW_IDLE, OW_ROM, OW_MATCH, OW_FUNC, OW_WRITE_SP, OW_TX, OW_BUSY, OW_SEARCH };

#define RESET_MIN_US 480u   /* a low this long is a reset */
#define PRESENCE_WAIT_US 30u
#define PRESENCE_US 120u
#define SAMPLE_US 30u       /* the probe samples a slot this long after its falling edge */
#define HOLD_US 30u         /* and holds the line this long to send a 0 */
static const uint32_t convert_us[4] = {93750, 187500, 375000, 750000}; /* 9..12 bits */

uint8_t ow_crc8(const uint8_t *data, uint8_t len)
{
    uint8_t crc = 0;
    while (len--) {
        uint8_t b = *data++;
        for (int k = 0; k < 8; k++, b >>= 1) crc = (uint8_t)(((crc ^ b) & 1) ? (crc >> 1) ^ 0x8C : crc >> 1);
    }
    return crc;
}

static void set_crc(ow_probe_t *p) { p->scratch[8] = ow_crc8(p->scratch, 8); }

void ow_init(ow_bus_t *b, uint8_t pin)
{
    memset(b, 0, sizeof *b);
    b->pin = pin;
}

int ow_add(ow_bus_t *b, const uint8_t rom[8])
{
    static const uint8_t zero[8];
    if (b->n >= OW_MAX_PROBES) return -1;
    ow_probe_t *p = &b->probe[b->n];
    memset(p, 0, sizeof *p);
    if (memcmp(rom, zero, 8) != 0) {
        memcpy(p->rom, rom, 8);
    } else { /* the only one on its bus: any valid code will do */
        p->rom[0] = 0x28;
        p->rom[1] = (uint8_t)(b->n + 1);
        p->rom[7] = ow_crc8(p->rom, 7);
    }
    static const uint8_t power_on[8] = {0x50, 0x05, 0x4B, 0x46, 0x7F, 0xFF, 0x0C, 0x10}; /* 85 °C, 12 bits */
    memcpy(p->scratch, power_on, 8);
    set_crc(p);
    return b->n++;
}

static int resolution(const ow_probe_t *p) { return 9 + ((p->scratch[4] >> 5) & 3); }

/* Conversions that are done by t_us put their temperature in the scratchpad. */
static void latch(ow_bus_t *b, uint64_t t_us)
{
    for (int i = 0; i < b->n; i++) {
        ow_probe_t *p = &b->probe[i];
        if (!p->converting || t_us < p->done_us) continue;
        p->converting = 0;
        int32_t raw;
        if (b->fault == SCN_FAULT_POWER_ON) {
            raw = 0x0550; /* it lost power: the scratchpad is back at its power-on value */
        } else {
            int64_t m = p->milli_c;
            raw = (int32_t)((m * 16 + (m < 0 ? -500 : 500)) / 1000);
            if (raw < -55 * 16) raw = -55 * 16;
            if (raw > 125 * 16) raw = 125 * 16;
            raw &= ~((1 << (12 - resolution(p))) - 1); /* the bits a lower resolution leaves undefined: 0 */
        }
        p->scratch[0] = (uint8_t)(raw & 0xFF);
        p->scratch[1] = (uint8_t)((raw >> 8) & 0xFF);
        set_crc(p);
    }
}

static void reset(ow_bus_t *b, uint64_t t_us)
{
    b->resets++;
    b->bits = b->byte = b->count = 0;
    b->tx_len = b->tx_bit = 0;
    for (int i = 0; i < b->n; i++) b->probe[i].selected = 0;
    if (b->n == 0 || b->fault == SCN_FAULT_UNPLUGGED || b->fault == SCN_FAULT_HELD_LOW) {
        b->state = OW_IDLE;
        return;
    }
    b->presence_from = t_us + PRESENCE_WAIT_US;
    b->presence_until = b->presence_from + PRESENCE_US;
    b->state = OW_ROM;
}

/* What the selected probes send together: the wired AND of their bytes (none selected: all 1s). */
static void send(ow_bus_t *b, int rom, uint8_t len)
{
    memset(b->tx, 0xFF, sizeof b->tx);
    for (int i = 0; i < b->n; i++) {
        const ow_probe_t *p = &b->probe[i];
        if (!p->selected) continue;
        for (uint8_t k = 0; k < len; k++) b->tx[k] &= rom ? p->rom[k] : p->scratch[k];
    }
    if (!rom && b->fault == SCN_FAULT_CRC) b->tx[0] ^= 0x04; /* a bit flipped on the way */
    b->tx_len = len;
    b->tx_bit = 0;
    b->state = OW_TX;
}

/* ROM bit k of a probe as the search sees it (a `crc` fault flips bit 2: a code that fails its CRC). */
static int rom_bit(const ow_bus_t *b, const ow_probe_t *p, uint8_t k)
{
    return ((p->rom[k >> 3] >> (k & 7)) & 1) ^ (b->fault == SCN_FAULT_CRC && k == 2);
}

/* SEARCH ROM, one ROM bit in three slots: every probe still taking part sends its bit, then its
 * complement (the line is the wired AND: 0 wins), then listens to the master's choice; a probe
 * whose bit differs drops out until the next reset. After 64 bits the one left is selected. */
static int search_sends_zero(const ow_bus_t *b)
{
    for (int i = 0; i < b->n; i++) {
        const ow_probe_t *p = &b->probe[i];
        if (p->selected && rom_bit(b, p, b->search_bit) == (b->search_phase == 1)) return 1;
    }
    return 0;
}

static void search_choice(ow_bus_t *b, int bit)
{
    for (int i = 0; i < b->n; i++)
        if (rom_bit(b, &b->probe[i], b->search_bit) != bit) b->probe[i].selected = 0;
    b->search_phase = 0;
    if (++b->search_bit == 64) b->state = OW_FUNC;
}

static void got_byte(ow_bus_t *b, uint8_t byte, uint64_t t_us)
{
    int i;
    switch (b->state) {
    case OW_ROM:
        if (byte == 0xCC) {
            for (i = 0; i < b->n; i++) b->probe[i].selected = 1;
            b->state = OW_FUNC;
        } else if (byte == 0x55) {
            b->count = 0;
            b->state = OW_MATCH;
        } else if (byte == 0x33) {
            for (i = 0; i < b->n; i++) b->probe[i].selected = 1;
            send(b, 1, 8);
        } else if (byte == 0xF0) { /* SEARCH ROM: every probe takes part, ROM bit 0 first */
            for (i = 0; i < b->n; i++) b->probe[i].selected = 1;
            b->search_bit = b->search_phase = 0;
            b->state = OW_SEARCH;
        } else {
            b->state = OW_IDLE; /* ALARM SEARCH and the rest: not modelled */
        }
        break;
    case OW_MATCH:
        b->buf[b->count++] = byte;
        if (b->count == 8) {
            for (i = 0; i < b->n; i++) b->probe[i].selected = memcmp(b->probe[i].rom, b->buf, 8) == 0;
            b->state = OW_FUNC;
        }
        break;
    case OW_FUNC:
        if (byte == 0x44) {
            for (i = 0; i < b->n; i++) {
                ow_probe_t *p = &b->probe[i];
                if (!p->selected) continue;
                p->converting = 1;
                p->done_us = t_us + convert_us[resolution(p) - 9];
            }
            b->state = OW_BUSY;
        } else if (byte == 0xBE) {
            latch(b, t_us);
            send(b, 0, 9);
        } else if (byte == 0x4E) {
            b->count = 0;
            b->state = OW_WRITE_SP;
        } else {
            b->state = OW_IDLE;
        }
        break;
    case OW_WRITE_SP:
        b->buf[b->count++] = byte;
        if (b->count == 3) {
            for (i = 0; i < b->n; i++) {
                ow_probe_t *p = &b->probe[i];
                if (!p->selected) continue;
                p->scratch[2] = b->buf[0];
                p->scratch[3] = b->buf[1];
                p->scratch[4] = (uint8_t)((b->buf[2] & 0x60) | 0x1F);
                set_crc(p);
            }
            b->state = OW_IDLE;
        }
        break;
    default:
        break;
    }
}

void ow_master_low(ow_bus_t *b, uint64_t t_us)
{
    if (b->master_low) return;
    b->master_low = 1;
    b->fall_us = t_us;
    if (b->state == OW_TX && b->tx_bit < b->tx_len * 8) {
        int bit = (b->tx[b->tx_bit >> 3] >> (b->tx_bit & 7)) & 1;
        b->tx_bit++;
        if (!bit) b->hold_until = t_us + HOLD_US;
    } else if (b->state == OW_SEARCH && b->search_phase < 2) {
        if (search_sends_zero(b)) b->hold_until = t_us + HOLD_US;
    } else if (b->state == OW_BUSY) {
        latch(b, t_us);
        for (int i = 0; i < b->n; i++)
            if (b->probe[i].selected && b->probe[i].converting) b->hold_until = t_us + HOLD_US; /* 0: busy */
    }
}

void ow_master_release(ow_bus_t *b, uint64_t t_us)
{
    if (!b->master_low) return;
    b->master_low = 0;
    uint64_t d = t_us - b->fall_us;
    if (d >= RESET_MIN_US) {
        reset(b, t_us);
        return;
    }
    b->slots++;
    if (b->state == OW_SEARCH) {
        if (b->search_phase < 2) b->search_phase++;
        else search_choice(b, d < SAMPLE_US);
        return;
    }
    if (b->state == OW_TX || b->state == OW_BUSY || b->state == OW_IDLE) return;
    if (d >= 15 && d < 60) b->bad_slots++; /* a write slot the datasheet leaves undecided */
    /* a probe that is listening: the line's level SAMPLE_US into the slot is the bit */
    b->byte = (uint8_t)(b->byte >> 1 | (d < SAMPLE_US ? 0x80 : 0));
    if (++b->bits == 8) {
        b->bits = 0;
        got_byte(b, b->byte, t_us);
    }
}

int ow_level(ow_bus_t *b, uint64_t t_us)
{
    if (b->fault == SCN_FAULT_HELD_LOW || b->master_low) return 0;
    if (t_us >= b->presence_from && t_us < b->presence_until) return 0;
    return t_us < b->hold_until ? 0 : 1;
}

uint64_t ow_next_change(const ow_bus_t *b, uint64_t t_us)
{
    if (t_us < b->presence_from) return b->presence_from;
    if (t_us < b->presence_until) return b->presence_until;
    if (t_us < b->hold_until) return b->hold_until;
    return 0;
}
