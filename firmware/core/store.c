/* The config store: system record, parameter overrides and two image slots in EEPROM. */
#include "store.h"

#include "image_layout.h"
#include "le.h"

#include <string.h>

#define SYS_MAGIC_0 0x54 /* "TS": tendril system record, layout 1 */
#define SYS_MAGIC_1 0x53
#define SYS_LAYOUT 1
enum { S_MAGIC = 0, S_LAYOUT = 2, S_FLAGS = 3, S_DEVICE_ID = 4, S_BOOTS = 8, S_WD = 12 };

TD_STATIC_ASSERT(STORE_SYS_SIZE >= S_WD + 1, sys_record_fits);
#if defined(TD_BOARD_UNO) || defined(TD_BOARD_NANO)
TD_STATIC_ASSERT(STORE_END <= 1024, uno_layout_fits_1k);
TD_STATIC_ASSERT(TD_LIMIT_IMAGE == 480, uno_slots_are_480);
#endif

/* The system record's fields that change at run time; device_id and boot_count are read from
 * EEPROM when HELLO needs them. */
typedef struct {
    uint8_t wd_resets; /* consecutive watchdog resets without a stable run */
    uint8_t flags;     /* STORE_FLAG_* */
} store_sys_t;

typedef struct {
    const store_eeprom_t *ee;
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

static store_t store;

/* One copy of the indirect call (out of line): at each of a dozen call sites it cost more than a call. */
static TD_NOINLINE uint8_t ee_read(uint16_t addr)
{
    return store.ee->read(addr);
}
#define EE_READ(addr) ee_read(addr)

void store_init(const store_eeprom_t *eeprom)
{
    memset(&store, 0, sizeof store);
    store.ee = eeprom;
    store.slot = STORE_NO_SLOT;
}

bool store_has_config(void)
{
    return store.slot != STORE_NO_SLOT;
}

/* Out of line: STORE_SLOT_AT's multiply at every use costs more. */
static TD_NOINLINE uint16_t slot_at(uint8_t slot)
{
    return slot ? STORE_SLOT_AT(1) : STORE_SLOT_AT(0);
}

static uint8_t slot_read(const void *ctx, uint16_t offset)
{
    return EE_READ((uint16_t)((uintptr_t)ctx + offset));
}

/* Read-compare-write, then read back: false when the cell does not hold the value afterwards. */
static bool put(uint16_t addr, uint8_t value)
{
    if (EE_READ(addr) != value) {
        store.ee->write(addr, value);
    }
    return EE_READ(addr) == value;
}

static void put_u32(uint16_t addr, uint32_t v)
{
    uint8_t i;
    for (i = 0; i < 4; i++, v >>= 8) {
        put((uint16_t)(addr + i), (uint8_t)v);
    }
}

/* `n` little-endian bytes at addr. */
static TD_NOINLINE uint32_t get(uint16_t addr, uint8_t n)
{
    uint32_t v = 0;
    while (n--) {
        v = (v << 8) | EE_READ((uint16_t)(addr + n));
    }
    return v;
}

bool store_ok(void)
{
    return store.ee->size() >= STORE_END;
}

static void sys_save(void);

/* Called once, at boot, after store_init: a fresh record's counters and flags are already 0. */
void store_sys_load(void)
{
    if (get(S_MAGIC, 3) != (SYS_MAGIC_0 | (uint16_t)SYS_MAGIC_1 << 8 | (uint32_t)SYS_LAYOUT << 16)) {
        /* First boot (or another firmware's EEPROM): a new identity, counters from zero. The
         * magic goes last so a power cut here just repeats the first boot. */
        put_u32(S_DEVICE_ID, store.ee->entropy());
        put_u32(S_BOOTS, 0);
        sys_save();
        put(S_LAYOUT, SYS_LAYOUT);
        put(S_MAGIC + 1, SYS_MAGIC_1);
        put(S_MAGIC, SYS_MAGIC_0);
        return;
    }
    store.sys.wd_resets = EE_READ(S_WD);
    store.sys.flags = EE_READ(S_FLAGS);
}

void store_count_boot(void)
{
    put_u32(S_BOOTS, get(S_BOOTS, 4) + 1);
}

static void sys_save(void)
{
    put(S_WD, store.sys.wd_resets);
    put(S_FLAGS, store.sys.flags);
}

static TD_NOINLINE void get_bytes(uint16_t addr, uint8_t *out, uint8_t n)
{
    while (n--) {
        *out++ = EE_READ(addr++);
    }
}

bool store_note_reset(bool watchdog, uint8_t safe_after)
{
    bool entered = false;
    if (watchdog) {
        if (store.sys.wd_resets < 255) store.sys.wd_resets++;
        if (store.sys.wd_resets >= safe_after && !store_safe_mode()) {
            store.sys.flags |= STORE_FLAG_SAFE_MODE;
            entered = true;
        }
    } else {
        store.sys.wd_resets = 0;
    }
    sys_save();
    return entered;
}

void store_reset_count_clear(void)
{
    if (store.sys.wd_resets != 0) {
        store.sys.wd_resets = 0;
        sys_save();
    }
}

bool store_safe_mode(void)
{
    return (store.sys.flags & STORE_FLAG_SAFE_MODE) != 0;
}

bool store_clear_safe_mode(void)
{
    if (!store_safe_mode()) {
        return false;
    }
    store.sys.flags &= (uint8_t)~STORE_FLAG_SAFE_MODE;
    store.sys.wd_resets = 0;
    sys_save();
    return true;
}

bool store_paused(void)
{
    return (store.sys.flags & STORE_FLAG_PAUSED) != 0;
}

void store_set_paused(bool paused)
{
    if (paused) {
        store.sys.flags |= STORE_FLAG_PAUSED;
    } else {
        store.sys.flags &= (uint8_t)~STORE_FLAG_PAUSED;
    }
    sys_save();
}

uint32_t store_device_id(void)
{
    return get(S_DEVICE_ID, 4);
}

uint32_t store_boot_count(void)
{
    return get(S_BOOTS, 4);
}

/* --- image slots ------------------------------------------------------------------------------ */

static TD_NOINLINE void slot_src(td_src_t *src, uint8_t slot, uint16_t len)
{
    src->read = slot_read;
    src->ctx = (const void *)(uintptr_t)slot_at(slot); /* the address itself: no table in RAM */
    src->len = len;
}

bool store_slot_src(td_src_t *src, uint8_t slot)
{
    uint16_t base = slot_at(slot);
    uint16_t len = (uint16_t)get((uint16_t)(base + TD_IMAGE_HEADER_LENGTH), 2);
    slot_src(src, slot, len > TD_LIMIT_IMAGE ? TD_LIMIT_IMAGE : len);
    return store_ok() && get(base, 2) == (TD_IMAGE_MAGIC_0 | (uint16_t)TD_IMAGE_MAGIC_1 << 8);
}

void store_active_src(td_src_t *src)
{
    slot_src(src, store.slot, store.active_len);
}

/* The generation of a valid image in `slot` (its header is all there). */
static TD_NOINLINE uint32_t slot_generation(uint8_t slot)
{
    return get((uint16_t)(slot_at(slot) + TD_IMAGE_HEADER_GENERATION), 4);
}

uint8_t store_load(void)
{
    td_src_t src;
    uint8_t bad = 0;
    uint8_t i;
    uint8_t index;
    store.staging = 0;
    store.slot = STORE_NO_SLOT;
    for (i = 0; i < 2; i++) {
        if (!store_slot_src(&src, i)) {
            continue; /* no magic (or no store): nothing there */
        }
        if (image_validate(&src, TD_BOARD, &index) != IMAGE_OK) {
            bad++;
        } else if (store.slot == STORE_NO_SLOT ||
                   (int32_t)(slot_generation(1) - slot_generation(0)) > 0) {
            /* Both valid: serial-number order, as CONFIG_BEGIN compares generations. */
            store.slot = i;
            store.active_len = src.len;
        }
    }
    return bad;
}

uint32_t store_generation(void)
{
    return store_has_config() ? slot_generation(store.slot) : 0;
}

void store_recipe_hash(uint8_t out[TD_RECIPE_HASH_SIZE])
{
    get_bytes((uint16_t)(slot_at(store.slot) + TD_IMAGE_HEADER_RECIPE_HASH), out, TD_RECIPE_HASH_SIZE);
}

/* --- the transfer ----------------------------------------------------------------------------- */


static TD_NOINLINE uint8_t staging_slot(void)
{
    return store.slot == 0 ? 1 : 0;
}

uint8_t store_begin(uint16_t length, uint32_t crc32, const uint8_t recipe_hash[TD_RECIPE_HASH_SIZE],
                    uint32_t generation, uint16_t *detail)
{
    uint8_t hash[TD_RECIPE_HASH_SIZE];
    uint8_t i;
    uint32_t active_gen = store_generation();
    store.staging = 0; /* a new BEGIN abandons any transfer in progress */
    if (store_has_config()) {
        store_recipe_hash(hash);
        for (i = 0; i < TD_RECIPE_HASH_SIZE && hash[i] == recipe_hash[i]; i++) {
        }
        if (i == TD_RECIPE_HASH_SIZE) {
            *detail = TD_ACK_DETAIL_ALREADY_ACTIVE;
            return 0;
        }
    }
    if (length > TD_BOARD->max_image || !store_ok()) {
        *detail = TD_BOARD->max_image;
        return TD_NACK_TOO_LARGE;
    }
    if ((int32_t)(generation - active_gen) <= 0) {
        *detail = (uint16_t)active_gen;
        return TD_NACK_STALE_GENERATION;
    }
    /* Invalidate the slot before the first staged byte lands in it. */
    if (!put(slot_at(staging_slot()), 0xFF)) {
        return TD_NACK_STORAGE;
    }
    store.staging = 1;
    store.length = length;
    store.staged = 0;
    store.crc32 = crc32;
    store.generation = generation;
    store.last_len = 0;
    return 0;
}

uint8_t store_chunk(uint16_t offset, const uint8_t *data, uint8_t n, uint16_t *detail)
{
    uint16_t base = slot_at(staging_slot());
    uint8_t i;
    if (!store.staging) {
        return TD_NACK_NO_TRANSFER;
    }
    if (store.last_len != 0 && offset == store.last_off && n == store.last_len) {
        return 0; /* a repeat of the last chunk: its bytes are already there */
    }
    if (offset != store.staged) {
        *detail = store.staged;
        return TD_NACK_BAD_OFFSET;
    }
    if (n > (uint16_t)(store.length - offset)) { /* offset == staged <= length: no wrap */
        return TD_NACK_BAD_LENGTH;
    }
    for (i = 0; i < n; i++) {
        uint16_t at = (uint16_t)(offset + i);
        uint8_t b = data[i];
        if (at < 2) {
            store.magic[at] = b; /* the magic is written last, at commit */
        } else if (!put((uint16_t)(base + at), b)) {
            return TD_NACK_STORAGE;
        }
    }
    store.staged = (uint16_t)(offset + n);
    store.last_off = offset;
    store.last_len = n;
    return 0;
}

void store_abort(void)
{
    store.staging = 0;
}

uint16_t store_staged(void)
{
    return store.staged;
}

/* The staging slot as validation sees it: the magic from RAM (it is not in EEPROM yet), the rest
 * read back from EEPROM. */
static uint8_t overlay_read(const void *ctx, uint16_t offset)
{
    return offset < 2 ? store.magic[offset] : slot_read(ctx, offset);
}

uint8_t store_commit(uint16_t *detail)
{
    uint8_t slot = staging_slot();
    uint16_t base = slot_at(slot);
    td_src_t src;
    uint8_t index;
    td_image_error_t err;
    if (!store.staging) {
        return TD_NACK_NO_TRANSFER;
    }
    if (store.staged != store.length) {
        *detail = store.staged;
        return TD_NACK_BAD_LENGTH;
    }
    slot_src(&src, slot, store.length);
    if (store.length < TD_IMAGE_HEADER_LENGTH || image_crc(&src) != store.crc32) {
        return TD_NACK_BAD_CRC;
    }
    /* Through the source: an image too short for its header reads zeros there, as validation does. */
    if (image_rd_u32(&src, TD_IMAGE_HEADER_GENERATION) != store.generation) {
        /* The image is not the one CONFIG_BEGIN announced (and was checked as newer). */
        *detail = (uint16_t)store_generation();
        return TD_NACK_STALE_GENERATION;
    }
    src.read = overlay_read;
    err = image_validate(&src, TD_BOARD, &index);
    if (err != IMAGE_OK) {
        *detail = (uint16_t)(((uint16_t)err << 8) | index);
        return TD_NACK_IMAGE_INVALID;
    }
    /* The commit point: the second magic byte, then the first. Until the first lands the slot is
     * invalid and the old config stays in force. */
    if (!put((uint16_t)(base + TD_IMAGE_HEADER_MAGIC + 1), store.magic[1]) ||
        !put((uint16_t)(base + TD_IMAGE_HEADER_MAGIC), store.magic[0])) {
        return TD_NACK_STORAGE;
    }
    store.staging = 0;
    store.slot = slot;
    store.active_len = store.length;
    return 0;
}

/* --- parameter overrides ---------------------------------------------------------------------- */

/* Out of line (saving and loading both check): 6 B less on the Uno. */
static TD_NOINLINE uint8_t param_check(uint32_t gen, uint8_t index, uint32_t value)
{
    uint8_t c = (uint8_t)(0xA5 ^ index);
    uint8_t i;
    for (i = 0; i < 4; i++, gen >>= 8, value >>= 8) {
        c = (uint8_t)((c << 1 | c >> 7) ^ (uint8_t)gen ^ (uint8_t)(value * 3u));
    }
    return c;
}

#define PARAM_AT(index) ((uint16_t)(STORE_PARAMS_AT + 4 + STORE_PARAM_ENTRY * (index)))

void store_param_save(uint8_t index, int32_t value)
{
    uint32_t gen = store_generation();
    uint16_t at = PARAM_AT(index);
    if (!store_ok()) {
        return;
    }
    put_u32(STORE_PARAMS_AT, gen); /* entries of another generation fail their check from now on */
    put_u32(at, (uint32_t)value);
    put((uint16_t)(at + 4), param_check(gen, index, (uint32_t)value));
}

/* One loop over every override, so the generation is read and checked once (per-index loads
 * repeated it for each parameter). */
void store_params_load(const td_src_t *src, int32_t *params, uint8_t np)
{
    uint32_t gen = store_generation();
    uint8_t i;
    if (!store_ok() || get(STORE_PARAMS_AT, 4) != gen) {
        return; /* no overrides, or those of another generation */
    }
    for (i = 0; i < np; i++) {
        uint16_t at = PARAM_AT(i);
        uint16_t off = (uint16_t)(TD_IMAGE_HEADER_SIZE + TD_PARAM_SIZE * i);
        uint32_t u = get(at, 4);
        int32_t v = le_i32_from_u32(u);
        if (EE_READ((uint16_t)(at + 4)) == param_check(gen, i, u) && v >= image_rd_i32(src, off + TD_PARAM_MIN) &&
            v <= image_rd_i32(src, off + TD_PARAM_MAX)) {
            params[i] = v;
        }
    }
}
