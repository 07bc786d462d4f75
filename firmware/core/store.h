/* The config store on the HAL's EEPROM (layout and power-cut reasoning: docs/firmware.md).
 *
 *   [0, 16)            system record: magic, device_id, boot count, watchdog-reset count, flags
 *   [16, SLOTS_AT)     parameter overrides of the active generation (SET_PARAM survives a reboot)
 *   [SLOTS_AT, ...)    two image slots of TD_LIMIT_IMAGE bytes each
 *
 * A slot holds an image byte for byte. Staging goes to the slot that is not active: its first
 * magic byte is invalidated before anything else is written and both magic bytes are written last,
 * after the staged bytes were read back, CRC-checked and validated, so a power cut at any byte
 * leaves the old config in force. Only changed bytes are written. At boot the valid slot with the
 * newest generation (serial-number order) wins. */
#ifndef TD_STORE_H
#define TD_STORE_H

#include "image.h"
#include "td.h"

#define STORE_SYS_AT 0u
#define STORE_SYS_SIZE 16u
#define STORE_PARAMS_AT STORE_SYS_SIZE
#define STORE_PARAM_ENTRY 5u /* i32 value + check byte */
#define STORE_PARAMS_SIZE (4u + STORE_PARAM_ENTRY * TD_LIMIT_PARAMS)
#define STORE_SLOTS_AT ((STORE_PARAMS_AT + STORE_PARAMS_SIZE + 15u) & ~15u)
#define STORE_SLOT_AT(i) (STORE_SLOTS_AT + (uint16_t)(i) * (uint16_t)TD_LIMIT_IMAGE)
#define STORE_END STORE_SLOT_AT(2)

#define STORE_NO_SLOT 0xFF
#define STORE_FLAG_SAFE_MODE 0x01
#define STORE_FLAG_PAUSED 0x02 /* PAUSE until RESUME, across resets and config pushes */

/* The store reaches its EEPROM through these four functions (a port passes its HAL's; a test, an
 * EEPROM in memory), so the store, and request handling above it, runs without a HAL. */
typedef struct {
    uint8_t (*read)(uint16_t addr);
    void (*write)(uint16_t addr, uint8_t value); /* the store writes changed bytes only */
    uint16_t (*size)(void);
    uint32_t (*entropy)(void); /* seed for the device id at first boot */
} store_eeprom_t;

/* The firmware has one store; its state is private to store.c and read and changed only through
 * the functions below. store_init first: it forgets any config and transfer (store_load finds
 * the config again). */
void store_init(const store_eeprom_t *eeprom);

/* False when the EEPROM is smaller than the layout (no config store then). */
bool store_ok(void);

/* The system record (once, at boot); a blank or foreign EEPROM gets a fresh one with a device id
 * from the entropy function. Then the boot is counted. */
void store_sys_load(void);
void store_count_boot(void);
/* The boot's reset: a watchdog reset adds one to the count of consecutive watchdog resets, any
 * other reset clears it. True when this reset made the count reach `safe_after`: safe mode
 * entered now (it stays until store_clear_safe_mode). */
bool store_note_reset(bool watchdog, uint8_t safe_after);
/* The board ran long enough: the watchdog-reset count starts over (written only if not 0). */
void store_reset_count_clear(void);
bool store_safe_mode(void);
/* Leaves safe mode and clears the reset count; false (nothing written) when not in safe mode. */
bool store_clear_safe_mode(void);
/* PAUSE until RESUME, kept across resets and config pushes. */
bool store_paused(void);
void store_set_paused(bool paused);
/* The device's identity and its boot count, as HELLO sends them. */
uint32_t store_device_id(void);
uint32_t store_boot_count(void);

/* Picks the newest valid slot. Returns the number of slots that hold an image (magic present)
 * that failed validation, for the ERROR event. */
uint8_t store_load(void);
bool store_has_config(void);
/* A source over a slot as it is (length from its header, at most TD_LIMIT_IMAGE), not validated:
 * true when the slot's magic is there. Boot uses it to drive actuators safe before validation. */
bool store_slot_src(td_src_t *src, uint8_t slot);
/* A source over the active image (has_config). */
void store_active_src(td_src_t *src);
/* The active image's generation (0 without a config) and recipe hash (has_config only). */
uint32_t store_generation(void);
void store_recipe_hash(uint8_t out[TD_RECIPE_HASH_SIZE]);

/* CONFIG_BEGIN / CHUNK / COMMIT / ABORT with the request's decoded fields: 0 for ACK, else a
 * td_nack_t with *detail (set only when not 0: the caller zeroes it). BEGIN of the recipe already
 * active is an ACK with *detail TD_ACK_DETAIL_ALREADY_ACTIVE, nothing written. COMMIT makes the
 * staged slot active on success. store_staged: the bytes staged so far (CHUNK's ACK value). */
uint8_t store_begin(uint16_t length, uint32_t crc32, const uint8_t recipe_hash[TD_RECIPE_HASH_SIZE],
                    uint32_t generation, uint16_t *detail);
uint8_t store_chunk(uint16_t offset, const uint8_t *data, uint8_t n, uint16_t *detail);
uint8_t store_commit(uint16_t *detail);
void store_abort(void);
uint16_t store_staged(void);

/* Parameter overrides, valid only for the generation they were set under; index < TD_LIMIT_PARAMS. */
void store_param_save(uint8_t index, int32_t value);
/* Each override that passes its check and lies within its parameter's range in `src` (the
 * active image, np parameters) into params[]; the others keep the image's defaults. */
void store_params_load(const td_src_t *src, int32_t *params, uint8_t np);

#endif /* TD_STORE_H */
