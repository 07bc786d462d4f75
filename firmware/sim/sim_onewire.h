/* sim_onewire.h: DS18B20 probes on a 1-Wire bus, at the pin level (docs/sensors.md).
 *
 * Pure and driven by time: the board's runner says when the master (the firmware) pulls the line
 * low and when it lets go, in microseconds of board time, and asks what the line reads at a time.
 * From those edges alone the model does what the datasheet says a DS18B20 does: a low of 480 us or
 * more is a reset, answered by a presence pulse 30 us after the release, 120 us long (the datasheet
 * allows 15-60 and 60-240); a shorter low is a time slot, a 0 when it lasted 30 us or more (the
 * probe samples 15-60 us into the slot), a 1 when shorter; when the probe sends, it holds the line
 * low for 30 us from the slot's falling edge to send a 0. ROM commands: SKIP ROM, MATCH ROM, READ
 * ROM, SEARCH ROM (per ROM bit: the bit, its complement, the master's choice; the probes' answers
 * wired-AND; a `crc` fault flips ROM bit 2 of every probe during a search, so the code the master
 * puts together fails its CRC-8); function commands: CONVERT T (750 ms at 12 bits .. 94 ms at 9;
 * read slots give 0 until done), READ SCRATCHPAD (9 bytes, CRC-8 last), WRITE SCRATCHPAD (TH, TL, config: the resolution).
 * The native board's HAL (firmware/native/hal_native.c) and the simavr runner (tendril_simavr.c,
 * watching the pin's DDR) drive the same model. */
#ifndef SIM_ONEWIRE_H
#define SIM_ONEWIRE_H

#include <stdint.h>

#define OW_MAX_PROBES 8

typedef struct {
    uint8_t rom[8];
    uint8_t scratch[9];      /* temp LSB, MSB, TH, TL, config, 0xFF, 0x0C, 0x10, CRC */
    uint8_t selected;
    uint8_t converting;
    uint64_t done_us;        /* when the conversion under way is done */
    int32_t milli_c;         /* what it measures now (the runner keeps it current) */
} ow_probe_t;

typedef struct ow_bus_s {
    uint8_t pin;
    uint8_t n;
    ow_probe_t probe[OW_MAX_PROBES];
    int fault;               /* SCN_FAULT_* now (the runner keeps it current) */
    /* the protocol */
    uint8_t state;
    uint8_t bits, byte, count;   /* bits of the byte being received; bytes of a multi-byte field */
    uint8_t buf[9];
    uint8_t tx[9], tx_len, tx_bit; /* what the probe sends, and how far it got (in bits) */
    uint8_t search_bit, search_phase; /* SEARCH ROM: the ROM bit, and its slot (0 bit, 1 complement, 2 choice) */
    uint64_t fall_us;        /* the master's last falling edge */
    int master_low;
    uint64_t presence_from, presence_until;
    uint64_t hold_until;     /* a probe holds the line low until then (a 0 it sends) */
    /* for tests and the runners' logs */
    uint32_t resets, slots, bad_slots;
} ow_bus_t;

/* A bus on `pin` with no probe. */
void ow_init(ow_bus_t *b, uint8_t pin);
/* A probe with this ROM code (zero: one is made up from the index) at 12 bits, scratchpad at its
 * power-on value (85 °C). -1 when the bus is full. */
int ow_add(ow_bus_t *b, const uint8_t rom[8]);

void ow_master_low(ow_bus_t *b, uint64_t t_us);
void ow_master_release(ow_bus_t *b, uint64_t t_us);
/* What the line reads at t_us: 0 while anyone holds it low, else 1 (the pull-up). */
int ow_level(ow_bus_t *b, uint64_t t_us);
/* The next time after t_us at which the line changes by the probes' doing (a presence pulse or a
 * 0 bit ending), or 0 when none is pending: the simavr runner schedules a pin update then. */
uint64_t ow_next_change(const ow_bus_t *b, uint64_t t_us);

uint8_t ow_crc8(const uint8_t *data, uint8_t len);

#endif
