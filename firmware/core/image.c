/* Config image sources and record accessors: one record decoded on demand, never a copy of the
 * image. */
#include "crc.h"
#include "dur16.h"
#include "image_layout.h"

static uint8_t ram_read(const void *ctx, uint16_t offset)
{
    return ((const uint8_t *)ctx)[offset];
}

void image_src_ram(td_src_t *src, const uint8_t *buf, uint16_t len)
{
    src->read = ram_read;
    src->ctx = buf;
    src->len = (buf == NULL) ? 0 : len;
}

void image_rd_bytes(const td_src_t *s, uint16_t off, uint8_t *out, uint8_t n)
{
    uint16_t at = off;
    while (n--) {
        /* at < off: the offset wrapped past 0xFFFF, which no image reaches: reads as 0 too. */
        *out++ = (at >= off && at < s->len) ? s->read(s->ctx, at) : 0;
        at++;
    }
}

/* One byte through image_rd_bytes(): one bounds check and indirect call in the firmware. */
uint8_t image_rd_u8(const td_src_t *s, uint16_t off)
{
    uint8_t b;
    image_rd_bytes(s, off, &b, 1);
    return b;
}

uint16_t image_rd_u16(const td_src_t *s, uint16_t off)
{
    uint8_t b[2];
    image_rd_bytes(s, off, b, 2);
    return le_u16(b);
}

uint32_t image_rd_u32(const td_src_t *s, uint16_t off)
{
    uint8_t b[4];
    image_rd_bytes(s, off, b, 4);
    return le_u32(b);
}

int32_t image_rd_i32(const td_src_t *s, uint16_t off)
{
    return le_i32_from_u32(image_rd_u32(s, off));
}

uint32_t image_crc(const td_src_t *s)
{
    uint32_t crc = crc32_begin();
    uint16_t i;
    for (i = TD_IMAGE_HEADER_LENGTH; i < s->len; i++) {
        crc = crc32_update(crc, image_rd_u8(s, i));
    }
    return crc32_end(crc);
}

/* The four counts sit in the header in the struct's order: one read, not four calls. */
TD_STATIC_ASSERT(sizeof(image_counts_t) == 4 && offsetof(image_counts_t, na) == 1 && offsetof(image_counts_t, nr) == 2 &&
                         offsetof(image_counts_t, np) == 3 &&
                         TD_IMAGE_HEADER_N_ACTUATORS == TD_IMAGE_HEADER_N_CHANNELS + 1 &&
                         TD_IMAGE_HEADER_N_RULES == TD_IMAGE_HEADER_N_CHANNELS + 2 &&
                         TD_IMAGE_HEADER_N_PARAMS == TD_IMAGE_HEADER_N_CHANNELS + 3,
                 counts_layout);

void image_counts(const td_src_t *s, image_counts_t *n)
{
    image_rd_bytes(s, TD_IMAGE_HEADER_N_CHANNELS, (uint8_t *)n, (uint8_t)sizeof *n);
}

/* Offset of record `index` of a section, checking the index against its count and the record
 * against the source's end. */
static bool record_at(const td_src_t *s, uint16_t base, uint8_t count, uint8_t index, uint8_t size, uint16_t *off)
{
    if (s == NULL || s->len < TD_IMAGE_HEADER_SIZE || index >= count) {
        return false;
    }
    *off = (uint16_t)(base + (uint16_t)size * index);
    return (uint32_t)*off + size <= s->len;
}

bool image_header(const td_src_t *s, td_img_header_t *h)
{
    uint8_t i;
    if (s == NULL || s->len < TD_IMAGE_HEADER_SIZE) {
        return false;
    }
    h->crc32 = image_rd_u32(s, TD_IMAGE_HEADER_CRC32);
    h->length = image_rd_u16(s, TD_IMAGE_HEADER_LENGTH);
    h->format = image_rd_u8(s, TD_IMAGE_HEADER_FORMAT);
    h->board_class = image_rd_u8(s, TD_IMAGE_HEADER_BOARD_CLASS);
    h->generation = image_rd_u32(s, TD_IMAGE_HEADER_GENERATION);
    image_rd_bytes(s, TD_IMAGE_HEADER_RECIPE_HASH, h->recipe_hash, TD_RECIPE_HASH_SIZE);
    for (i = 0; i < TD_IMAGE_NAME_SIZE; i++) {
        h->name[i] = (char)image_rd_u8(s, TD_IMAGE_HEADER_NAME + i);
    }
    h->name[TD_IMAGE_NAME_SIZE] = '\0';
    h->n_channels = image_rd_u8(s, TD_IMAGE_HEADER_N_CHANNELS);
    h->n_actuators = image_rd_u8(s, TD_IMAGE_HEADER_N_ACTUATORS);
    h->n_rules = image_rd_u8(s, TD_IMAGE_HEADER_N_RULES);
    h->n_params = image_rd_u8(s, TD_IMAGE_HEADER_N_PARAMS);
    h->telemetry_ms = dur16_ms(image_rd_u16(s, TD_IMAGE_HEADER_TELEMETRY_PERIOD));
    {
        image_counts_t n;
        image_counts(s, &n);
        h->n_sensors = image_n_sensors(s, &n);
    }
    return true;
}

bool image_param(const td_src_t *s, uint8_t index, td_param_t *p)
{
    image_counts_t n;
    uint16_t off;
    image_counts(s, &n);
    if (!record_at(s, image_params_at(&n), n.np, index, TD_PARAM_SIZE, &off)) {
        return false;
    }
    p->default_value = image_rd_i32(s, off + TD_PARAM_DEFAULT);
    p->min = image_rd_i32(s, off + TD_PARAM_MIN);
    p->max = image_rd_i32(s, off + TD_PARAM_MAX);
    return true;
}

bool image_channel(const td_src_t *s, uint8_t index, td_channel_t *c)
{
    image_counts_t n;
    uint16_t off;
    uint8_t mode;
    image_counts(s, &n);
    if (!record_at(s, image_channels_at(&n), n.nc, index, TD_CHANNEL_SIZE, &off)) {
        return false;
    }
    mode = image_rd_u8(s, off + TD_CHANNEL_MODE);
    c->pin = image_rd_u8(s, off + TD_CHANNEL_PIN);
    c->kind = mode & TD_CHANNEL_KIND_MASK;
    c->smoothing = (uint8_t)(mode >> TD_SMOOTHING_SHIFT);
    c->quantity = (uint8_t)((mode >> TD_SENSOR_QUANTITY_SHIFT) & 3u);
    c->unit = image_rd_u8(s, off + TD_CHANNEL_UNIT);
    c->period_ms = dur16_ms(image_rd_u16(s, off + TD_CHANNEL_PERIOD));
    c->gain = image_rd_i32(s, off + TD_CHANNEL_GAIN);
    c->offset = image_rd_i32(s, off + TD_CHANNEL_OFFSET);
    return true;
}

bool image_actuator(const td_src_t *s, uint8_t index, td_actuator_t *a)
{
    image_counts_t n;
    uint16_t off;
    image_counts(s, &n);
    if (!record_at(s, image_actuators_at(&n), n.na, index, TD_ACTUATOR_SIZE, &off)) {
        return false;
    }
    a->pin = image_rd_u8(s, off + TD_ACTUATOR_PIN);
    a->flags = image_rd_u8(s, off + TD_ACTUATOR_FLAGS);
    a->max_on_ms = dur16_ms(image_rd_u16(s, off + TD_ACTUATOR_MAX_ON));
    a->min_off_ms = dur16_ms(image_rd_u16(s, off + TD_ACTUATOR_MIN_OFF));
    a->daily_cap_ms = dur16_ms(image_rd_u16(s, off + TD_ACTUATOR_DAILY_CAP));
    a->servo_min = image_rd_u8(s, off + TD_ACTUATOR_SERVO_MIN);
    a->servo_max = image_rd_u8(s, off + TD_ACTUATOR_SERVO_MAX);
    a->servo_safe = image_rd_u8(s, off + TD_ACTUATOR_SERVO_SAFE);
    return true;
}

/* A duration field: the parameter index when its operand bit is set, else milliseconds. */
static uint32_t rule_dur(const td_src_t *s, uint16_t off, uint8_t ops, uint8_t bit)
{
    uint16_t raw = image_rd_u16(s, off);
    return (ops & bit) ? raw : dur16_ms(raw);
}

bool image_rule(const td_src_t *s, uint8_t index, td_rule_t *r)
{
    image_counts_t n;
    uint16_t off;
    image_counts(s, &n);
    if (!record_at(s, image_rules_at(&n), n.nr, index, TD_RULE_SIZE, &off)) {
        return false;
    }
    r->kind = image_rd_u8(s, off + TD_RULE_KIND);
    r->actuator = image_rd_u8(s, off + TD_RULE_ACTUATOR);
    r->action = image_rd_u8(s, off + TD_RULE_ACTION);
    r->level = image_rd_u8(s, off + TD_RULE_LEVEL);
    r->channel = image_rd_u8(s, off + TD_RULE_CHANNEL);
    r->flags = image_rd_u8(s, off + TD_RULE_FLAGS);
    r->interlock = image_rd_u8(s, off + TD_RULE_INTERLOCK);
    r->operands = image_rd_u8(s, off + TD_RULE_OPERANDS);
    r->threshold = image_rd_i32(s, off + TD_RULE_THRESHOLD);
    r->hysteresis = image_rd_i32(s, off + TD_RULE_HYSTERESIS);
    r->il_threshold = image_rd_i32(s, off + TD_RULE_IL_THRESHOLD);
    r->hold = rule_dur(s, off + TD_RULE_HOLD, r->operands, TD_OPERAND_HOLD);
    r->duration = rule_dur(s, off + TD_RULE_DURATION, r->operands, TD_OPERAND_DURATION);
    r->period = rule_dur(s, off + TD_RULE_PERIOD, r->operands, TD_OPERAND_PERIOD);
    return true;
}

bool image_sensor(const td_src_t *s, uint8_t index, td_sensor_t *c)
{
    image_counts_t n;
    uint16_t off;
    image_counts(s, &n);
    if (!record_at(s, image_size(&n), image_n_sensors(s, &n), index, TD_SENSOR_SIZE, &off)) {
        return false;
    }
    c->kind = image_rd_u8(s, off + TD_SENSOR_KIND);
    c->pin = image_rd_u8(s, off + TD_SENSOR_PIN);
    c->pin2 = image_rd_u8(s, off + TD_SENSOR_PIN2);
    image_rd_bytes(s, off + TD_SENSOR_OPTIONS, c->options, (uint8_t)sizeof c->options);
    c->period_ms = dur16_ms(image_rd_u16(s, off + TD_SENSOR_PERIOD));
    image_rd_bytes(s, off + TD_SENSOR_ROM, c->rom, (uint8_t)sizeof c->rom);
    return true;
}
