/* The config store: system record, parameter overrides and two image slots in EEPROM. */
#include "store.h"

#include "hal.h"
#include "image_layout.h"

#define SYS_MAGIC_0 0x54 /* "TS": tendril system record, layout 1 */
#define SYS_MAGIC_1 0x53
#define SYS_LAYOUT 1
enum { S_MAGIC = 0, S_LAYOUT = 2, S_FLAGS = 3, S_DEVICE_ID = 4, S_BOOTS = 8, S_WD = 12 };

TD_STATIC_ASSERT(STORE_SYS_SIZE >= S_WD + 1, sys_record_fits);
#if defined(TD_BOARD_UNO) || defined(TD_BOARD_NANO)
TD_STATIC_ASSERT(STORE_END <= 1024, uno_layout_fits_1k);
TD_STATIC_ASSERT(TD_LIMIT_IMAGE == 480, uno_slots_are_480);
#endif

static const uint16_t slot_base[2] = {STORE_SLOT_AT(0), STORE_SLOT_AT(1)};

static uint8_t slot_read(const void *ctx, uint16_t offset)
{
    return hal_eeprom_read((uint16_t)(*(const uint16_t *)ctx + offset));
}

/* Read-compare-write, then read back: false when the cell does not hold the value afterwards. */
static bool put(uint16_t addr, uint8_t value)
{
    if (hal_eeprom_read(addr) != value) {
        hal_eeprom_write(addr, value);
    }
    return hal_eeprom_read(addr) == value;
}

static void put_u32(uint16_t addr, uint32_t v)
{
    uint8_t i;
    for (i = 0; i < 4; i++, v >>= 8) {
        put((uint16_t)(addr + i), (uint8_t)v);
    }
}

static uint32_t get_u32(uint16_t addr)
{
    uint32_t v = 0;
    uint8_t i = 4;
    while (i--) {
        v = (v << 8) | hal_eeprom_read((uint16_t)(addr + i));
    }
    return v;
}

bool store_ok(void)
{
    return hal_eeprom_size() >= STORE_END;
}

void store_sys_load(store_sys_t *sys)
{
    if (hal_eeprom_read(S_MAGIC) != SYS_MAGIC_0 || hal_eeprom_read(S_MAGIC + 1) != SYS_MAGIC_1 ||
        hal_eeprom_read(S_LAYOUT) != SYS_LAYOUT) {
        /* First boot (or another firmware's EEPROM): a new identity, counters from zero. The
         * magic goes last so a power cut here just repeats the first boot. */
        sys->device_id = hal_entropy();
        sys->boot_count = 0;
        sys->wd_resets = 0;
        sys->flags = 0;
        store_sys_save(sys);
        put(S_LAYOUT, SYS_LAYOUT);
        put(S_MAGIC + 1, SYS_MAGIC_1);
        put(S_MAGIC, SYS_MAGIC_0);
        return;
    }
    sys->device_id = get_u32(S_DEVICE_ID);
    sys->boot_count = get_u32(S_BOOTS);
    sys->wd_resets = hal_eeprom_read(S_WD);
    sys->flags = hal_eeprom_read(S_FLAGS);
}

void store_sys_save(const store_sys_t *sys)
{
    put_u32(S_DEVICE_ID, sys->device_id);
    put_u32(S_BOOTS, sys->boot_count);
    put(S_WD, sys->wd_resets);
    put(S_FLAGS, sys->flags);
}

/* --- image slots ------------------------------------------------------------------------------ */

static TD_NOINLINE void slot_src(td_src_t *src, uint8_t slot, uint16_t len)
{
    src->read = slot_read;
    src->ctx = &slot_base[slot];
    src->len = len;
}

bool store_slot_src(td_src_t *src, uint8_t slot)
{
    uint16_t base = slot_base[slot];
    uint16_t len = (uint16_t)(hal_eeprom_read((uint16_t)(base + H_LENGTH)) |
                              ((uint16_t)hal_eeprom_read((uint16_t)(base + H_LENGTH + 1)) << 8));
    slot_src(src, slot, len > TD_LIMIT_IMAGE ? TD_LIMIT_IMAGE : len);
    return store_ok() && hal_eeprom_read(base) == TD_IMAGE_MAGIC_0 &&
           hal_eeprom_read((uint16_t)(base + 1)) == TD_IMAGE_MAGIC_1;
}

/* A slot's image if it is complete and valid for this board, else false. */
static bool slot_valid(uint8_t slot, td_src_t *src, bool *present)
{
    uint8_t index;
    *present = store_slot_src(src, slot);
    return *present && image_validate(src, TD_BOARD, &index) == IMAGE_OK;
}

static TD_NOINLINE uint32_t src_generation(const td_src_t *src)
{
    return image_rd_u32(src, H_GENERATION);
}

uint8_t store_load(store_t *st)
{
    td_src_t src[2];
    bool ok[2], present;
    uint8_t bad = 0;
    uint8_t i;
    st->staging = 0;
    st->slot = STORE_NO_SLOT;
    st->active.len = 0;
    if (!store_ok()) {
        return 0;
    }
    for (i = 0; i < 2; i++) {
        ok[i] = slot_valid(i, &src[i], &present);
        bad = (uint8_t)(bad + (present && !ok[i]));
    }
    if (ok[0] && ok[1]) {
        /* Serial-number order, as CONFIG_BEGIN compares generations. */
        st->slot = (int32_t)(src_generation(&src[1]) - src_generation(&src[0])) > 0 ? 1 : 0;
    } else if (ok[0] || ok[1]) {
        st->slot = ok[0] ? 0 : 1;
    }
    if (st->slot != STORE_NO_SLOT) {
        st->active = src[st->slot];
    }
    return bad;
}

bool store_has_config(const store_t *st)
{
    return st->slot != STORE_NO_SLOT;
}

uint32_t store_generation(const store_t *st)
{
    return store_has_config(st) ? src_generation(&st->active) : 0;
}

void store_recipe_hash(const store_t *st, uint8_t out[TD_RECIPE_HASH_SIZE])
{
    td_src_t none;
    image_src_ram(&none, NULL, 0); /* reads as zeros: no config, no hash */
    image_rd_bytes(store_has_config(st) ? &st->active : &none, H_HASH, out, TD_RECIPE_HASH_SIZE);
}

/* --- the transfer ----------------------------------------------------------------------------- */

static TD_NOINLINE uint8_t staging_slot(const store_t *st)
{
    return st->slot == 0 ? 1 : 0;
}

uint8_t store_begin(store_t *st, uint16_t length, uint32_t crc32, const uint8_t *hash, uint32_t generation,
                    bool *already, uint16_t *detail)
{
    uint8_t i;
    uint32_t active_gen = store_generation(st);
    *already = false;
    *detail = 0;
    st->staging = 0; /* a new BEGIN abandons any transfer in progress */
    if (store_has_config(st)) {
        for (i = 0; i < TD_RECIPE_HASH_SIZE && image_rd_u8(&st->active, H_HASH + i) == hash[i]; i++) {
        }
        if (i == TD_RECIPE_HASH_SIZE) {
            *already = true;
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
    if (!put(slot_base[staging_slot(st)], 0xFF)) {
        return TD_NACK_STORAGE;
    }
    st->staging = 1;
    st->length = length;
    st->staged = 0;
    st->crc32 = crc32;
    st->generation = generation;
    st->last_len = 0;
    return 0;
}

uint8_t store_chunk(store_t *st, uint16_t offset, const uint8_t *data, uint8_t n, uint16_t *detail)
{
    uint16_t base = slot_base[staging_slot(st)];
    uint8_t i;
    *detail = 0;
    if (!st->staging) {
        return TD_NACK_NO_TRANSFER;
    }
    if (st->last_len != 0 && offset == st->last_off && n == st->last_len) {
        return 0; /* a repeat of the last chunk: its bytes are already there */
    }
    if (offset != st->staged) {
        *detail = st->staged;
        return TD_NACK_BAD_OFFSET;
    }
    if ((uint32_t)offset + n > st->length) {
        return TD_NACK_BAD_LENGTH;
    }
    for (i = 0; i < n; i++) {
        uint16_t at = (uint16_t)(offset + i);
        if (at < 2) {
            st->magic[at] = data[i]; /* the magic is written last, at commit */
        } else if (!put((uint16_t)(base + at), data[i])) {
            return TD_NACK_STORAGE;
        }
    }
    st->staged = (uint16_t)(offset + n);
    st->last_off = offset;
    st->last_len = n;
    return 0;
}

/* The staging slot as validation sees it: the magic from RAM (it is not in EEPROM yet), the rest
 * read back from EEPROM. */
static const store_t *overlay_st;

static uint8_t overlay_read(const void *ctx, uint16_t offset)
{
    return offset < 2 ? overlay_st->magic[offset] : slot_read(ctx, offset);
}

uint8_t store_commit(store_t *st, uint16_t *detail)
{
    uint8_t slot = staging_slot(st);
    uint16_t base = slot_base[slot];
    td_src_t src;
    uint8_t index;
    td_image_error_t err;
    *detail = 0;
    if (!st->staging) {
        return TD_NACK_NO_TRANSFER;
    }
    if (st->staged != st->length) {
        *detail = st->staged;
        return TD_NACK_BAD_LENGTH;
    }
    slot_src(&src, slot, st->length);
    if (st->length < H_LENGTH || image_crc(&src) != st->crc32) {
        return TD_NACK_BAD_CRC;
    }
    if (image_rd_u32(&src, H_GENERATION) != st->generation) {
        /* The image is not the one CONFIG_BEGIN announced (and was checked as newer). */
        *detail = (uint16_t)store_generation(st);
        return TD_NACK_STALE_GENERATION;
    }
    overlay_st = st;
    src.read = overlay_read;
    err = image_validate(&src, TD_BOARD, &index);
    if (err != IMAGE_OK) {
        *detail = (uint16_t)(((uint16_t)err << 8) | index);
        return TD_NACK_IMAGE_INVALID;
    }
    /* The commit point: the second magic byte, then the first. Until the first lands the slot is
     * invalid and the old config stays in force. */
    if (!put((uint16_t)(base + 1), st->magic[1]) || !put(base, st->magic[0])) {
        return TD_NACK_STORAGE;
    }
    st->staging = 0;
    st->slot = slot;
    slot_src(&st->active, slot, st->length);
    return 0;
}

void store_abort(store_t *st)
{
    st->staging = 0;
}

/* --- parameter overrides ---------------------------------------------------------------------- */

static uint8_t param_check(uint32_t gen, uint8_t index, uint32_t value)
{
    uint8_t c = (uint8_t)(0xA5 ^ index);
    uint8_t i;
    for (i = 0; i < 4; i++, gen >>= 8, value >>= 8) {
        c = (uint8_t)((c << 1 | c >> 7) ^ (uint8_t)gen ^ (uint8_t)(value * 3u));
    }
    return c;
}

void store_param_save(const store_t *st, uint8_t index, int32_t value)
{
    uint32_t gen = store_generation(st);
    uint16_t at = (uint16_t)(STORE_PARAMS_AT + 4 + STORE_PARAM_ENTRY * index);
    if (!store_ok() || index >= TD_LIMIT_PARAMS) {
        return;
    }
    put_u32(STORE_PARAMS_AT, gen); /* entries of another generation fail their check from now on */
    put_u32(at, (uint32_t)value);
    put((uint16_t)(at + 4), param_check(gen, index, (uint32_t)value));
}

bool store_param_load(const store_t *st, uint8_t index, int32_t *value)
{
    uint32_t gen = store_generation(st);
    uint16_t at = (uint16_t)(STORE_PARAMS_AT + 4 + STORE_PARAM_ENTRY * index);
    uint32_t v;
    if (!store_ok() || index >= TD_LIMIT_PARAMS || get_u32(STORE_PARAMS_AT) != gen) {
        return false;
    }
    v = get_u32(at);
    if (hal_eeprom_read((uint16_t)(at + 4)) != param_check(gen, index, v)) {
        return false;
    }
    *value = le_i32_from_u32(v);
    return true;
}
