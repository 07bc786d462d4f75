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

/* The system record's fields that change at run time; device_id and boot_count are read from
 * EEPROM when HELLO needs them (store_device_id, store_boot_count). */
typedef struct {
    uint8_t wd_resets; /* consecutive watchdog resets without a stable run */
    uint8_t flags;     /* STORE_FLAG_* */
} store_sys_t;

/* The firmware has one store: its state is this global, and no function takes a pointer to it. */
typedef struct {
    store_sys_t sys;     /* the system record, as store_sys_load() read it */
    uint16_t active_len; /* the active image's length */
    uint8_t slot;        /* the active image's slot, or STORE_NO_SLOT */
    /* the transfer in progress */
    uint8_t staging;  /* 1 while a CONFIG_BEGIN is open */
    uint8_t magic[2]; /* the staged image's magic, written to EEPROM last */
    uint8_t last_len; /* the last chunk, so a repeat is acknowledged without a rewrite */
    uint16_t last_off;
    uint16_t length;
    uint16_t staged;
    uint32_t crc32;
    uint32_t generation;
} store_t;

extern store_t store;

/* False when the EEPROM is smaller than the layout (no config store then). */
bool store_ok(void);

/* The system record into store.sys (once, at boot); a blank or foreign EEPROM gets a fresh one
 * with a device id from hal_entropy(). Then the boot is counted. store_sys_save() writes changed
 * bytes of store.sys only. */
void store_sys_load(void);
void store_count_boot(void);
void store_sys_save(void);
/* The device's identity and its boot count, as HELLO sends them. */
uint32_t store_device_id(void);
uint32_t store_boot_count(void);

/* Picks the newest valid slot. Returns the number of slots that hold an image (magic present)
 * that failed validation, for the ERROR event. */
uint8_t store_load(void);
#define store_has_config() (store.slot != STORE_NO_SLOT)
/* A source over a slot as it is (length from its header, at most TD_LIMIT_IMAGE), not validated:
 * true when the slot's magic is there. Boot uses it to drive actuators safe before validation. */
bool store_slot_src(td_src_t *src, uint8_t slot);
/* A source over the active image (has_config). */
void store_active_src(td_src_t *src);
/* The active image's generation (0 without a config) and recipe hash (has_config only). */
uint32_t store_generation(void);
void store_recipe_hash(uint8_t out[TD_RECIPE_HASH_SIZE]);

/* CONFIG_BEGIN / CHUNK / COMMIT / ABORT with the request's payload as it arrived (its length
 * checked): 0 for ACK, else a td_nack_t with *detail (set only when not 0: the caller zeroes it). BEGIN of the recipe already active is an
 * ACK with *detail TD_ACK_DETAIL_ALREADY_ACTIVE, nothing written. COMMIT makes the staged slot
 * active on success. */
uint8_t store_begin(const uint8_t *req, uint16_t *detail);
uint8_t store_chunk(const uint8_t *req, uint8_t len, uint16_t *detail);
uint8_t store_commit(uint16_t *detail);
#define store_abort() (store.staging = 0)

/* Parameter overrides, valid only for the generation they were set under; index < TD_LIMIT_PARAMS. */
void store_param_save(uint8_t index, int32_t value);
/* Each override that passes its check and lies within its parameter's range in `src` (the
 * active image, np parameters) into params[]; the others keep the image's defaults. */
void store_params_load(const td_src_t *src, int32_t *params, uint8_t np);

#endif /* TD_STORE_H */
