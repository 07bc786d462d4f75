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

typedef struct {
    uint32_t device_id;
    uint32_t boot_count;
    uint8_t wd_resets; /* consecutive watchdog resets without a stable run */
    uint8_t flags;     /* STORE_FLAG_* */
} store_sys_t;

typedef struct {
    td_src_t active;   /* the active image (len 0 when there is none) */
    uint8_t slot;      /* its slot, or STORE_NO_SLOT */
    /* the transfer in progress */
    uint8_t staging;   /* 1 while a CONFIG_BEGIN is open */
    uint8_t magic[2];  /* the staged image's magic, written to EEPROM last */
    uint8_t last_len;  /* the last chunk, so a repeat is acknowledged without a rewrite */
    uint16_t last_off;
    uint16_t length;
    uint16_t staged;
    uint32_t crc32;
    uint32_t generation;
} store_t;

/* False when the EEPROM is smaller than the layout (no config store then). */
bool store_ok(void);

/* The system record; a blank or foreign EEPROM gets a fresh one with a device id from
 * hal_entropy(). store_sys_save() writes changed bytes only. */
void store_sys_load(store_sys_t *sys);
void store_sys_save(const store_sys_t *sys);

/* Picks the newest valid slot. Returns the number of slots that hold an image (magic present)
 * that failed validation, for the ERROR event. */
uint8_t store_load(store_t *st);
bool store_has_config(const store_t *st);
/* A source over a slot as it is (length from its header, at most TD_LIMIT_IMAGE), not validated:
 * true when the slot's magic is there. Boot uses it to drive actuators safe before validation. */
bool store_slot_src(td_src_t *src, uint8_t slot);
uint32_t store_generation(const store_t *st);
void store_recipe_hash(const store_t *st, uint8_t out[TD_RECIPE_HASH_SIZE]);

/* CONFIG_BEGIN / CHUNK / COMMIT / ABORT: 0 for ACK, else a td_nack_t with *detail. BEGIN sets
 * *already when the recipe is already active (ACK ALREADY_ACTIVE, nothing written). COMMIT makes
 * the staged slot active (st->active points at it) on success. */
uint8_t store_begin(store_t *st, uint16_t length, uint32_t crc32, const uint8_t *hash, uint32_t generation,
                    bool *already, uint16_t *detail);
uint8_t store_chunk(store_t *st, uint16_t offset, const uint8_t *data, uint8_t n, uint16_t *detail);
uint8_t store_commit(store_t *st, uint16_t *detail);
void store_abort(store_t *st);

/* Parameter overrides, valid only for the generation they were set under. */
void store_param_save(const store_t *st, uint8_t index, int32_t value);
bool store_param_load(const store_t *st, uint8_t index, int32_t *value);

#endif /* TD_STORE_H */
